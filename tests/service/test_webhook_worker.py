"""``joist worker`` as a process: ``kill -9`` mid-batch loses no event, SIGTERM finishes what is
in flight, and a database that drops every connection (as in a restart) is survived."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import psycopg
import pytest

from service.db.database import Database
from service.db.engine import make_engine
from tests.conftest import LiveServer, Tenant
from tests.service.receiver import Receiver

HOOKS = "/api/v1/webhooks"
TOTAL = "2500.00"  # 40 × 62.50


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver.start()
    yield r
    r.stop()


@pytest.fixture
def start_worker(cli_env: dict[str, str]) -> Iterator[Callable[..., subprocess.Popen[str]]]:
    procs: list[subprocess.Popen[str]] = []

    def start(tenant: Tenant, database_url: str | None = None, **env: str) -> subprocess.Popen[str]:
        full = {
            **cli_env,
            "JOIST_OUTBOUND_ALLOW": "127.0.0.1/32",
            "JOIST_WEBHOOK_TIMEOUT_SECONDS": "1",
            **({"JOIST_DATABASE_URL": database_url} if database_url else {}),
            **env,
        }
        proc = subprocess.Popen(
            [sys.executable, "-m", "service.cli", "worker", "--builder", tenant.slug],
            env=full,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        procs.append(proc)
        return proc

    yield start
    for proc in procs:
        if proc.poll() is None:
            proc.kill()
        proc.communicate(timeout=10)  # also closes its pipe


def subscribe(client: httpx.Client, tenant: Tenant, url: str) -> dict[str, Any]:
    resp = client.post(HOOKS, json={"url": url, "event_types": ["project.*"]}, headers=tenant.auth)
    assert resp.status_code == 201, resp.text
    body: dict[str, Any] = resp.json()
    return body


def create_projects(client: httpx.Client, tenant: Tenant, n: int, prefix: str = "P") -> list[str]:
    ids = []
    for i in range(n):
        resp = client.post("/api/v1/projects", json={"name": f"{prefix}{i}"}, headers=tenant.auth)
        assert resp.status_code == 201, resp.text
        ids.append(resp.json()["id"])
    return ids


def event_ids(client: httpx.Client, tenant: Tenant) -> set[str]:
    found: set[str] = set()
    cursor = None
    while True:
        params = {"limit": "100", **({"cursor": cursor} if cursor else {})}
        page = client.get("/api/v1/events", params=params, headers=tenant.auth).json()
        found |= {e["id"] for e in page["data"] if e["type"].startswith("project.")}
        cursor = page["next_cursor"]
        if not cursor:
            return found


def received_ids(receiver: Receiver, path: str) -> set[str]:
    return {r.headers["webhook-id"] for r in receiver.for_path(path)}


def wait_until(check: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


@pytest.mark.slow
def test_kill_9_mid_batch_then_restart_loses_no_event(
    client: httpx.Client,
    tenant: Tenant,
    receiver: Receiver,
    start_worker: Callable[..., subprocess.Popen[str]],
) -> None:
    subscribe(client, tenant, receiver.url("/slow/0.2"))
    create_projects(client, tenant, 30)
    committed = event_ids(client, tenant)
    assert len(committed) == 30

    first = start_worker(tenant, JOIST_WEBHOOK_ENDPOINT_CONCURRENCY="4")
    wait_until(lambda: len(receiver.for_path("/slow/0.2")) >= 4, 30, "the first deliveries")
    first.send_signal(signal.SIGKILL)  # mid-batch: attempts in flight, outcomes unrecorded
    first.wait(timeout=10)
    before_restart = received_ids(receiver, "/slow/0.2")
    assert 0 < len(before_restart) < 30

    start_worker(tenant, JOIST_WEBHOOK_ENDPOINT_CONCURRENCY="4")
    # Deliveries the dead worker had claimed come back when its lease (timeout + 5 s) ends.
    wait_until(lambda: received_ids(receiver, "/slow/0.2") >= committed, 60, "every event")
    assert receiver.overlaps == []  # never the same message twice at the same moment


@pytest.mark.slow
def test_sigterm_finishes_the_attempts_in_flight(
    client: httpx.Client,
    tenant: Tenant,
    receiver: Receiver,
    start_worker: Callable[..., subprocess.Popen[str]],
) -> None:
    hook = subscribe(client, tenant, receiver.url("/slow/0.8"))
    create_projects(client, tenant, 3)
    worker = start_worker(tenant)
    wait_until(lambda: any(receiver.in_flight.values()), 30, "an attempt in flight")
    worker.send_signal(signal.SIGTERM)
    output, _ = worker.communicate(timeout=20)
    assert worker.returncode == 0, output
    assert "stopped after" in output and "Traceback" not in output
    log = client.get(f"{HOOKS}/{hook['id']}/deliveries", headers=tenant.auth).json()["data"]
    # Whatever was being sent was recorded before the exit: nothing is left mid-attempt.
    assert "delivering" not in {d["state"] for d in log}
    assert sum(d["state"] == "succeeded" for d in log) == len(receiver.for_path("/slow/0.8"))


def _tenant_in(database_url: str) -> Tenant:
    from service.accounts.services import create_builder
    from service.api_keys.services import issue_key
    from service.scopes import SCOPES

    db = Database(make_engine(database_url, pool_size=1))
    slug = f"t-{uuid.uuid4().hex[:12]}"

    def work(session: Any) -> Tenant:
        builder = create_builder(session, slug=slug, name=slug)
        _, key = issue_key(session, builder, name="k", scopes=sorted(SCOPES))
        return Tenant(builder_id=builder.id, slug=slug, plan=builder.plan, key=key)

    try:
        return db.write_sync(work)
    finally:
        db.engine.dispose()


@pytest.mark.slow
def test_a_database_that_drops_every_connection_is_survived(
    postgres_url: str,
    make_server: Callable[..., LiveServer],
    receiver: Receiver,
    start_worker: Callable[..., subprocess.Popen[str]],
) -> None:
    live = make_server(database_url=postgres_url)
    tenant = _tenant_in(postgres_url)
    worker = start_worker(tenant, database_url=postgres_url)
    with live.client() as api:
        subscribe(api, tenant, receiver.url("/ok"))
        create_projects(api, tenant, 5, "before")
        wait_until(lambda: len(receiver.for_path("/ok")) >= 5, 30, "deliveries before the drop")

        # What a restart does to clients: every connection to the database is cut.
        dbname = postgres_url.rsplit("/", 1)[1]
        with psycopg.connect(postgres_url.replace("+psycopg", ""), autocommit=True) as admin:
            cut = admin.execute(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = %s AND pid <> pg_backend_pid()",
                (dbname,),
            ).fetchone()
        assert cut is not None and cut[0] >= 1

        create_projects(api, tenant, 5, "after")
        wait_until(lambda: len(received_ids(receiver, "/ok")) >= 10, 30, "deliveries after the drop")
        assert received_ids(receiver, "/ok") == event_ids(api, tenant)
    assert worker.poll() is None, "the worker died with its connections"
    os.kill(worker.pid, signal.SIGTERM)
    output, _ = worker.communicate(timeout=20)
    assert worker.returncode == 0, output


def test_an_invoice_created_and_approved_reaches_a_receiver_signed(
    client: httpx.Client,
    tenant: Tenant,
    receiver: Receiver,
    start_worker: Callable[..., subprocess.Popen[str]],
) -> None:
    """The issue's end-to-end case: API, outbox, `joist worker`, a loopback receiver, and a
    Standard Webhooks library verifying what arrived."""
    from standardwebhooks.webhooks import Webhook

    resp = client.post(HOOKS, json={"url": receiver.url("/ok"), "event_types": ["invoice.*"]}, headers=tenant.auth)
    assert resp.status_code == 201, resp.text
    secret = resp.json()["secret"]
    start_worker(tenant)
    project = client.post("/api/v1/projects", json={"name": "Cedar Ridge"}, headers=tenant.auth).json()
    invoice = client.post(
        "/api/v1/invoices",
        json={
            "project_id": project["id"],
            "number": "INV-1001",
            "currency": "USD",
            "line_items": [{"description": "Framing labor", "quantity": "40", "unit_price": "62.50"}],
        },
        headers=tenant.auth,
    )
    assert invoice.status_code == 201, invoice.text
    url = f"/api/v1/invoices/{invoice.json()['id']}"
    assert client.post(f"{url}/submit", headers=tenant.auth).status_code == 200
    assert client.post(f"{url}/approve", headers=tenant.auth).status_code == 200

    got = receiver.wait_for("/ok", 3, timeout=20)
    payloads = [Webhook(secret).verify(r.body, r.headers) for r in got]
    assert sorted(p["type"] for p in payloads) == ["invoice.approved", "invoice.created", "invoice.submitted"]
    approved = next(p for p in payloads if p["type"] == "invoice.approved")
    assert approved["data"]["status"] == "approved"
    assert approved["data"]["number"] == "INV-1001" and approved["data"]["total"] == TOTAL


@pytest.mark.slow
def test_a_postgresql_restart_is_survived(
    postgres_url: str,
    make_server: Callable[..., LiveServer],
    receiver: Receiver,
    start_worker: Callable[..., subprocess.Popen[str]],
) -> None:
    """A real restart of the server: connections drop, and for a moment none are accepted."""
    live = make_server(database_url=postgres_url)
    tenant = _tenant_in(postgres_url)
    worker = start_worker(tenant, database_url=postgres_url)
    with live.client() as api:
        subscribe(api, tenant, receiver.url("/ok"))
        create_projects(api, tenant, 3, "before")
        wait_until(lambda: len(receiver.for_path("/ok")) >= 3, 30, "deliveries before the restart")

        version = sorted(os.listdir("/etc/postgresql"))[-1]
        subprocess.run(
            ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "restart"],
            check=True,
            timeout=60,
        )
        wait_until(
            lambda: subprocess.run(["pg_isready", "-h", "127.0.0.1", "-q"], check=False).returncode == 0,
            30,
            "PostgreSQL",
        )

        create_projects(api, tenant, 3, "after")
        wait_until(lambda: len(received_ids(receiver, "/ok")) >= 6, 60, "deliveries after the restart")
        assert received_ids(receiver, "/ok") == event_ids(api, tenant)
    assert worker.poll() is None, "the worker died with the database"
    worker.send_signal(signal.SIGTERM)
    output, _ = worker.communicate(timeout=20)
    assert worker.returncode == 0, output
