"""The Dagster code location loads the way ``workspace.yaml`` and the webserver load it, with the
asset graph, checks, jobs, sensors and resources the pipelines promise."""

from __future__ import annotations

import itertools

import dagster as dg
import yaml

from contracts.rules import rules_for
from pipelines.definitions import defs
from pipelines.resources import POOL, FeedCadence, WarehouseResource
from tests.conftest import REPO_ROOT

FEEDS = ("supplier_catalog", "manufacturer_feed", "cost_items", "location_index")
STEPS = ("landed", "staged", "validated", "curated")


def _key(text: str) -> dg.AssetKey:
    return dg.AssetKey(text.split("/"))


def test_workspace_points_at_the_definitions_module() -> None:
    workspace = yaml.safe_load((REPO_ROOT / "workspace.yaml").read_text())
    modules = [entry["python_module"]["module_name"] for entry in workspace["load_from"]]
    assert modules == ["pipelines.definitions"]


def test_definitions_load() -> None:
    assert isinstance(defs, dg.Definitions)
    defs.validate_loadable(defs)


def test_asset_graph() -> None:
    graph = defs.resolve_asset_graph()
    expected = {f"{feed}/{step}" for feed in FEEDS for step in STEPS} | {"serving/catalog", "serving/cost_data"}
    assert {k.to_user_string() for k in graph.get_all_asset_keys()} == expected
    for feed in FEEDS:
        for upstream, downstream in itertools.pairwise(STEPS):
            assert graph.get(_key(f"{feed}/{downstream}")).parent_keys == {_key(f"{feed}/{upstream}")}
    assert graph.get(_key("serving/catalog")).parent_keys == {
        _key("supplier_catalog/curated"),
        _key("manufacturer_feed/curated"),
    }
    assert graph.get(_key("serving/cost_data")).parent_keys == {
        _key("cost_items/curated"),
        _key("location_index/curated"),
    }


def test_partitions_are_submissions_per_feed() -> None:
    graph = defs.resolve_asset_graph()
    for feed in FEEDS:
        for step in STEPS:
            partitions = graph.get(_key(f"{feed}/{step}")).partitions_def
            assert isinstance(partitions, dg.DynamicPartitionsDefinition)
            assert partitions.name == f"{feed}_submissions"
    for product in ("catalog", "cost_data"):
        assert graph.get(_key(f"serving/{product}")).partitions_def is None


def test_every_rule_is_a_check_blocking_as_the_rule_is() -> None:
    graph = defs.resolve_asset_graph()
    checks = {(k.asset_key.to_user_string(), k.name) for k in graph.asset_check_keys}
    expected = {(f"{feed}/validated", rule.name) for feed in FEEDS for rule in rules_for(feed)}
    expected |= {
        ("serving/catalog", "supplier_catalog_sources_fresh"),
        ("serving/catalog", "manufacturer_feed_sources_fresh"),
    }
    assert checks == expected
    for feed in FEEDS:
        node = graph.get(_key(f"{feed}/validated"))
        blocking = {spec.name: spec.blocking for spec in node.assets_def.check_specs}
        assert blocking == {rule.name: rule.blocking for rule in rules_for(feed)}
    assert blocking["unique_zip_division"] is True
    assert blocking["material_index_plausible"] is False


def test_every_step_that_opens_the_warehouse_is_in_the_pool() -> None:
    graph = defs.resolve_asset_graph()
    for key in graph.get_all_asset_keys():
        node = graph.get(key)
        assert node.pools == {POOL}, key
    for checks_def in defs.asset_checks or ():
        assert checks_def.op.pool == POOL
    retention = defs.resolve_job_def("submission_retention")
    assert {node.definition.pool for node in retention.graph.node_dict.values()} == {POOL}


def test_jobs_sensors_and_schedule() -> None:
    for feed in FEEDS:
        job = defs.resolve_job_def(f"{feed}_submission")
        product = "catalog" if feed in ("supplier_catalog", "manufacturer_feed") else "cost_data"
        selected = {k.to_user_string() for k in job.asset_layer.selected_asset_keys}
        assert selected == {f"{feed}/{step}" for step in STEPS} | {f"serving/{product}"}
    sensors = {s.name: s for s in defs.sensors or ()}
    assert set(sensors) == {
        "landing_sensor",
        "cost_data_inbox_sensor",
        "submission_failure_sensor",
        "submission_canceled_sensor",
        "submission_backstop_sensor",
        "freshness_after_publish",
    }
    assert all(s.default_status is dg.DefaultSensorStatus.RUNNING for s in sensors.values())
    assert {j.name for j in sensors["landing_sensor"].jobs} == {
        "supplier_catalog_submission",
        "manufacturer_feed_submission",
    }
    assert {j.name for j in sensors["cost_data_inbox_sensor"].jobs} == {
        "cost_items_submission",
        "location_index_submission",
    }
    schedules = {s.name: s for s in defs.schedules or ()}
    assert {name: s.job_name for name, s in schedules.items()} == {
        "feed_freshness_hourly": "feed_freshness",
        "catalog_refresh_daily": "catalog_refresh",
        "submission_retention_daily": "submission_retention",
    }
    assert all(s.default_status is dg.DefaultScheduleStatus.RUNNING for s in schedules.values())
    # what an analyst reads in the Dagster UI: every sensor and schedule says what it does
    assert all(s.description for s in [*sensors.values(), *schedules.values()])


def test_resources_are_typed() -> None:
    resources = defs.resources or {}
    assert isinstance(resources["warehouse"], WarehouseResource)
    assert isinstance(resources["cadence"], FeedCadence)
