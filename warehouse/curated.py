"""Curated models: accepted staged submissions → the tables snapshots are built from.

- ``catalog_offer``: the current catalog per supplier, SKU and price region. A *full* submission
  replaces the supplier's catalog; a *delta* replaces only the keys it lists.
- ``price_history``: type-2 history of every key's price (``effective_from`` / ``effective_to``,
  ``is_current``), stamped with the submission's ``received_at``.
- ``manufacturer_product``, ``cost_item``, ``location_index``: current rows per key.

Each function runs in one transaction and must only be called for an accepted submission.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

import duckdb

from contracts.report import ValidationReport
from warehouse._sql import execute

__all__ = [
    "Mode",
    "SubmissionRecord",
    "apply_cost_items",
    "apply_location_index",
    "apply_manufacturer_feed",
    "apply_submission",
    "apply_supplier_catalog",
    "get_submission",
    "last_received",
    "mark_published",
    "record_submission",
    "roll_price_history",
]

Mode = Literal["full", "delta"]


def _in_transaction(conn: duckdb.DuckDBPyConnection, work: Callable[[], None]) -> None:
    conn.execute("BEGIN")
    try:
        work()
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


def _aware(at: datetime) -> datetime:
    if at.tzinfo is None:
        raise ValueError("times must carry a time zone (UTC)")
    return at


def apply_supplier_catalog(
    conn: duckdb.DuckDBPyConnection,
    *,
    submission_id: str,
    supplier: str,
    at: datetime,
    mode: Mode = "full",
    price_comparison_allowed: bool = True,
) -> None:
    """Fold an accepted supplier submission into the current catalog and the price history, its
    prices from ``at`` (its receipt), or from the last roll of the history when that came later (a
    submission received before a publish and applied after it), so no period ends before it starts."""
    at = _aware(at)
    rolled = execute(conn, "supplier_catalog", "roll_last").fetchone()
    if rolled is not None and rolled[0] is not None and rolled[0] > at:
        at = rolled[0]
    params: dict[str, Any] = {
        "submission_id": submission_id,
        "supplier": supplier,
        "at": at,
        "full": mode == "full",
    }

    def work() -> None:
        execute(conn, "supplier_catalog", "close_history", params)
        execute(conn, "supplier_catalog", "open_history", {k: params[k] for k in ("submission_id", "at")})
        execute(
            conn, "supplier_catalog", "delete_offers", {k: params[k] for k in ("submission_id", "supplier", "full")}
        )
        execute(
            conn,
            "supplier_catalog",
            "insert_offers",
            {"submission_id": submission_id, "at": params["at"], "price_comparison_allowed": price_comparison_allowed},
        )

    _in_transaction(conn, work)


def roll_price_history(conn: duckdb.DuckDBPyConnection, *, at: datetime) -> None:
    """Bring the price history up to the prices in effect on ``at``'s day without a push: a price
    sent ahead starts, and one whose validity ended ends (each catalog publish calls it, the daily
    refresh included). Only the keys with a row whose day came since the last roll are looked at."""
    params = {"at": _aware(at)}

    def work() -> None:
        execute(conn, "supplier_catalog", "roll_keys", params)
        row = execute(conn, "supplier_catalog", "roll_count").fetchone()
        if row is not None and row[0]:
            execute(conn, "supplier_catalog", "roll_close", params)
            execute(conn, "supplier_catalog", "roll_open", params)
        execute(conn, "supplier_catalog", "roll_mark", params)
        execute(conn, "supplier_catalog", "roll_drop")

    _in_transaction(conn, work)


def apply_manufacturer_feed(
    conn: duckdb.DuckDBPyConnection, *, submission_id: str, at: datetime, mode: Mode = "delta"
) -> None:
    """Replace the manufacturer's models with an accepted feed's (all of them when ``full``)."""

    def work() -> None:
        execute(conn, "manufacturer_feed", "delete_products", {"submission_id": submission_id, "full": mode == "full"})
        execute(conn, "manufacturer_feed", "insert_products", {"submission_id": submission_id, "at": _aware(at)})

    _in_transaction(conn, work)


def apply_cost_items(conn: duckdb.DuckDBPyConnection, *, submission_id: str, mode: Mode = "full") -> None:
    """Replace the cost book (or, for a delta, the lines it lists) with an accepted one."""

    def work() -> None:
        execute(conn, "cost_data", "delete_cost_items", {"submission_id": submission_id, "full": mode == "full"})
        execute(conn, "cost_data", "replace_cost_items", {"submission_id": submission_id})

    _in_transaction(conn, work)


def apply_location_index(conn: duckdb.DuckDBPyConnection, *, submission_id: str, mode: Mode = "full") -> None:
    """Replace the location index (or, for a delta, the areas and divisions it lists)."""

    def work() -> None:
        execute(conn, "cost_data", "delete_location_index", {"submission_id": submission_id, "full": mode == "full"})
        execute(conn, "cost_data", "insert_location_index", {"submission_id": submission_id})

    _in_transaction(conn, work)


def apply_submission(
    conn: duckdb.DuckDBPyConnection,
    *,
    feed: str,
    submission_id: str,
    source: str,
    at: datetime,
    mode: Mode = "full",
    price_comparison_allowed: bool = True,
) -> None:
    """Dispatch to the feed's apply function."""
    if feed == "supplier_catalog":
        apply_supplier_catalog(
            conn,
            submission_id=submission_id,
            supplier=source,
            at=at,
            mode=mode,
            price_comparison_allowed=price_comparison_allowed,
        )
    elif feed == "manufacturer_feed":
        apply_manufacturer_feed(conn, submission_id=submission_id, at=at, mode=mode)
    elif feed == "cost_items":
        apply_cost_items(conn, submission_id=submission_id, mode=mode)
    elif feed == "location_index":
        apply_location_index(conn, submission_id=submission_id, mode=mode)
    else:
        raise KeyError(feed)


