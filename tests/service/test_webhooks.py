"""Webhook subscriptions on the API, and the worker delivering to a real receiver: Standard
Webhooks signatures checked with the ``standardwebhooks`` library, the retry schedule followed
on an injected clock, disabling, enabling, replay, recovery, secret rotation and receivers that
misbehave."""

from __future__ import annotations

import base64
import itertools
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import anyio
import httpx
import pytest
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from service.crypto import Sealer
from service.db.database import Database
from service.outbound import OutboundPolicy
from service.settings import Settings
from service.webhooks.services import SECRET_PURPOSE
from service.webhooks.worker import RETRY_DELAYS, DeliveryWorker, Outcome, WorkerConfig
from tests.conftest import LiveServer, Tenant
from tests.helpers import assert_problem, assert_validation_problem
from tests.service.receiver import Received, Receiver

HOOKS = "/api/v1/webhooks"
PROJECTS = "/api/v1/projects"


class Clock:
    def __init__(self) -> None:
        # Well ahead of the wall clock, so what the test queues next is already due: one second
        # ahead of a time cut to the second left as little as a few milliseconds for that.
        self.now = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=30)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver.start()
    yield r
    r.stop()


@pytest.fixture
def make_worker(db: Database, settings: Settings) -> Callable[..., DeliveryWorker]:
    def make(tenant: Tenant, clock: Callable[[], datetime] | None = None, **config: Any) -> DeliveryWorker:
        # generous: a busy machine must not turn a delivery into a timeout (one test sets its own)
        config.setdefault("total_timeout", 10.0)
        config.setdefault("connect_timeout", 5.0)
        return DeliveryWorker(
            db,
            Sealer(settings.secret_key, SECRET_PURPOSE),
            OutboundPolicy(settings.outbound_allow),
            WorkerConfig(builders=(tenant.builder_id,), **config),
            clock=clock or (lambda: datetime.now(UTC)),
            jitter=lambda: 1.0,
        )

    return make


def run_once(worker: DeliveryWorker) -> list[Outcome]:
    return anyio.run(worker.run_once)


def subscribe(client: httpx.Client, tenant: Tenant, url: str, *types: str) -> dict[str, Any]:
    resp = client.post(HOOKS, json={"url": url, "event_types": list(types) or ["*"]}, headers=tenant.auth)
    assert resp.status_code == 201, resp.text
    body: dict[str, Any] = resp.json()
    return body


def new_project(client: httpx.Client, tenant: Tenant, name: str = "Harbor View") -> dict[str, Any]:
    resp = client.post(PROJECTS, json={"name": name}, headers=tenant.auth)
    assert resp.status_code == 201, resp.text
    body: dict[str, Any] = resp.json()
    return body


def deliveries(client: httpx.Client, tenant: Tenant, hook_id: str, **params: str) -> list[dict[str, Any]]:
    resp = client.get(f"{HOOKS}/{hook_id}/deliveries", params=params, headers=tenant.auth)
    assert resp.status_code == 200, resp.text
    data: list[dict[str, Any]] = resp.json()["data"]
    return data


def verify(secret: str, got: Received) -> dict[str, Any]:
    """What a receiver does: Standard Webhooks verification of the raw body and headers."""
    payload: dict[str, Any] = Webhook(secret).verify(got.body, got.headers)
    return payload


# -- subscriptions on the API -----------------------------------------------------------------


