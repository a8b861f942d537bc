"""``Idempotency-Key`` on POST: the same key and body replay the first answer with no second
effect; a different body is a 409; records are per credential and expire."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from service.crypto import Sealer
from service.db.database import Database
from service.http.idempotency import IdempotencyStore
from service.http.models import IdempotencyRecord
from service.settings import Settings
from tests.conftest import LiveServer, Tenant
from tests.helpers import assert_problem, assert_validation_problem

KEYS = "/api/v1/api-keys"


def _body() -> dict[str, Any]:
    """A valid create request with a name no other request uses."""
    return {"name": f"idem {uuid.uuid4().hex[:8]}", "scopes": ["read:projects"]}


def _post(client: httpx.Client, auth: dict[str, str], body: Any, key: str | None) -> httpx.Response:
    headers = httpx.Headers(auth)
    if key is not None:
        headers["Idempotency-Key"] = key
    return client.post(KEYS, json=body, headers=headers)


def _named(client: httpx.Client, tenant: Tenant, name: str) -> list[str]:
    """Ids of the tenant's keys called ``name``."""
    resp = client.get(KEYS, params={"limit": 100}, headers=tenant.auth)
    assert resp.status_code == 200
    return [item["id"] for item in resp.json()["data"] if item["name"] == name]


def _second_credential(client: httpx.Client, tenant: Tenant) -> dict[str, str]:
    """Another API key of the same builder, allowed to create keys."""
    resp = _post(client, tenant.auth, {"name": "second", "scopes": ["write:api_keys", "read:projects"]}, None)
    assert resp.status_code == 201, resp.text
    return {"Authorization": f"Bearer {resp.json()['key']}"}


def test_same_key_and_body_replays_the_first_answer_without_a_second_effect(
    client: httpx.Client, tenant: Tenant
) -> None:
    body = _body()
    first = _post(client, tenant.auth, body, "create-once")
    assert first.status_code == 201, first.text
    assert "idempotent-replayed" not in first.headers
    for _ in range(2):
        again = _post(client, tenant.auth, body, "create-once")
        assert again.status_code == first.status_code
        assert again.content == first.content
        assert again.headers["location"] == first.headers["location"]
        assert again.headers["content-type"] == first.headers["content-type"]
        assert again.headers["idempotent-replayed"] == "true"
    assert _named(client, tenant, body["name"]) == [first.json()["id"]]


def test_a_retry_sent_as_soon_as_the_answer_arrives_is_replayed(client: httpx.Client, tenant: Tenant) -> None:
    # Once a client holds the full answer the request is over: retrying it, however quickly, must
    # replay that answer, not report the request as still in progress. Many rounds, because only
    # a fast enough retry can land between "answer sent" and "answer recorded".
    for round_ in range(60):
        body = _body()
        first = _post(client, tenant.auth, body, f"quick-retry-{round_}")
        assert first.status_code == 201, first.text
        again = _post(client, tenant.auth, body, f"quick-retry-{round_}")
        assert (again.status_code, again.headers.get("idempotent-replayed")) == (201, "true"), (round_, again.text)
        assert again.content == first.content


def test_same_key_with_a_different_body_is_a_409(client: httpx.Client, tenant: Tenant) -> None:
    body = _body()
    assert _post(client, tenant.auth, body, "reused").status_code == 201
    other = _body()
    conflict = assert_problem(_post(client, tenant.auth, other, "reused"), 409)
    assert "Idempotency-Key" in conflict["detail"] or "Idempotency-Key" in conflict["title"]
    assert _named(client, tenant, other["name"]) == []
    assert len(_named(client, tenant, body["name"])) == 1


def test_records_are_per_credential(client: httpx.Client, tenant: Tenant) -> None:
    other = _second_credential(client, tenant)
    body = _body()
    mine = _post(client, tenant.auth, body, "shared-key")
    theirs = _post(client, other, body, "shared-key")
    assert mine.status_code == theirs.status_code == 201
    assert "idempotent-replayed" not in theirs.headers
    assert mine.json()["id"] != theirs.json()["id"]
    assert sorted(_named(client, tenant, body["name"])) == sorted([mine.json()["id"], theirs.json()["id"]])
    # ...and each credential still replays its own answer.
    assert _post(client, other, body, "shared-key").json()["id"] == theirs.json()["id"]


def test_records_are_per_tenant(client: httpx.Client, make_tenant: Callable[..., Tenant]) -> None:
    alice, bob = make_tenant(), make_tenant()
    body = _body()
    first, second = _post(client, alice.auth, body, "same"), _post(client, bob.auth, body, "same")
    assert first.status_code == second.status_code == 201
    assert "idempotent-replayed" not in second.headers
    assert _named(client, bob, body["name"]) == [second.json()["id"]]


@pytest.mark.parametrize(
    "key", ["", "k" * 256, "clé", "tab\there"], ids=["empty", "256-chars", "non-ascii", "control-char"]
)
def test_an_invalid_key_is_a_400(client: httpx.Client, tenant: Tenant, key: str) -> None:
    body = _body()
    errors = assert_validation_problem(_post(client, tenant.auth, body, key))
    assert [e["field"] for e in errors] == ["Idempotency-Key"]
    assert _named(client, tenant, body["name"]) == []


