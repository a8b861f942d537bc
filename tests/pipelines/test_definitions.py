"""The Dagster code location loads the way ``workspace.yaml`` and the webserver load it."""

from __future__ import annotations

import dagster as dg
import yaml

from pipelines.definitions import defs
from tests.conftest import REPO_ROOT


def test_workspace_points_at_the_definitions_module() -> None:
    workspace = yaml.safe_load((REPO_ROOT / "workspace.yaml").read_text())
    modules = [entry["python_module"]["module_name"] for entry in workspace["load_from"]]
    assert modules == ["pipelines.definitions"]


def test_definitions_load() -> None:
    assert isinstance(defs, dg.Definitions)
    defs.validate_loadable(defs)
