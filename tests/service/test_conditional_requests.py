"""Conditional requests on the core records (RFC 9110 §13): the version is the ``ETag``;
``If-Match`` guards writes (412 when stale, 400 when malformed), ``If-None-Match`` answers a
``GET`` with 304, and without either header nothing changes."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy import event as sa_event

from tests.conftest import LiveServer, Tenant
from tests.helpers import assert_problem, assert_validation_problem
from tests.service.core import new_project

Make = Callable[[httpx.Client, Tenant], dict[str, Any]]


def _post(client: httpx.Client, tenant: Tenant, path: str, body: dict[str, Any]) -> dict[str, Any]:
    resp = client.post(f"/api/v1/{path}", json=body, headers=tenant.auth)
    assert resp.status_code == 201, resp.text
    assert resp.headers["etag"] == f'"{resp.json()["version"]}"'
    created: dict[str, Any] = resp.json()
    return created


def _project(client: httpx.Client, tenant: Tenant) -> dict[str, Any]:
    return _post(client, tenant, "projects", {"name": "Maple Street remodel"})


def _budget(client: httpx.Client, tenant: Tenant) -> dict[str, Any]:
    lines = [{"cost_code": "06 10 00", "description": "Framing", "amount": "262000.00"}]
    body = {"project_id": new_project(client, tenant), "name": "Budget", "currency": "USD", "line_items": lines}
    return _post(client, tenant, "budgets", body)


def _schedule(client: httpx.Client, tenant: Tenant) -> dict[str, Any]:
    task = {"key": "framing", "name": "Framing", "start_date": "2026-03-30", "end_date": "2026-05-08"}
    return _post(
        client, tenant, "schedules", {"project_id": new_project(client, tenant), "name": "Baseline", "tasks": [task]}
    )


def _invoice(client: httpx.Client, tenant: Tenant) -> dict[str, Any]:
    lines = [{"description": "Framing labor", "quantity": "120", "unit_price": "68.50"}]
    body = {"project_id": new_project(client, tenant), "number": "INV-1", "currency": "USD", "line_items": lines}
    return _post(client, tenant, "invoices", body)


def _change_order(client: httpx.Client, tenant: Tenant) -> dict[str, Any]:
    budget = _budget(client, tenant)
    body = {"project_id": budget["project_id"], "budget_id": budget["id"], "title": "Joists", "amount": "12800.00"}
    return _post(client, tenant, "change-orders", body)


def _vendor(client: httpx.Client, tenant: Tenant) -> dict[str, Any]:
    return _post(client, tenant, "vendors", {"name": "Front Range Framing"})


def _document(client: httpx.Client, tenant: Tenant) -> dict[str, Any]:
    body = {"name": "A-101 Floor plan.pdf", "kind": "drawing", "content_type": "application/pdf"}
    return _post(client, tenant, "documents", body)


@dataclass(frozen=True)
class Record:
    path: str
    make: Make
    field: str  # a field a PATCH changes
    value: str

    def url(self, record: dict[str, Any]) -> str:
        return f"/api/v1/{self.path}/{record['id']}"


RECORDS = [
    Record("projects", _project, "name", "Renamed"),
    Record("budgets", _budget, "name", "Revised budget"),
    Record("schedules", _schedule, "name", "Re-baselined"),
    Record("invoices", _invoice, "number", "INV-2"),
    Record("change-orders", _change_order, "title", "Engineered joists"),
    Record("vendors", _vendor, "name", "Front Range Framing LLC"),
    Record("documents", _document, "name", "A-102 Floor plan.pdf"),
]
each_record = pytest.mark.parametrize("kind", RECORDS, ids=[r.path for r in RECORDS])


def _if_match(tenant: Tenant, value: str) -> dict[str, str]:
    return tenant.auth | {"If-Match": value}


def _assert_stale(resp: httpx.Response, version: int) -> None:
    body = assert_problem(resp, 412)
    assert body["type"] == "urn:joist:problem:precondition-failed", body
    assert body["current_etag"] == f'"{version}"', body


@each_record
def test_get_sends_the_version_as_etag(client: httpx.Client, tenant: Tenant, kind: Record) -> None:
    record = kind.make(client, tenant)
    resp = client.get(kind.url(record), headers=tenant.auth)
    assert resp.status_code == 200
    assert resp.headers["etag"] == f'"{resp.json()["version"]}"' == '"1"'
    changed = client.patch(kind.url(record), json={kind.field: kind.value}, headers=tenant.auth)
    assert changed.status_code == 200, changed.text  # no If-Match: as before
    assert changed.headers["etag"] == '"2"'
    assert client.get(kind.url(record), headers=tenant.auth).headers["etag"] == '"2"'


@each_record
def test_a_matching_if_match_lets_the_change_through(client: httpx.Client, tenant: Tenant, kind: Record) -> None:
    record = kind.make(client, tenant)
    url = kind.url(record)
    resp = client.patch(url, json={kind.field: kind.value}, headers=_if_match(tenant, '"1"'))
    assert resp.status_code == 200, resp.text
    assert resp.json()[kind.field] == kind.value
    assert resp.headers["etag"] == f'"{resp.json()["version"]}"' == '"2"'
    # A list matches when one entry is current; * matches any version of an existing record.
    again = client.patch(url, json={kind.field: "Third"}, headers=_if_match(tenant, '"1", "2"'))
    assert (again.status_code, again.headers["etag"]) == (200, '"3"'), again.text
    star = client.patch(url, json={kind.field: "Fourth"}, headers=_if_match(tenant, "*"))
    assert (star.status_code, star.headers["etag"]) == (200, '"4"'), star.text


@each_record
def test_a_stale_if_match_is_412_and_changes_nothing(client: httpx.Client, tenant: Tenant, kind: Record) -> None:
    record = kind.make(client, tenant)
    url = kind.url(record)
    for stale in ('"999"', '"2", "0"', 'W/"1"', '"abc"'):  # a weak tag never matches a write
        _assert_stale(client.patch(url, json={kind.field: kind.value}, headers=_if_match(tenant, stale)), 1)
    assert client.get(url, headers=tenant.auth).json() == record


@each_record
def test_a_malformed_if_match_is_400_naming_the_header(client: httpx.Client, tenant: Tenant, kind: Record) -> None:
    record = kind.make(client, tenant)
    url = kind.url(record)
    for bad in ("garbage", "1", '"1', '*, "1"', "", "W/1"):
        resp = client.patch(url, json={kind.field: kind.value}, headers=_if_match(tenant, bad))
        assert [e["field"] for e in assert_validation_problem(resp)] == ["If-Match"], bad
        assert_validation_problem(client.delete(url, headers=_if_match(tenant, bad)))
    assert client.get(url, headers=tenant.auth).json() == record


@each_record
def test_delete_honours_if_match(client: httpx.Client, tenant: Tenant, kind: Record) -> None:
    record = kind.make(client, tenant)
    url = kind.url(record)
    _assert_stale(client.delete(url, headers=_if_match(tenant, '"2"')), 1)
    assert client.get(url, headers=tenant.auth).json() == record
    assert client.delete(url, headers=_if_match(tenant, '"1"')).status_code == 204
    assert_problem(client.get(url, headers=tenant.auth), 404)
    # A record that is gone is a 404 whatever the precondition (RFC 9110 §13.2.1).
    assert_problem(client.delete(url, headers=_if_match(tenant, "*")), 404)


@each_record
def test_if_none_match_answers_304(client: httpx.Client, tenant: Tenant, kind: Record) -> None:
    record = kind.make(client, tenant)
    url = kind.url(record)
    for matching in ('"1"', 'W/"1"', '"7", "1"', "*"):  # weak comparison for GET
        resp = client.get(url, headers=tenant.auth | {"If-None-Match": matching})
        assert resp.status_code == 304, matching
        assert resp.content == b""
        assert resp.headers["etag"] == '"1"'
    fresh = client.get(url, headers=tenant.auth | {"If-None-Match": '"0"'})
    assert (fresh.status_code, fresh.json()) == (200, record)
    head = client.head(url, headers=tenant.auth | {"If-None-Match": '"1"'})
    assert (head.status_code, head.headers["etag"]) == (304, '"1"')
    bad = client.get(url, headers=tenant.auth | {"If-None-Match": "1"})
    assert [e["field"] for e in assert_validation_problem(bad)] == ["If-None-Match"]


def test_another_builders_record_is_404_whatever_the_precondition(
    client: httpx.Client, make_tenant: Callable[..., Tenant]
) -> None:
    alice, bob = make_tenant(), make_tenant()
    bobs = _project(client, bob)
    url = f"/api/v1/projects/{bobs['id']}"
    assert_problem(client.patch(url, json={"name": "Mine"}, headers=_if_match(alice, "*")), 404)
    assert_problem(client.get(url, headers=alice.auth | {"If-None-Match": "*"}), 404)


def test_invoice_actions_honour_if_match(client: httpx.Client, tenant: Tenant) -> None:
    invoice = _invoice(client, tenant)
    url = f"/api/v1/invoices/{invoice['id']}"
    _assert_stale(client.post(f"{url}/submit", headers=_if_match(tenant, '"2"')), 1)
    assert client.get(url, headers=tenant.auth).json() == invoice
    submitted = client.post(f"{url}/submit", headers=_if_match(tenant, '"1"'))
    assert (submitted.status_code, submitted.json()["status"], submitted.headers["etag"]) == (200, "submitted", '"2"')
    _assert_stale(client.post(f"{url}/approve", headers=_if_match(tenant, '"1"')), 2)
    assert client.get(url, headers=tenant.auth).json()["status"] == "submitted"
    approved = client.post(f"{url}/approve", headers=tenant.auth)  # no If-Match: as before
    assert (approved.status_code, approved.headers["etag"]) == (200, '"3"')


def test_change_order_actions_honour_if_match(client: httpx.Client, tenant: Tenant) -> None:
    order = _change_order(client, tenant)
    url = f"/api/v1/change-orders/{order['id']}"
    assert client.post(f"{url}/submit", headers=_if_match(tenant, '"1"')).headers["etag"] == '"2"'
    _assert_stale(client.post(f"{url}/approve", headers=_if_match(tenant, '"1"')), 2)
    budget = client.get(f"/api/v1/budgets/{order['budget_id']}", headers=tenant.auth).json()
    assert budget["approved_changes"] == "0.00"  # the budget was not touched either
    assert client.post(f"{url}/reject", headers=_if_match(tenant, '"2"')).json()["status"] == "rejected"


def test_document_upload_honours_if_match(client: httpx.Client, tenant: Tenant) -> None:
    document = _document(client, tenant)
    url = f"/api/v1/documents/{document['id']}"
    content = {"Content-Type": "application/pdf"}
    stale = client.put(f"{url}/content", content=b"%PDF-1.7", headers=_if_match(tenant, '"2"') | content)
    _assert_stale(stale, 1)
    assert client.get(url, headers=tenant.auth).json() == document
    assert_problem(client.get(f"{url}/content", headers=tenant.auth), 404)
    done = client.put(f"{url}/content", content=b"%PDF-1.7", headers=_if_match(tenant, '"1"') | content)
    assert (done.status_code, done.headers["etag"]) == (200, '"2"'), done.text


def test_a_change_between_the_check_and_the_write_is_a_409(
    make_server: Callable[..., LiveServer], client: httpx.Client, tenant: Tenant
) -> None:
    """The If-Match check and the write share one session: a change committed by another request
    after the check, before the UPDATE, makes the guarded write fail instead of overwriting it."""
    project = _project(client, tenant)
    url = f"/api/v1/projects/{project['id']}"
    live = make_server()
    interloped: list[int] = []

    def interlope(_session: object, _context: object, _instances: object) -> None:
        if not interloped:  # once: the other server's change commits while this write is in flight
            interloped.append(client.patch(url, json={"name": "Theirs"}, headers=tenant.auth).status_code)

    sa_event.listen(live.app.state.db.sessions, "before_flush", interlope)
    with live.client() as c:
        resp = c.patch(url, json={"name": "Mine"}, headers=_if_match(tenant, '"1"'))
    assert interloped == [200]
    assert_problem(resp, 409)
    after = client.get(url, headers=tenant.auth)
    assert (after.json()["name"], after.headers["etag"]) == ("Theirs", '"2"')


def test_the_openapi_document_declares_the_validators(client: httpx.Client) -> None:
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for kind in RECORDS:
        [item] = [p for p in paths if p.startswith(f"/api/v1/{kind.path}/{{") and p.count("/") == 4]
        get, patch, delete = (paths[item][m] for m in ("get", "patch", "delete"))
        assert "If-None-Match" in {p["name"] for p in get["parameters"]}
        assert "ETag" in get["responses"]["200"]["headers"]
        assert "304" in get["responses"]
        for write in (patch, delete):
            assert "If-Match" in {p["name"] for p in write["parameters"] if p["in"] == "header"}
            assert "412" in write["responses"]
        assert "ETag" in patch["responses"]["200"]["headers"]
        assert "ETag" in paths[f"/api/v1/{kind.path}"]["post"]["responses"]["201"]["headers"]
    submit = paths["/api/v1/invoices/{invoice_id}/submit"]["post"]
    assert "If-Match" in {p["name"] for p in submit["parameters"]}
    assert "412" in submit["responses"]
    upload = paths["/api/v1/documents/{document_id}/content"]["put"]
    assert "If-Match" in {p["name"] for p in upload["parameters"]}
    listing = paths["/api/v1/projects"]["get"]
    assert "If-None-Match" not in {p["name"] for p in listing["parameters"]}


def test_unknown_ids_stay_404(client: httpx.Client, tenant: Tenant) -> None:
    assert_problem(client.patch(f"/api/v1/vendors/{uuid.uuid4()}", json={}, headers=_if_match(tenant, '"1"')), 404)
