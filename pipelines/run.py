"""The definitions of ``pipelines.definitions``, run in-process: for operators without the daemon
(``joist pipelines materialize``) and for tests.

- :func:`materialize_submission` runs one landed submission through its feed's job (landed →
  staged → validated → curated → its product's snapshot), as the sensors would.
- :func:`materialize_pending` admits the cost-data inbox, then runs every landed submission that
  has no ``status.json`` yet, oldest received first.
- :func:`materialize` materialises an asset selection (``"key:serving/catalog"``,
  ``"group:cost_data"`` …; partitioned assets need ``partition_key``).

Runs go to the Dagster instance of ``DAGSTER_HOME`` when it is set (so the UI lists them and the
``warehouse`` pool limit holds against the daemon's runs), else to a temporary instance.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import dagster as dg

from contracts.report import ValidationReport
from pipelines.assets import FEED_ASSETS
from pipelines.definitions import build_definitions
from pipelines.jobs import submission_job_name
from pipelines.sensors import mark_failed_run
from pipelines.submissions import ManifestError, admit_inbox, manifest_files, read_manifest, read_status

__all__ = ["SubmissionRun", "end_orphaned_runs", "materialize", "materialize_pending", "materialize_submission"]


@dataclass(frozen=True, slots=True)
class SubmissionRun:
    """How a submission's run ended: the run, and the submission's status and report."""

    submission_id: str
    feed: str
    run_id: str
    success: bool
    status: str | None
    report: ValidationReport | None

    @property
    def published(self) -> bool:
        return self.status == "published"


@contextmanager
def _instance(instance: dg.DagsterInstance | None) -> Iterator[dg.DagsterInstance]:
    if instance is not None:
        yield instance
    elif os.environ.get("DAGSTER_HOME"):
        with dg.DagsterInstance.get() as home:
            yield home
    else:
        with dg.DagsterInstance.ephemeral() as temporary:
            yield temporary


def materialize_submission(
    data_dir: str | Path, submission_id: str, *, instance: dg.DagsterInstance | None = None
) -> SubmissionRun:
    """Run one landed submission through its feed's job; a rejected one stops at its checks.

    Raises :class:`pipelines.submissions.ManifestError` when the landing folder has no valid
    manifest. The run failing (a rejected submission, or an error) is reported, not raised; on an
    error before the submission was accepted it is marked ``failed``, as the failure sensor does.
    """
    data_path = Path(data_dir).resolve()
    manifest = read_manifest(data_path, submission_id)
    partitions = FEED_ASSETS[manifest.feed].partitions_name
    job = build_definitions(data_path).resolve_job_def(submission_job_name(manifest.feed))
    with _instance(instance) as inst:
        if not inst.has_dynamic_partition(partitions, submission_id):
            inst.add_dynamic_partitions(partitions, [submission_id])
        result = job.execute_in_process(
            instance=inst,
            partition_key=submission_id,
            raise_on_error=False,
            tags={
                "joist/submission": submission_id,
                "joist/source": manifest.source,
                "joist/trigger": "in-process",
                **({} if manifest.file_name is None else {"joist/file": manifest.file_name}),
            },
        )
        if not result.success:  # as the failure sensor does for the daemon's runs
            failures = result.get_step_failure_events()
            mark_failed_run(inst, data_path, submission_id, result.run_id, failures, datetime.now(UTC))
    status = read_status(data_path, submission_id) or {}
    report = status.get("report")
    return SubmissionRun(
        submission_id=submission_id,
        feed=manifest.feed,
        run_id=result.run_id,
        success=result.success,
        status=status.get("status"),
        report=ValidationReport.from_dict(report) if report else None,
    )


#: Run statuses of a run whose worker is still at work, as far as the instance knows.
_IN_FLIGHT = (dg.DagsterRunStatus.STARTING, dg.DagsterRunStatus.STARTED, dg.DagsterRunStatus.CANCELING)


def end_orphaned_runs(instance: dg.DagsterInstance, *, reason: str) -> list[str]:
    """Mark failed every run the instance still has in flight, and free the pool slots they hold;
    their ids. Only for an instance whose run workers are known to be gone: ``joist up`` calls it
    (``python -m pipelines recover``) before it starts Dagster on its own instance, after a
    Ctrl-C or a crash that took the previous workers down with it. Dagster's default run launcher
    cannot check a worker's health, so such a run would otherwise stay STARTED, and hold the
    warehouse pool's one slot, for good. The backstop sensor then marks their submissions failed
    (pipelines/sensors.py: these runs end before the failure sensor's first tick)."""
    ended = []
    for record in instance.get_run_records(dg.RunsFilter(statuses=list(_IN_FLIGHT))):
        run = record.dagster_run
        instance.report_run_failed(run, message=reason)
        instance.event_log_storage.free_concurrency_slots_for_run(run.run_id)
        ended.append(run.run_id)
    return ended


def materialize_pending(data_dir: str | Path, *, instance: dg.DagsterInstance | None = None) -> list[SubmissionRun]:
    """Admit the cost-data inbox, then run each landed submission not yet looked at, oldest first.

    Folders whose manifest breaks the contract are left alone (the sensors log them).
    """
    data_path = Path(data_dir).resolve()
    admit_inbox(data_path, now=datetime.now(UTC), settle_seconds=0)
    pending = []
    for _, sid in manifest_files(data_path):
        if read_status(data_path, sid) is None:
            try:
                pending.append(read_manifest(data_path, sid))
            except ManifestError:
                continue
    pending.sort(key=lambda m: (m.received_at, m.submission_id))
    with _instance(instance) as inst:
        return [materialize_submission(data_path, m.submission_id, instance=inst) for m in pending]


def materialize(
    data_dir: str | Path,
    select: str,
    *,
    partition_key: str | None = None,
    instance: dg.DagsterInstance | None = None,
    raise_on_error: bool = True,
) -> dg.ExecuteInProcessResult:
    """Materialise ``select`` (Dagster's asset selection syntax) with the code location's resources.

    With ``partition_key``, the submission becomes a partition of each selected feed first.
    """
    defs = build_definitions(Path(data_dir).resolve())
    assets: list[Any] = [*(defs.assets or ()), *(defs.asset_checks or ())]
    with _instance(instance) as inst:
        if partition_key is not None:
            selected = dg.AssetSelection.from_string(select).resolve(defs.resolve_asset_graph())
            for feed in FEED_ASSETS.values():
                name = feed.partitions_name
                selected_feed = any(a.key in selected for a in feed.assets)
                if selected_feed and not inst.has_dynamic_partition(name, partition_key):
                    inst.add_dynamic_partitions(name, [partition_key])
        return dg.materialize(
            assets,
            selection=select,
            partition_key=partition_key,
            resources=dict(defs.resources or {}),
            instance=inst,
            raise_on_error=raise_on_error,
        )
