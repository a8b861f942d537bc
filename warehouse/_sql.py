"""SQL files of the warehouse: ``warehouse/sql/<domain>/<name>.sql``, one statement each.

Values are always bound as parameters (``$name``); Python never formats a value into SQL.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import duckdb

__all__ = ["SQL_DIR", "execute", "sql"]

SQL_DIR = Path(__file__).parent / "sql"


@cache
def sql(domain: str, name: str) -> str:
    """The text of ``sql/<domain>/<name>.sql``."""
    return (SQL_DIR / domain / f"{name}.sql").read_text()


def execute(
    conn: duckdb.DuckDBPyConnection, domain: str, name: str, params: dict[str, Any] | None = None
) -> duckdb.DuckDBPyConnection:
    """Run one SQL file with named parameters; returns the connection for fetching."""
    return conn.execute(sql(domain, name), params or {})
