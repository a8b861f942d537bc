"""Sensors: new submissions become runs of their feed's job, one dynamic partition each.

- ``landing_sensor``: folders under ``landing/`` whose ``submission.json`` is in place (pushed
  supplier catalogs and manufacturer feeds).
- ``cost_data_inbox_sensor``: files dropped into ``inbox/cost_data/`` are first moved into a
  landing folder of their own (:func:`pipelines.submissions.admit_inbox`), then run the same way.

- ``submission_failure_sensor``: a run of a submission that failed on an error before the
  submission was accepted marks it ``failed`` in its ``status.json``
  (:func:`pipelines.submissions.mark_failed`), so the supplier sees it instead of ``validating``
  for good; running it again from the Dagster UI moves it on. ``submission_canceled_sensor`` does
  the same for a canceled run.
- ``submission_backstop_sensor``: the two sensors above see only runs that end after their first
  tick (a run ended while the daemon was down, or by ``python -m pipelines recover`` before it
  started, is not theirs); once a minute it marks ``failed`` each unfinished submission whose
  newest run ended failed or canceled (:func:`mark_ended_runs`).

All start RUNNING, so ``dagster dev`` processes a push with nobody touching anything. A
submission is run once: the cursor remembers the manifests it has seen (by the ctime the
manifest's rename gave it, re-reading a margin behind so a slow rename is not missed), and a
submission that already has its dynamic partition or a ``status.json`` (run in-process by
``joist pipelines materialize``) is not requested again; the run key is the submission id too.
"""

# no ``from __future__ import annotations``: Dagster reads the context and resource annotations

import json
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import dagster as dg

from pipelines.assets import FEED_ASSETS
from pipelines.jobs import SUBMISSION_JOBS, submission_job_name
from pipelines.resources import WarehouseResource
from pipelines.submissions import (
    INBOX_FEEDS,
    PUSHED_FEEDS,
    Manifest,
    ManifestError,
    admit_inbox,
    manifest_files,
    mark_failed,
    read_manifest,
    read_status,
)

__all__ = [
    "BACKSTOP_SENSOR",
    "CANCELED_SENSOR",
    "FAILURE_SENSOR",
    "INBOX_SENSOR",
    "LANDING_SENSOR",
    "SubmissionCursor",
    "mark_ended_runs",
    "mark_failed_run",
    "new_submissions",
    "submission_of",
]

#: How far behind the newest manifest a tick looks again (a rename racing the directory scan).
MARGIN_NS = 120 * 1_000_000_000
#: An inbox file must be this old before it is taken (a copy still being written is not).
INBOX_SETTLE_SECONDS = 10.0


@dataclass(slots=True)
class SubmissionCursor:
    """The newest manifest ctime seen, and the submissions seen within the margin behind it."""

    after_ns: int = 0
    seen: dict[str, int] = field(default_factory=dict)

    @classmethod
    def parse(cls, text: str | None) -> "SubmissionCursor":
        if not text:
            return cls()
        data = json.loads(text)
        return cls(int(data["after_ns"]), {str(k): int(v) for k, v in data["seen"].items()})

    def dump(self) -> str:
        return json.dumps({"after_ns": self.after_ns, "seen": self.seen}, sort_keys=True)


def new_submissions(
    data_dir: Path, feeds: Collection[str], cursor: SubmissionCursor
) -> tuple[list[Manifest], list[str], SubmissionCursor]:
    """Manifests of ``feeds`` not seen before (oldest received first), problems, the next cursor.

    Submissions that have a ``status.json`` already are remembered as seen but not returned.
    """
    found = manifest_files(data_dir)
    after = max([cursor.after_ns, *(ctime for ctime, _ in found)])
    seen = {sid: ctime for sid, ctime in cursor.seen.items() if ctime > after - MARGIN_NS}
    manifests: list[Manifest] = []
    problems: list[str] = []
    for ctime, sid in found:
        if ctime <= cursor.after_ns - MARGIN_NS or sid in cursor.seen:
            continue
        try:
            manifest = read_manifest(data_dir, sid)
        except ManifestError as exc:
            problems.append(f"{sid}: {exc}")
            seen[sid] = ctime
            continue
        if manifest.feed not in feeds:
            continue  # the other sensor's
        seen[sid] = ctime
        if read_status(data_dir, sid) is not None:
            continue
        manifests.append(manifest)
    manifests.sort(key=lambda m: (m.received_at, m.submission_id))
    return manifests, problems, SubmissionCursor(after, seen)


