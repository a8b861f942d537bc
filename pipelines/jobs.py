"""Jobs: one per feed (a submission through to its product's snapshot), and the freshness checks.

Submission jobs run in one process: the steps wait for the ``warehouse`` pool one after another
anyway, and one process pays the imports (Great Expectations, DuckDB) once per run.
"""

from __future__ import annotations

import dagster as dg

from pipelines.assets import FEED_ASSETS, FRESHNESS_CHECKS, PRODUCT_FEEDS, SERVING_ASSETS

__all__ = [
    "CATALOG_REFRESH_JOB",
    "CATALOG_REFRESH_SCHEDULE",
    "FRESHNESS_AFTER_PUBLISH",
    "FRESHNESS_JOB",
    "FRESHNESS_SCHEDULE",
    "SUBMISSION_JOBS",
    "submission_job_name",
    "utc_schedule",
]


def utc_schedule(
    name: str, job: dg.UnresolvedAssetJobDefinition | dg.JobDefinition, cron: str, description: str
) -> dg.ScheduleDefinition:
    """A schedule on a cron in UTC that runs from the start (an analyst can stop it in the UI)."""
    return dg.ScheduleDefinition(
        name=name,
        job=job,
        cron_schedule=cron,
        execution_timezone="UTC",
        description=description,
        default_status=dg.DefaultScheduleStatus.RUNNING,
    )


def submission_job_name(feed: str) -> str:
    return f"{feed}_submission"


def _product(feed: str) -> str:
    return next(p for p, feeds in PRODUCT_FEEDS.items() if feed in feeds)


SUBMISSION_JOBS: dict[str, dg.UnresolvedAssetJobDefinition] = {
    feed: dg.define_asset_job(
        submission_job_name(feed),
        # without the freshness checks: a rejected submission's run skips the snapshot, and checks
        # planned in it would show "execution failed" until the next run; FRESHNESS_AFTER_PUBLISH
        # and the hourly schedule run them in a job of their own
        selection=dg.AssetSelection.assets(*assets.assets, SERVING_ASSETS[_product(feed)])
        - dg.AssetSelection.checks(*FRESHNESS_CHECKS),
        description=f"One {feed} submission (the partition) from landing to the {_product(feed)} snapshot.",
        executor_def=dg.in_process_executor,
        tags={"joist/feed": feed},
    )
    for feed, assets in FEED_ASSETS.items()
}

FRESHNESS_JOB = dg.define_asset_job(
    "feed_freshness",
    selection=dg.AssetSelection.checks(*FRESHNESS_CHECKS),
    description="Flag suppliers and manufacturers whose last accepted submission is older than their cadence.",
    executor_def=dg.in_process_executor,
)

FRESHNESS_SCHEDULE = utc_schedule(
    "feed_freshness_hourly",
    FRESHNESS_JOB,
    "0 * * * *",
    "Every hour: the freshness checks, so a supplier that stopped sending shows late without a push.",
)


@dg.run_status_sensor(
    run_status=dg.DagsterRunStatus.SUCCESS,
    name="freshness_after_publish",
    monitored_jobs=[SUBMISSION_JOBS[feed] for feed in PRODUCT_FEEDS["catalog"]],  # the feeds with a cadence
    request_job=FRESHNESS_JOB,
    minimum_interval_seconds=10,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="After a submission is published: the freshness checks, so its source shows on time at once.",
)
def freshness_after_publish(context: dg.RunStatusSensorContext) -> dg.RunRequest:
    return dg.RunRequest(run_key=f"fresh-after-{context.dagster_run.run_id}")


FRESHNESS_AFTER_PUBLISH = freshness_after_publish

CATALOG_REFRESH_JOB = dg.define_asset_job(
    "catalog_refresh",
    selection=dg.AssetSelection.assets(SERVING_ASSETS["catalog"]),
    description=(
        "Publish the catalog snapshot again from the curated tables, so that offers enter it on their "
        "valid_from and leave it after their valid_to without a push."
    ),
    executor_def=dg.in_process_executor,
)

CATALOG_REFRESH_SCHEDULE = utc_schedule(
    "catalog_refresh_daily",
    CATALOG_REFRESH_JOB,
    "5 0 * * *",
    "Every day at 00:05 UTC: a new catalog snapshot, so a price dated from today is served today and one "
    "that ended yesterday is not (a snapshot holds the offers valid on its publish date).",
)
