"""A run that stops on an error (not a rule) before its submission is accepted marks the
submission ``failed`` in its ``status.json``: the failure sensor does it for the daemon's runs,
``materialize_submission`` for its own. A rejected or accepted submission keeps its status, and
running a failed one again moves it on."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import dagster as dg
import pytest
from dagster._core.execution.plan.objects import StepSuccessData

import pipelines.assets
from pipelines.definitions import build_definitions
from pipelines.resources import WarehouseResource
from pipelines.run import end_orphaned_runs, materialize_submission
from pipelines.sensors import (
    mark_ended_runs,
    submission_backstop_sensor,
    submission_canceled_sensor,
    submission_failure_sensor,
    submission_of,
)
from pipelines.submissions import mark_failed, mark_pruned, read_status, write_status
from tests.pipelines.conftest import land, query
from warehouse.snapshots import current_snapshot

CURATED_STEP = "supplier_catalog__curated"


def _broken_apply(*_args: object, **_kwargs: object) -> None:
    raise RuntimeError("the warehouse disk is full")


def _run_job(data_dir: Path, instance: dg.DagsterInstance, submission_id: str) -> dg.ExecuteInProcessResult:
    """The submission's job as the daemon runs it (a partition, no ``joist/submission`` tag)."""
    instance.add_dynamic_partitions("supplier_catalog_submissions", [submission_id])
    job = build_definitions(data_dir).resolve_job_def("supplier_catalog_submission")
    return job.execute_in_process(instance=instance, partition_key=submission_id, raise_on_error=False)


def _sense(data_dir: Path, instance: dg.DagsterInstance, run_id: str, status: dg.DagsterRunStatus) -> None:
    """Run the sensor that watches ``status`` (failure or canceled) on the run, as the daemon would."""
    run = instance.get_run_by_id(run_id)
    assert run is not None and run.status == status
    failure = status == dg.DagsterRunStatus.FAILURE
    kind = dg.DagsterEventType.RUN_FAILURE if failure else dg.DagsterEventType.RUN_CANCELED
    (event,) = instance.all_logs(run_id, of_type=kind)
    context = dg.build_run_status_sensor_context(
        sensor_name="submission_failure_sensor" if failure else "submission_canceled_sensor",
        dagster_event=event.get_dagster_event(),
        dagster_instance=instance,
        dagster_run=run,
        resources={"warehouse": WarehouseResource(data_dir=str(data_dir))},
    )
    if failure:
        submission_failure_sensor(context.for_run_failure())
    else:
        submission_canceled_sensor(context)


def _sense_failure(data_dir: Path, instance: dg.DagsterInstance, run_id: str) -> None:
    _sense(data_dir, instance, run_id, dg.DagsterRunStatus.FAILURE)


def test_the_sensor_marks_a_submission_whose_run_failed_on_an_error(
    data_dir: Path, instance: dg.DagsterInstance, monkeypatch: pytest.MonkeyPatch
) -> None:
    land(data_dir, "broken-1")
    monkeypatch.setattr(pipelines.assets, "apply_submission", _broken_apply)
    result = _run_job(data_dir, instance, "broken-1")
    assert not result.success
    before = read_status(data_dir, "broken-1")
    assert before is not None and before["status"] == "validating"  # what the supplier saw for good

    _sense_failure(data_dir, instance, result.run_id)
    status = read_status(data_dir, "broken-1")
    assert status is not None and status["status"] == "failed"
    assert status["failure"]["run_id"] == result.run_id
    assert status["failure"]["steps"] == [CURATED_STEP]
    assert status["report"]["accepted"] is True  # validation's report stays: the rules passed
    assert "disk" not in str(status)  # the error itself is the operators', not the supplier's
    assert current_snapshot(data_dir, "catalog") is None  # nothing was published


def test_running_a_failed_submission_again_moves_it_on(
    data_dir: Path, instance: dg.DagsterInstance, monkeypatch: pytest.MonkeyPatch
) -> None:
    land(data_dir, "broken-2")
    with monkeypatch.context() as patch:
        patch.setattr(pipelines.assets, "apply_submission", _broken_apply)
        first = materialize_submission(data_dir, "broken-2", instance=instance)
    assert not first.success and first.status == "failed"  # in-process runs are marked too
    assert (read_status(data_dir, "broken-2") or {})["failure"]["steps"] == [CURATED_STEP]

    again = materialize_submission(data_dir, "broken-2", instance=instance)
    assert again.success and again.status == "published"
    assert "failure" not in (read_status(data_dir, "broken-2") or {})
    assert query(data_dir, "SELECT status FROM submission WHERE submission_id = 'broken-2'") == [("published",)]


