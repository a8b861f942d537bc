"""Helpers shared by the tests of the core records (budgets, schedules, invoices, change orders,
vendors, documents)."""

from __future__ import annotations

from typing import Any

import httpx

from tests.conftest import Tenant
from tests.helpers import assert_problem, assert_validation_problem

__all__ = ["assert_illegal", "event_bodies", "events", "fields_of", "new_project"]


def new_project(client: httpx.Client, tenant: Tenant, name: str = "Maple Street remodel") -> str:
    resp = client.post("/api/v1/projects", json={"name": name}, headers=tenant.auth)
    assert resp.status_code == 201, resp.text
    project_id: str = resp.json()["id"]
    return project_id


def events(client: httpx.Client, tenant: Tenant, **params: str) -> list[tuple[str, int]]:
    """The builder's events as ``(type, sequence)``, newest first."""
    return [(e["type"], e["sequence"]) for e in event_bodies(client, tenant, **params)]


def event_bodies(client: httpx.Client, tenant: Tenant, **params: str) -> list[dict[str, Any]]:
    resp = client.get("/api/v1/events", params={"limit": "100", **params}, headers=tenant.auth)
    assert resp.status_code == 200, resp.text
    data: list[dict[str, Any]] = resp.json()["data"]
    return data


def fields_of(resp: httpx.Response) -> list[str]:
    """The fields a 400 validation problem names."""
    return [e["field"] for e in assert_validation_problem(resp)]


def assert_illegal(resp: httpx.Response, status: str) -> dict[str, Any]:
    """A 409 for an action the record's current ``status`` does not allow."""
    body = assert_problem(resp, 409)
    assert body["type"] == "urn:joist:problem:illegal-transition", body
    assert body["current_status"] == status, body
    return body