@dataclass(frozen=True, slots=True)
class SubmissionRecord:
    submission_id: str
    feed: str
    source: str
    received_at: datetime
    mode: str
    terms: list[str]
    status: str
    rows: int | None
    report: ValidationReport | None


def record_submission(
    conn: duckdb.DuckDBPyConnection,
    *,
    submission_id: str,
    feed: str,
    source: str,
    received_at: datetime,
    mode: Mode,
    terms: list[str],
    status: str,
    rows: int | None = None,
    report: ValidationReport | None = None,
) -> None:
    """Insert or update the warehouse's record of a submission."""
    execute(
        conn,
        "submission",
        "upsert",
        {
            "submission_id": submission_id,
            "feed": feed,
            "source": source,
            "received_at": _aware(received_at),
            "mode": mode,
            "terms": terms,
            "status": status,
            "rows": rows,
            "report": None if report is None else json.dumps(report.to_dict()),
        },
    )


def get_submission(conn: duckdb.DuckDBPyConnection, submission_id: str) -> SubmissionRecord | None:
    """The warehouse's record of a submission, or None."""
    row = execute(conn, "submission", "get", {"submission_id": submission_id}).fetchone()
    if row is None:
        return None
    report = ValidationReport.from_dict(json.loads(row[8])) if row[8] else None
    return SubmissionRecord(row[0], row[1], row[2], row[3], row[4], list(row[5] or []), row[6], row[7], report)


def mark_published(conn: duckdb.DuckDBPyConnection, *, feeds: Sequence[str]) -> list[str]:
    """Mark the accepted submissions of ``feeds`` published (a snapshot now serves them); their ids."""
    rows = execute(conn, "submission", "mark_published", {"feeds": list(feeds)}).fetchall()
    return sorted(str(r[0]) for r in rows)


def last_received(conn: duckdb.DuckDBPyConnection, *, feed: str) -> dict[str, tuple[datetime | None, datetime]]:
    """Per source of ``feed`` that has sent anything: when its newest accepted (or published)
    submission was received (None: none ever was), and when its first submission was."""
    rows = execute(conn, "submission", "last_published", {"feed": feed}).fetchall()
    return {str(source): (accepted, first) for source, accepted, first in rows}