def test_a_rejected_submission_stays_rejected(data_dir: Path, instance: dg.DagsterInstance) -> None:
    land(data_dir, "dirty-1", dirty=True)
    result = _run_job(data_dir, instance, "dirty-1")
    assert not result.success  # its blocking checks failed the run
    _sense_failure(data_dir, instance, result.run_id)
    status = read_status(data_dir, "dirty-1")
    assert status is not None and status["status"] == "rejected" and "failure" not in status


def test_only_an_unfinished_submission_is_marked(data_dir: Path) -> None:
    for sid in ("none", "validating", "accepted", "newer", "pruned"):
        land(data_dir, sid, rows=3)
    before = datetime.now(UTC) - timedelta(seconds=1)
    write_status(data_dir, "validating", "validating")
    write_status(data_dir, "accepted", "accepted")
    write_status(data_dir, "newer", "validating")
    write_status(data_dir, "pruned", "validating")
    mark_pruned(data_dir, "pruned", status="validating", at=before)
    after = datetime.now(UTC)

    marked = {
        sid: mark_failed(data_dir, sid, run_id="r1", steps=["s", "s"], failed_at=after)
        for sid in ("none", "validating", "accepted", "pruned", "gone")
    }
    # its status was written after the run failed: a later run has moved it on
    marked["newer"] = mark_failed(data_dir, "newer", run_id="r1", steps=[], failed_at=before)
    assert marked == {
        "none": True,
        "validating": True,
        "accepted": False,
        "pruned": False,
        "gone": False,
        "newer": False,
    }
    assert (read_status(data_dir, "none") or {})["failure"]["steps"] == ["s"]
    assert (read_status(data_dir, "validating") or {})["status"] == "failed"


def test_a_run_names_its_submission_by_tag_or_partition() -> None:
    assert submission_of({"joist/submission": "a", "dagster/partition": "b"}) == "a"
    assert submission_of({"dagster/partition": "b"}) == "b"
    assert submission_of({"dagster/schedule_name": "retention_daily"}) is None


def test_runs_left_in_flight_by_stopped_workers_are_failed_and_free_the_pool(data_dir: Path, tmp_path: Path) -> None:
    """``python -m pipelines recover``, which ``joist up`` runs before it starts Dagster again."""
    land(data_dir, "orphan")
    job = build_definitions(data_dir).resolve_job_def("supplier_catalog_submission")
    (tmp_path / "dagster").mkdir()
    with dg.DagsterInstance.local_temp(str(tmp_path / "dagster")) as instance:
        instance.event_log_storage.set_concurrency_slots("warehouse", 1)
        run = instance.create_run_for_job(job, tags={"joist/submission": "orphan"})
        instance.run_storage.handle_run_event(
            run.run_id,
            dg.DagsterEvent(dg.DagsterEventType.RUN_START.value, job_name=job.name),
        )
        landed, staged = "supplier_catalog__landed", "supplier_catalog__staged"
        step_events = [
            (dg.DagsterEventType.STEP_START, landed, None),
            (dg.DagsterEventType.STEP_SUCCESS, landed, StepSuccessData(duration_ms=5.0)),
            # staged had started when its worker went away: no step failure will ever name it
            (dg.DagsterEventType.STEP_START, staged, None),
        ]
        for kind, step, data in step_events:
            event = dg.DagsterEvent(kind.value, job_name=job.name, step_key=step, event_specific_data=data)
            instance.report_dagster_event(event, run.run_id)
        claim = instance.event_log_storage.claim_concurrency_slot("warehouse", run.run_id, staged)
        assert claim.is_claimed
        done = instance.get_run_by_id(run.run_id)
        assert done is not None and done.status == dg.DagsterRunStatus.STARTED

        assert end_orphaned_runs(instance, reason="stopped") == [run.run_id]
        ended = instance.get_run_by_id(run.run_id)
        assert ended is not None and ended.status == dg.DagsterRunStatus.FAILURE
        assert not instance.event_log_storage.get_concurrency_info("warehouse").claimed_slots
        assert end_orphaned_runs(instance, reason="stopped") == []  # nothing else in flight

        _sense_failure(data_dir, instance, run.run_id)  # and its submission is marked failed
    status = read_status(data_dir, "orphan")
    assert status is not None and status["status"] == "failed" and status["failure"]["run_id"] == run.run_id
    assert status["failure"]["steps"] == ["supplier_catalog__staged"]  # the step cut off


