"""Resources read ``JOIST_*`` variables through ``dg.EnvVar`` with the service's defaults."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import pytest

from pipelines.definitions import build_definitions
from pipelines.resources import FeedCadence, WarehouseResource


def _resources(monkeypatch: pytest.MonkeyPatch, **env: str) -> dict[str, object]:
    for name in ("JOIST_DATA_DIR", "JOIST_FEED_CADENCE_HOURS", "JOIST_FEED_CADENCE_OVERRIDES"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return dict(build_definitions().resources or {})


def test_defaults_match_the_service(monkeypatch: pytest.MonkeyPatch) -> None:
    resources = _resources(monkeypatch)
    warehouse = resources["warehouse"]
    assert isinstance(warehouse, WarehouseResource)
    assert warehouse.data_dir == "./var"
    assert warehouse.warehouse_file == Path("var/warehouse/joist.duckdb").resolve()


def test_environment_variables_are_env_vars(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    resources = _resources(
        monkeypatch, JOIST_DATA_DIR=str(tmp_path), JOIST_FEED_CADENCE_HOURS="6", JOIST_FEED_CADENCE_OVERRIDES="a=1"
    )
    warehouse, cadence = resources["warehouse"], resources["cadence"]
    assert isinstance(warehouse, WarehouseResource) and isinstance(cadence, FeedCadence)
    assert isinstance(warehouse.data_dir, dg.EnvVar) and warehouse.data_dir.env_var_name == "JOIST_DATA_DIR"

    seen: dict[str, object] = {}

    @dg.asset
    def probe(warehouse: WarehouseResource, cadence: FeedCadence) -> None:
        seen.update(data=warehouse.data_path, hours=cadence.expected("b"), a=cadence.expected("a"))

    assert dg.materialize([probe], resources=resources).success
    assert seen["data"] == tmp_path.resolve()
    assert str(seen["hours"]) == "6:00:00" and str(seen["a"]) == "1:00:00"
