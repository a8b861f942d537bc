"""Retention: what the warehouse keeps of a submission once newer ones have come.

The landed and staged rows of a submission (the feed as sent, and typed) are kept for the newest
``keep`` finished submissions (published or rejected) of each feed and source, and for the
source's last published one whatever came after it; older ones lose them. Nothing else reads
those rows once a submission is finished: the curated tables and the snapshots hold what was
accepted, and the submission's record and validation report stay in ``submission``. Submissions
still on their way (validating, accepted) are never touched.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import duckdb

from warehouse._sql import execute, sql
from warehouse.staging import STAGED_TABLES, unstage

__all__ = ["Superseded", "drop_rows", "superseded"]


@dataclass(frozen=True, slots=True)
class Superseded:
    submission_id: str
    status: str
    #: whether landed or staged rows of it are still there to remove
    holds_rows: bool


def superseded(conn: duckdb.DuckDBPyConnection, *, feed: str, keep: int) -> list[Superseded]:
    """The feed's superseded submissions, the first finished first."""
    if keep < 1:
        raise ValueError("keep the rows of at least one submission per source")
    # the table names come from the feed list, never from a request
    query = sql("retention", "superseded").format(landed=f"landed_{feed}", staged=STAGED_TABLES[feed])
    rows = conn.execute(query, {"feed": feed, "keep": keep}).fetchall()
    return [Superseded(str(sid), str(status), bool(holds)) for sid, status, holds in rows]


def drop_rows(conn: duckdb.DuckDBPyConnection, *, feed: str, submission_ids: Sequence[str]) -> None:
    """Remove the landed and staged rows of these submissions, in one transaction."""
    if not submission_ids:
        return
    conn.execute("BEGIN")
    try:
        for sid in submission_ids:
            execute(conn, "landing", f"delete_{feed}", {"submission_id": sid})
            unstage(conn, feed=feed, submission_id=sid)
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
