"""Staging: ``landed_<feed>`` → ``staged_<feed>``, typed, unit-normalised and de-duplicated.

The SQL lives in ``warehouse/sql/<domain>/stage*.sql``; the column convention the staged tables
follow (``x_text`` beside a typed ``x``, canonical unit codes, ``source_line``) is described in
:mod:`contracts.rules`, whose suites validate these tables.
"""

from __future__ import annotations

import duckdb

from warehouse._sql import execute

__all__ = ["STAGED_TABLES", "stage_feed", "unstage"]

#: feed → (SQL domain, staging statement, clean-up statement, staged table)
_STEPS: dict[str, tuple[str, str, str]] = {
    "supplier_catalog": ("supplier_catalog", "stage", "delete_staged"),
    "manufacturer_feed": ("manufacturer_feed", "stage", "delete_staged"),
    "cost_items": ("cost_data", "stage_cost_items", "delete_staged_cost_items"),
    "location_index": ("cost_data", "stage_location_index", "delete_staged_location_index"),
}

STAGED_TABLES: dict[str, str] = {feed: f"staged_{feed}" for feed in _STEPS}


def stage_feed(conn: duckdb.DuckDBPyConnection, *, feed: str, submission_id: str, source: str) -> int:
    """Stage one landed submission (replacing an earlier staging of it); returns rows staged.

    ``source`` is the supplier (or manufacturer, or cost-data publisher) slug the rows belong to.
    """
    domain, stage, delete = _STEPS[feed]
    params: dict[str, object] = {"submission_id": submission_id}
    conn.execute("BEGIN")
    try:
        execute(conn, domain, delete, params)
        if feed == "supplier_catalog":
            params["supplier"] = source
        execute(conn, domain, stage, params)
        row = execute(conn, "validation", f"{feed}__count", {"submission_id": submission_id}).fetchone()
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return int(row[0]) if row else 0


def unstage(conn: duckdb.DuckDBPyConnection, *, feed: str, submission_id: str) -> None:
    """Remove a submission's staged rows."""
    domain, _, delete = _STEPS[feed]
    execute(conn, domain, delete, {"submission_id": submission_id})
