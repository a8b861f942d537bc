"""Issue #3 end to end, through real processes: a supplier pushes its catalog through the API,
`joist pipelines materialize` (the same Dagster definitions the daemon runs) validates and
publishes it, and a builder finds it priced for their ZIP; a dirty push ends rejected with a
useful report and changes nothing that is served."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from contracts.samples import write_supplier_csv
from service.db.database import Database
from tests.conftest import REPO_ROOT, LiveServer, Tenant
from tests.service.feed_helpers import make_org

PUSH = "/api/v1/suppliers/catalog"
PRODUCTS = "/api/v1/catalog/products"


def materialize(cli_env: dict[str, str], data_dir: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "service.cli", "pipelines", "materialize"],
        env={**cli_env, "JOIST_DATA_DIR": str(data_dir)},
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def push(api: httpx.Client, auth: dict[str, str], path: Path) -> str:
    resp = api.post(PUSH, content=path.read_bytes(), headers=auth | {"Content-Type": "text/csv"})
    assert resp.status_code == 202, resp.text
    assert resp.headers["location"] == f"/api/v1/feed-submissions/{resp.json()['id']}"
    submission_id: str = resp.json()["id"]
    return submission_id


def test_push_materialize_search_and_a_rejected_push(
    make_server: Callable[..., LiveServer],
    make_tenant: Callable[..., Tenant],
    db: Database,
    cli_env: dict[str, str],
    tmp_path: Path,
) -> None:
    data_dir = tmp_path / "data"
    live = make_server(data_dir=data_dir)
    org = make_org(db)
    builder = make_tenant(scopes=["read:catalog"])
    clean, dirty = tmp_path / "clean.csv", tmp_path / "dirty.csv"
    write_supplier_csv(clean, 300, seed=7)
    write_supplier_csv(dirty, 300, seed=8, dirty=True)

    with live.client() as api:
        nothing = api.get(PRODUCTS, params={"q": "lumber"}, headers=builder.auth)
        assert nothing.status_code == 503 and nothing.headers["retry-after"]  # nothing published yet

        good = push(api, org.auth, clean)
        assert api.get(f"/api/v1/feed-submissions/{good}", headers=org.auth).json()["status"] == "received"
        ran = materialize(cli_env, data_dir)
        assert ran.returncode == 0, ran.stdout + ran.stderr
        status = api.get(f"/api/v1/feed-submissions/{good}", headers=org.auth).json()
        assert status["status"] == "published", status
        assert status["report"]["accepted"] is True

        # Published without restarting the server: the reader switches to the new snapshot.
        found = api.get(PRODUCTS, params={"zip": "80202", "limit": "10"}, headers=builder.auth)
        assert found.status_code == 200, found.text
        products: list[dict[str, Any]] = found.json()["data"]
        assert products, "the published catalog is searchable"
        word = products[0]["name"].split()[0]
        ranked = api.get(PRODUCTS, params={"q": word, "zip": "80202"}, headers=builder.auth).json()["data"]
        assert ranked and word.lower() in ranked[0]["name"].lower()
        offer = ranked[0]["offer"]
        assert offer["price_region"] in ("802", "*") and offer["price_per_base_unit"]

        bad = push(api, org.auth, dirty)
        ran = materialize(cli_env, data_dir)
        assert ran.returncode == 1, ran.stdout + ran.stderr  # a rejected submission is a failed run
        rejected = api.get(f"/api/v1/feed-submissions/{bad}", headers=org.auth).json()
        assert rejected["status"] == "rejected", rejected
        failed = [r for r in rejected["report"]["rules"] if r["status"] == "fail"]
        assert failed and all(r["samples"] and r["samples"][0]["line"] > 1 for r in failed)
        # What was published before is still what is served.
        again = api.get(PRODUCTS, params={"zip": "80202", "limit": "10"}, headers=builder.auth).json()["data"]
        assert again == products