def test_create_shows_the_secret_once(client: httpx.Client, tenant: Tenant, receiver: Receiver) -> None:
    created = subscribe(client, tenant, receiver.url("/ok"), "project.*", "invoice.approved")
    secret = created["secret"]
    assert secret.startswith("whsec_") and len(base64.b64decode(secret.removeprefix("whsec_"))) >= 24
    assert created["event_types"] == ["project.*", "invoice.approved"]
    assert created["enabled"] is True and created["consecutive_failures"] == 0

    got = client.get(f"{HOOKS}/{created['id']}", headers=tenant.auth)
    assert got.status_code == 200 and "secret" not in got.json()
    listed = client.get(HOOKS, headers=tenant.auth).json()["data"]
    assert [h["id"] for h in listed] == [created["id"]] and "secret" not in listed[0]


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("not a url", "must be absolute"),
        ("ftp://files.example.com/hook", "https"),
        ("https://10.1.2.3/hook", "not a public address"),
        ("https://169.254.169.254/latest/meta-data", "not a public address"),
        ("https://[::ffff:10.0.0.1]/hook", "not a public address"),
        ("https://user:pw@hooks.example.com/x", "user name"),
        ("https://hooks.example.com/x#frag", "fragment"),
    ],
)
def test_refuses_urls_that_are_not_public_https(client: httpx.Client, tenant: Tenant, url: str, why: str) -> None:
    resp = client.post(HOOKS, json={"url": url, "event_types": ["*"]}, headers=tenant.auth)
    errors = assert_validation_problem(resp)
    assert errors[0]["field"] == "url" and why in errors[0]["detail"]


def test_loopback_is_refused_unless_the_operator_allows_it(
    make_server: Callable[..., LiveServer], tenant: Tenant, receiver: Receiver
) -> None:
    strict = make_server(outbound_allow=())
    with strict.client() as c:
        resp = c.post(HOOKS, json={"url": receiver.url("/ok"), "event_types": ["*"]}, headers=tenant.auth)
    errors = assert_validation_problem(resp)
    assert errors[0]["field"] == "url"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"url": "https://hooks.example.com", "event_types": ["invoice.exploded"]}, "event_types"),
        ({"url": "https://hooks.example.com", "event_types": ["*.created"]}, "event_types"),
        ({"url": "https://hooks.example.com", "event_types": []}, "event_types"),
        ({"url": "https://hooks.example.com", "event_types": ["*"], "secret": "mine"}, "secret"),
        ({"event_types": ["*"]}, "url"),
        ({"url": 42, "event_types": ["*"]}, "url"),
    ],
)
def test_refuses_bad_bodies(client: httpx.Client, tenant: Tenant, body: dict[str, Any], field: str) -> None:
    resp = client.post(HOOKS, json=body, headers=tenant.auth)
    errors = assert_validation_problem(resp)
    assert any(field in e["field"] or field in e["detail"] for e in errors), errors


def test_tenancy_and_scopes(client: httpx.Client, make_tenant: Callable[..., Tenant], receiver: Receiver) -> None:
    owner, other = make_tenant(), make_tenant()
    hook = subscribe(client, owner, receiver.url("/ok"))
    for method, path in [
        ("GET", f"{HOOKS}/{hook['id']}"),
        ("DELETE", f"{HOOKS}/{hook['id']}"),
        ("GET", f"{HOOKS}/{hook['id']}/deliveries"),
        ("POST", f"{HOOKS}/{hook['id']}/test"),
        ("POST", f"{HOOKS}/{hook['id']}/enable"),
    ]:
        assert_problem(client.request(method, path, headers=other.auth), 404)
    assert client.get(HOOKS, headers=other.auth).json()["data"] == []

    reader = make_tenant(scopes=["read:webhooks"])
    assert client.get(HOOKS, headers=reader.auth).status_code == 200
    assert_problem(
        client.post(HOOKS, json={"url": receiver.url("/ok"), "event_types": ["*"]}, headers=reader.auth), 403
    )
    nobody = make_tenant(scopes=["read:projects"])
    assert_problem(client.get(HOOKS, headers=nobody.auth), 403)


