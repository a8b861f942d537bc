"""The sensors: a new submission gives one run request (and its dynamic partition); one already
seen, already run, or still being written gives none; inbox files are taken once complete."""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import dagster as dg

from contracts.samples import write_cost_items_csv
from pipelines.resources import WarehouseResource
from pipelines.sensors import cost_data_inbox_sensor, landing_sensor
from pipelines.submissions import admit_inbox, read_manifest, write_status
from tests.pipelines.conftest import T0, land


def _tick(
    sensor: dg.SensorDefinition, data_dir: Path, instance: dg.DagsterInstance, cursor: str | None = None
) -> dg.SensorResult:
    context = dg.build_sensor_context(
        instance=instance, cursor=cursor, resources={"warehouse": WarehouseResource(data_dir=str(data_dir))}
    )
    result = sensor(context)
    assert isinstance(result, dg.SensorResult)
    return result


def _added(result: dg.SensorResult) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for request in result.dynamic_partitions_requests or ():
        assert isinstance(request, dg.AddDynamicPartitionsRequest)
        out[request.partitions_def_name] = list(request.partition_keys)
    return out


def test_a_new_submission_is_requested_once(data_dir: Path, instance: dg.DagsterInstance) -> None:
    land(data_dir, "sub-1", rows=5)
    first = _tick(landing_sensor, data_dir, instance)
    (request,) = first.run_requests or []
    assert request.job_name == "supplier_catalog_submission"
    assert request.partition_key == request.run_key == "sub-1"
    assert request.tags["joist/source"] == "front-range-supply"
    assert _added(first) == {"supplier_catalog_submissions": ["sub-1"]}

    again = _tick(landing_sensor, data_dir, instance, first.cursor)
    assert not again.run_requests and again.skip_reason is not None

    land(data_dir, "sub-2", rows=5, feed="manufacturer_feed", source="simpson")
    third = _tick(landing_sensor, data_dir, instance, again.cursor)
    assert [(r.job_name, r.partition_key) for r in third.run_requests or []] == [
        ("manufacturer_feed_submission", "sub-2")
    ]


def test_submissions_already_run_or_incomplete_are_not_requested(data_dir: Path, instance: dg.DagsterInstance) -> None:
    land(data_dir, "has-partition", rows=5)
    instance.add_dynamic_partitions("supplier_catalog_submissions", ["has-partition"])
    land(data_dir, "has-status", rows=5)
    write_status(data_dir, "has-status", "published")
    half = data_dir / "landing" / "half-written"
    half.mkdir(parents=True)
    (half / "body.csv").write_text("supplier_sku,name\n")
    land(data_dir, "cost-data", feed="cost_items", rows=5, source="inbox")
    broken = land(data_dir, "broken", rows=5)
    (broken / "submission.json").write_text("{not json")

    result = _tick(landing_sensor, data_dir, instance)
    assert not result.run_requests


def test_requests_are_ordered_by_received_time(data_dir: Path, instance: dg.DagsterInstance) -> None:
    land(data_dir, "later", rows=5, received_at=T0 + timedelta(hours=1))
    land(data_dir, "earlier", rows=5, received_at=T0)
    result = _tick(landing_sensor, data_dir, instance)
    assert [r.partition_key for r in result.run_requests or []] == ["earlier", "later"]


def test_inbox_files_are_landed_and_requested_once_complete(data_dir: Path, instance: dg.DagsterInstance) -> None:
    inbox = data_dir / "inbox" / "cost_data"
    write_cost_items_csv(inbox / "cost_items_2026.csv", 10)
    write_cost_items_csv(inbox / "cost_items_next.csv.part", 10)  # still being copied
    write_cost_items_csv(inbox / "notes.csv", 10)  # no cost-data feed by that name
    old = time.time() - 60
    for path in inbox.iterdir():
        os.utime(path, (old, old))
    write_cost_items_csv(inbox / "cost_items_just_dropped.csv", 10)  # not settled yet

    first = _tick(cost_data_inbox_sensor, data_dir, instance)
    (request,) = first.run_requests or []
    assert request.job_name == "cost_items_submission"
    sid = request.partition_key
    assert sid is not None and sid.startswith("inbox-cost_items-")
    manifest = read_manifest(data_dir, sid)
    assert manifest.feed == "cost_items" and manifest.body.is_file() and manifest.source == "inbox"
    # the operator who dropped it can tell its run and its report by the file's name
    assert manifest.file_name == "cost_items_2026.csv" and request.tags["joist/file"] == "cost_items_2026.csv"
    assert _added(first) == {"cost_items_submissions": [sid]}
    assert sorted(p.name for p in inbox.iterdir()) == [
        "cost_items_just_dropped.csv",
        "cost_items_next.csv.part",
        "notes.csv",
    ]

    again = _tick(cost_data_inbox_sensor, data_dir, instance, first.cursor)
    assert not again.run_requests
    # the landing sensor leaves cost data to the inbox sensor
    assert not _tick(landing_sensor, data_dir, instance).run_requests


def test_the_inbox_names_the_files_it_takes_and_those_it_never_will(data_dir: Path) -> None:
    inbox = data_dir / "inbox" / "cost_data"
    write_cost_items_csv(inbox / "cost_items_q3.csv", 5)
    write_cost_items_csv(inbox / "costs.csv", 5)  # no feed by that name
    (inbox / "cost_items_q3.xlsx").write_bytes(b"PK\x03\x04")  # no format the pipelines read
    (inbox / "cost_items_q4.csv.part").write_text("line_number\n")  # still being copied: not reported

    seen = admit_inbox(data_dir, now=datetime.now(UTC) + timedelta(minutes=1))

    ((name, sid),) = seen.admitted
    assert name == "cost_items_q3.csv" and read_manifest(data_dir, sid).file_name == name
    assert seen.ignored == ["cost_items_q3.xlsx", "costs.csv"]


def test_an_inbox_file_admitted_before_a_crash_is_requested_from_its_landing(
    data_dir: Path, instance: dg.DagsterInstance
) -> None:
    inbox = data_dir / "inbox" / "cost_data"
    write_cost_items_csv(inbox / "cost_items.csv", 10)
    old = time.time() - 60
    os.utime(inbox / "cost_items.csv", (old, old))
    first = _tick(cost_data_inbox_sensor, data_dir, instance)
    # the tick's result was lost (no cursor, no partition): the landed folder is still found
    retry = _tick(cost_data_inbox_sensor, data_dir, instance)
    assert [r.partition_key for r in retry.run_requests or []] == [r.partition_key for r in first.run_requests or []]
