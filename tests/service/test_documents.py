"""Documents: metadata through JSON, content through ``PUT …/content`` streamed to
``<data_dir>/documents/<builder>/<id>``, a size cap (413), whole files only, and tenancy."""

from __future__ import annotations

import hashlib
import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import event as sa_event

from service.settings import Settings
from tests.conftest import LiveServer, Tenant
from tests.helpers import assert_problem
from tests.service.core import event_bodies, events, fields_of, new_project

DOCUMENTS = "/api/v1/documents"
PDF = b"%PDF-1.7\n\x00\x01\x02binary\xff\xfe" + bytes(range(256)) * 64


def _document(client: httpx.Client, tenant: Tenant, **changes: Any) -> dict[str, Any]:
    body = {"name": "A-101 Floor plan.pdf", "kind": "drawing", "content_type": "application/pdf"}
    resp = client.post(DOCUMENTS, json=body | changes, headers=tenant.auth)
    assert resp.status_code == 201, resp.text
    document: dict[str, Any] = resp.json()
    assert resp.headers["location"] == f"{DOCUMENTS}/{document['id']}"
    return document


def _folder(settings: Settings, tenant: Tenant) -> Path:
    return settings.data_dir / "documents" / str(tenant.builder_id)


def _leftovers(settings: Settings, tenant: Tenant) -> list[str]:
    folder = _folder(settings, tenant)
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_content_round_trip(client: httpx.Client, tenant: Tenant, settings: Settings) -> None:
    project_id = new_project(client, tenant)
    document = _document(client, tenant, project_id=project_id)
    assert (document["size_bytes"], document["sha256"], document["version"]) == (None, None, 1)
    url = f"{DOCUMENTS}/{document['id']}"
    assert_problem(client.get(f"{url}/content", headers=tenant.auth), 404)  # nothing uploaded yet
    uploaded = client.put(f"{url}/content", content=PDF, headers=tenant.auth | {"Content-Type": "application/pdf"})
    assert uploaded.status_code == 200, uploaded.text
    body = uploaded.json()
    assert (body["size_bytes"], body["sha256"], body["version"]) == (len(PDF), hashlib.sha256(PDF).hexdigest(), 2)
    stored = _folder(settings, tenant) / document["id"]
    assert stored.read_bytes() == PDF
    assert _leftovers(settings, tenant) == [document["id"]]
    got = client.get(f"{url}/content", headers=tenant.auth)
    assert got.status_code == 200
    assert got.content == PDF
    assert got.headers["content-type"] == "application/pdf"
    assert got.headers["content-disposition"] == "attachment; filename*=utf-8''A-101%20Floor%20plan.pdf"
    assert got.headers["etag"] == f'"{body["sha256"]}"'
    assert got.headers["x-content-type-options"] == "nosniff"
    assert client.get(url, headers=tenant.auth).json() == body
    assert client.get(DOCUMENTS, params={"project_id": project_id}, headers=tenant.auth).json()["data"] == [body]
    assert events(client, tenant, entity_id=document["id"]) == [("document.updated", 2), ("document.created", 1)]
    assert event_bodies(client, tenant, type="document.updated")[0]["data"] == body


def test_content_is_stored_as_sent_whatever_its_type_and_size(client: httpx.Client, tenant: Tenant) -> None:
    # JSON with a NUL escape, over the 1 MiB limit of ordinary bodies, sent chunked: stored as is.
    document = _document(client, tenant, name="export.json", content_type="application/json", kind="report")
    url = f"{DOCUMENTS}/{document['id']}/content"
    payload = b'{"note": "\\u0000"}' + b" " * (2 * 1_048_576)

    def chunks() -> Iterator[bytes]:
        for start in range(0, len(payload), 65_536):
            yield payload[start : start + 65_536]

    resp = client.put(url, content=chunks(), headers=tenant.auth | {"Content-Type": "application/json"})
    assert resp.status_code == 200, resp.text
    assert resp.json()["size_bytes"] == len(payload)
    got = client.get(url, headers=tenant.auth)
    assert got.content == payload
    assert got.headers["content-type"].startswith("application/json")
    assert got.headers["content-disposition"] == 'attachment; filename="export.json"'
    replaced = client.put(url, content=b"second", headers=tenant.auth)
    assert (replaced.json()["size_bytes"], replaced.json()["version"]) == (6, 3)
    assert client.get(url, headers=tenant.auth).content == b"second"


