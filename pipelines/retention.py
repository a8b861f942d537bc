"""Retention: a daily job that removes what Joist no longer keeps of superseded submissions.

For each feed, the finished submissions (published or rejected) beyond the newest
``submission_keep`` of their source (``JOIST_SUBMISSION_KEEP``, default 3) lose their landed and
staged rows (warehouse/retention.py) and their body in the landing folder. Their manifest,
``status.json`` (with ``body_removed_at``), record and validation report stay, so
``GET /api/v1/feed-submissions/{id}`` still answers; a run of such a submission fails at once.
"""

from datetime import UTC, datetime

import dagster as dg

from pipelines.resources import POOL, WarehouseResource
from pipelines.submissions import FEEDS, remove_body
from warehouse.retention import drop_superseded_rows

# no ``from __future__ import annotations``: Dagster reads the context and resource annotations

__all__ = ["RETENTION_JOB", "RETENTION_SCHEDULE"]


@dg.op(
    pool=POOL,
    description="Remove the landed and staged rows, and the bodies, of superseded finished submissions.",
)
def prune_superseded_submissions(context: dg.OpExecutionContext, warehouse: WarehouseResource) -> dg.Output[int]:
    keep = warehouse.submission_keep
    if keep < 1:
        raise dg.Failure(description=f"JOIST_SUBMISSION_KEEP must be at least 1, not {keep}")
    now = datetime.now(UTC)
    per_feed: dict[str, dict[str, int]] = {}
    freed = 0
    with warehouse.connect() as conn:
        for feed in FEEDS:
            found = drop_superseded_rows(conn, feed=feed, keep=keep)
            bodies = [remove_body(warehouse.data_path, sid, at=now) for sid in found.submission_ids]
            freed += sum(bodies)
            per_feed[feed] = {
                "superseded": len(found.submission_ids),
                "rows_dropped_of": len(found.dropped),
                "bodies_removed": sum(1 for size in bodies if size),
            }
        if any(v["rows_dropped_of"] for v in per_feed.values()):
            conn.execute("CHECKPOINT")  # DuckDB reuses the freed blocks once they are checkpointed
    context.log.info(f"retention (keep {keep} per feed and source): {per_feed}; {freed:,} body bytes freed")
    return dg.Output(
        freed,
        metadata={
            "keep": dg.MetadataValue.int(keep),
            "feeds": dg.MetadataValue.json(per_feed),
            "body_bytes_freed": dg.MetadataValue.int(freed),
        },
    )


@dg.job(
    name="submission_retention",
    description="Daily: superseded submissions give up their landed and staged rows and their bodies.",
    executor_def=dg.in_process_executor,
)
def submission_retention() -> None:
    prune_superseded_submissions()


RETENTION_JOB = submission_retention


RETENTION_SCHEDULE = dg.ScheduleDefinition(
    name="submission_retention_daily",
    job=RETENTION_JOB,
    cron_schedule="30 3 * * *",
    execution_timezone="UTC",
    default_status=dg.DefaultScheduleStatus.RUNNING,
)
