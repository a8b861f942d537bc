"""Schedules: tasks with dates, progress and dependencies by key; unknown dependencies, cycles
and impossible dates are refused naming the task's field."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from service.schedules.services import find_cycle
from tests.conftest import Tenant
from tests.helpers import assert_problem, assert_validation_problem
from tests.service.core import event_bodies, events, fields_of, new_project

SCHEDULES = "/api/v1/schedules"


def _task(key: str, start: str, end: str, *depends_on: str, **more: Any) -> dict[str, Any]:
    return {
        "key": key,
        "name": key.title(),
        "start_date": start,
        "end_date": end,
        "depends_on": list(depends_on),
    } | more


TASKS = [
    _task("foundation", "2026-03-02", "2026-03-27", status="done", percent_complete=100),
    _task("framing", "2026-03-30", "2026-05-08", "foundation", status="in_progress", percent_complete=40),
    _task("roofing", "2026-05-08", "2026-05-22", "framing"),
    _task("plumbing", "2026-05-11", "2026-06-05", "framing"),
    _task("drywall", "2026-06-08", "2026-06-26", "roofing", "plumbing"),
]


def _schedule(client: httpx.Client, tenant: Tenant, tasks: list[dict[str, Any]] = TASKS) -> dict[str, Any]:
    body = {"project_id": new_project(client, tenant), "name": "Baseline", "tasks": tasks}
    resp = client.post(SCHEDULES, json=body, headers=tenant.auth)
    assert resp.status_code == 201, resp.text
    schedule: dict[str, Any] = resp.json()
    return schedule


def test_create_read_list(client: httpx.Client, tenant: Tenant) -> None:
    schedule = _schedule(client, tenant)
    assert [t["key"] for t in schedule["tasks"]] == ["foundation", "framing", "roofing", "plumbing", "drywall"]
    assert schedule["tasks"][4] == {
        "key": "drywall",
        "name": "Drywall",
        "start_date": "2026-06-08",
        "end_date": "2026-06-26",
        "status": "not_started",
        "percent_complete": 0,
        "depends_on": ["roofing", "plumbing"],
    }
    assert schedule["version"] == 1
    url = f"{SCHEDULES}/{schedule['id']}"
    assert client.get(url, headers=tenant.auth).json() == schedule
    listed = client.get(SCHEDULES, params={"project_id": schedule["project_id"]}, headers=tenant.auth).json()
    assert listed == {"data": [schedule], "next_cursor": None}


@pytest.mark.parametrize(
    ("tasks", "field", "detail"),
    [
        ([_task("a", "2026-03-10", "2026-03-09")], "tasks[0].end_date", "must not be before start_date"),
        ([_task("a", "2026-03-01", "2026-03-02", "b")], "tasks[0].depends_on", "no task 'b' in this schedule"),
        (
            [_task("a", "2026-03-01", "2026-03-02"), _task("a", "2026-03-03", "2026-03-04")],
            "tasks[1].key",
            "task 0 has the key 'a' already",
        ),
        (
            [_task("a", "2026-03-01", "2026-03-02", status="done", percent_complete=50)],
            "tasks[0].percent_complete",
            "a done task is 100 percent complete",
        ),
        (
            [_task("a", "2026-03-01", "2026-03-10"), _task("b", "2026-03-05", "2026-03-12", "a")],
            "tasks[1].start_date",
            "is before 'a', which it depends on, ends (2026-03-10)",
        ),
        ([_task("a", "2026-03-01", "2026-03-02", "a")], "tasks[0].depends_on", "dependency cycle: a → a"),
        (
            [
                _task("a", "2026-03-01", "2026-03-02", "c"),
                _task("b", "2026-03-01", "2026-03-02", "a"),
                _task("c", "2026-03-01", "2026-03-02", "b"),
                _task("d", "2026-03-01", "2026-03-02"),
            ],
            "tasks[0].depends_on",
            "dependency cycle: a → c → b → a",
        ),
    ],
    ids=["dates", "unknown-dependency", "duplicate-key", "done-not-100", "starts-before-dependency", "self", "cycle"],
)
def test_bad_tasks_name_the_field(
    client: httpx.Client, tenant: Tenant, tasks: list[dict[str, Any]], field: str, detail: str
) -> None:
    body = {"project_id": new_project(client, tenant), "name": "S", "tasks": tasks}
    errors = assert_validation_problem(client.post(SCHEDULES, json=body, headers=tenant.auth))
    assert errors == [{"field": field, "detail": detail}]


def test_a_cycle_is_named_even_when_its_dates_are_also_impossible(client: httpx.Client, tenant: Tenant) -> None:
    tasks = [_task("pour", "2026-03-01", "2026-03-05", "cure"), _task("cure", "2026-03-06", "2026-03-20", "pour")]
    body = {"project_id": new_project(client, tenant), "name": "S", "tasks": tasks}
    errors = assert_validation_problem(client.post(SCHEDULES, json=body, headers=tenant.auth))
    assert errors == [{"field": "tasks[0].depends_on", "detail": "dependency cycle: pour → cure → pour"}]


def test_find_cycle() -> None:
    assert find_cycle({"a": ["b"], "b": ["c"], "c": []}) is None
    assert find_cycle({"a": ["b", "c"], "b": ["d"], "c": ["d"], "d": []}) is None  # a diamond is no cycle
    assert find_cycle({"a": ["b"], "b": ["c"], "c": ["b"]}) == ["b", "c", "b"]
    chain = {str(i): [str(i + 1)] for i in range(5000)} | {"5000": ["0"]}  # deep: no recursion limit
    cycle = find_cycle(chain)
    assert cycle is not None and len(cycle) == 5002


def test_other_fields_are_validated(client: httpx.Client, make_tenant: Callable[..., Tenant]) -> None:
    alice, bob = make_tenant(), make_tenant()
    body = {"project_id": new_project(client, alice), "name": "S"}
    task = _task("a", "2026-03-01", "2026-03-02")
    cases: list[tuple[dict[str, Any], str]] = [
        ({"tasks": [task | {"status": "paused"}]}, "tasks[0].status"),
        ({"tasks": [task | {"percent_complete": 101}]}, "tasks[0].percent_complete"),
        ({"tasks": [task | {"key": "has space"}]}, "tasks[0].key"),
        ({"tasks": [task | {"start_date": "03/01/2026"}]}, "tasks[0].start_date"),
        ({"name": ""}, "name"),
        ({"project_id": new_project(client, bob)}, "project_id"),
    ]
    for change, field in cases:
        assert fields_of(client.post(SCHEDULES, json=body | change, headers=alice.auth)) == [field], change


def test_patch_replaces_the_tasks(client: httpx.Client, tenant: Tenant) -> None:
    schedule = _schedule(client, tenant)
    url = f"{SCHEDULES}/{schedule['id']}"
    progressed = [*TASKS[:1], TASKS[1] | {"status": "done", "percent_complete": 100}, *TASKS[2:]]
    changed = client.patch(url, json={"tasks": progressed}, headers=tenant.auth).json()
    assert (changed["tasks"][1]["status"], changed["version"]) == ("done", 2)
    assert client.patch(url, json={"tasks": progressed}, headers=tenant.auth).json()["version"] == 2
    broken = [*progressed, _task("paint", "2026-06-29", "2026-07-03", "drywall", "siding")]
    assert fields_of(client.patch(url, json={"tasks": broken}, headers=tenant.auth)) == ["tasks[5].depends_on"]
    assert client.get(url, headers=tenant.auth).json() == changed  # a refused change changes nothing
    renamed = client.patch(url, json={"name": "Re-baselined", "tasks": TASKS[:1]}, headers=tenant.auth).json()
    assert (renamed["name"], len(renamed["tasks"]), renamed["version"]) == ("Re-baselined", 1, 3)
    assert client.delete(url, headers=tenant.auth).status_code == 204
    assert events(client, tenant, entity_id=schedule["id"]) == [
        ("schedule.deleted", 4),
        ("schedule.updated", 3),
        ("schedule.updated", 2),
        ("schedule.created", 1),
    ]
    assert event_bodies(client, tenant, type="schedule.updated")[0]["data"] == renamed


def test_schedules_are_tenant_scoped(client: httpx.Client, make_tenant: Callable[..., Tenant]) -> None:
    alice, bob = make_tenant(), make_tenant()
    bobs = _schedule(client, bob)
    for method in ("GET", "PATCH", "DELETE"):
        resp = client.request(
            method, f"{SCHEDULES}/{bobs['id']}", json={} if method == "PATCH" else None, headers=alice.auth
        )
        assert_problem(resp, 404)
    assert client.get(SCHEDULES, headers=alice.auth).json()["data"] == []


@pytest.mark.parametrize(
    ("scopes", "method", "status"),
    [(["read:schedules"], "POST", 403), (["read:budgets"], "GET", 403), (["write:schedules"], "GET", 200)],
)
def test_scopes(
    client: httpx.Client, make_tenant: Callable[..., Tenant], scopes: list[str], method: str, status: int
) -> None:
    tenant = make_tenant(scopes=scopes)
    body = {"project_id": "0193b1b4-5c1e-7d3a-9f10-6f3c2a1b0c9d", "name": "S"}
    resp = client.request(method, SCHEDULES, json=body if method == "POST" else None, headers=tenant.auth)
    assert resp.status_code == status
