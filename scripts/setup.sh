#!/usr/bin/env bash
# Installs everything Joist needs into this checkout: uv, the locked Python environment (.venv),
# and the locally served front-end assets (node_modules). Safe to run again; it changes nothing
# that is already in place.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v uv >/dev/null 2>&1; then
  echo "setup: installing uv" >&2
  python3 -m pip install --quiet --disable-pip-version-check uv
fi
# compiled up front: PYTHONDONTWRITEBYTECODE (set on many machines and images) would otherwise make
# every process, each Dagster step among them, compile Dagster and Great Expectations again
uv sync --frozen --quiet --compile-bytecode
if [ ! -f node_modules/swagger-ui-dist/swagger-ui-bundle.js ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: installing the API console assets (npm ci)" >&2
  npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
fi
