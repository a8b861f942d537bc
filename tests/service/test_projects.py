"""Projects on the public API: create, read, change, delete, with tenancy, scopes, exact money
and an event for every change written in the same transaction."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import httpx
import pytest
from sqlalchemy import event as sa_event

from tests.conftest import LiveServer, Tenant
from tests.helpers import assert_problem, assert_validation_problem

PROJECTS = "/api/v1/projects"
BODY = {
    "name": "Maple Street remodel",
    "code": "J-1042",
    "status": "active",
    "address": {"line1": "12 Maple St", "city": "Boulder", "region": "CO", "postal_code": "80302", "country": "US"},
    "start_date": "2026-03-01",
    "end_date": "2026-09-30",
    "contract_value": "1250000.50",
    "currency": "USD",
}


def _events(client: httpx.Client, tenant: Tenant, **params: str) -> list[dict[str, object]]:
    resp = client.get("/api/v1/events", params=params, headers=tenant.auth)
    assert resp.status_code == 200, resp.text
    data: list[dict[str, object]] = resp.json()["data"]
    return data


def test_create_read_and_list(client: httpx.Client, tenant: Tenant) -> None:
    created = client.post(PROJECTS, json=BODY, headers=tenant.auth)
    assert created.status_code == 201, created.text
    project = created.json()
    assert created.headers["location"] == f"{PROJECTS}/{project['id']}"
    assert project["contract_value"] == "1250000.50"
    assert project["currency"] == "USD"
    assert project["version"] == 1
    assert project["created_at"].endswith("Z")
    assert client.get(f"{PROJECTS}/{project['id']}", headers=tenant.auth).json() == project
    assert client.get(PROJECTS, headers=tenant.auth).json() == {"data": [project], "next_cursor": None}


def test_money_is_exact_and_validated(client: httpx.Client, tenant: Tenant) -> None:
    big = client.post(PROJECTS, json=BODY | {"contract_value": "99999999999999.9999"}, headers=tenant.auth)
    assert big.status_code == 201
    assert big.json()["contract_value"] == "99999999999999.9999"
    fetched = client.get(f"{PROJECTS}/{big.json()['id']}", headers=tenant.auth).json()
    assert fetched["contract_value"] == "99999999999999.9999"  # no float rounding on the way through storage
    for bad in ("NaN", "-1", "1e400", "1.00001"):
        resp = client.post(PROJECTS, json=BODY | {"contract_value": bad}, headers=tenant.auth)
        assert [e["field"] for e in assert_validation_problem(resp)] == ["contract_value"], bad
    lonely = client.post(PROJECTS, json=BODY | {"currency": None}, headers=tenant.auth)
    assert [e["field"] for e in assert_validation_problem(lonely)] == ["currency"]
    backwards = client.post(PROJECTS, json=BODY | {"end_date": "2026-01-01"}, headers=tenant.auth)
    assert [e["field"] for e in assert_validation_problem(backwards)] == ["end_date"]
    wrong = client.post(PROJECTS, json=BODY | {"status": "paused", "currency": "usd"}, headers=tenant.auth)
    assert {e["field"] for e in assert_validation_problem(wrong)} <= {"status", "currency"}


def test_patch_changes_only_what_is_sent_and_bumps_the_version(client: httpx.Client, tenant: Tenant) -> None:
    project = client.post(PROJECTS, json=BODY, headers=tenant.auth).json()
    url = f"{PROJECTS}/{project['id']}"
    changed = client.patch(url, json={"status": "on_hold", "code": None}, headers=tenant.auth)
    assert changed.status_code == 200, changed.text
    body = changed.json()
    assert (body["status"], body["code"], body["name"], body["version"]) == ("on_hold", None, BODY["name"], 2)
    same = client.patch(url, json={"status": "on_hold"}, headers=tenant.auth).json()
    assert same["version"] == 2  # nothing changed, nothing recorded
    assert_validation_problem(client.patch(url, json={"colour": "red"}, headers=tenant.auth))


def test_every_change_writes_one_event_with_increasing_sequence(client: httpx.Client, tenant: Tenant) -> None:
    project = client.post(PROJECTS, json=BODY, headers=tenant.auth).json()
    url = f"{PROJECTS}/{project['id']}"
    client.patch(url, json={"status": "completed"}, headers=tenant.auth)
    client.patch(url, json={"status": "completed"}, headers=tenant.auth)  # no change, no event
    assert client.delete(url, headers=tenant.auth).status_code == 204
    events = _events(client, tenant, entity_id=project["id"])
    assert [(e["type"], e["sequence"]) for e in events] == [
        ("project.deleted", 3),
        ("project.updated", 2),
        ("project.created", 1),
    ]
    created = events[-1]
    assert created["data"] == project
    assert events[1]["data"]["status"] == "completed"  # type: ignore[index]
    assert client.get(url, headers=tenant.auth).status_code == 404
    only_created = _events(client, tenant, type="project.created")
    assert [e["id"] for e in only_created] == [created["id"]]
    assert len(_events(client, tenant, type="project.*")) == 3
    assert_validation_problem(client.get("/api/v1/events", params={"type": "Project created"}, headers=tenant.auth))


def test_projects_and_events_are_tenant_scoped(client: httpx.Client, make_tenant: Callable[..., Tenant]) -> None:
    alice, bob = make_tenant(), make_tenant()
    bobs = client.post(PROJECTS, json=BODY, headers=bob.auth).json()
    for method in ("GET", "PATCH", "DELETE"):
        resp = client.request(
            method, f"{PROJECTS}/{bobs['id']}", json={} if method == "PATCH" else None, headers=alice.auth
        )
        assert_problem(resp, 404)
    assert client.get(PROJECTS, headers=alice.auth).json()["data"] == []
    assert _events(client, alice) == []
    assert len(_events(client, bob)) == 1


@pytest.mark.parametrize(
    ("scopes", "method", "status"),
    [(["read:projects"], "POST", 403), (["read:events"], "GET", 403), (["write:projects"], "GET", 200)],
)
def test_scopes(
    client: httpx.Client, make_tenant: Callable[..., Tenant], scopes: list[str], method: str, status: int
) -> None:
    tenant = make_tenant(scopes=scopes)
    resp = client.request(method, PROJECTS, json=BODY if method == "POST" else None, headers=tenant.auth)
    assert resp.status_code == status


def test_a_failed_commit_leaves_neither_the_project_nor_its_event(
    make_server: Callable[..., LiveServer], tenant: Tenant, client: httpx.Client
) -> None:
    live = make_server()

    def refuse(_session: object) -> None:
        raise RuntimeError("commit refused")

    sa_event.listen(live.app.state.db.sessions, "before_commit", refuse)
    with live.client() as c:
        assert c.post(PROJECTS, json=BODY, headers=tenant.auth).status_code == 500
    assert client.get(PROJECTS, headers=tenant.auth).json()["data"] == []
    assert _events(client, tenant) == []


def test_unknown_project_is_404(client: httpx.Client, tenant: Tenant) -> None:
    assert_problem(client.get(f"{PROJECTS}/{uuid.uuid4()}", headers=tenant.auth), 404)