def test_a_failed_submission_that_fails_again_names_the_later_run(data_dir: Path) -> None:
    land(data_dir, "twice", rows=3)
    first = datetime.now(UTC)
    assert mark_failed(data_dir, "twice", run_id="r1", steps=["a"], failed_at=first)
    assert mark_failed(data_dir, "twice", run_id="r2", steps=["b"], failed_at=first + timedelta(seconds=5))
    failure = (read_status(data_dir, "twice") or {})["failure"]
    assert (failure["run_id"], failure["steps"]) == ("r2", ["b"])
    # a sensor that reports the first run late does not put it back
    assert not mark_failed(data_dir, "twice", run_id="r1", steps=["a"], failed_at=first)


def test_a_canceled_run_marks_its_submission_failed(data_dir: Path, tmp_path: Path) -> None:
    land(data_dir, "canceled")
    job = build_definitions(data_dir).resolve_job_def("supplier_catalog_submission")
    (tmp_path / "dagster").mkdir()
    with dg.DagsterInstance.local_temp(str(tmp_path / "dagster")) as instance:
        run = instance.create_run_for_job(job, tags={"joist/submission": "canceled"})
        instance.report_run_canceled(run)
        _sense(data_dir, instance, run.run_id, dg.DagsterRunStatus.CANCELED)
    status = read_status(data_dir, "canceled")
    assert status is not None and status["status"] == "failed"
    assert (status["failure"]["run_id"], status["failure"]["steps"]) == (run.run_id, [])


def test_the_backstop_marks_a_run_that_failed_where_the_failure_sensor_did_not_see_it(
    data_dir: Path, instance: dg.DagsterInstance, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The failure sensor sees only runs that end after its first tick: a run that failed while
    the daemon was down is the backstop sensor's, once, with the steps that failed."""
    land(data_dir, "unseen-1")
    monkeypatch.setattr(pipelines.assets, "apply_submission", _broken_apply)
    result = _run_job(data_dir, instance, "unseen-1")
    assert not result.success and (read_status(data_dir, "unseen-1") or {})["status"] == "validating"

    def tick() -> str:
        context = dg.build_sensor_context(
            instance=instance, resources={"warehouse": WarehouseResource(data_dir=str(data_dir))}
        )
        skipped = submission_backstop_sensor(context)
        assert isinstance(skipped, dg.SkipReason)
        return str(skipped.skip_message)

    assert tick() == "marked failed: unseen-1"
    status = read_status(data_dir, "unseen-1")
    assert status is not None and status["status"] == "failed"
    assert (status["failure"]["run_id"], status["failure"]["steps"]) == (result.run_id, [CURATED_STEP])
    assert tick() == "no unfinished submission's run has ended"


def test_the_backstop_marks_a_submission_whose_run_recover_ended_and_not_one_run_again(
    data_dir: Path, tmp_path: Path
) -> None:
    """``python -m pipelines recover`` fails the runs a stopped daemon left in flight before
    Dagster starts again: the backstop marks their submissions (here one whose run never got to
    write a status), and leaves alone one whose newest run is queued again or that finished."""
    for sid in ("orphan-2", "requeued", "finished"):
        land(data_dir, sid)
    write_status(data_dir, "finished", "published")
    job = build_definitions(data_dir).resolve_job_def("supplier_catalog_submission")
    (tmp_path / "dagster").mkdir()
    with dg.DagsterInstance.local_temp(str(tmp_path / "dagster")) as instance:

        def run_of(sid: str) -> str:
            run = instance.create_run_for_job(job, tags={"joist/submission": sid, "dagster/partition": sid})
            instance.run_storage.handle_run_event(
                run.run_id, dg.DagsterEvent(dg.DagsterEventType.RUN_START.value, job_name=job.name)
            )
            return run.run_id

        orphan = run_of("orphan-2")
        run_of("requeued")
        run_of("finished")
        assert len(end_orphaned_runs(instance, reason="stopped")) == 3
        instance.create_run_for_job(job, tags={"joist/submission": "requeued", "dagster/partition": "requeued"})
        assert mark_ended_runs(instance, data_dir) == ["orphan-2"]
        assert mark_ended_runs(instance, data_dir) == []
    status = read_status(data_dir, "orphan-2")
    assert status is not None and status["status"] == "failed"
    assert (status["failure"]["run_id"], status["failure"]["steps"]) == (orphan, [])
    assert read_status(data_dir, "requeued") is None
    assert (read_status(data_dir, "finished") or {})["status"] == "published"