def test_two_keys_on_one_request_are_a_400(client: httpx.Client, tenant: Tenant) -> None:
    body = _body()
    headers = [*httpx.Headers(tenant.auth).raw, (b"Idempotency-Key", b"one"), (b"Idempotency-Key", b"two")]
    errors = assert_validation_problem(client.post(KEYS, json=body, headers=headers))
    assert [e["field"] for e in errors] == ["Idempotency-Key"]
    assert _named(client, tenant, body["name"]) == []


def test_two_keys_joined_in_one_header_are_a_400(client: httpx.Client, tenant: Tenant) -> None:
    body = _body()
    errors = assert_validation_problem(_post(client, tenant.auth, body, "k-1, k-2"))
    assert [e["field"] for e in errors] == ["Idempotency-Key"]
    assert _named(client, tenant, body["name"]) == []


def test_a_key_of_255_printable_characters_is_accepted(client: httpx.Client, tenant: Tenant) -> None:
    key = ("A-z0_9.~:/" * 26)[:255]
    body = _body()
    assert _post(client, tenant.auth, body, key).status_code == 201
    assert _post(client, tenant.auth, body, key).headers["idempotent-replayed"] == "true"


def test_a_failed_validation_is_replayed_too(client: httpx.Client, tenant: Tenant) -> None:
    invalid = {"name": "", "scopes": ["read:projects"]}
    first = _post(client, tenant.auth, invalid, "invalid-once")
    assert_validation_problem(first)
    again = _post(client, tenant.auth, invalid, "invalid-once")
    assert again.status_code == 400
    assert again.content == first.content
    assert again.headers["content-type"] == first.headers["content-type"]
    assert again.headers["idempotent-replayed"] == "true"


def test_a_request_without_a_key_is_not_deduplicated(client: httpx.Client, tenant: Tenant) -> None:
    body = _body()
    assert _post(client, tenant.auth, body, None).status_code == 201
    assert _post(client, tenant.auth, body, None).status_code == 201
    assert len(_named(client, tenant, body["name"])) == 2


def _race(url: str, auth: dict[str, str], body: dict[str, Any], key: str) -> list[httpx.Response]:
    """Send the same request from two threads at the same moment."""
    barrier = threading.Barrier(2)
    results: list[httpx.Response] = []
    lock = threading.Lock()

    def send() -> None:
        with httpx.Client(base_url=url, timeout=30) as own:
            barrier.wait()
            resp = _post(own, auth, body, key)
        with lock:
            results.append(resp)

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(results) == 2
    return results


@pytest.mark.parametrize("attempt", range(5))
def test_concurrent_requests_with_one_key_have_one_effect(
    client: httpx.Client, server: LiveServer, tenant: Tenant, attempt: int
) -> None:
    body = _body()
    responses = _race(server.url, tenant.auth, body, f"race-{attempt}")
    created = [r for r in responses if r.status_code == 201 and "idempotent-replayed" not in r.headers]
    assert len(created) == 1, [(r.status_code, r.text) for r in responses]
    (other,) = [r for r in responses if r is not created[0]]
    if other.status_code == 201:
        assert other.headers["idempotent-replayed"] == "true"
        assert other.content == created[0].content
    else:
        problem = assert_problem(other, 409)
        assert "in progress" in problem["title"].lower() or "still being processed" in problem["detail"]
        assert other.headers["retry-after"].isdigit()
    assert _named(client, tenant, body["name"]) == [created[0].json()["id"]]


def test_a_record_expires_after_its_ttl(make_server: Callable[..., LiveServer], tenant: Tenant) -> None:
    body = _body()
    with make_server(idempotency_ttl_seconds=1).client() as short:
        first = _post(short, tenant.auth, body, "short-lived")
        assert first.status_code == 201
        time.sleep(1.5)  # let the one-second record expire
        second = _post(short, tenant.auth, body, "short-lived")
        assert second.status_code == 201
        assert "idempotent-replayed" not in second.headers
        assert second.json()["id"] != first.json()["id"]
        assert sorted(_named(short, tenant, body["name"])) == sorted([first.json()["id"], second.json()["id"]])
        # The new answer is the one now replayed.
        assert _post(short, tenant.auth, body, "short-lived").json()["id"] == second.json()["id"]


def test_stored_answers_are_sealed_and_a_new_key_never_rests_in_the_clear(
    client: httpx.Client, tenant: Tenant, db: Database
) -> None:
    body = _body()
    created = _post(client, tenant.auth, body, "sealed-answer")
    assert created.status_code == 201
    secret = created.json()["key"].encode()
    stored = db.read_sync(
        lambda c: c.execute(
            select(IdempotencyRecord.response_body).where(IdempotencyRecord.key == "sealed-answer")
        ).scalar_one()
    )
    assert stored
    assert secret not in stored
    assert b"jst_live_" not in stored
    replay = _post(client, tenant.auth, body, "sealed-answer")
    assert replay.json()["key"] == created.json()["key"]  # unsealed intact for the replay


def test_expired_records_are_purged(db: Database, settings: Settings) -> None:
    store = IdempotencyStore(db.sessions, timedelta(seconds=-1), Sealer(settings.secret_key, "idempotency"))
    principal = f"api_key:{uuid.uuid4()}"
    assert store.begin(principal, "old", "f" * 64) is None
    assert store.purge_expired() >= 1
    assert store.begin(principal, "old", "e" * 64) is None  # gone, so the key is free again
