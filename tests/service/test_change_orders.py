"""Change orders: draft → submitted → approved | rejected; approving moves the budget's
approved changes in the same transaction, with both records' events."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from sqlalchemy import event as sa_event

from tests.conftest import LiveServer, Tenant
from tests.helpers import assert_problem
from tests.service.core import assert_illegal, event_bodies, events, fields_of, new_project

ORDERS = "/api/v1/change-orders"
BUDGETS = "/api/v1/budgets"


def _budget(client: httpx.Client, tenant: Tenant, project_id: str | None = None) -> dict[str, Any]:
    body = {
        "project_id": project_id or new_project(client, tenant),
        "name": "Construction budget",
        "currency": "USD",
        "line_items": [{"cost_code": "06 10 00", "description": "Framing", "amount": "262000.00"}],
    }
    resp = client.post(BUDGETS, json=body, headers=tenant.auth)
    assert resp.status_code == 201, resp.text
    budget: dict[str, Any] = resp.json()
    return budget


def _order(client: httpx.Client, tenant: Tenant, budget: dict[str, Any], **changes: Any) -> dict[str, Any]:
    body = {
        "project_id": budget["project_id"],
        "budget_id": budget["id"],
        "title": "Engineered floor joists",
        "reason": "Owner request",
        "amount": "12800.00",
        "cost_code": "06 10 00",
    }
    resp = client.post(ORDERS, json=body | changes, headers=tenant.auth)
    assert resp.status_code == 201, resp.text
    order: dict[str, Any] = resp.json()
    return order


def _approve(client: httpx.Client, tenant: Tenant, order: dict[str, Any]) -> dict[str, Any]:
    url = f"{ORDERS}/{order['id']}"
    assert client.post(f"{url}/submit", headers=tenant.auth).status_code == 200
    resp = client.post(f"{url}/approve", headers=tenant.auth)
    assert resp.status_code == 200, resp.text
    approved: dict[str, Any] = resp.json()
    return approved


def test_create_read_list(client: httpx.Client, tenant: Tenant) -> None:
    budget = _budget(client, tenant)
    resp = client.post(
        ORDERS,
        json={"project_id": budget["project_id"], "budget_id": budget["id"], "title": "Credit", "amount": "-850.5"},
        headers=tenant.auth,
    )
    assert resp.status_code == 201, resp.text
    order = resp.json()
    assert resp.headers["location"] == f"{ORDERS}/{order['id']}"
    assert (order["amount"], order["currency"], order["status"], order["version"]) == ("-850.50", "USD", "draft", 1)
    assert order["reason"] is order["cost_code"] is order["submitted_at"] is order["decided_at"] is None
    assert client.get(f"{ORDERS}/{order['id']}", headers=tenant.auth).json() == order
    assert client.get(ORDERS, params={"budget_id": budget["id"]}, headers=tenant.auth).json() == {
        "data": [order],
        "next_cursor": None,
    }
    assert client.get(ORDERS, params={"status": "approved"}, headers=tenant.auth).json()["data"] == []


def test_approval_moves_the_budget_in_the_same_transaction(client: httpx.Client, tenant: Tenant) -> None:
    budget = _budget(client, tenant)
    first = _approve(client, tenant, _order(client, tenant, budget, amount="12800.0001"))
    assert (first["status"], first["version"]) == ("approved", 3)
    assert first["decided_at"] >= first["submitted_at"]
    second = _approve(client, tenant, _order(client, tenant, budget, amount="-800.0002"))
    after = client.get(f"{BUDGETS}/{budget['id']}", headers=tenant.auth).json()
    assert (after["original_total"], after["approved_changes"], after["revised_total"], after["version"]) == (
        "262000.00",
        "11999.9999",
        "273999.9999",
        3,
    )
    assert events(client, tenant, entity_id=budget["id"]) == [
        ("budget.updated", 3),
        ("budget.updated", 2),
        ("budget.created", 1),
    ]
    assert events(client, tenant, entity_id=second["id"]) == [
        ("change_order.approved", 3),
        ("change_order.submitted", 2),
        ("change_order.created", 1),
    ]
    assert event_bodies(client, tenant, entity_id=budget["id"])[0]["data"] == after
    assert event_bodies(client, tenant, entity_id=second["id"])[0]["data"] == second
    # A rejected change order leaves the budget alone.
    rejected_url = f"{ORDERS}/{_order(client, tenant, budget)['id']}"
    client.post(f"{rejected_url}/submit", headers=tenant.auth)
    rejected = client.post(f"{rejected_url}/reject", headers=tenant.auth).json()
    assert (rejected["status"], rejected["version"]) == ("rejected", 3)
    assert client.get(f"{BUDGETS}/{budget['id']}", headers=tenant.auth).json()["version"] == 3


def test_a_budgets_currency_is_fixed_once_change_orders_are_booked(client: httpx.Client, tenant: Tenant) -> None:
    budget = _budget(client, tenant)
    url = f"{BUDGETS}/{budget['id']}"
    draft = _order(client, tenant, budget)
    # only a draft so far: the currency may still be corrected
    fixed = client.patch(url, json={"currency": "CAD"}, headers=tenant.auth)
    assert fixed.status_code == 200 and fixed.json()["currency"] == "CAD"
    # once submitted, a change order is booked against the budget: the currency is fixed
    assert client.post(f"{ORDERS}/{draft['id']}/submit", headers=tenant.auth).status_code == 200
    assert client.patch(url, json={"currency": "USD"}, headers=tenant.auth).status_code == 409
    assert client.post(f"{ORDERS}/{draft['id']}/reject", headers=tenant.auth).status_code == 200
    booked = _approve(client, tenant, _order(client, tenant, client.get(url, headers=tenant.auth).json()))
    assert booked["currency"] == "CAD"
    refused = assert_problem(client.patch(url, json={"currency": "EUR"}, headers=tenant.auth), 409)
    assert "CAD" in refused["detail"] and "EUR" in refused["detail"]
    after = client.get(url, headers=tenant.auth).json()
    assert (after["currency"], after["approved_changes"]) == ("CAD", "12800.00")
    # the same currency, or another field, is not a change of currency
    assert client.patch(url, json={"currency": "CAD", "name": "Revised"}, headers=tenant.auth).status_code == 200


def test_illegal_transitions_are_409(client: httpx.Client, tenant: Tenant) -> None:
    budget = _budget(client, tenant)
    order = _order(client, tenant, budget)
    url = f"{ORDERS}/{order['id']}"
    assert_illegal(client.post(f"{url}/approve", headers=tenant.auth), "draft")
    assert_illegal(client.post(f"{url}/reject", headers=tenant.auth), "draft")
    edited = client.patch(url, json={"amount": "13000", "reason": None}, headers=tenant.auth).json()
    assert (edited["amount"], edited["reason"], edited["version"]) == ("13000.00", None, 2)
    client.post(f"{url}/submit", headers=tenant.auth)
    assert_illegal(client.post(f"{url}/submit", headers=tenant.auth), "submitted")
    assert_illegal(client.patch(url, json={"amount": "1"}, headers=tenant.auth), "submitted")
    assert client.patch(url, json={"amount": "13000.00"}, headers=tenant.auth).json()["version"] == 3  # no change
    client.post(f"{url}/approve", headers=tenant.auth)
    for action in ("submit", "approve", "reject"):
        assert_illegal(client.post(f"{url}/{action}", headers=tenant.auth), "approved")
    assert_illegal(client.delete(url, headers=tenant.auth), "approved")
    assert_problem(client.delete(f"{BUDGETS}/{budget['id']}", headers=tenant.auth), 409)  # still referred to
    assert client.get(f"{BUDGETS}/{budget['id']}", headers=tenant.auth).json()["approved_changes"] == "13000.00"
    draft = _order(client, tenant, budget)
    assert client.delete(f"{ORDERS}/{draft['id']}", headers=tenant.auth).status_code == 204
    assert events(client, tenant, entity_id=draft["id"]) == [("change_order.deleted", 2), ("change_order.created", 1)]


def test_validation_names_the_field(client: httpx.Client, make_tenant: Callable[..., Tenant]) -> None:
    alice, bob = make_tenant(), make_tenant()
    budget = _budget(client, alice)
    body = {"project_id": budget["project_id"], "budget_id": budget["id"], "title": "T", "amount": "1"}
    other_project = new_project(client, alice)
    cases: list[tuple[dict[str, Any], str]] = [
        ({"amount": "1.00001"}, "amount"),
        ({"amount": "-100000000000000"}, "amount"),
        ({"amount": "NaN"}, "amount"),
        ({"title": " "}, "title"),
        ({"cost_code": "!!"}, "cost_code"),
        ({"budget_id": str(uuid.uuid4())}, "budget_id"),
        ({"budget_id": _budget(client, bob)["id"]}, "budget_id"),
        ({"budget_id": _budget(client, alice, other_project)["id"]}, "budget_id"),  # another project's budget
        ({"project_id": new_project(client, bob)}, "project_id"),
        ({"currency": "EUR"}, "currency"),  # it is the budget's
    ]
    for change, field in cases:
        assert fields_of(client.post(ORDERS, json=body | change, headers=alice.auth)) == [field], change


def test_change_orders_are_tenant_scoped(client: httpx.Client, make_tenant: Callable[..., Tenant]) -> None:
    alice, bob = make_tenant(), make_tenant()
    order = _order(client, bob, _budget(client, bob))
    url = f"{ORDERS}/{order['id']}"
    for method, path in (("GET", url), ("PATCH", url), ("DELETE", url), ("POST", f"{url}/submit")):
        resp = client.request(method, path, json={} if method == "PATCH" else None, headers=alice.auth)
        assert_problem(resp, 404)
    assert client.get(ORDERS, headers=alice.auth).json()["data"] == []
    assert client.get(url, headers=bob.auth).json()["status"] == "draft"


@pytest.mark.parametrize(
    ("scopes", "method", "status"),
    [(["read:change_orders"], "POST", 403), (["write:budgets"], "GET", 403), (["write:change_orders"], "GET", 200)],
)
def test_scopes(
    client: httpx.Client, make_tenant: Callable[..., Tenant], scopes: list[str], method: str, status: int
) -> None:
    tenant = make_tenant(scopes=scopes)
    path = f"{ORDERS}/{uuid.uuid4()}/approve" if method == "POST" else ORDERS
    resp = client.request(method, path, headers=tenant.auth)
    assert resp.status_code == status


def test_a_failed_commit_leaves_neither_budget_nor_order_changed(
    make_server: Callable[..., LiveServer], tenant: Tenant, client: httpx.Client
) -> None:
    budget = _budget(client, tenant)
    order = _order(client, tenant, budget)
    client.post(f"{ORDERS}/{order['id']}/submit", headers=tenant.auth)
    live = make_server()

    def refuse(_session: object) -> None:
        raise RuntimeError("commit refused")

    sa_event.listen(live.app.state.db.sessions, "before_commit", refuse)
    with live.client() as c:
        assert c.post(f"{ORDERS}/{order['id']}/approve", headers=tenant.auth).status_code == 500
    assert client.get(f"{BUDGETS}/{budget['id']}", headers=tenant.auth).json() == budget
    assert client.get(f"{ORDERS}/{order['id']}", headers=tenant.auth).json()["status"] == "submitted"
    assert events(client, tenant, type="budget.updated") == []
