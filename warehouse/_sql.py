"""SQL files of the warehouse: ``warehouse/sql/<domain>/<name>.sql``, one statement each.

Values are always bound as parameters (``$name``); Python never formats a value into SQL.
"""

from __future__ import annotations

import logging
import time
from functools import cache
from pathlib import Path
from typing import Any

import duckdb

__all__ = ["SQL_DIR", "execute", "sql"]

SQL_DIR = Path(__file__).parent / "sql"
_log = logging.getLogger("joist.warehouse.sql")


@cache
def sql(domain: str, name: str) -> str:
    """The text of ``sql/<domain>/<name>.sql``."""
    return (SQL_DIR / domain / f"{name}.sql").read_text()


def execute(
    conn: duckdb.DuckDBPyConnection, domain: str, name: str, params: dict[str, Any] | None = None
) -> duckdb.DuckDBPyConnection:
    """Run one SQL file with named parameters; returns the connection for fetching.

    At DEBUG level, the ``joist.warehouse.sql`` logger records each statement's time."""
    if not _log.isEnabledFor(logging.DEBUG):
        return conn.execute(sql(domain, name), params or {})
    started = time.perf_counter()
    try:
        return conn.execute(sql(domain, name), params or {})
    finally:
        _log.debug("%s/%s: %.3f s", domain, name, time.perf_counter() - started)