def test_head_of_the_content_has_the_downloads_headers_and_no_body(client: httpx.Client, tenant: Tenant) -> None:
    document = _document(client, tenant)
    url = f"{DOCUMENTS}/{document['id']}/content"
    missing = client.head(url, headers=tenant.auth)
    assert (missing.status_code, missing.content) == (404, b"")
    assert client.put(url, content=PDF, headers=tenant.auth).status_code == 200
    got, head = client.get(url, headers=tenant.auth), client.head(url, headers=tenant.auth)
    assert (head.status_code, head.content) == (200, b"")
    assert head.headers["content-length"] == str(len(PDF)) == got.headers["content-length"]
    for name in ("content-type", "content-disposition", "etag", "x-content-type-options"):
        assert head.headers[name] == got.headers[name], name


def test_the_size_cap_is_a_413_and_leaves_no_file(
    make_server: Callable[..., LiveServer], tenant: Tenant, settings: Settings
) -> None:
    live = make_server(max_document_bytes=1024)
    with live.client() as c:
        document = _document(c, tenant)
        url = f"{DOCUMENTS}/{document['id']}/content"
        assert c.put(url, content=b"x" * 1024, headers=tenant.auth).status_code == 200
        announced = c.put(url, content=b"y" * 1025, headers=tenant.auth)
        assert "1024-byte limit" in assert_problem(announced, 413)["detail"]
        chunked = c.put(url, content=iter([b"z" * 1000, b"z" * 1000]), headers=tenant.auth)
        assert assert_problem(chunked, 413)["type"] == "urn:joist:problem:payload-too-large"
        assert c.get(url, headers=tenant.auth).content == b"x" * 1024  # the earlier content stands
        assert c.get(f"{DOCUMENTS}/{document['id']}", headers=tenant.auth).json()["version"] == 2
    assert _leftovers(settings, tenant) == [document["id"]]


def test_a_failed_commit_puts_the_previous_content_back(
    make_server: Callable[..., LiveServer], client: httpx.Client, tenant: Tenant, settings: Settings
) -> None:
    document = _document(client, tenant)
    url = f"{DOCUMENTS}/{document['id']}/content"
    assert client.put(url, content=b"first version", headers=tenant.auth).status_code == 200
    fresh = _document(client, tenant, name="fresh.pdf")
    live = make_server()

    def refuse(_session: object) -> None:
        raise RuntimeError("commit refused")

    sa_event.listen(live.app.state.db.sessions, "before_commit", refuse)
    with live.client() as c:
        assert c.put(url, content=b"second version", headers=tenant.auth).status_code == 500
        assert c.put(f"{DOCUMENTS}/{fresh['id']}/content", content=b"new", headers=tenant.auth).status_code == 500
    assert client.get(url, headers=tenant.auth).content == b"first version"
    assert client.get(f"{DOCUMENTS}/{document['id']}", headers=tenant.auth).json()["version"] == 2
    assert_problem(client.get(f"{DOCUMENTS}/{fresh['id']}/content", headers=tenant.auth), 404)
    assert _leftovers(settings, tenant) == [document["id"]]


def test_delete_removes_the_file(client: httpx.Client, tenant: Tenant, settings: Settings) -> None:
    document = _document(client, tenant)
    url = f"{DOCUMENTS}/{document['id']}"
    client.put(f"{url}/content", content=PDF, headers=tenant.auth)
    assert (_folder(settings, tenant) / document["id"]).exists()
    assert client.delete(url, headers=tenant.auth).status_code == 204
    assert not (_folder(settings, tenant) / document["id"]).exists()
    assert_problem(client.get(f"{url}/content", headers=tenant.auth), 404)
    assert_problem(client.put(f"{url}/content", content=b"late", headers=tenant.auth), 404)
    assert events(client, tenant, entity_id=document["id"])[0] == ("document.deleted", 3)
    assert _leftovers(settings, tenant) == []


