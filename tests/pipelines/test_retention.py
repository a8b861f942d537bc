"""Retention: superseded finished submissions give up their landed and staged rows and their body;
the newest of each source, unfinished ones, their records and reports, and what is served stay."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import dagster as dg
import pytest

from pipelines.definitions import build_definitions
from pipelines.run import materialize, materialize_submission
from pipelines.submissions import read_status
from tests.pipelines.conftest import SUPPLIER, T0, land, query, record
from warehouse.retention import drop_rows, superseded
from warehouse.snapshots import current_snapshot
from warehouse.store import connect_warehouse

OTHER = "peak-lumber"


def _held(data_dir: Path, table: str) -> set[str]:
    return {str(r[0]) for r in query(data_dir, f"SELECT DISTINCT submission_id FROM {table}")}


def _retention(data_dir: Path, instance: dg.DagsterInstance) -> dg.ExecuteInProcessResult:
    result = build_definitions(data_dir).resolve_job_def("submission_retention").execute_in_process(instance=instance)
    assert result.success
    return result


def _feeds_metadata(result: dg.ExecuteInProcessResult) -> dict[str, dict[str, int]]:
    (materialization,) = [e for e in result.all_events if e.event_type is dg.DagsterEventType.STEP_OUTPUT]
    data = materialization.step_output_data.metadata["feeds"].value
    assert isinstance(data, dict)
    return data


def _apply_again(data_dir: Path, instance: dg.DagsterInstance, sid: str) -> dg.ExecuteInProcessResult:
    """Validation and curation of a submission run again on their own, without landing it."""
    return materialize(
        data_dir,
        "key:supplier_catalog/validated or key:supplier_catalog/curated",
        partition_key=sid,
        instance=instance,
        raise_on_error=False,
    )


@pytest.fixture
def pushes(data_dir: Path, instance: dg.DagsterInstance) -> None:
    # five pushes of one supplier (the third rejected) and one of another, all run through
    for n, dirty in enumerate([False, False, True, False, False], start=1):
        land(data_dir, f"s-{n}", received_at=T0 + timedelta(hours=n), dirty=dirty)
        assert materialize_submission(data_dir, f"s-{n}", instance=instance).status == (
            "rejected" if dirty else "published"
        )
    land(data_dir, "o-1", source=OTHER, received_at=T0)
    assert materialize_submission(data_dir, "o-1", instance=instance).published
    # one still on its way: never touched, however old
    land(data_dir, "s-0", received_at=T0 - timedelta(days=30))
    record(data_dir, "s-0", SUPPLIER, T0 - timedelta(days=30), "validating")


@pytest.mark.usefixtures("pushes")
def test_superseded_submissions_lose_rows_and_bodies_and_keep_their_reports(
    data_dir: Path, instance: dg.DagsterInstance, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("JOIST_SUBMISSION_KEEP", "2")
    offers_sql = "SELECT supplier, supplier_sku, price_region, unit_price FROM catalog_offer ORDER BY ALL"
    offers = query(data_dir, offers_sql)
    served = current_snapshot(data_dir, "catalog")
    assert _held(data_dir, "landed_supplier_catalog") == {"s-1", "s-2", "s-3", "s-4", "s-5", "o-1"}

    result = _retention(data_dir, instance)

    kept = {"s-4", "s-5", "o-1"}
    assert _held(data_dir, "landed_supplier_catalog") == kept
    assert _held(data_dir, "staged_supplier_catalog") == kept
    assert _feeds_metadata(result)["supplier_catalog"] == {
        "superseded": 3,
        "rows_dropped_of": 3,
        "bodies_removed": 3,
        "left_for_later": 0,
    }
    for sid in ("s-1", "s-2", "s-3"):
        folder = data_dir / "landing" / sid
        assert not (folder / "body.csv").exists() and (folder / "submission.json").exists()
        status = read_status(data_dir, sid)
        assert status is not None and status["pruned_at"] and status["report"] is not None
    assert read_status(data_dir, "s-3")["status"] == "rejected"  # type: ignore[index]
    assert read_status(data_dir, "s-1")["status"] == "published"  # type: ignore[index]
    for sid in ("s-0", "s-4", "s-5", "o-1"):
        assert (data_dir / "landing" / sid / "body.csv").exists()
    # the records and reports stay; what is served does not change
    assert len(query(data_dir, "SELECT * FROM submission WHERE report IS NOT NULL AND submission_id LIKE 's-%'")) == 5
    assert query(data_dir, offers_sql) == offers
    assert current_snapshot(data_dir, "catalog") == served

    # nothing left to do the second time
    again = _feeds_metadata(_retention(data_dir, instance))["supplier_catalog"]
    assert again == {"superseded": 3, "rows_dropped_of": 0, "bodies_removed": 0, "left_for_later": 0}


@pytest.mark.usefixtures("pushes")
def test_a_superseded_submission_does_not_run_again(
    data_dir: Path, instance: dg.DagsterInstance, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("JOIST_SUBMISSION_KEEP", "1")
    _retention(data_dir, instance)
    run = materialize_submission(data_dir, "s-2", instance=instance)
    assert not run.success
    failures = instance.all_logs(run.run_id, of_type=dg.DagsterEventType.STEP_FAILURE)
    assert any("no longer kept" in str(e.get_dagster_event().event_specific_data) for e in failures)
    # nor do its later steps alone: they would apply an empty catalog over the supplier's offers
    offers = query(data_dir, "SELECT count(*) FROM catalog_offer")
    partial = _apply_again(data_dir, instance, "s-2")
    assert not partial.success
    assert query(data_dir, "SELECT count(*) FROM catalog_offer") == offers
    # its status and report are as they were
    status = read_status(data_dir, "s-2")
    assert status is not None and status["status"] == "published" and status["pruned_at"]


def test_the_newest_finished_submissions_of_each_source_are_kept(data_dir: Path) -> None:
    # recorded in the order they finished; received_at (an inbox file's mtime) does not rank them
    for sid, source, hours, status in [
        ("a", SUPPLIER, 4, "published"),
        ("b", SUPPLIER, 3, "rejected"),
        ("c", SUPPLIER, 2, "accepted"),
        ("d", SUPPLIER, 1, "rejected"),
        ("e", SUPPLIER, 0, "rejected"),
        ("f", OTHER, 0, "published"),
    ]:
        record(data_dir, sid, source, T0 + timedelta(hours=hours), status)
    conn = connect_warehouse(data_dir)
    try:

        def ids(keep: int) -> list[str]:
            return [s.submission_id for s in superseded(conn, feed="supplier_catalog", keep=keep)]

        # "a" is the supplier's last published submission: kept behind any number of rejections
        assert ids(1) == ["b", "d"]
        assert ids(2) == ["b"]
        assert ids(3) == []
        assert superseded(conn, feed="manufacturer_feed", keep=1) == []
        with pytest.raises(ValueError, match="at least one"):
            superseded(conn, feed="supplier_catalog", keep=0)
    finally:
        conn.close()


@pytest.mark.usefixtures("pushes")
def test_a_submission_that_cannot_be_marked_keeps_its_rows(
    data_dir: Path, instance: dg.DagsterInstance, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("JOIST_SUBMISSION_KEEP", "2")
    status = data_dir / "landing" / "s-1" / "status.json"
    status.unlink()
    status.mkdir()  # the mark cannot be written
    result = _retention(data_dir, instance)
    assert _feeds_metadata(result)["supplier_catalog"]["left_for_later"] == 1
    assert _held(data_dir, "landed_supplier_catalog") == {"s-1", "s-4", "s-5", "o-1"}
    assert (data_dir / "landing" / "s-1" / "body.csv").exists()
    assert not (data_dir / "landing" / "s-2" / "body.csv").exists()


@pytest.mark.usefixtures("pushes")
def test_rows_gone_without_the_mark_are_never_applied(data_dir: Path, instance: dg.DagsterInstance) -> None:
    conn = connect_warehouse(data_dir)
    try:
        drop_rows(conn, feed="supplier_catalog", submission_ids=["s-2"])  # as if the mark had been lost
    finally:
        conn.close()
    offers = query(data_dir, "SELECT count(*) FROM catalog_offer")
    partial = _apply_again(data_dir, instance, "s-2")
    assert not partial.success
    failures = instance.all_logs(partial.run_id, of_type=dg.DagsterEventType.STEP_FAILURE)
    assert any("no staged rows" in str(e.get_dagster_event().event_specific_data) for e in failures)
    assert query(data_dir, "SELECT count(*) FROM catalog_offer") == offers