def test_put_replaces_and_delete_removes(client: httpx.Client, tenant: Tenant, receiver: Receiver) -> None:
    hook = subscribe(client, tenant, receiver.url("/ok"), "project.created")
    resp = client.put(
        f"{HOOKS}/{hook['id']}",
        json={"url": receiver.url("/status/200"), "event_types": ["project.*"], "description": "ERP sync"},
        headers=tenant.auth,
    )
    assert resp.status_code == 200, resp.text
    changed = resp.json()
    assert changed["url"].endswith("/status/200") and changed["event_types"] == ["project.*"]
    assert changed["description"] == "ERP sync" and changed["version"] == hook["version"] + 1
    assert client.delete(f"{HOOKS}/{hook['id']}", headers=tenant.auth).status_code == 204
    assert_problem(client.get(f"{HOOKS}/{hook['id']}", headers=tenant.auth), 404)


def test_event_type_catalogue(client: httpx.Client, tenant: Tenant) -> None:
    resp = client.get(f"{HOOKS}/event-types", headers=tenant.auth)
    assert resp.status_code == 200, resp.text
    types = {t["type"]: t for t in resp.json()["data"]}
    for name in ("project.created", "project.updated", "project.deleted", "webhook.test", "webhook.disabled"):
        assert name in types
    project = types["project.created"]
    assert project["category"] == "project"
    assert set(project["example"]) == {"id", "type", "timestamp", "sequence", "data"}
    assert project["example"]["type"] == "project.created"
    assert "name" in project["example"]["data"]
    schema = project["schema"]
    assert "$defs" in schema and "ProjectOut" in schema["$defs"]


# -- delivery -----------------------------------------------------------------------------------


def test_a_change_is_delivered_signed_and_verifiable(
    client: httpx.Client, tenant: Tenant, receiver: Receiver, make_worker: Callable[..., DeliveryWorker]
) -> None:
    hook = subscribe(client, tenant, receiver.url("/ok"), "project.*")
    project = new_project(client, tenant)
    outcomes = run_once(make_worker(tenant))
    assert [o.status for o in outcomes] == [204]

    (got,) = receiver.for_path("/ok")
    payload = verify(hook["secret"], got)
    assert payload["type"] == "project.created" and payload["sequence"] == 1
    assert payload["data"]["id"] == project["id"] and payload["data"]["name"] == "Harbor View"
    event = client.get("/api/v1/events", params={"entity_id": project["id"]}, headers=tenant.auth).json()["data"][0]
    assert got.headers["webhook-id"] == payload["id"] == event["id"]
    assert got.headers["user-agent"].startswith("Joist-Webhooks/")
    with pytest.raises(WebhookVerificationError):
        Webhook("whsec_" + base64.b64encode(b"0" * 32).decode()).verify(got.body, got.headers)

    (delivery,) = deliveries(client, tenant, hook["id"])
    assert delivery["state"] == "succeeded" and delivery["attempt_count"] == 1
    assert delivery["next_attempt_at"] is None and delivery["event_type"] == "project.created"
    (attempt,) = delivery["attempts"]
    assert attempt["status"] == 204 and attempt["error"] is None
    assert attempt["request_headers"]["webhook-id"] == payload["id"]
    assert attempt["request_headers"]["webhook-signature"].startswith("v1,")


def test_selection_by_exact_type_and_wildcard(
    client: httpx.Client, tenant: Tenant, receiver: Receiver, make_worker: Callable[..., DeliveryWorker]
) -> None:
    only_deleted = subscribe(client, tenant, receiver.url("/status/200"), "project.deleted")
    invoices = subscribe(client, tenant, receiver.url("/status/201"), "invoice.*")
    everything = subscribe(client, tenant, receiver.url("/ok"), "*")
    project = new_project(client, tenant)
    client.patch(f"{PROJECTS}/{project['id']}", json={"status": "active"}, headers=tenant.auth)
    client.delete(f"{PROJECTS}/{project['id']}", headers=tenant.auth)
    run_once(make_worker(tenant))

    types = [verify(everything["secret"], r)["type"] for r in receiver.for_path("/ok")]
    assert sorted(types) == ["project.created", "project.deleted", "project.updated"]
    (deleted,) = receiver.for_path("/status/200")
    assert verify(only_deleted["secret"], deleted)["type"] == "project.deleted"
    assert receiver.for_path("/status/201") == [] and deliveries(client, tenant, invoices["id"]) == []