def _has_partition(instance: dg.DagsterInstance, manifest: Manifest) -> bool:
    return instance.has_dynamic_partition(FEED_ASSETS[manifest.feed].partitions_name, manifest.submission_id)


def _evaluate(
    context: dg.SensorEvaluationContext, data_dir: Path, feeds: Collection[str], note: str = ""
) -> dg.SensorResult:
    cursor = SubmissionCursor.parse(context.cursor)
    manifests, problems, next_cursor = new_submissions(data_dir, feeds, cursor)
    manifests = [m for m in manifests if not _has_partition(context.instance, m)]
    for problem in problems:
        context.log.warning(f"landing folder skipped: {problem}")
    requests = [
        dg.RunRequest(
            run_key=m.submission_id,
            job_name=submission_job_name(m.feed),
            partition_key=m.submission_id,
            tags={
                "joist/submission": m.submission_id,
                "joist/source": m.source,
                **({} if m.file_name is None else {"joist/file": m.file_name}),
            },
        )
        for m in manifests
    ]
    adds = [
        FEED_ASSETS[feed].partitions.build_add_request([m.submission_id for m in manifests if m.feed == feed])
        for feed in feeds
        if any(m.feed == feed for m in manifests)
    ]
    if not requests:
        return dg.SensorResult(skip_reason=f"no new submissions{note}", cursor=next_cursor.dump())
    return dg.SensorResult(run_requests=requests, dynamic_partitions_requests=adds, cursor=next_cursor.dump())


@dg.sensor(
    name="landing_sensor",
    jobs=[SUBMISSION_JOBS[f] for f in PUSHED_FEEDS],
    minimum_interval_seconds=10,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Runs each pushed submission (supplier catalog, manufacturer feed) once its manifest is in place.",
)
def landing_sensor(context: dg.SensorEvaluationContext, warehouse: WarehouseResource) -> dg.SensorResult:
    return _evaluate(context, warehouse.data_path, PUSHED_FEEDS)


@dg.sensor(
    name="cost_data_inbox_sensor",
    jobs=[SUBMISSION_JOBS[f] for f in INBOX_FEEDS],
    minimum_interval_seconds=30,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Moves files dropped into inbox/cost_data/ into landing folders and runs each once.",
)
def cost_data_inbox_sensor(context: dg.SensorEvaluationContext, warehouse: WarehouseResource) -> dg.SensorResult:
    inbox = admit_inbox(warehouse.data_path, now=datetime.now(UTC), settle_seconds=INBOX_SETTLE_SECONDS)
    if inbox.admitted:
        context.log.info("admitted from the inbox: " + ", ".join(f"{name} as {sid}" for name, sid in inbox.admitted))
    if inbox.ignored:
        context.log.warning(
            "left in the inbox, never to be taken: "
            + ", ".join(inbox.ignored)
            + " (a file's name starts with cost_items or location_index and ends in .csv, .ndjson or .json,"
            " optionally .gz)"
        )
    return _evaluate(context, warehouse.data_path, INBOX_FEEDS, note=" (inbox empty or files still settling)")


def submission_of(tags: Mapping[str, str]) -> str | None:
    """The submission a run is of: its ``joist/submission`` tag (runs the sensors or ``joist
    pipelines materialize`` start), else its partition (an operator's run from the Dagster UI)."""
    return tags.get("joist/submission") or tags.get("dagster/partition")


def _ended(context: dg.RunStatusSensorContext) -> tuple[str, datetime] | None:
    """The submission of the run a status sensor reacts to, and when the run ended (None when the
    run is no submission's: a schedule's, the retention job's)."""
    run = context.dagster_run
    submission_id = submission_of(run.tags)
    if submission_id is None:
        return None
    record = context.instance.get_run_record_by_id(run.run_id)
    ended = record.end_time if record is not None else None
    return submission_id, datetime.fromtimestamp(ended, UTC) if ended else datetime.now(UTC)


@dg.run_failure_sensor(
    name="submission_failure_sensor",
    minimum_interval_seconds=10,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Marks a submission failed when its run stopped on an error before accepting it "
    "(a rejected submission's run fails by its checks and stays rejected).",
)
def submission_failure_sensor(context: dg.RunFailureSensorContext, warehouse: WarehouseResource) -> None:
    if (found := _ended(context)) is None:
        return
    submission_id, failed_at = found
    run_id = context.dagster_run.run_id
    failures = context.get_step_failure_events()
    steps = mark_failed_run(context.instance, warehouse.data_path, submission_id, run_id, failures, failed_at)
    if steps is not None:
        context.log.warning(f"submission {submission_id} failed in run {run_id} ({', '.join(steps) or 'no step'})")


