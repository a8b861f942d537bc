#!/usr/bin/env bash
# The run command: set-up, then Joist on the embedded default (SQLite and DuckDB files under
# ./var): migrations, demo data, the API with its console, and the Dagster UI. Ctrl-C stops it.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh
exec uv run --frozen joist up "$@"
