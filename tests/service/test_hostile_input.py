"""Inputs a careless or hostile client sends: each gets a 4xx problem, never a 500."""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Callable

import httpx
import pytest

from tests.conftest import Tenant
from tests.helpers import assert_problem, assert_validation_problem

PROJECTS = "/api/v1/projects"


def _cursor(payload: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "cursor",
    [
        _cursor(["2024-01-01T00:00:00+00:00", 5]),
        _cursor(["2024-01-01T00:00:00+00:00", "a"]),
        _cursor(["2024-01-01T00:00:00", "0" * 32]),
        _cursor(["0001-01-01T00:00:00+14:00", "0" * 32]),
        _cursor(["9999-12-31T23:59:59-14:00", "0" * 32]),
        _cursor({"a": 1}),
        base64.urlsafe_b64encode(b"[" * 3000 + b"]" * 3000).decode(),
        "x" * 5000,
    ],
)
@pytest.mark.parametrize("path", [PROJECTS, "/api/v1/events", "/api/v1/api-keys"])
def test_forged_cursors_are_400(client: httpx.Client, tenant: Tenant, path: str, cursor: str) -> None:
    errors = assert_validation_problem(client.get(path, params={"cursor": cursor}, headers=tenant.auth))
    assert [e["field"] for e in errors] == ["cursor"]


@pytest.mark.parametrize("value", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00"])
@pytest.mark.parametrize("path", [PROJECTS, "/api/v1/events", "/api/v1/api-keys"])
def test_times_out_of_range_in_utc_are_400(client: httpx.Client, tenant: Tenant, path: str, value: str) -> None:
    errors = assert_validation_problem(client.get(path, params={"created_after": value}, headers=tenant.auth))
    assert [e["field"] for e in errors] == ["created_after"]


def test_an_expiry_out_of_range_is_400(client: httpx.Client, tenant: Tenant) -> None:
    body = {"name": "e", "scopes": ["read:projects"], "expires_at": "9999-12-31T23:59:59-14:00"}
    errors = assert_validation_problem(client.post("/api/v1/api-keys", json=body, headers=tenant.auth))
    assert [e["field"] for e in errors] == ["expires_at"]


@pytest.mark.parametrize(
    "content",
    [b"[" * 50_000 + b"]" * 50_000, b'{"name": "x", "address": ' + b"[" * 5000 + b"]" * 5000 + b"}"],
)
def test_deeply_nested_bodies_are_400(client: httpx.Client, tenant: Tenant, content: bytes) -> None:
    headers = {**tenant.auth, "Content-Type": "application/json"}
    assert_problem(client.post(PROJECTS, content=content, headers=headers), 400)


@pytest.mark.parametrize(
    "body",
    [{"name": "x\u0000"}, {"name": "x", "address": {"line1": "a\u0000"}}],
)
def test_nul_characters_in_bodies_are_400_on_every_database(client: httpx.Client, tenant: Tenant, body: object) -> None:
    errors = assert_validation_problem(client.post(PROJECTS, json=body, headers=tenant.auth))
    assert errors[0]["field"] == "body"
    assert client.get(PROJECTS, headers=tenant.auth).json()["data"] == []


def test_nul_characters_in_queries_are_400(client: httpx.Client, tenant: Tenant) -> None:
    assert_validation_problem(client.get(PROJECTS, params={"code": "\u0000"}, headers=tenant.auth))


def test_a_name_of_spaces_is_not_a_name(client: httpx.Client, tenant: Tenant) -> None:
    assert [
        e["field"] for e in assert_validation_problem(client.post(PROJECTS, json={"name": "   "}, headers=tenant.auth))
    ] == ["name"]
    project = client.post(PROJECTS, json={"name": "Real"}, headers=tenant.auth).json()
    resp = client.patch(f"{PROJECTS}/{project['id']}", json={"name": "  "}, headers=tenant.auth)
    assert [e["field"] for e in assert_validation_problem(resp)] == ["name"]


def test_an_event_type_with_a_trailing_newline_is_refused(client: httpx.Client, tenant: Tenant) -> None:
    assert_validation_problem(client.get("/api/v1/events", params={"type": "project.created\n"}, headers=tenant.auth))


def test_concurrent_changes_to_one_project_never_answer_500(
    server_url_client: Callable[[], httpx.Client], tenant: Tenant
) -> None:
    with server_url_client() as c:
        project = c.post(PROJECTS, json={"name": "Contended"}, headers=tenant.auth).json()
    url = f"{PROJECTS}/{project['id']}"
    statuses: list[int] = []

    def change(n: int) -> None:
        with server_url_client() as c:
            statuses.append(c.patch(url, json={"name": f"n{n}"}, headers=tenant.auth).status_code)

    threads = [threading.Thread(target=change, args=(n,)) for n in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert set(statuses) <= {200, 409}, statuses
    assert 200 in statuses
    with server_url_client() as c:
        final = c.get(url, headers=tenant.auth).json()
        events = c.get("/api/v1/events", params={"entity_id": project["id"]}, headers=tenant.auth).json()["data"]
    assert final["version"] == 1 + statuses.count(200)
    assert [e["sequence"] for e in events] == list(range(final["version"], 0, -1))