def test_the_test_event_ignores_the_selection(
    client: httpx.Client, tenant: Tenant, receiver: Receiver, make_worker: Callable[..., DeliveryWorker]
) -> None:
    hook = subscribe(client, tenant, receiver.url("/ok"), "invoice.approved")
    resp = client.post(f"{HOOKS}/{hook['id']}/test", headers=tenant.auth)
    assert resp.status_code == 202, resp.text
    queued = resp.json()
    assert queued["state"] == "pending" and queued["event_type"] == "webhook.test"
    run_once(make_worker(tenant))
    payload = verify(hook["secret"], receiver.wait_for("/ok", 1)[0])
    assert payload["type"] == "webhook.test" and payload["data"]["subscription_id"] == hook["id"]
    (logged,) = deliveries(client, tenant, hook["id"])
    assert logged["id"] == queued["id"] and logged["state"] == "succeeded"


def test_the_retry_schedule_is_followed_exactly(
    client: httpx.Client, tenant: Tenant, receiver: Receiver, make_worker: Callable[..., DeliveryWorker]
) -> None:
    clock = Clock()
    hook = subscribe(client, tenant, receiver.url("/status/500"), "project.created")
    new_project(client, tenant)
    worker = make_worker(tenant, clock)

    assert len(run_once(worker)) == 1  # at once
    expected = clock.now
    for delay in RETRY_DELAYS:
        expected += delay
        (delivery,) = deliveries(client, tenant, hook["id"])
        assert delivery["state"] == "pending"
        assert datetime.fromisoformat(delivery["next_attempt_at"]) == clock.now + delay
        clock.now = expected - timedelta(seconds=1)
        assert run_once(worker) == []  # not due yet
        clock.now = expected
        assert len(run_once(worker)) == 1

    (delivery,) = deliveries(client, tenant, hook["id"])
    assert delivery["state"] == "failed" and delivery["next_attempt_at"] is None
    assert delivery["attempt_count"] == 6 and delivery["last_status"] == 500
    attempts = delivery["attempts"]
    assert [a["number"] for a in attempts] == [6, 5, 4, 3, 2, 1]
    assert all(a["status"] == 500 and a["response_body"] == "receiver says no" for a in attempts)
    gaps = [
        datetime.fromisoformat(newer["started_at"]) - datetime.fromisoformat(older["started_at"])
        for newer, older in itertools.pairwise(attempts)
    ]
    assert list(reversed(gaps)) == list(RETRY_DELAYS)
    assert len(receiver.for_path("/status/500")) == 6
    hook_now = client.get(f"{HOOKS}/{hook['id']}", headers=tenant.auth).json()
    assert hook_now["consecutive_failures"] == 1 and hook_now["enabled"] is True


def test_jitter_and_retry_after_stay_within_ten_percent(
    client: httpx.Client, tenant: Tenant, receiver: Receiver, make_worker: Callable[..., DeliveryWorker]
) -> None:
    clock = Clock()
    hook = subscribe(client, tenant, receiver.url("/status/503"), "project.created")
    polite = subscribe(client, tenant, receiver.url("/status/503?retry_after=62"), "project.created")
    pushy = subscribe(client, tenant, receiver.url("/status/429?retry_after=1"), "project.created")
    new_project(client, tenant)
    worker = make_worker(tenant, clock)
    worker.jitter = lambda: 1.5  # out of bounds: clamped to +10 %
    run_once(worker)

    def wait(hook_id: str) -> timedelta:
        (d,) = deliveries(client, tenant, hook_id)
        return datetime.fromisoformat(d["next_attempt_at"]) - clock.now

    assert wait(hook["id"]) == timedelta(seconds=66)
    assert wait(polite["id"]) == timedelta(seconds=62)  # honoured: within 54–66 s
    assert wait(pushy["id"]) == timedelta(seconds=54)  # 1 s asked, 1 min −10 % given


