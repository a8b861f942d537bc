"""The event types receivers can subscribe to, each with the JSON Schema of its ``data`` object
and an example (served by ``GET /api/v1/webhooks/event-types``).

Entity events are ``<category>.<action>``: every category has ``created``, ``updated`` and
``deleted``; some have domain actions (``invoice.approved``). ``webhook.*`` events describe the
subscription itself and are sent whatever the subscription selects only where noted.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass
from functools import cache
from typing import Any

import msgspec

from service.budgets.schemas import BudgetOut
from service.change_orders.schemas import ChangeOrderOut
from service.documents.schemas import DocumentOut
from service.invoices.schemas import InvoiceOut
from service.projects.schemas import ProjectOut
from service.schedules.schemas import ScheduleOut
from service.vendors.schemas import VendorOut

__all__ = ["EVENT_TYPES", "EventType", "matches", "schema_of", "unknown_selectors"]

CRUD = ("created", "updated", "deleted")


@dataclass(frozen=True)
class EventType:
    name: str
    description: str
    data: type[msgspec.Struct]
    example: dict[str, Any]
    #: what a credential must hold to receive it: the scope that reads its data (``read:events``,
    #: which reads every event, will do too)
    scope: str


def _entity(
    category: str, noun: str, data: type[msgspec.Struct], example: dict[str, Any], *domain: tuple[str, str]
) -> list[EventType]:
    actions = [(action, f"A {noun} was {action}.") for action in CRUD] + list(domain)
    scope = f"read:{category}s"
    return [EventType(f"{category}.{action}", description, data, example, scope) for action, description in actions]


class WebhookNotice(msgspec.Struct):
    subscription_id: str
    url: str
    reason: str | None = None


_PROJECT_EXAMPLE: dict[str, Any] = {
    "id": "0193b1b4-5c1e-7d3a-9f10-6f3c2a1b0c9d",
    "name": "Maple Street Duplex",
    "code": "J-2041",
    "status": "active",
    "address": {"line1": "418 Maple St", "city": "Boulder", "region": "CO", "postal_code": "80302", "country": "US"},
    "start_date": "2026-03-02",
    "end_date": "2026-11-20",
    "contract_value": "1250000.00",
    "currency": "USD",
    "version": 3,
    "created_at": "2026-02-11T16:04:12Z",
    "updated_at": "2026-03-02T08:15:00Z",
}
_PROJECT_ID = _PROJECT_EXAMPLE["id"]
_BUDGET_EXAMPLE: dict[str, Any] = {
    "id": "0193b1b6-2a40-7c11-8e3a-5d1f0b7c2e41",
    "project_id": _PROJECT_ID,
    "name": "Construction budget",
    "currency": "USD",
    "line_items": [
        {"cost_code": "03 30 00", "description": "Cast-in-place concrete", "amount": "184500.00"},
        {"cost_code": "06 10 00", "description": "Rough carpentry and framing", "amount": "262000.00"},
        {"cost_code": "22 00 00", "description": "Plumbing", "amount": "96250.50"},
    ],
    "original_total": "542750.50",
    "approved_changes": "12800.00",
    "revised_total": "555550.50",
    "version": 4,
    "created_at": "2026-02-12T09:30:00Z",
    "updated_at": "2026-04-03T14:22:10Z",
}
_SCHEDULE_EXAMPLE: dict[str, Any] = {
    "id": "0193b1b7-8d02-7a55-b1c4-3e9a7f60d218",
    "project_id": _PROJECT_ID,
    "name": "Baseline schedule",
    "tasks": [
        {
            "key": "foundation",
            "name": "Foundation and slab",
            "start_date": "2026-03-02",
            "end_date": "2026-03-27",
            "status": "done",
            "percent_complete": 100,
            "depends_on": [],
        },
        {
            "key": "framing",
            "name": "Framing",
            "start_date": "2026-03-30",
            "end_date": "2026-05-08",
            "status": "in_progress",
            "percent_complete": 40,
            "depends_on": ["foundation"],
        },
    ],
    "version": 7,
    "created_at": "2026-02-12T09:45:00Z",
    "updated_at": "2026-04-14T07:05:31Z",
}
_INVOICE_EXAMPLE: dict[str, Any] = {
    "id": "0193b1b9-4f77-7e08-9a61-0c2d8b5e7f93",
    "project_id": _PROJECT_ID,
    "vendor_id": "0193b1b5-11aa-7b2c-8d4e-6f708192a3b4",
    "number": "INV-20417",
    "currency": "USD",
    "due_date": "2026-05-15",
    "line_items": [
        {"description": "Framing labor, week 14", "quantity": "120.00", "unit_price": "68.50", "amount": "8220.00"},
        {"description": "LVL beams 3-1/2 x 11-7/8", "quantity": "6.00", "unit_price": "412.25", "amount": "2473.50"},
    ],
    "total": "10693.50",
    "status": "approved",
    "submitted_at": "2026-04-15T16:02:44Z",
    "approved_at": "2026-04-16T10:11:09Z",
    "paid_at": None,
    "version": 3,
    "created_at": "2026-04-15T15:58:12Z",
    "updated_at": "2026-04-16T10:11:09Z",
}
_CHANGE_ORDER_EXAMPLE: dict[str, Any] = {
    "id": "0193b1ba-7c31-7d90-a2b5-9e4f1c0d6a27",
    "project_id": _PROJECT_ID,
    "budget_id": _BUDGET_EXAMPLE["id"],
    "title": "Upgrade to engineered floor joists",
    "reason": "Owner request after framing walkthrough",
    "amount": "12800.00",
    "currency": "USD",
    "cost_code": "06 10 00",
    "status": "approved",
    "submitted_at": "2026-04-01T11:20:00Z",
    "decided_at": "2026-04-03T14:22:10Z",
    "version": 3,
    "created_at": "2026-03-31T17:40:05Z",
    "updated_at": "2026-04-03T14:22:10Z",
}
_VENDOR_EXAMPLE: dict[str, Any] = {
    "id": "0193b1b5-11aa-7b2c-8d4e-6f708192a3b4",
    "name": "Front Range Framing LLC",
    "trade": "framing",
    "contact_email": "office@frontrangeframing.example",
    "contact_phone": "+1 303 555 0142",
    "address": {"line1": "2250 55th St", "city": "Boulder", "region": "CO", "postal_code": "80301", "country": "US"},
    "tax_id": "84-1234567",
    "status": "active",
    "version": 2,
    "created_at": "2026-01-20T18:03:00Z",
    "updated_at": "2026-02-02T09:12:45Z",
}
_DOCUMENT_EXAMPLE: dict[str, Any] = {
    "id": "0193b1bb-0e5d-7f14-b3c6-2a8e9d7f1b50",
    "project_id": _PROJECT_ID,
    "name": "A-101 Floor plan.pdf",
    "kind": "drawing",
    "content_type": "application/pdf",
    "size_bytes": 2483117,
    "sha256": "9f2c1e7b4a5d3c8e0f6a1b2c3d4e5f60718293a4b5c6d7e8f9012a3b4c5d6e7f",
    "version": 2,
    "created_at": "2026-02-14T13:30:00Z",
    "updated_at": "2026-02-14T13:30:02Z",
}
_WEBHOOK_EXAMPLE: dict[str, Any] = {
    "subscription_id": "0193b1b4-0000-7000-8000-000000000001",
    "url": "https://hooks.example.com/joist",
}

_ALL: list[EventType] = [
    *_entity("project", "project", ProjectOut, _PROJECT_EXAMPLE),
    *_entity("budget", "budget", BudgetOut, _BUDGET_EXAMPLE),
    *_entity("schedule", "schedule", ScheduleOut, _SCHEDULE_EXAMPLE),
    *_entity(
        "invoice",
        "invoice",
        InvoiceOut,
        _INVOICE_EXAMPLE,
        ("submitted", "A draft invoice was submitted for approval."),
        ("approved", "A submitted invoice was approved."),
        ("paid", "An approved invoice was marked paid."),
    ),
    *_entity(
        "change_order",
        "change order",
        ChangeOrderOut,
        _CHANGE_ORDER_EXAMPLE,
        ("submitted", "A draft change order was submitted for approval."),
        ("approved", "A submitted change order was approved; its budget's approved_changes moved (budget.updated)."),
        ("rejected", "A submitted change order was rejected."),
    ),
    *_entity("vendor", "vendor", VendorOut, _VENDOR_EXAMPLE),
    *_entity("document", "document", DocumentOut, _DOCUMENT_EXAMPLE),
    EventType(
        "webhook.test",
        "Sent by POST /api/v1/webhooks/{id}/test, whatever the subscription selects.",
        WebhookNotice,
        _WEBHOOK_EXAMPLE,
        "read:webhooks",
    ),
    EventType(
        "webhook.disabled",
        "A subscription was disabled after repeated failed deliveries or a 410 Gone; `reason` says which.",
        WebhookNotice,
        {**_WEBHOOK_EXAMPLE, "reason": "5 consecutive deliveries failed"},
        "read:webhooks",
    ),
]
EVENT_TYPES: dict[str, EventType] = {event_type.name: event_type for event_type in _ALL}


@cache
def schema_of(event_type: str) -> dict[str, Any]:
    """The JSON Schema of one type's ``data`` object, self-contained (its own ``$defs``)."""
    return msgspec.json.schema(EVENT_TYPES[event_type].data)


def unknown_selectors(selectors: list[str]) -> list[str]:
    """Selectors that match no known type: exact types, ``<category>.*`` or ``*``."""
    return [s for s in selectors if not any(matches(s, t) for t in EVENT_TYPES)]


def matches(selector: str, event_type: str) -> bool:
    if selector in ("*", event_type):
        return True
    return selector.endswith(".*") and "*" not in selector[:-2] and fnmatch.fnmatchcase(event_type, selector)
