"""Whole submissions through their feed's job, in-process, as ``joist pipelines materialize`` runs
them: a clean catalog ends published and searchable; a dirty one ends rejected with its report,
its failed checks carry their evidence, and what was published before is still what is served."""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

import dagster as dg
import pytest

from contracts.samples import write_cost_items_csv, write_location_index_csv
from pipelines.run import materialize_pending, materialize_submission
from pipelines.submissions import ManifestError, read_status
from tests.pipelines.conftest import SUPPLIER, land, query
from warehouse.catalog import CatalogReader
from warehouse.snapshots import current_snapshot, list_snapshots

FRESHNESS_FEEDS = ("supplier_catalog", "manufacturer_feed")


def _check_evaluations(instance: dg.DagsterInstance, run_id: str) -> dict[str, dg.AssetCheckEvaluation]:
    records = instance.all_logs(run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION)
    out = {}
    for record in records:
        evaluation = record.get_dagster_event().event_specific_data
        assert isinstance(evaluation, dg.AssetCheckEvaluation)
        out[evaluation.check_name] = evaluation
    return out


def test_clean_catalog_is_published_and_searchable(data_dir: Path, instance: dg.DagsterInstance) -> None:
    land(data_dir, "clean-1")
    run = materialize_submission(data_dir, "clean-1", instance=instance)

    assert run.success and run.published and run.feed == "supplier_catalog"
    assert run.report is not None and run.report.accepted and run.report.rows == 120
    status = read_status(data_dir, "clean-1")
    assert status is not None and status["status"] == "published" and status["report"]["accepted"]
    assert query(data_dir, "SELECT status FROM submission WHERE submission_id = 'clean-1'") == [("published",)]
    reader = CatalogReader(data_dir)
    try:
        page = reader.search_products(q="lumber", zip_code="80202")
        assert page.items and f"{page.snapshot}.duckdb" == current_snapshot(data_dir, "catalog")
        assert {hit.offer.supplier for hit in page.items} == {SUPPLIER}
    finally:
        reader.close()


def test_dirty_catalog_is_rejected_with_its_report_and_publishes_nothing(
    data_dir: Path, instance: dg.DagsterInstance
) -> None:
    land(data_dir, "clean-1")
    assert materialize_submission(data_dir, "clean-1", instance=instance).published
    served = current_snapshot(data_dir, "catalog")
    offers_before = query(data_dir, "SELECT supplier_sku, price_region, unit_price FROM catalog_offer ORDER BY 1, 2")

    land(data_dir, "dirty-2", dirty=True)
    run = materialize_submission(data_dir, "dirty-2", instance=instance)

    assert not run.success and run.status == "rejected"
    assert run.report is not None and not run.report.accepted
    failed = {r.rule for r in run.report.failed_rules}
    assert {"unit_price_positive", "unit_price_numeric", "order_uom_known", "unique_sku_per_region"} <= failed
    status = read_status(data_dir, "dirty-2")
    assert status is not None and status["status"] == "rejected"
    assert query(data_dir, "SELECT status FROM submission WHERE submission_id = 'dirty-2'") == [("rejected",)]

    # the checks carry the evidence: counts and sample rows with their line numbers
    checks = _check_evaluations(instance, run.run_id)
    assert set(checks) == {r.rule for r in run.report.rules}
    negative = checks["unit_price_positive"]
    assert not negative.passed and negative.severity is dg.AssetCheckSeverity.ERROR
    assert negative.metadata["rows_checked"].value == 120
    samples = negative.metadata["samples"].value
    assert isinstance(samples, list) and 0 < len(samples) <= 20
    assert all(isinstance(s["line"], int) and s["line"] >= 2 for s in samples)
    assert "| line |" in str(negative.metadata["sample_rows"].value)
    assert checks["required_supplier_sku"].passed
    # each result is recorded against the submission, so a check's history names the submission
    assert {c.partition for c in checks.values()} == {"dirty-2"}

    # nothing downstream of the failed blocking checks ran
    materialized = {
        r.get_dagster_event().event_specific_data.materialization.asset_key.to_user_string()  # type: ignore[union-attr]
        for r in instance.all_logs(run.run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION)
    }
    assert materialized == {"supplier_catalog/landed", "supplier_catalog/staged", "supplier_catalog/validated"}
    assert current_snapshot(data_dir, "catalog") == served and len(list_snapshots(data_dir, "catalog")) == 1
    offers_after = query(data_dir, "SELECT supplier_sku, price_region, unit_price FROM catalog_offer ORDER BY 1, 2")
    assert offers_after == offers_before

    # the freshness checks are not planned in a submission's run (they have a job of their own), so
    # a rejected one does not leave them "execution failed" in the Dagster UI
    fresh = [dg.AssetCheckKey(dg.AssetKey(["serving", "catalog"]), f"{f}_sources_fresh") for f in FRESHNESS_FEEDS]
    latest = instance.event_log_storage.get_latest_asset_check_execution_by_key(fresh)
    assert all(latest.get(key) is None for key in fresh), latest