def test_410_gone_disables_at_once_and_tells_the_builder(
    client: httpx.Client, tenant: Tenant, receiver: Receiver, make_worker: Callable[..., DeliveryWorker]
) -> None:
    gone = subscribe(client, tenant, receiver.url("/status/410"), "project.*")
    watcher = subscribe(client, tenant, receiver.url("/ok"), "webhook.disabled")
    new_project(client, tenant, "First")
    run_once(make_worker(tenant))

    hook = client.get(f"{HOOKS}/{gone['id']}", headers=tenant.auth).json()
    assert hook["enabled"] is False and "410" in hook["disabled_reason"] and hook["disabled_at"]
    (delivery,) = deliveries(client, tenant, gone["id"])
    assert delivery["state"] == "failed" and delivery["attempt_count"] == 1

    new_project(client, tenant, "Second")  # a disabled webhook gets nothing new
    run_once(make_worker(tenant))
    assert len(deliveries(client, tenant, gone["id"])) == 1
    notice = verify(watcher["secret"], receiver.wait_for("/ok", 1)[0])
    assert notice["type"] == "webhook.disabled" and notice["data"]["subscription_id"] == gone["id"]
    events = client.get("/api/v1/events", params={"type": "webhook.disabled"}, headers=tenant.auth).json()["data"]
    assert [e["entity_id"] for e in events] == [gone["id"]]


def test_five_exhausted_deliveries_disable_then_enable_and_recover(
    client: httpx.Client, tenant: Tenant, receiver: Receiver, make_worker: Callable[..., DeliveryWorker]
) -> None:
    clock = Clock()
    start = clock.now - timedelta(minutes=1)
    hook = subscribe(client, tenant, receiver.url("/status/500"), "project.*")
    for n in range(5):
        new_project(client, tenant, f"Job {n}")
    worker = make_worker(tenant, clock)
    for _ in range(6):
        run_once(worker)
        clock.advance(timedelta(hours=13))
    disabled = client.get(f"{HOOKS}/{hook['id']}", headers=tenant.auth).json()
    assert disabled["enabled"] is False and disabled["consecutive_failures"] == 5
    assert disabled["disabled_reason"] == "5 deliveries in a row failed after every retry"
    assert {d["state"] for d in deliveries(client, tenant, hook["id"])} == {"failed"}

    missed = new_project(client, tenant, "Built while disabled")
    put = client.put(
        f"{HOOKS}/{hook['id']}", json={"url": receiver.url("/ok"), "event_types": ["project.*"]}, headers=tenant.auth
    )
    assert put.status_code == 200, put.text
    enabled = client.post(f"{HOOKS}/{hook['id']}/enable", headers=tenant.auth)
    assert enabled.status_code == 200 and enabled.json()["enabled"] is True
    assert enabled.json()["consecutive_failures"] == 0 and enabled.json()["disabled_reason"] is None

    recovered = client.post(f"{HOOKS}/{hook['id']}/recover", json={"since": start.isoformat()}, headers=tenant.auth)
    assert recovered.status_code == 202, recovered.text
    assert recovered.json() == {"requeued": 5, "created": 1}
    run_once(make_worker(tenant))
    names = sorted(verify(hook["secret"], r)["data"]["name"] for r in receiver.wait_for("/ok", 6))
    assert names == sorted([*(f"Job {n}" for n in range(5)), missed["name"]])

    again = client.post(f"{HOOKS}/{hook['id']}/recover", json={"since": start.isoformat()}, headers=tenant.auth)
    assert again.json() == {"requeued": 0, "created": 0}  # nothing failed or missing any more
    bad = client.post(
        f"{HOOKS}/{hook['id']}/recover",
        json={"since": "2026-01-01T00:00:00Z", "until": "2025-01-01T00:00:00Z"},
        headers=tenant.auth,
    )
    assert assert_validation_problem(bad)[0]["field"] == "until"


