"""The read path survives what production databases do: PostgreSQL dropping connections."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlparse

import psycopg

from service.accounts.services import create_builder
from service.api_keys.services import issue_key
from service.db.database import Database
from service.db.engine import make_engine
from tests.conftest import PG_ADMIN_URL, LiveServer


def _terminate_connections(url: str) -> None:
    """What a database restart or failover does to every open connection."""
    name = urlparse(url).path.lstrip("/")
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
        killed = admin.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = %s AND pid <> pg_backend_pid()",
            (name,),
        ).fetchone()
    assert killed is not None
    assert killed[0] >= 1


def test_reads_recover_when_postgres_drops_every_connection(
    postgres_url: str, make_server: Callable[..., LiveServer]
) -> None:
    db = Database(make_engine(postgres_url, pool_size=1))
    _, key = db.write_sync(
        lambda s: issue_key(
            s, create_builder(s, slug="restart-survivor", name="Survivor"), name="k", scopes=["read:api_keys"]
        )
    )
    db.engine.dispose()
    live = make_server(database_url=postgres_url)
    headers = {"Authorization": f"Bearer {key}"}
    with live.client() as client:
        assert client.get("/api/v1/api-keys", headers=headers).status_code == 200
        _terminate_connections(postgres_url)
        for _ in range(3):
            resp = client.get("/api/v1/api-keys", headers=headers)
            assert resp.status_code == 200, resp.text
            assert [k["name"] for k in resp.json()["data"]] == ["k"]


def test_writes_recover_when_postgres_drops_every_connection(
    postgres_url: str, make_server: Callable[..., LiveServer]
) -> None:
    db = Database(make_engine(postgres_url, pool_size=1))
    _, key = db.write_sync(
        lambda s: issue_key(
            s,
            create_builder(s, slug="write-survivor", name="Survivor"),
            name="k",
            scopes=["read:projects", "write:api_keys"],
        )
    )
    db.engine.dispose()
    live = make_server(database_url=postgres_url)
    headers = {"Authorization": f"Bearer {key}"}
    with live.client() as client:
        assert (
            client.post(
                "/api/v1/api-keys", json={"name": "a", "scopes": ["read:projects"]}, headers=headers
            ).status_code
            == 201
        )
        _terminate_connections(postgres_url)
        resp = client.post("/api/v1/api-keys", json={"name": "b", "scopes": ["read:projects"]}, headers=headers)
        assert resp.status_code == 201, resp.text
