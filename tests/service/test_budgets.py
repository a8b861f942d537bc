"""Budgets: line items in a child table, totals computed by the server, exact money, tenancy,
scopes and an event for every change."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from tests.conftest import Tenant
from tests.helpers import assert_problem, assert_validation_problem
from tests.service.core import event_bodies, events, fields_of, new_project

BUDGETS = "/api/v1/budgets"
LINES = [
    {"cost_code": "03 30 00", "description": "Cast-in-place concrete", "amount": "184500.10"},
    {"cost_code": "06 10 00", "description": "Rough carpentry", "amount": "262000.2"},
    {"cost_code": "22 00 00", "description": "Plumbing", "amount": "0.0001"},
]


def _budget(client: httpx.Client, tenant: Tenant, **changes: Any) -> dict[str, Any]:
    body = {"project_id": new_project(client, tenant), "name": "Construction budget", "currency": "USD"}
    resp = client.post(BUDGETS, json=body | {"line_items": LINES} | changes, headers=tenant.auth)
    assert resp.status_code == 201, resp.text
    budget: dict[str, Any] = resp.json()
    return budget


def test_create_read_and_list(client: httpx.Client, tenant: Tenant) -> None:
    project_id = new_project(client, tenant)
    body = {"project_id": project_id, "name": "Construction budget", "currency": "USD", "line_items": LINES}
    resp = client.post(BUDGETS, json=body, headers=tenant.auth)
    assert resp.status_code == 201, resp.text
    budget = resp.json()
    assert resp.headers["location"] == f"{BUDGETS}/{budget['id']}"
    assert budget["line_items"] == [
        {"cost_code": "03 30 00", "description": "Cast-in-place concrete", "amount": "184500.10"},
        {"cost_code": "06 10 00", "description": "Rough carpentry", "amount": "262000.20"},
        {"cost_code": "22 00 00", "description": "Plumbing", "amount": "0.0001"},
    ]
    assert (budget["original_total"], budget["approved_changes"], budget["revised_total"]) == (
        "446500.3001",
        "0.00",
        "446500.3001",
    )
    assert (budget["project_id"], budget["version"]) == (project_id, 1)
    assert client.get(f"{BUDGETS}/{budget['id']}", headers=tenant.auth).json() == budget
    assert client.get(BUDGETS, headers=tenant.auth).json() == {"data": [budget], "next_cursor": None}
    assert client.get(BUDGETS, params={"project_id": str(uuid.uuid4())}, headers=tenant.auth).json()["data"] == []
    assert client.get(BUDGETS, params={"currency": "EUR"}, headers=tenant.auth).json()["data"] == []


def test_pages_carry_each_budgets_own_lines(client: httpx.Client, tenant: Tenant) -> None:
    made = [_budget(client, tenant, name=f"Budget {i}", line_items=LINES[: i + 1]) for i in range(3)]
    seen: list[dict[str, Any]] = []
    cursor = None
    while True:
        params = {"limit": "2"} | ({"cursor": cursor} if cursor else {})
        page = client.get(BUDGETS, params=params, headers=tenant.auth).json()
        seen += page["data"]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == made[::-1]
    assert [len(b["line_items"]) for b in seen] == [3, 2, 1]


def test_money_is_exact_and_validated(client: httpx.Client, tenant: Tenant) -> None:
    big = _budget(
        client, tenant, line_items=[{"cost_code": "01", "description": "All", "amount": "99999999999999.9999"}]
    )
    assert big["original_total"] == big["revised_total"] == "99999999999999.9999"
    assert client.get(f"{BUDGETS}/{big['id']}", headers=tenant.auth).json()["original_total"] == "99999999999999.9999"
    body = {"project_id": big["project_id"], "name": "B", "currency": "USD"}
    for bad in ("NaN", "-1", "1e400", "1.00001", "Infinity"):
        line = {"cost_code": "01", "description": "x", "amount": bad}
        resp = client.post(BUDGETS, json=body | {"line_items": [LINES[0], line]}, headers=tenant.auth)
        assert fields_of(resp) == ["line_items[1].amount"], bad
    line = {"cost_code": "01", "description": "x", "amount": "99999999999999.9999"}
    too_much = client.post(BUDGETS, json=body | {"line_items": [line, line]}, headers=tenant.auth)
    assert fields_of(too_much) == ["line_items"]


def test_validation_names_the_field(client: httpx.Client, make_tenant: Callable[..., Tenant]) -> None:
    alice, bob = make_tenant(), make_tenant()
    project_id = new_project(client, alice)
    body = {"project_id": project_id, "name": "Budget", "currency": "USD"}
    assert fields_of(client.post(BUDGETS, json=body | {"currency": "usd"}, headers=alice.auth)) == ["currency"]
    assert fields_of(client.post(BUDGETS, json=body | {"name": "   "}, headers=alice.auth)) == ["name"]
    assert fields_of(client.post(BUDGETS, json={"name": "B", "currency": "USD"}, headers=alice.auth)) == ["project_id"]
    bad_code = {"cost_code": "", "description": "x", "amount": "1"}
    assert fields_of(client.post(BUDGETS, json=body | {"line_items": [bad_code]}, headers=alice.auth)) == [
        "line_items[0].cost_code"
    ]
    blank = {"cost_code": "01", "description": "  ", "amount": "1"}
    assert fields_of(client.post(BUDGETS, json=body | {"line_items": [blank]}, headers=alice.auth)) == [
        "line_items[0].description"
    ]
    # Another builder's project is as unknown as a made-up one.
    for other in (new_project(client, bob), str(uuid.uuid4())):
        resp = client.post(BUDGETS, json=body | {"project_id": other}, headers=alice.auth)
        assert fields_of(resp) == ["project_id"]
    budget = client.post(BUDGETS, json=body, headers=alice.auth).json()
    moved = client.patch(f"{BUDGETS}/{budget['id']}", json={"project_id": project_id}, headers=alice.auth)
    assert fields_of(moved) == ["project_id"]  # the project is fixed


def test_patch_replaces_the_lines_and_each_change_is_one_event(client: httpx.Client, tenant: Tenant) -> None:
    budget = _budget(client, tenant)
    url = f"{BUDGETS}/{budget['id']}"
    new_lines = [{"cost_code": "31 00 00", "description": "Earthwork", "amount": "5000"}]
    changed = client.patch(url, json={"line_items": new_lines, "name": "Revised"}, headers=tenant.auth)
    assert changed.status_code == 200, changed.text
    body = changed.json()
    assert body["line_items"] == [new_lines[0] | {"amount": "5000.00"}]
    assert (body["name"], body["original_total"], body["revised_total"], body["version"]) == (
        "Revised",
        "5000.00",
        "5000.00",
        2,
    )
    same = client.patch(url, json={"line_items": new_lines, "name": "Revised"}, headers=tenant.auth).json()
    assert same["version"] == 2  # nothing changed, nothing recorded
    assert client.patch(url, json={"line_items": []}, headers=tenant.auth).json()["original_total"] == "0.00"
    assert client.get(url, headers=tenant.auth).json()["line_items"] == []
    assert client.delete(url, headers=tenant.auth).status_code == 204
    assert_problem(client.get(url, headers=tenant.auth), 404)
    assert events(client, tenant, entity_id=budget["id"]) == [
        ("budget.deleted", 4),
        ("budget.updated", 3),
        ("budget.updated", 2),
        ("budget.created", 1),
    ]
    created = event_bodies(client, tenant, type="budget.created")[0]
    assert created["data"] == budget


def test_budgets_are_tenant_scoped(client: httpx.Client, make_tenant: Callable[..., Tenant]) -> None:
    alice, bob = make_tenant(), make_tenant()
    bobs = _budget(client, bob)
    for method in ("GET", "PATCH", "DELETE"):
        resp = client.request(
            method, f"{BUDGETS}/{bobs['id']}", json={} if method == "PATCH" else None, headers=alice.auth
        )
        assert_problem(resp, 404)
    assert client.get(BUDGETS, headers=alice.auth).json()["data"] == []
    assert client.get(f"{BUDGETS}/{bobs['id']}", headers=bob.auth).status_code == 200


def test_a_project_with_a_budget_cannot_be_deleted(client: httpx.Client, tenant: Tenant) -> None:
    budget = _budget(client, tenant)
    project = f"/api/v1/projects/{budget['project_id']}"
    assert_problem(client.delete(project, headers=tenant.auth), 409)
    assert client.delete(f"{BUDGETS}/{budget['id']}", headers=tenant.auth).status_code == 204
    assert client.delete(project, headers=tenant.auth).status_code == 204


@pytest.mark.parametrize(
    ("scopes", "method", "status"),
    [(["read:budgets"], "POST", 403), (["read:projects"], "GET", 403), (["write:budgets"], "GET", 200)],
)
def test_scopes(
    client: httpx.Client, make_tenant: Callable[..., Tenant], scopes: list[str], method: str, status: int
) -> None:
    tenant = make_tenant(scopes=scopes)
    body = {"project_id": str(uuid.uuid4()), "name": "B", "currency": "USD"}
    resp = client.request(method, BUDGETS, json=body if method == "POST" else None, headers=tenant.auth)
    assert resp.status_code == status
    if status == 403:
        assert_problem(resp, 403)


def test_unknown_query_parameter_and_bad_filter(client: httpx.Client, tenant: Tenant) -> None:
    assert_validation_problem(client.get(BUDGETS, params={"colour": "red"}, headers=tenant.auth))
    assert_validation_problem(client.get(BUDGETS, params={"project_id": "nope"}, headers=tenant.auth))