def test_replay_sends_the_same_message_again(
    client: httpx.Client, tenant: Tenant, receiver: Receiver, make_worker: Callable[..., DeliveryWorker]
) -> None:
    hook = subscribe(client, tenant, receiver.url("/ok"), "project.created")
    new_project(client, tenant)
    (first,) = deliveries(client, tenant, hook["id"])
    path = f"{HOOKS}/{hook['id']}/deliveries/{first['id']}/replay"
    assert_problem(client.post(path, headers=tenant.auth), 409)  # still pending
    run_once(make_worker(tenant))

    resp = client.post(path, headers=tenant.auth)
    assert resp.status_code == 202, resp.text
    replay = resp.json()
    assert replay["replay_of"] == first["id"] and replay["event_id"] == first["event_id"]
    run_once(make_worker(tenant))
    a, b = receiver.wait_for("/ok", 2)
    assert a.headers["webhook-id"] == b.headers["webhook-id"] == first["event_id"]
    assert verify(hook["secret"], b)["type"] == "project.created"
    assert_problem(client.post(f"{HOOKS}/{hook['id']}/deliveries/{uuid.uuid4()}/replay", headers=tenant.auth), 404)


def test_rotation_signs_with_both_secrets_during_the_overlap(
    client: httpx.Client, tenant: Tenant, receiver: Receiver, make_worker: Callable[..., DeliveryWorker]
) -> None:
    clock = Clock()
    hook = subscribe(client, tenant, receiver.url("/ok"), "project.*")
    resp = client.post(f"{HOOKS}/{hook['id']}/rotate-secret", json={"overlap_seconds": 3600}, headers=tenant.auth)
    assert resp.status_code == 200, resp.text
    rotated = resp.json()
    assert rotated["secret"] != hook["secret"] and rotated["previous_secret_expires_at"]

    new_project(client, tenant, "During overlap")
    run_once(make_worker(tenant, clock))
    during = receiver.wait_for("/ok", 1)[0]
    assert len(during.headers["webhook-signature"].split(" ")) == 2
    assert verify(hook["secret"], during)["data"]["name"] == "During overlap"  # old receivers still verify
    assert verify(rotated["secret"], during)["data"]["name"] == "During overlap"

    clock.advance(timedelta(hours=2))
    new_project(client, tenant, "After overlap")
    run_once(make_worker(tenant, clock))
    after = receiver.wait_for("/ok", 2)[1]
    assert len(after.headers["webhook-signature"].split(" ")) == 1
    assert verify(rotated["secret"], after)["data"]["name"] == "After overlap"
    with pytest.raises(WebhookVerificationError):
        verify(hook["secret"], after)


@pytest.mark.parametrize(
    ("path", "error"),
    [
        ("/redirect", "redirects are not followed"),
        ("/hang", "no complete answer within 1 s"),
        ("/close", "Response payload is not completed"),
        ("/status/500", "answered 500"),
    ],
)
def test_misbehaving_receivers_become_logged_failed_attempts(
    client: httpx.Client,
    tenant: Tenant,
    receiver: Receiver,
    make_worker: Callable[..., DeliveryWorker],
    path: str,
    error: str,
) -> None:
    hook = subscribe(client, tenant, receiver.url(path), "project.created")
    new_project(client, tenant)
    run_once(make_worker(tenant, total_timeout=1.0))
    (delivery,) = deliveries(client, tenant, hook["id"])
    assert delivery["state"] == "pending" and delivery["next_attempt_at"] is not None  # retried later
    (attempt,) = delivery["attempts"]
    assert error in attempt["error"], attempt
    assert attempt["duration_ms"] < 5000


