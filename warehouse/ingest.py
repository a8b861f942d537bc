"""One submission from file to curated tables: land → stage → validate → apply when accepted.

The pipelines run these steps as separate assets; :func:`ingest_file` chains them for the CLI,
tests and benchmarks. A rejected submission changes no curated table, so nothing published
before changes either.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

import duckdb

from contracts.report import ValidationReport
from contracts.schemas import NO_PRICE_COMPARISON
from warehouse.curated import Mode, apply_submission, record_submission
from warehouse.landing import BodyFormat, land_feed
from warehouse.staging import stage_feed
from warehouse.validation import CHUNK_ROWS, validate_staged

__all__ = ["ingest_file"]


def ingest_file(
    conn: duckdb.DuckDBPyConnection,
    *,
    feed: str,
    submission_id: str,
    path: str | Path,
    source: str,
    received_at: datetime,
    mode: Mode = "full",
    terms: Sequence[str] = (),
    makes: Sequence[str] | None = None,
    fmt: BodyFormat | None = None,
    chunk_rows: int = CHUNK_ROWS,
) -> ValidationReport:
    """Validate one submission and, when no blocking rule fails, fold it into the curated tables.

    The warehouse's ``submission`` table records it as ``accepted`` or ``rejected`` with its report.
    """
    common = {
        "submission_id": submission_id,
        "feed": feed,
        "source": source,
        "received_at": received_at,
        "mode": mode,
        "terms": list(terms),
    }
    record_submission(conn, **common, status="validating")  # type: ignore[arg-type]
    landed = land_feed(conn, feed=feed, submission_id=submission_id, path=path, fmt=fmt)
    rows = stage_feed(conn, feed=feed, submission_id=submission_id, source=source) if landed.rows else 0
    report = validate_staged(
        conn,
        feed=feed,
        submission_id=submission_id,
        structure=landed.structure,
        rows=rows,
        chunk_rows=chunk_rows,
        makes=makes,
    )
    if report.accepted:
        apply_submission(
            conn,
            feed=feed,
            submission_id=submission_id,
            source=source,
            at=received_at,
            mode=mode,
            price_comparison_allowed=NO_PRICE_COMPARISON not in terms,
        )
    status = "accepted" if report.accepted else "rejected"
    record_submission(conn, **common, status=status, rows=rows, report=report)  # type: ignore[arg-type]
    return report
