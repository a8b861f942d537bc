"""Retention: what the warehouse keeps of a submission once newer ones have come.

The landed and staged rows of a submission (the feed as sent, and typed) are kept for the newest
``keep`` finished submissions (published or rejected) of each feed and source; older ones lose
them. Nothing else reads those rows once a submission is finished: the curated tables and the
snapshots hold what was accepted, and the submission's record and validation report stay in
``submission``. Submissions still on their way (validating, accepted) are never touched.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb

from warehouse._sql import execute, sql
from warehouse.staging import STAGED_TABLES, unstage

__all__ = ["Superseded", "drop_superseded_rows", "superseded"]


@dataclass(frozen=True, slots=True)
class Superseded:
    feed: str
    #: every finished submission of the feed beyond the newest ``keep`` of its source, oldest first
    submission_ids: list[str] = field(default_factory=list)
    #: those of them whose rows were removed this time (the others had none left)
    dropped: list[str] = field(default_factory=list)


def superseded(conn: duckdb.DuckDBPyConnection, *, feed: str, keep: int) -> list[tuple[str, bool]]:
    """(submission id, whether it still holds landed or staged rows) of each superseded submission."""
    if keep < 1:
        raise ValueError("keep the rows of at least one submission per source")
    # the table names come from the feed list, never from a request
    query = sql("retention", "superseded").format(landed=f"landed_{feed}", staged=STAGED_TABLES[feed])
    rows = conn.execute(query, {"feed": feed, "keep": keep}).fetchall()
    return [(str(sid), bool(holds)) for sid, holds in rows]


def drop_superseded_rows(conn: duckdb.DuckDBPyConnection, *, feed: str, keep: int) -> Superseded:
    """Remove the landed and staged rows of the feed's superseded submissions, in one transaction."""
    found = superseded(conn, feed=feed, keep=keep)
    result = Superseded(feed, [sid for sid, _ in found])
    holding = [sid for sid, holds in found if holds]
    if not holding:
        return result
    conn.execute("BEGIN")
    try:
        for sid in holding:
            execute(conn, "landing", f"delete_{feed}", {"submission_id": sid})
            unstage(conn, feed=feed, submission_id=sid)
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    result.dropped.extend(holding)
    return result
