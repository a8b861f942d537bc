"""What the core records share (``service/records.py``): the OpenAPI document names their pages
and scopes, every event type's example matches its schema, and child rows load per page."""

from __future__ import annotations

from typing import Any

import httpx
import msgspec
import pytest

from service.events.catalogue import EVENT_TYPES

RESOURCES = {
    "budgets": ("BudgetPage", "budgets"),
    "schedules": ("SchedulePage", "schedules"),
    "invoices": ("InvoicePage", "invoices"),
    "change-orders": ("ChangeOrderPage", "change_orders"),
    "vendors": ("VendorPage", "vendors"),
    "documents": ("DocumentPage", "documents"),
}


@pytest.fixture(scope="module")
def spec(server: Any) -> dict[str, Any]:
    with server.client() as client:
        document: dict[str, Any] = client.get("/api/v1/openapi.json").json()
    return document


@pytest.mark.parametrize("path", sorted(RESOURCES))
def test_each_resource_is_documented_with_its_page_and_scopes(spec: dict[str, Any], path: str) -> None:
    page, scope = RESOURCES[path]
    assert page in spec["components"]["schemas"]
    collection = spec["paths"][f"/api/v1/{path}"]
    # a builder's key, or an app's access token
    assert collection["get"]["security"] == [{"bearer": [f"read:{scope}"]}, {"oauth2": [f"read:{scope}"]}]
    assert collection["post"]["security"] == [{"bearer": [f"write:{scope}"]}, {"oauth2": [f"write:{scope}"]}]
    assert "201" in collection["post"]["responses"]
    [item] = [p for p in spec["paths"] if p.startswith(f"/api/v1/{path}/{{") and p.count("/") == 4]
    assert {"get", "patch", "delete"} <= set(spec["paths"][item])
    params = {p["name"] for p in collection["get"]["parameters"]}
    assert {"limit", "cursor", "created_after", "created_before", "updated_after"} <= params


def test_actions_are_documented(spec: dict[str, Any]) -> None:
    actions = {
        (path.split("/")[3], path.rsplit("/", 1)[1]): item["post"]["operationId"]
        for path, item in spec["paths"].items()
        if path.startswith(("/api/v1/invoices/{", "/api/v1/change-orders/{")) and path.count("/") == 5
    }
    assert actions == {
        ("invoices", "submit"): "submitInvoice",
        ("invoices", "approve"): "approveInvoice",
        ("invoices", "pay"): "payInvoice",
        ("change-orders", "submit"): "submitChangeOrder",
        ("change-orders", "approve"): "approveChangeOrder",
        ("change-orders", "reject"): "rejectChangeOrder",
    }


@pytest.mark.parametrize("event_type", sorted(t for t in EVENT_TYPES if not t.startswith("webhook.")))
def test_every_event_example_matches_its_schema(event_type: str) -> None:
    entry = EVENT_TYPES[event_type]
    msgspec.convert(entry.example, entry.data)


def test_the_catalogue_lists_every_core_event() -> None:
    categories = {t.split(".")[0] for t in EVENT_TYPES}
    assert {"budget", "schedule", "invoice", "change_order", "vendor", "document"} <= categories
    assert {"invoice.submitted", "invoice.approved", "invoice.paid"} <= set(EVENT_TYPES)
    assert {"change_order.submitted", "change_order.approved", "change_order.rejected"} <= set(EVENT_TYPES)


def test_problem_documents_are_problem_json(client: httpx.Client) -> None:
    resp = client.post("/api/v1/invoices/00000000-0000-0000-0000-000000000000/approve")
    assert resp.status_code == 401
    assert resp.headers["content-type"] == "application/problem+json"