def test_huge_answers_are_cut_at_20_kb(
    client: httpx.Client, tenant: Tenant, receiver: Receiver, make_worker: Callable[..., DeliveryWorker]
) -> None:
    hook = subscribe(client, tenant, receiver.url("/huge"), "project.created")
    new_project(client, tenant)
    run_once(make_worker(tenant))
    (delivery,) = deliveries(client, tenant, hook["id"])
    assert delivery["state"] == "succeeded"
    body = delivery["attempts"][0]["response_body"]
    assert body.startswith("xxxx") and body.endswith("…[truncated]")
    assert len(body.encode()) <= 20 * 1024 + len("…[truncated]".encode())


def test_claims_take_a_bounded_share_per_endpoint(
    client: httpx.Client, tenant: Tenant, receiver: Receiver, make_worker: Callable[..., DeliveryWorker]
) -> None:
    slow = subscribe(client, tenant, receiver.url("/slow/0.3"), "project.created")
    fast = subscribe(client, tenant, receiver.url("/ok"), "project.created")
    for n in range(10):
        new_project(client, tenant, f"P{n}")
    worker = make_worker(tenant, endpoint_concurrency=2, queue_depth=2, batch_size=50)
    jobs = anyio.run(worker.claim, 50)
    assert Counter(str(j.subscription_id) for j in jobs) == {slow["id"]: 4, fast["id"]: 4}
    # Those are outstanding (leased) now: another claim, by any worker, gets nothing more.
    assert anyio.run(make_worker(tenant, endpoint_concurrency=2, queue_depth=2).claim, 50) == []


def test_one_slow_endpoint_cannot_hold_up_the_others(
    client: httpx.Client, tenant: Tenant, receiver: Receiver, make_worker: Callable[..., DeliveryWorker]
) -> None:
    subscribe(client, tenant, receiver.url("/slow/0.3"), "project.created")
    subscribe(client, tenant, receiver.url("/ok"), "project.created")
    for n in range(10):
        new_project(client, tenant, f"P{n}")
    worker = make_worker(tenant, endpoint_concurrency=2, queue_depth=2, batch_size=50)
    fast_done: list[float] = []

    async def run() -> None:
        stop = anyio.Event()
        async with anyio.create_task_group() as tg:
            tg.start_soon(worker.run, stop)
            with anyio.fail_after(30):
                while len(receiver.for_path("/ok")) < 10:
                    await anyio.sleep(0.01)
                fast_done.append(time.monotonic())
                while len(receiver.for_path("/slow/0.3")) < 10:
                    await anyio.sleep(0.01)
            stop.set()

    anyio.run(run)
    assert receiver.path_peak["/slow/0.3"] <= 2  # never more than its cap at once
    slow_finished = sorted(r.finished_at for r in receiver.for_path("/slow/0.3"))
    # Ten slow deliveries take five rounds of 0.3 s; the fast endpoint was served in full
    # before the slow one was halfway through.
    assert fast_done[0] < slow_finished[5]


def test_two_workers_never_send_one_delivery_twice(
    client: httpx.Client, tenant: Tenant, receiver: Receiver, make_worker: Callable[..., DeliveryWorker]
) -> None:
    subscribe(client, tenant, receiver.url("/slow/0.01"), "project.created")
    for n in range(40):
        new_project(client, tenant, f"Lot {n}")
    workers = [make_worker(tenant, batch_size=7, endpoint_concurrency=16) for _ in range(2)]

    async def both() -> None:
        stop = anyio.Event()
        async with anyio.create_task_group() as tg:
            for w in workers:
                tg.start_soon(w.run, stop)
            with anyio.fail_after(30):
                while len(receiver.for_path("/slow/0.01")) < 40:
                    await anyio.sleep(0.05)
            await anyio.sleep(0.3)  # time for a duplicate to show up, if there were one
            stop.set()

    anyio.run(both)
    ids = Counter(r.headers["webhook-id"] for r in receiver.for_path("/slow/0.01"))
    assert len(ids) == 40 and set(ids.values()) == {1}
    assert receiver.overlaps == []
    assert sum(w.sent for w in workers) == 40
