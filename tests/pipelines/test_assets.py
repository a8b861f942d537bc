"""Each asset materialised on its own into a temporary data directory, its result read back from
the DuckDB warehouse (or the serving snapshot) before the next step runs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import dagster as dg
import pytest

from pipelines.run import materialize
from pipelines.submissions import read_status
from tests.pipelines.conftest import SUPPLIER, land, query
from warehouse.catalog import CatalogReader
from warehouse.snapshots import current_snapshot

#: feed → (rows in the sample body, the curated table, its rows once applied)
FEEDS = {
    "supplier_catalog": (120, "catalog_offer", 120),
    "manufacturer_feed": (40, "manufacturer_product", 40),
    "cost_items": (30, "cost_item", 30),
    "location_index": (None, "location_index", None),
}


def _step(data_dir: Path, instance: dg.DagsterInstance, key: str, partition: str | None) -> dg.ExecuteInProcessResult:
    result = materialize(data_dir, f'key:"{key}"', partition_key=partition, instance=instance)
    assert result.success
    assert [str(m.asset_key.to_user_string()) for m in result.get_asset_materialization_events() if m.asset_key] == [
        key
    ]
    return result


@pytest.mark.parametrize("feed", FEEDS)
def test_feed_assets_one_by_one(feed: str, data_dir: Path, instance: dg.DagsterInstance) -> None:
    body_rows, curated_table, _ = FEEDS[feed]
    sid = f"sub-{feed}"
    land(data_dir, sid, feed=feed, rows=body_rows or 0)
    landed_rows = len((data_dir / "landing" / sid / "body.csv").read_text().splitlines()) - 1

    _step(data_dir, instance, f"{feed}/landed", sid)
    assert query(data_dir, f"SELECT count(*), min(source_line) FROM landed_{feed} WHERE submission_id = ?", [sid]) == [
        (landed_rows, 2)
    ]
    assert query(data_dir, "SELECT status FROM submission WHERE submission_id = ?", [sid]) == [("validating",)]

    _step(data_dir, instance, f"{feed}/staged", sid)
    ((staged,),) = query(data_dir, f"SELECT count(*) FROM staged_{feed} WHERE submission_id = ?", [sid])
    assert 0 < staged <= landed_rows

    result = _step(data_dir, instance, f"{feed}/validated", sid)
    evaluations = result.get_asset_check_evaluations()
    assert evaluations and all(e.passed or e.severity is dg.AssetCheckSeverity.WARN for e in evaluations)
    assert query(data_dir, "SELECT status, rows FROM submission WHERE submission_id = ?", [sid]) == [
        ("validating", staged)
    ]
    status = read_status(data_dir, sid)
    assert status is not None and status["status"] == "validating" and status["report"]["accepted"]

    assert query(data_dir, f"SELECT count(*) FROM {curated_table}") == [(0,)]
    _step(data_dir, instance, f"{feed}/curated", sid)
    ((curated,),) = query(data_dir, f"SELECT count(*) FROM {curated_table}")
    assert curated == staged
    assert query(data_dir, "SELECT status FROM submission WHERE submission_id = ?", [sid]) == [("accepted",)]
    # applied once: running curated again without validating again is refused
    again = materialize(data_dir, f'key:"{feed}/curated"', partition_key=sid, instance=instance, raise_on_error=False)
    assert not again.success


def test_serving_assets_publish_snapshots(data_dir: Path, instance: dg.DagsterInstance) -> None:
    for feed in FEEDS:
        land(data_dir, f"sub-{feed}", feed=feed, rows=FEEDS[feed][0] or 0)
        for step in ("landed", "staged", "validated", "curated"):
            _step(data_dir, instance, f"{feed}/{step}", f"sub-{feed}")

    result = _step(data_dir, instance, "serving/catalog", None)
    metadata = result.get_asset_materialization_events()[0].materialization.metadata
    assert f"{metadata['snapshot_id'].value}.duckdb" == current_snapshot(data_dir, "catalog")
    published: Any = metadata["published_submissions"].value
    assert sorted(published) == ["sub-manufacturer_feed", "sub-supplier_catalog"]
    # the freshness checks ran with the snapshot: the suppliers' samples were received long ago
    checks = {e.check_name: e.passed for e in result.get_asset_check_evaluations()}
    assert checks == {"supplier_catalog_sources_fresh": False, "manufacturer_feed_sources_fresh": False}

    _step(data_dir, instance, "serving/cost_data", None)
    statuses = dict(query(data_dir, "SELECT submission_id, status FROM submission"))
    assert set(statuses.values()) == {"published"}

    reader = CatalogReader(data_dir)
    try:
        page = reader.search_products(q="lumber", supplier=SUPPLIER, limit=5)
        assert page.items and all(hit.offer.supplier == SUPPLIER for hit in page.items)
        items = reader.list_cost_items(zip_code="80202", limit=5)
        assert items.items
    finally:
        reader.close()
