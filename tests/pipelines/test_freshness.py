"""The freshness checks flag each source whose last accepted submission is older than its cadence."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import dagster as dg
import pytest

from pipelines.definitions import build_definitions
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
    _record(data_dir, "m-1", "weekly-maker", timedelta(days=3), "accepted", feed="manufacturer_feed")


@pytest.mark.usefixtures("suppliers")
def test_a_late_supplier_is_flagged(data_dir: Path, instance: dg.DagsterInstance) -> None:
    checks = _freshness(data_dir, instance)
    supplier = checks["supplier_catalog_sources_fresh"]
    assert not supplier.passed and supplier.severity is dg.AssetCheckSeverity.WARN
    late: Any = supplier.metadata["late_sources"].value
    assert [row["source"] for row in late] == ["late"]
    assert late[0]["expected_every_hours"] == 24 and late[0]["hours_since"] >= 71
    assert supplier.metadata["sources"].value == 2
    assert not checks["manufacturer_feed_sources_fresh"].passed


@pytest.mark.usefixtures("suppliers")
def test_cadence_overrides_per_source(data_dir: Path, instance: dg.DagsterInstance) -> None:
    cadence = FeedCadence(default_hours=1, overrides="late=168,weekly-maker=168")
    checks = _freshness(data_dir, instance, cadence)
    late: Any = checks["supplier_catalog_sources_fresh"].metadata["late_sources"].value
    assert [row["source"] for row in late] == ["on-time"]
    assert checks["manufacturer_feed_sources_fresh"].passed


def test_cadence_configuration() -> None:
    assert FeedCadence().expected("anyone") == timedelta(hours=24)
    with pytest.raises(ValueError, match="slug=hours"):
        FeedCadence(overrides="acme:12").expected("acme")
