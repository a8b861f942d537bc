#!/usr/bin/env bash
# The test command: set-up, linters and type checks, then the whole suite on SQLite and again on
# PostgreSQL. Extra arguments go to pytest (e.g. `scripts/test.sh -k api_keys -x`).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh
scripts/services.sh
if ! command -v chromium >/dev/null 2>&1; then
  # The browser tests drive Debian's Chromium through Playwright; no browser is downloaded.
  echo "test: installing Chromium (Debian package) for the browser tests" >&2
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi

echo "== ruff" && uv run --frozen ruff check . && uv run --frozen ruff format --check .
echo "== mypy" && uv run --frozen mypy service contracts warehouse pipelines
echo "== import layers" && uv run --frozen lint-imports

status=0
echo "== tests on SQLite"
JOIST_TEST_DATABASE=sqlite uv run --frozen pytest "$@" || status=$?
echo "== tests on PostgreSQL"
JOIST_TEST_DATABASE=postgresql uv run --frozen pytest "$@" || status=$?
exit "$status"
