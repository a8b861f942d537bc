"""Test fixtures: a real database (SQLite file or PostgreSQL, chosen by ``JOIST_TEST_DATABASE``)
migrated with Alembic, and real HTTP servers (uvicorn on a loopback port) running the app.

Tests isolate themselves by tenant: each creates its own builders, so one migrated database
serves the whole run, as it would serve many tenants in production.
"""

from __future__ import annotations

import os
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from ipaddress import IPv4Network
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from service.app import create_app
from service.db.database import Database
from service.db.engine import make_engine
from service.db.migrate import upgrade
from service.db.scratch import scratch_postgres_database
from service.settings import Settings

PG_ADMIN_URL = os.environ.get("JOIST_TEST_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
BACKEND = os.environ.get("JOIST_TEST_DATABASE", "sqlite")


def pytest_report_header() -> str:
    return f"joist test database: {BACKEND}"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if BACKEND == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'joist.db'}"
        return
    if BACKEND != "postgresql":
        raise pytest.UsageError(f"JOIST_TEST_DATABASE must be sqlite or postgresql, not {BACKEND!r}")
    with scratch_postgres_database(PG_ADMIN_URL, "joist_test") as url:
        yield url


@pytest.fixture(scope="session")
def postgres_url(migrated_url: str) -> Iterator[str]:
    """A migrated PostgreSQL database in every run, for behaviour only PostgreSQL has."""
    if BACKEND == "postgresql":
        yield migrated_url
        return
    with scratch_postgres_database(PG_ADMIN_URL, "joist_test") as url:
        upgrade(url)
        yield url


@pytest.fixture(scope="session")
def migrated_url(database_url: str) -> str:
    upgrade(database_url)
    return database_url


@pytest.fixture(scope="session")
def settings(migrated_url: str, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    data_dir = tmp_path_factory.mktemp("data")
    return Settings(
        data_dir=data_dir,
        database_url=migrated_url,
        secret_key="test-instance-key-0123456789abcdefghij",
        outbound_allow=(IPv4Network("127.0.0.1/32"),),  # webhook receivers in tests listen on loopback
        deals_cache_seconds=0,  # tests create a deal and price with it at once (test_deals tests the cache)
    )


@pytest.fixture(scope="session")
def db(settings: Settings) -> Iterator[Database]:
    database = Database(make_engine(settings.database_url, pool_size=5))
    yield database
    database.engine.dispose()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class LiveServer:
    url: str
    app: Any
    server: uvicorn.Server
    thread: threading.Thread

    def client(self, **kwargs: Any) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=30, **kwargs)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=15)


def start_server(app: Any) -> LiveServer:
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on", loop="asyncio")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("test server did not start")
        time.sleep(0.02)
    return LiveServer(url=f"http://127.0.0.1:{port}", app=app, server=server, thread=thread)


@pytest.fixture(scope="session")
def server(settings: Settings) -> Iterator[LiveServer]:
    live = start_server(create_app(settings))
    yield live
    live.stop()


@pytest.fixture
def make_server(settings: Settings) -> Iterator[Callable[..., LiveServer]]:
    """Start an extra server with changed settings (or extra routers); stopped after the test."""
    started: list[LiveServer] = []

    def make(extra_routers: list[Any] | None = None, **changes: Any) -> LiveServer:
        live = start_server(create_app(settings.with_(**changes), extra_routers=extra_routers))
        started.append(live)
        return live

    yield make
    for live in started:
        live.stop()


@pytest.fixture
def server_url_client(server: LiveServer) -> Callable[[], httpx.Client]:
    """New clients of the shared server, e.g. one per thread."""
    return server.client


@pytest.fixture
def client(server: LiveServer) -> Iterator[httpx.Client]:
    with server.client() as c:
        yield c


@dataclass
class Tenant:
    builder_id: uuid.UUID
    slug: str
    plan: str
    key: str

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.key}"}


@pytest.fixture
def make_tenant(db: Database) -> Callable[..., Tenant]:
    """A new builder with one API key; every test gets tenants nobody else touches."""
    from service.accounts.services import create_builder
    from service.api_keys.services import issue_key
    from service.scopes import SCOPES

    def make(plan: str = "professional", scopes: list[str] | None = None, rate_limit: int | None = None) -> Tenant:
        slug = f"t-{uuid.uuid4().hex[:12]}"

        def work(session: Any) -> Tenant:
            builder = create_builder(session, slug=slug, name=f"Builder {slug}", plan=plan)
            _, key = issue_key(
                session, builder, name="test key", scopes=scopes or sorted(SCOPES), rate_limit=rate_limit
            )
            return Tenant(builder_id=builder.id, slug=slug, plan=plan, key=key)

        return db.write_sync(work)

    return make


@pytest.fixture
def tenant(make_tenant: Callable[..., Tenant]) -> Tenant:
    return make_tenant()


@pytest.fixture
def cli_env(settings: Settings) -> dict[str, str]:
    """Environment for running the ``joist`` CLI against the test database."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("JOIST_")}
    env.update(
        JOIST_DATA_DIR=str(settings.data_dir),
        JOIST_DATABASE_URL=settings.database_url,
        JOIST_SECRET_KEY=settings.secret_key,
    )
    return env


REPO_ROOT = Path(__file__).resolve().parent.parent
