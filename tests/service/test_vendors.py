"""Vendors: the builder's own list, with filters by trade, status and name prefix."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from tests.conftest import Tenant
from tests.helpers import assert_problem
from tests.service.core import event_bodies, events, fields_of, new_project

VENDORS = "/api/v1/vendors"
BODY = {
    "name": "Front Range Framing LLC",
    "trade": "framing",
    "contact_email": "office@frontrange.example",
    "contact_phone": "+1 303 555 0142",
    "address": {"line1": "2250 55th St", "city": "Boulder", "region": "CO", "postal_code": "80301", "country": "US"},
    "tax_id": "84-1234567",
}


def _vendor(client: httpx.Client, tenant: Tenant, **changes: Any) -> dict[str, Any]:
    resp = client.post(VENDORS, json=BODY | changes, headers=tenant.auth)
    assert resp.status_code == 201, resp.text
    vendor: dict[str, Any] = resp.json()
    return vendor


def test_create_read_change_delete(client: httpx.Client, tenant: Tenant) -> None:
    resp = client.post(VENDORS, json=BODY, headers=tenant.auth)
    assert resp.status_code == 201, resp.text
    vendor = resp.json()
    assert resp.headers["location"] == f"{VENDORS}/{vendor['id']}"
    assert vendor | BODY == vendor
    assert (vendor["status"], vendor["version"]) == ("active", 1)
    url = f"{VENDORS}/{vendor['id']}"
    assert client.get(url, headers=tenant.auth).json() == vendor
    changed = client.patch(url, json={"status": "inactive", "tax_id": None}, headers=tenant.auth).json()
    assert (changed["status"], changed["tax_id"], changed["name"], changed["version"]) == (
        "inactive",
        None,
        BODY["name"],
        2,
    )
    assert client.patch(url, json={"status": "inactive"}, headers=tenant.auth).json()["version"] == 2
    assert client.delete(url, headers=tenant.auth).status_code == 204
    assert_problem(client.get(url, headers=tenant.auth), 404)
    assert events(client, tenant, entity_id=vendor["id"]) == [
        ("vendor.deleted", 3),
        ("vendor.updated", 2),
        ("vendor.created", 1),
    ]
    assert event_bodies(client, tenant, type="vendor.created")[0]["data"] == vendor


def test_filters(client: httpx.Client, tenant: Tenant) -> None:
    framers = _vendor(client, tenant)
    plumbers = _vendor(client, tenant, name="Flatirons Plumbing", trade="plumbing")
    percent = _vendor(client, tenant, name="100% Electric_Co", trade="electrical", status="inactive")

    def names(**params: str) -> list[str]:
        resp = client.get(VENDORS, params=params, headers=tenant.auth)
        assert resp.status_code == 200, resp.text
        return [v["name"] for v in resp.json()["data"]]

    assert names() == [percent["name"], plumbers["name"], framers["name"]]
    assert names(trade="plumbing") == [plumbers["name"]]
    assert names(status="active") == [plumbers["name"], framers["name"]]
    assert names(name_prefix="f") == [plumbers["name"], framers["name"]]
    assert names(name_prefix="FRONT range") == [framers["name"]]
    assert names(name_prefix="100%") == [percent["name"]]
    assert names(name_prefix="1%") == []  # % and _ are literal characters, not wildcards
    assert names(name_prefix="100% Electric_") == [percent["name"]]
    assert names(name_prefix="100% Electric%") == []
    assert names(trade="plumbing", status="inactive") == []
    assert fields_of(client.get(VENDORS, params={"status": "retired"}, headers=tenant.auth)) == ["status"]


def test_validation_names_the_field(client: httpx.Client, tenant: Tenant) -> None:
    cases: list[tuple[dict[str, Any], str]] = [
        ({"contact_email": "not-an-email"}, "contact_email"),
        ({"contact_phone": "call me"}, "contact_phone"),
        ({"trade": "Plumbing & Heating"}, "trade"),
        ({"status": "retired"}, "status"),
        ({"name": "  "}, "name"),
        ({"address": {"country": "USA"}}, "address.country"),
        ({"rating": 5}, "rating"),
    ]
    for change, field in cases:
        assert fields_of(client.post(VENDORS, json=BODY | change, headers=tenant.auth)) == [field], change
    vendor = _vendor(client, tenant)
    resp = client.patch(f"{VENDORS}/{vendor['id']}", json={"name": None}, headers=tenant.auth)
    assert fields_of(resp) == ["name"]


def test_a_vendor_named_by_an_invoice_cannot_be_deleted(client: httpx.Client, tenant: Tenant) -> None:
    vendor = _vendor(client, tenant)
    invoice = {"project_id": new_project(client, tenant), "vendor_id": vendor["id"], "number": "1", "currency": "USD"}
    made = client.post("/api/v1/invoices", json=invoice, headers=tenant.auth)
    assert made.status_code == 201, made.text
    assert_problem(client.delete(f"{VENDORS}/{vendor['id']}", headers=tenant.auth), 409)
    assert client.delete(f"/api/v1/invoices/{made.json()['id']}", headers=tenant.auth).status_code == 204
    assert client.delete(f"{VENDORS}/{vendor['id']}", headers=tenant.auth).status_code == 204


def test_vendors_are_tenant_scoped(client: httpx.Client, make_tenant: Callable[..., Tenant]) -> None:
    alice, bob = make_tenant(), make_tenant()
    bobs = _vendor(client, bob)
    for method in ("GET", "PATCH", "DELETE"):
        resp = client.request(
            method, f"{VENDORS}/{bobs['id']}", json={} if method == "PATCH" else None, headers=alice.auth
        )
        assert_problem(resp, 404)
    assert client.get(VENDORS, headers=alice.auth).json()["data"] == []
    assert client.get(VENDORS, params={"name_prefix": "Front"}, headers=alice.auth).json()["data"] == []


@pytest.mark.parametrize(
    ("scopes", "method", "status"),
    [(["read:vendors"], "POST", 403), (["write:projects"], "GET", 403), (["write:vendors"], "GET", 200)],
)
def test_scopes(
    client: httpx.Client, make_tenant: Callable[..., Tenant], scopes: list[str], method: str, status: int
) -> None:
    tenant = make_tenant(scopes=scopes)
    resp = client.request(method, VENDORS, json=BODY if method == "POST" else None, headers=tenant.auth)
    assert resp.status_code == status
    if status == 403:
        assert assert_problem(resp, 403)["required_scope"] == f"{'write' if method == 'POST' else 'read'}:vendors"


def test_unknown_vendor_is_404(client: httpx.Client, tenant: Tenant) -> None:
    assert_problem(client.get(f"{VENDORS}/{uuid.uuid4()}", headers=tenant.auth), 404)
