"""``python -m pipelines materialize``: :mod:`pipelines.run` from a shell, without the daemon.

::

    python -m pipelines materialize                              # the inbox and every pending submission
    python -m pipelines materialize --submission sub_01HZX…      # one submission, through its snapshot
    python -m pipelines materialize --select 'key:"serving/catalog"'
    python -m pipelines materialize --select 'key:"supplier_catalog/landed"' --partition sub_01HZX…
    python -m pipelines recover      # DAGSTER_HOME's runs left in flight by stopped workers: failed

The data directory is ``--data-dir``, else ``JOIST_DATA_DIR``, else ``./var``. Exit status 1 when
a run failed (a rejected submission included), 2 for a usage error.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

import dagster as dg

from pipelines.resources import DEFAULT_DATA_DIR
from pipelines.run import SubmissionRun, end_orphaned_runs, materialize, materialize_pending, materialize_submission
from pipelines.submissions import ManifestError

__all__ = ["main"]


def _line(run: SubmissionRun) -> str:
    failed = ", ".join(r.rule for r in run.report.failed_rules) if run.report else ""
    return f"{run.submission_id}\t{run.feed}\t{run.status or 'not run'}" + (f"\tfailed: {failed}" if failed else "")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pipelines")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("materialize", help="run the pipelines' definitions in this process")
    run.add_argument("--data-dir", default=dg.EnvVar("JOIST_DATA_DIR").get_value(DEFAULT_DATA_DIR))
    what = run.add_mutually_exclusive_group()
    what.add_argument("--submission", help="one landed submission, through to its product's snapshot")
    what.add_argument("--select", help="an asset selection, e.g. 'key:\"serving/catalog\"' or 'group:cost_data'")
    run.add_argument("--partition", help="the submission id, for a selection of partitioned assets")
    commands.add_parser(
        "recover",
        help="mark failed the runs of DAGSTER_HOME's instance still in flight (run it only while no Dagster runs)",
    )
    args = parser.parse_args(argv)
    if args.command == "recover":
        return _recover()
    if args.partition and not args.select:
        parser.error("--partition goes with --select")

    if args.select:
        result = materialize(args.data_dir, args.select, partition_key=args.partition, raise_on_error=False)
        for event in result.get_asset_materialization_events():
            print(f"materialized\t{event.asset_key.to_user_string() if event.asset_key else ''}")
        return 0 if result.success else 1
    try:
        runs = (
            [materialize_submission(args.data_dir, args.submission)]
            if args.submission
            else materialize_pending(args.data_dir)
        )
    except ManifestError as exc:
        print(f"python -m pipelines: {exc}", file=sys.stderr)
        return 2
    for item in runs:
        print(_line(item))
    if not runs:
        print("nothing pending")
    return 0 if all(r.success for r in runs) else 1


def _recover() -> int:
    with dg.DagsterInstance.get() as instance:
        ended = end_orphaned_runs(instance, reason="the Dagster processes that ran it stopped before it finished")
    for run_id in ended:
        print(f"failed\t{run_id}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