@dg.run_status_sensor(
    run_status=dg.DagsterRunStatus.CANCELED,
    name="submission_canceled_sensor",
    minimum_interval_seconds=10,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Marks a submission failed when its run was canceled before accepting it.",
)
def submission_canceled_sensor(context: dg.RunStatusSensorContext, warehouse: WarehouseResource) -> None:
    if (found := _ended(context)) is None:
        return
    submission_id, at = found
    run_id = context.dagster_run.run_id
    steps = steps_cut_off(context.instance, run_id)
    if mark_failed(warehouse.data_path, submission_id, run_id=run_id, steps=steps, failed_at=at):
        context.log.warning(f"submission {submission_id}: its run {run_id} was canceled")


_STEP_EVENTS = {
    dg.DagsterEventType.STEP_START,
    dg.DagsterEventType.STEP_SUCCESS,
    dg.DagsterEventType.STEP_FAILURE,
    dg.DagsterEventType.STEP_SKIPPED,
}


#: Run statuses of a run that ended without finishing its submission.
_ENDED_UNFINISHED = (dg.DagsterRunStatus.FAILURE, dg.DagsterRunStatus.CANCELED)


def mark_ended_runs(instance: dg.DagsterInstance, data_dir: Path) -> list[str]:
    """Mark ``failed`` each submission not yet finished (no status, or ``validating``) whose newest
    run (by its partition, the submission id) ended failed or canceled; the submissions marked.
    ``mark_failed`` leaves one alone that a later status has moved on."""
    marked = []
    for _, submission_id in manifest_files(data_dir):
        status = read_status(data_dir, submission_id)
        if status is not None and status.get("status") != "validating":
            continue
        records = instance.get_run_records(dg.RunsFilter(tags={"dagster/partition": submission_id}), limit=1)
        if not records or records[0].dagster_run.status not in _ENDED_UNFINISHED:
            continue
        record = records[0]
        run_id = record.dagster_run.run_id
        failures = [r.get_dagster_event() for r in instance.all_logs(run_id, of_type=dg.DagsterEventType.STEP_FAILURE)]
        ended = datetime.fromtimestamp(record.end_time, UTC) if record.end_time else datetime.now(UTC)
        if mark_failed_run(instance, data_dir, submission_id, run_id, failures, ended) is not None:
            marked.append(submission_id)
    return marked


@dg.sensor(
    name="submission_backstop_sensor",
    minimum_interval_seconds=60,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Marks failed the unfinished submissions whose newest run ended failed or canceled "
    "where the failure and canceled sensors did not see it end (while the daemon was down).",
)
def submission_backstop_sensor(context: dg.SensorEvaluationContext, warehouse: WarehouseResource) -> dg.SkipReason:
    marked = mark_ended_runs(context.instance, warehouse.data_path)
    for submission_id in marked:
        context.log.warning(f"submission {submission_id}: its newest run had ended unfinished; marked failed")
    return dg.SkipReason(
        f"marked failed: {', '.join(marked)}" if marked else "no unfinished submission's run has ended"
    )


def mark_failed_run(
    instance: dg.DagsterInstance,
    data_dir: Path,
    submission_id: str,
    run_id: str,
    failures: Iterable[dg.DagsterEvent],
    failed_at: datetime,
) -> list[str] | None:
    """``mark_failed`` for a failed run: the steps named in its step failure events, or when it has
    none (its worker went away), the steps it had started and not ended. The steps named in the
    submission's failure, or None when the submission was not marked (it got further)."""
    steps = [event.step_key for event in failures if event.step_key] or steps_cut_off(instance, run_id)
    marked = mark_failed(data_dir, submission_id, run_id=run_id, steps=steps, failed_at=failed_at)
    return steps if marked else None


def steps_cut_off(instance: dg.DagsterInstance, run_id: str) -> list[str]:
    """The steps of a run that started and never ended: what was running when the run was
    canceled, or when its worker went away (a run ``python -m pipelines recover`` ended), which
    leaves no step failure behind."""
    started: set[str] = set()
    ended: set[str] = set()
    for record in instance.all_logs(run_id, of_type=_STEP_EVENTS):
        event = record.get_dagster_event()
        if event.step_key:
            (started if event.event_type == dg.DagsterEventType.STEP_START else ended).add(event.step_key)
    return sorted(started - ended)


LANDING_SENSOR = landing_sensor
INBOX_SENSOR = cost_data_inbox_sensor
FAILURE_SENSOR = submission_failure_sensor
CANCELED_SENSOR = submission_canceled_sensor
BACKSTOP_SENSOR = submission_backstop_sensor
