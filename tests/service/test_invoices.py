"""Invoices: lines priced exactly by the server, draft → submitted → approved → paid through
action endpoints, 409 for anything the state does not allow, and an event for every step."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from tests.conftest import Tenant
from tests.helpers import assert_problem
from tests.service.core import assert_illegal, event_bodies, events, fields_of, new_project

INVOICES = "/api/v1/invoices"
LINES = [
    {"description": "Framing labor, week 14", "quantity": "120", "unit_price": "68.50"},
    {"description": "LVL beams", "quantity": "3", "unit_price": "0.3333"},
    {"description": "Nails (rounded half up)", "quantity": "0.5", "unit_price": "0.0001"},
]


def _invoice(client: httpx.Client, tenant: Tenant, **changes: Any) -> dict[str, Any]:
    body = {"project_id": new_project(client, tenant), "number": "INV-20417", "currency": "USD", "line_items": LINES}
    resp = client.post(INVOICES, json=body | changes, headers=tenant.auth)
    assert resp.status_code == 201, resp.text
    invoice: dict[str, Any] = resp.json()
    return invoice


def _vendor(client: httpx.Client, tenant: Tenant, **changes: Any) -> str:
    resp = client.post("/api/v1/vendors", json={"name": "Front Range Framing"} | changes, headers=tenant.auth)
    assert resp.status_code == 201, resp.text
    vendor_id: str = resp.json()["id"]
    return vendor_id


def test_lines_are_priced_exactly(client: httpx.Client, tenant: Tenant) -> None:
    vendor_id = _vendor(client, tenant)
    invoice = _invoice(client, tenant, vendor_id=vendor_id, due_date="2026-05-15")
    assert [(line["quantity"], line["unit_price"], line["amount"]) for line in invoice["line_items"]] == [
        ("120.00", "68.50", "8220.00"),
        ("3.00", "0.3333", "0.9999"),
        ("0.50", "0.0001", "0.0001"),  # 0.00005 rounds half up at the fourth decimal
    ]
    assert invoice["total"] == "8221.00"
    assert (invoice["status"], invoice["vendor_id"], invoice["due_date"], invoice["version"]) == (
        "draft",
        vendor_id,
        "2026-05-15",
        1,
    )
    assert invoice["submitted_at"] is invoice["approved_at"] is invoice["paid_at"] is None
    url = f"{INVOICES}/{invoice['id']}"
    assert client.get(url, headers=tenant.auth).json() == invoice
    assert client.get(INVOICES, params={"vendor_id": vendor_id}, headers=tenant.auth).json()["data"] == [invoice]
    assert client.get(INVOICES, params={"status": "paid"}, headers=tenant.auth).json()["data"] == []
    big = [{"description": "All of it", "quantity": "1", "unit_price": "99999999999999.9999"}]
    whole = client.patch(url, json={"line_items": big}, headers=tenant.auth).json()
    assert whole["total"] == "99999999999999.9999"
    too_big = client.patch(url, json={"line_items": [big[0] | {"quantity": "2"}]}, headers=tenant.auth)
    assert fields_of(too_big) == ["line_items[0].amount"]
    too_much = client.patch(url, json={"line_items": big * 2}, headers=tenant.auth)
    assert fields_of(too_much) == ["line_items"]


def test_validation_names_the_field(client: httpx.Client, make_tenant: Callable[..., Tenant]) -> None:
    alice, bob = make_tenant(), make_tenant()
    body = {"project_id": new_project(client, alice), "number": "7", "currency": "USD"}
    line = LINES[0]
    cases: list[tuple[dict[str, Any], str]] = [
        ({"line_items": [line | {"quantity": "0"}]}, "line_items[0].quantity"),
        ({"line_items": [line, line | {"quantity": "-2"}]}, "line_items[1].quantity"),
        ({"line_items": [line | {"unit_price": "-1"}]}, "line_items[0].unit_price"),
        ({"line_items": [line | {"unit_price": "1.23456"}]}, "line_items[0].unit_price"),
        ({"line_items": [line | {"description": " "}]}, "line_items[0].description"),
        ({"due_date": "2026-02-30"}, "due_date"),
        ({"currency": "dollars"}, "currency"),
        ({"number": ""}, "number"),
        ({"status": "paid"}, "status"),
        ({"vendor_id": str(uuid.uuid4())}, "vendor_id"),
        ({"vendor_id": _vendor(client, bob)}, "vendor_id"),
        ({"vendor_id": _vendor(client, alice, status="inactive")}, "vendor_id"),
        ({"project_id": new_project(client, bob)}, "project_id"),
    ]
    for change, field in cases:
        assert fields_of(client.post(INVOICES, json=body | change, headers=alice.auth)) == [field], change


def test_the_life_of_an_invoice(client: httpx.Client, tenant: Tenant) -> None:
    invoice = _invoice(client, tenant)
    url = f"{INVOICES}/{invoice['id']}"
    assert_illegal(client.post(f"{url}/approve", headers=tenant.auth), "draft")
    refused = assert_illegal(client.post(f"{url}/pay", headers=tenant.auth), "draft")
    # an action takes no body: one is refused, not ignored
    with_body = client.post(f"{url}/submit", json={"note": "please"}, headers=tenant.auth)
    assert [e["field"] for e in assert_problem(with_body, 400)["errors"]] == ["body"]
    assert refused["detail"] == "cannot pay an invoice that is draft; only an approved invoice can be"
    submitted = client.post(f"{url}/submit", headers=tenant.auth)
    assert submitted.status_code == 200, submitted.text
    assert (submitted.json()["status"], submitted.json()["version"]) == ("submitted", 2)
    assert submitted.json()["submitted_at"].endswith("Z")
    assert_illegal(client.post(f"{url}/submit", headers=tenant.auth), "submitted")
    assert_illegal(client.patch(url, json={"line_items": LINES[:1]}, headers=tenant.auth), "submitted")
    assert_illegal(client.patch(url, json={"currency": "EUR"}, headers=tenant.auth), "submitted")
    # The same lines again are no change, and the due date may still move.
    assert client.patch(url, json={"line_items": LINES}, headers=tenant.auth).json()["version"] == 2
    moved = client.patch(url, json={"due_date": "2026-06-01"}, headers=tenant.auth).json()
    assert (moved["due_date"], moved["version"]) == ("2026-06-01", 3)
    approved = client.post(f"{url}/approve", headers=tenant.auth).json()
    assert (approved["status"], approved["version"]) == ("approved", 4)
    assert_illegal(client.delete(url, headers=tenant.auth), "approved")
    paid = client.post(f"{url}/pay", headers=tenant.auth).json()
    assert (paid["status"], paid["version"]) == ("paid", 5)
    assert paid["paid_at"] >= paid["approved_at"] >= paid["submitted_at"]
    assert_illegal(client.post(f"{url}/pay", headers=tenant.auth), "paid")
    assert_illegal(client.patch(url, json={"due_date": "2026-07-01"}, headers=tenant.auth), "paid")
    assert client.patch(url, json={}, headers=tenant.auth).json() == paid
    assert events(client, tenant, entity_id=invoice["id"]) == [
        ("invoice.paid", 5),
        ("invoice.approved", 4),
        ("invoice.updated", 3),
        ("invoice.submitted", 2),
        ("invoice.created", 1),
    ]
    assert event_bodies(client, tenant, type="invoice.approved")[0]["data"] == approved
    assert client.get(INVOICES, params={"status": "paid"}, headers=tenant.auth).json()["data"] == [paid]


def test_an_empty_invoice_cannot_be_submitted_and_a_draft_can_be_deleted(client: httpx.Client, tenant: Tenant) -> None:
    invoice = _invoice(client, tenant, line_items=[])
    url = f"{INVOICES}/{invoice['id']}"
    assert invoice["total"] == "0.00"
    assert_illegal(client.post(f"{url}/submit", headers=tenant.auth), "draft")
    assert client.delete(url, headers=tenant.auth).status_code == 204
    assert events(client, tenant, entity_id=invoice["id"]) == [("invoice.deleted", 2), ("invoice.created", 1)]
    assert_problem(client.post(f"{url}/submit", headers=tenant.auth), 404)


def test_invoices_are_tenant_scoped(client: httpx.Client, make_tenant: Callable[..., Tenant]) -> None:
    alice, bob = make_tenant(), make_tenant()
    bobs = _invoice(client, bob)
    url = f"{INVOICES}/{bobs['id']}"
    for method, path in (("GET", url), ("PATCH", url), ("DELETE", url), ("POST", f"{url}/submit")):
        resp = client.request(method, path, json={} if method == "PATCH" else None, headers=alice.auth)
        assert_problem(resp, 404)
    assert client.get(INVOICES, headers=alice.auth).json()["data"] == []
    assert client.get(url, headers=bob.auth).json()["status"] == "draft"


@pytest.mark.parametrize(
    ("scopes", "path", "status"),
    [(["read:invoices"], "/submit", 403), (["read:invoices"], "", 200), (["write:invoices"], "/submit", 200)],
)
def test_scopes(client: httpx.Client, tenant: Tenant, scopes: list[str], path: str, status: int) -> None:
    invoice = _invoice(client, tenant)
    # The same builder with a narrower key: the scope is checked before the record is looked up.
    limited = Tenant(tenant.builder_id, tenant.slug, tenant.plan, _key_for(client, tenant, scopes))
    method = "POST" if path else "GET"
    resp = client.request(method, f"{INVOICES}/{invoice['id']}{path}", headers=limited.auth)
    assert resp.status_code == status
    if status == 403:
        assert assert_problem(resp, 403)["required_scope"] == "write:invoices"


def _key_for(client: httpx.Client, tenant: Tenant, scopes: list[str]) -> str:
    resp = client.post("/api/v1/api-keys", json={"name": "narrow", "scopes": scopes}, headers=tenant.auth)
    assert resp.status_code == 201, resp.text
    key: str = resp.json()["key"]
    return key
