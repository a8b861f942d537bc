"""Every Dagster definition of Joist, loaded by ``workspace.yaml`` (and by :mod:`pipelines.run`)."""

from __future__ import annotations

from pathlib import Path

import dagster as dg

from pipelines.assets import FRESHNESS_CHECKS, all_assets
from pipelines.jobs import (
    CATALOG_REFRESH_JOB,
    CATALOG_REFRESH_SCHEDULE,
    FRESHNESS_AFTER_PUBLISH,
    FRESHNESS_JOB,
    FRESHNESS_SCHEDULE,
    SUBMISSION_JOBS,
)
from pipelines.resources import (
    DEFAULT_CADENCE_HOURS,
    DEFAULT_DATA_DIR,
    DEFAULT_MEMORY_LIMIT,
    DEFAULT_SUBMISSION_KEEP,
    FeedCadence,
    WarehouseResource,
    env_int_or,
    env_or,
)
from pipelines.retention import RETENTION_JOB, RETENTION_SCHEDULE
from pipelines.sensors import BACKSTOP_SENSOR, CANCELED_SENSOR, FAILURE_SENSOR, INBOX_SENSOR, LANDING_SENSOR

__all__ = ["build_definitions", "defs"]


def build_definitions(data_dir: str | Path | None = None, *, cadence: FeedCadence | None = None) -> dg.Definitions:
    """The code location; ``data_dir`` (else ``JOIST_DATA_DIR``, else ``./var``) binds the resources."""
    warehouse = WarehouseResource(
        data_dir=str(data_dir) if data_dir is not None else env_or("JOIST_DATA_DIR", DEFAULT_DATA_DIR),
        memory_limit=env_or("JOIST_WAREHOUSE_MEMORY_LIMIT", DEFAULT_MEMORY_LIMIT),
        submission_keep=env_int_or("JOIST_SUBMISSION_KEEP", DEFAULT_SUBMISSION_KEEP),
    )
    cadence = cadence or FeedCadence(
        default_hours=env_int_or("JOIST_FEED_CADENCE_HOURS", DEFAULT_CADENCE_HOURS),
        overrides=env_or("JOIST_FEED_CADENCE_OVERRIDES", ""),
    )
    return dg.Definitions(
        assets=all_assets(),
        asset_checks=FRESHNESS_CHECKS,
        jobs=[*SUBMISSION_JOBS.values(), FRESHNESS_JOB, CATALOG_REFRESH_JOB, RETENTION_JOB],
        sensors=[
            LANDING_SENSOR,
            INBOX_SENSOR,
            FAILURE_SENSOR,
            CANCELED_SENSOR,
            BACKSTOP_SENSOR,
            FRESHNESS_AFTER_PUBLISH,
        ],
        schedules=[FRESHNESS_SCHEDULE, CATALOG_REFRESH_SCHEDULE, RETENTION_SCHEDULE],
        resources={"warehouse": warehouse, "cadence": cadence},
    )


defs = build_definitions()
