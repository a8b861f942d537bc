#!/usr/bin/env bash
# The test command: set-up, linters and type checks, then the whole suite on SQLite and again on
# PostgreSQL. Extra arguments go to pytest (e.g. `scripts/test.sh -k api_keys -x`).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh
scripts/services.sh

echo "== ruff" && uv run --frozen ruff check . && uv run --frozen ruff format --check .
echo "== mypy" && uv run --frozen mypy service contracts warehouse pipelines
echo "== import layers" && uv run --frozen lint-imports

status=0
echo "== tests on SQLite"
JOIST_TEST_DATABASE=sqlite uv run --frozen pytest "$@" || status=$?
echo "== tests on PostgreSQL"
JOIST_TEST_DATABASE=postgresql uv run --frozen pytest "$@" || status=$?
exit "$status"