def test_metadata_changes_and_validation(client: httpx.Client, make_tenant: Callable[..., Tenant]) -> None:
    alice, bob = make_tenant(), make_tenant()
    project_id = new_project(client, alice)
    document = _document(client, alice, project_id=project_id)
    url = f"{DOCUMENTS}/{document['id']}"
    changed = client.patch(url, json={"project_id": None, "kind": "contract"}, headers=alice.auth).json()
    assert (changed["project_id"], changed["kind"], changed["version"]) == (None, "contract", 2)
    assert client.get(DOCUMENTS, params={"kind": "drawing"}, headers=alice.auth).json()["data"] == []
    cases: list[tuple[dict[str, Any], str]] = [
        ({"kind": "selfie"}, "kind"),
        ({"name": "a/b.pdf"}, "name"),
        ({"name": "line\nbreak"}, "name"),
        ({"content_type": "pdf"}, "content_type"),
        ({"content_type": "text/html\r\nX-Evil: 1"}, "content_type"),
        ({"project_id": new_project(client, bob)}, "project_id"),
        ({"size_bytes": 10}, "size_bytes"),
    ]
    for change, field in cases:
        assert fields_of(client.post(DOCUMENTS, json={"name": "n"} | change, headers=alice.auth)) == [field], change
    assert fields_of(client.patch(url, json={"project_id": str(uuid.uuid4())}, headers=alice.auth)) == ["project_id"]


def test_documents_are_tenant_scoped(
    client: httpx.Client, make_tenant: Callable[..., Tenant], settings: Settings
) -> None:
    alice, bob = make_tenant(), make_tenant()
    bobs = _document(client, bob)
    url = f"{DOCUMENTS}/{bobs['id']}"
    client.put(f"{url}/content", content=b"bob's drawing", headers=bob.auth)
    for method, path in (("GET", url), ("PATCH", url), ("DELETE", url), ("GET", f"{url}/content")):
        resp = client.request(method, path, json={} if method == "PATCH" else None, headers=alice.auth)
        assert_problem(resp, 404)
    assert_problem(client.put(f"{url}/content", content=b"overwrite", headers=alice.auth), 404)
    assert client.get(DOCUMENTS, headers=alice.auth).json()["data"] == []
    assert client.get(f"{url}/content", headers=bob.auth).content == b"bob's drawing"
    assert _leftovers(settings, alice) == []


@pytest.mark.parametrize(
    ("scopes", "method", "status"),
    [(["read:documents"], "PUT", 403), (["write:projects"], "GET", 403), (["write:documents"], "PUT", 200)],
)
def test_scopes(client: httpx.Client, tenant: Tenant, scopes: list[str], method: str, status: int) -> None:
    document = _document(client, tenant)
    made = client.post("/api/v1/api-keys", json={"name": "narrow", "scopes": scopes}, headers=tenant.auth)
    narrow = {"Authorization": f"Bearer {made.json()['key']}"}
    resp = client.request(method, f"{DOCUMENTS}/{document['id']}/content", content=b"data", headers=narrow)
    assert resp.status_code == status, resp.text


def test_upload_is_documented_as_a_binary_body(client: httpx.Client) -> None:
    spec = client.get("/api/v1/openapi.json").json()
    upload = spec["paths"]["/api/v1/documents/{document_id}/content"]["put"]
    assert upload["requestBody"]["content"]["application/octet-stream"]["schema"]["format"] == "binary"
    assert upload["security"] == [{"bearer": ["write:documents"]}, {"oauth2": ["write:documents"]}]
    download = spec["paths"]["/api/v1/documents/{document_id}/content"]["get"]["responses"]["200"]
    assert set(download["content"]) == {"application/octet-stream"}


def test_nothing_is_left_in_the_folder_but_documents(settings: Settings) -> None:
    # Every test above cleans up after itself: no temporary or previous files anywhere.
    root = settings.data_dir / "documents"
    hidden = [p for _, _, files in os.walk(root) for p in files if p.startswith(".")] if root.exists() else []
    assert hidden == []
