"""Retention: a daily job that removes what Joist no longer keeps of superseded submissions.

For each feed, the finished submissions (published or rejected) beyond the newest
``submission_keep`` of their source (``JOIST_SUBMISSION_KEEP``, default 3), other than the
source's last published one, are marked (``pruned_at`` in ``status.json``), then lose their landed
and staged rows (warehouse/retention.py), then their body. Their manifest, status, record and
validation report stay, so ``GET /api/v1/feed-submissions/{id}`` still answers; a run of a marked
submission fails at once (pipelines/assets.py).
"""

from datetime import UTC, datetime

import dagster as dg

from pipelines.jobs import utc_schedule
from pipelines.resources import POOL, WarehouseResource
from pipelines.submissions import FEEDS, mark_pruned, remove_body
from warehouse.retention import Superseded, drop_rows, superseded

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
    data = warehouse.data_path
    per_feed: dict[str, dict[str, int]] = {}
    freed = 0
    with warehouse.connect() as conn:
        for feed in FEEDS:
            found = superseded(conn, feed=feed, keep=keep)
            marked: list[Superseded] = []
            for sub in found:
                # the mark first: a submission keeps its rows until it is marked, so a run of it is
                # refused (pipelines/assets.py) and never applies nothing over the curated tables
                try:
                    mark_pruned(data, sub.submission_id, status=sub.status, at=now)
                except OSError as exc:
                    context.log.warning(f"retention left submission {sub.submission_id} for later: {exc}")
                    continue
                marked.append(sub)
            drop_rows(conn, feed=feed, submission_ids=[sub.submission_id for sub in marked if sub.holds_rows])
            removed = 0
            for sub in marked:
                try:
                    size = remove_body(data, sub.submission_id)
                except OSError as exc:
                    context.log.warning(f"retention could not remove the body of {sub.submission_id}: {exc}")
                    continue
                freed += size
                removed += 1 if size else 0
            per_feed[feed] = {
                "superseded": len(found),
                "rows_dropped_of": sum(1 for sub in marked if sub.holds_rows),
                "bodies_removed": removed,
                "left_for_later": len(found) - len(marked),
            }
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


RETENTION_SCHEDULE = utc_schedule(
    "submission_retention_daily",
    RETENTION_JOB,
    "30 3 * * *",
    "Daily at 03:30 UTC: prune landed and staged rows and bodies of superseded submissions "
    "(JOIST_SUBMISSION_KEEP per source, and always the last published one).",
)