def test_unreadable_body_is_rejected_by_the_structure_checks(data_dir: Path, instance: dg.DagsterInstance) -> None:
    land(data_dir, "empty-1", body=lambda path: path.write_bytes(b""))
    run = materialize_submission(data_dir, "empty-1", instance=instance)
    assert not run.success and run.status == "rejected"
    assert run.report is not None and {r.rule for r in run.report.failed_rules} == {"not_empty"}
    # rules with nothing to look at report no result rather than a made-up one
    assert set(_check_evaluations(instance, run.run_id)) == {r.rule for r in run.report.rules}
    assert current_snapshot(data_dir, "catalog") is None


def test_a_folder_without_a_valid_manifest_is_refused(data_dir: Path, instance: dg.DagsterInstance) -> None:
    folder = land(data_dir, "bad-1")
    manifest = json.loads((folder / "submission.json").read_text())
    (folder / "submission.json").write_text(json.dumps({**manifest, "body": "../elsewhere.csv"}))
    with pytest.raises(ManifestError, match="inside the submission's folder"):
        materialize_submission(data_dir, "bad-1", instance=instance)
    with pytest.raises(ManifestError, match="does not exist"):
        materialize_submission(data_dir, "nothing-here", instance=instance)


def test_pending_runs_the_inbox_and_unprocessed_landings(data_dir: Path, instance: dg.DagsterInstance) -> None:
    inbox = data_dir / "inbox" / "cost_data"
    write_cost_items_csv(inbox / "cost_items_2026q1.csv", 30)
    write_location_index_csv(inbox / "location_index.csv")
    old = time.time() - 3600
    for path in inbox.iterdir():
        os.utime(path, (old, old))

    runs = materialize_pending(data_dir, instance=instance)

    assert sorted(r.feed for r in runs) == ["cost_items", "location_index"]
    assert all(r.published for r in runs)
    assert not list(inbox.iterdir())
    # each status names the file it came from
    named = {(read_status(data_dir, r.submission_id) or {}).get("file_name") for r in runs}
    assert named == {"cost_items_2026q1.csv", "location_index.csv"}
    assert materialize_pending(data_dir, instance=instance) == []
    reader = CatalogReader(data_dir)
    try:
        page = reader.list_cost_items(zip_code="80202", limit=5)
        assert page.items and all(item.index_applied for item in page.items)
    finally:
        reader.close()


def test_an_inbox_file_dropped_again_or_an_older_one_dropped_back_is_applied(
    data_dir: Path, instance: dg.DagsterInstance, tmp_path: Path
) -> None:
    """An operator restoring last quarter's cost book copies it back with its old mtime (``cp -p``):
    it is received when dropped, so it applies over the newer one; the same file dropped twice is
    two submissions, not one silently dropped."""
    inbox = data_dir / "inbox" / "cost_data"
    inbox.mkdir(parents=True)
    older, newer = tmp_path / "cost_items_q1.csv", tmp_path / "cost_items_q2.csv"
    write_cost_items_csv(older, 30)
    write_cost_items_csv(newer, 12)
    os.utime(older, (time.time() - 7200,) * 2)
    os.utime(newer, (time.time() - 3600,) * 2)
    ids = []
    for path in (newer, older, older):
        shutil.copy2(path, inbox / path.name)  # as cp -p: the mtime goes with it
        (run,) = materialize_pending(data_dir, instance=instance)
        assert run.published, run.report
        ids.append(run.submission_id)
        assert query(data_dir, "SELECT count(*) FROM cost_item") == [(30 if path is older else 12,)]
    assert len(set(ids)) == 3


def test_the_module_command(
    data_dir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from pipelines.__main__ import main

    monkeypatch.delenv("DAGSTER_HOME", raising=False)  # a throwaway instance, not the developer's

    land(data_dir, "cli-1", rows=20)
    land(data_dir, "cli-2", rows=20, dirty=True)
    assert main(["materialize", "--data-dir", str(data_dir)]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "cli-1\tsupplier_catalog\tpublished"
    assert lines[1].startswith("cli-2\tsupplier_catalog\trejected\tfailed: ")
    assert main(["materialize", "--data-dir", str(data_dir), "--select", 'key:"serving/catalog"']) == 0
    assert "materialized\tserving/catalog" in capsys.readouterr().out
    assert main(["materialize", "--data-dir", str(data_dir), "--submission", "missing"]) == 2
