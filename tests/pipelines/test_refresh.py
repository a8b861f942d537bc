"""The daily catalog refresh: a new snapshot from the curated tables, with nobody pushing."""

from __future__ import annotations

from pathlib import Path

import dagster as dg

from pipelines.definitions import build_definitions
from pipelines.run import materialize_submission
from tests.pipelines.conftest import land
from warehouse.snapshots import current_snapshot, list_snapshots


def test_the_refresh_publishes_the_curated_catalog_again(data_dir: Path, instance: dg.DagsterInstance) -> None:
    land(data_dir, "clean-1")
    assert materialize_submission(data_dir, "clean-1", instance=instance).published
    before = current_snapshot(data_dir, "catalog")

    job = build_definitions(data_dir).resolve_job_def("catalog_refresh")
    result = job.execute_in_process(instance=instance)

    assert result.success
    assert current_snapshot(data_dir, "catalog") != before and len(list_snapshots(data_dir, "catalog")) == 2
    (materialization,) = result.asset_materializations_for_node("serving__catalog")
    assert materialization.metadata["published_submissions"].value == []  # nothing new was pushed
    # the freshness checks ride along, as after every publish
    assert {e.check_name for e in result.get_asset_check_evaluations()} == {
        "supplier_catalog_sources_fresh",
        "manufacturer_feed_sources_fresh",
    }
