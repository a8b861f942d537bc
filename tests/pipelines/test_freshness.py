"""The freshness checks flag each source whose last accepted submission is older than its cadence."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import dagster as dg
import pytest

from pipelines.definitions import build_definitions
from pipelines.jobs import freshness_after_publish
from pipelines.resources import FeedCadence
from tests.pipelines.conftest import record


def _record(data_dir: Path, sid: str, source: str, age: timedelta, status: str, feed: str = "supplier_catalog") -> None:
    record(data_dir, sid, source, datetime.now(UTC) - age, status, feed)


def _freshness(
    data_dir: Path, instance: dg.DagsterInstance, cadence: FeedCadence | None = None
) -> dict[str, dg.AssetCheckEvaluation]:
    job = build_definitions(data_dir, cadence=cadence).resolve_job_def("feed_freshness")
    result = job.execute_in_process(instance=instance)
    assert result.success
    return {e.check_name: e for e in result.get_asset_check_evaluations()}


@pytest.fixture
def suppliers(data_dir: Path) -> None:
    _record(data_dir, "a-1", "on-time", timedelta(hours=2), "published")
    _record(data_dir, "b-1", "late", timedelta(days=3), "published")
    # a rejected push does not make a supplier fresh
    _record(data_dir, "b-2", "late", timedelta(hours=1), "rejected")
    # nothing ever accepted: late once its first submission is older than its cadence
    _record(data_dir, "c-1", "never-accepted", timedelta(days=2), "rejected")
    _record(data_dir, "c-2", "never-accepted", timedelta(hours=3), "failed")
    _record(data_dir, "d-1", "just-started", timedelta(hours=1), "rejected")
    _record(data_dir, "m-1", "weekly-maker", timedelta(days=3), "accepted", feed="manufacturer_feed")


@pytest.mark.usefixtures("suppliers")
def test_a_late_supplier_is_flagged(data_dir: Path, instance: dg.DagsterInstance) -> None:
    checks = _freshness(data_dir, instance)
    supplier = checks["supplier_catalog_sources_fresh"]
    assert not supplier.passed and supplier.severity is dg.AssetCheckSeverity.WARN
    late: Any = supplier.metadata["late_sources"].value
    assert [row["source"] for row in late] == ["late", "never-accepted"]
    assert late[0]["expected_every_hours"] == 24 and late[0]["hours_since"] >= 71
    assert late[1]["last_accepted_received_at"] is None and late[1]["hours_since"] >= 47
    assert supplier.metadata["sources"].value == 4
    assert not checks["manufacturer_feed_sources_fresh"].passed


@pytest.mark.usefixtures("suppliers")
def test_cadence_overrides_per_source(data_dir: Path, instance: dg.DagsterInstance) -> None:
    cadence = FeedCadence(default_hours=1, overrides="late=168,weekly-maker=168")
    checks = _freshness(data_dir, instance, cadence)
    late: Any = checks["supplier_catalog_sources_fresh"].metadata["late_sources"].value
    assert [row["source"] for row in late] == ["just-started", "never-accepted", "on-time"]
    assert checks["manufacturer_feed_sources_fresh"].passed


def test_cadence_configuration() -> None:
    assert FeedCadence().expected("anyone") == timedelta(hours=24)
    with pytest.raises(ValueError, match="slug=hours"):
        FeedCadence(overrides="acme:12").expected("acme")


def test_a_published_submission_asks_for_the_freshness_checks(data_dir: Path, instance: dg.DagsterInstance) -> None:
    """The submission jobs leave the freshness checks out (a rejected run would show them
    "execution failed"); a sensor runs them after each successful submission run instead."""
    defs = build_definitions(data_dir)
    job = defs.resolve_job_def("supplier_catalog_submission")
    run = instance.create_run_for_job(job)
    instance.report_run_failed(run)  # any status will do for the context; the sensor watches SUCCESS
    (event,) = instance.all_logs(run.run_id, of_type=dg.DagsterEventType.RUN_FAILURE)
    context = dg.build_run_status_sensor_context(
        sensor_name="freshness_after_publish",
        dagster_event=event.get_dagster_event(),
        dagster_instance=instance,
        dagster_run=run,
    )
    request = freshness_after_publish(context)
    assert isinstance(request, dg.RunRequest) and request.run_key == f"fresh-after-{run.run_id}"
    assert defs.resolve_sensor_def("freshness_after_publish").job_name == "feed_freshness"
