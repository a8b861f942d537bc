"""RFC 9457 problem details: every 4xx/5xx is application/problem+json with the same members,
validation failures name the offending field, and a 500 leaks nothing."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from typing import Any

import httpx
import pytest

from service.settings import DEFAULT_MAX_BODY_BYTES
from tests.conftest import LiveServer, Tenant
from tests.helpers import assert_problem, assert_validation_problem, boom_router

KEYS = "/api/v1/api-keys"
VALID_BODY: dict[str, Any] = {"name": "problem test", "scopes": ["read:projects"]}


def _key_ids(client: httpx.Client, tenant: Tenant) -> set[str]:
    resp = client.get(KEYS, params={"limit": 100}, headers=tenant.auth)
    assert resp.status_code == 200
    return {item["id"] for item in resp.json()["data"]}


def _post_raw(client: httpx.Client, tenant: Tenant, content: bytes, **headers: str) -> httpx.Response:
    return client.post(KEYS, content=content, headers={**tenant.auth, "Content-Type": "application/json", **headers})


# -- unknown paths and methods ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/no-such-page"),
        ("GET", "/api/v1/no-such-resource"),
        ("POST", "/api/v1/no-such-resource"),
        ("GET", "/api/_schema/no-such-schema"),
        ("GET", "/api/v1/api-keys/not-a-uuid"),
        ("GET", "/api/v2/api-keys"),
    ],
)
def test_unknown_path_is_a_404_problem(client: httpx.Client, tenant: Tenant, method: str, path: str) -> None:
    resp = client.request(method, path, headers=tenant.auth, json={} if method == "POST" else None)
    body = assert_problem(resp, 404)
    assert path in body["detail"]


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("PUT", KEYS),
        ("PATCH", f"{KEYS}/00000000-0000-4000-8000-000000000000"),
        ("DELETE", KEYS),
    ],
)
def test_wrong_method_is_a_405_problem(client: httpx.Client, tenant: Tenant, method: str, path: str) -> None:
    resp = client.request(method, path, headers=tenant.auth)
    body = assert_problem(resp, 405)
    assert method in body["detail"]
    allowed = {m.strip() for m in resp.headers["allow"].split(",")}
    assert {"GET", "HEAD"} <= allowed and method not in allowed


# -- bodies over the size limit -----------------------------------------------------------------


def _oversized(size: int) -> bytes:
    """A well-formed create request of about ``size`` bytes."""
    return json.dumps({**VALID_BODY, "name": "x" * size}).encode()


@pytest.mark.parametrize("idempotency_key", [None, "oversized-1"])
@pytest.mark.parametrize(
    ("limit", "size"), [(1024, 2_000), (DEFAULT_MAX_BODY_BYTES, 2_000_000)], ids=["1KiB-setting", "default-1MiB"]
)
def test_body_over_the_limit_is_a_413_problem(
    client: httpx.Client,
    tenant: Tenant,
    make_server: Callable[..., LiveServer],
    limit: int,
    size: int,
    idempotency_key: str | None,
) -> None:
    extra = {"Idempotency-Key": idempotency_key} if idempotency_key else {}
    before = _key_ids(client, tenant)
    with ExitStack() as stack:
        target = (
            client
            if limit == DEFAULT_MAX_BODY_BYTES
            else stack.enter_context(make_server(max_body_bytes=limit).client())
        )
        body = assert_problem(_post_raw(target, tenant, _oversized(size), **extra), 413)
        assert f"{limit}-byte limit" in body["detail"]
        if idempotency_key:
            # The refused body did not claim the key: a proper request may still use it.
            again = target.post(KEYS, json=VALID_BODY, headers={**tenant.auth, **extra})
            assert again.status_code == 201, again.text
            assert "idempotent-replayed" not in again.headers
    assert len(_key_ids(client, tenant) - before) == (1 if idempotency_key else 0)


@pytest.mark.parametrize("idempotency_key", [None, "oversized-streamed"])
def test_streamed_body_over_the_limit_is_a_413_problem(
    tenant: Tenant, make_server: Callable[..., LiveServer], idempotency_key: str | None
) -> None:
    def chunks() -> Iterator[bytes]:  # no Content-Length: the server must count as it reads
        yield b'{"name": "'
        for _ in range(4):
            yield b"x" * 512
        yield b'", "scopes": ["read:projects"]}'

    extra = {"Idempotency-Key": idempotency_key} if idempotency_key else {}
    with make_server(max_body_bytes=1024).client() as small:
        resp = small.post(KEYS, content=chunks(), headers={**tenant.auth, "Content-Type": "application/json", **extra})
        assert "1024-byte limit" in assert_problem(resp, 413)["detail"]


# -- unreadable and invalid bodies --------------------------------------------------------------


@pytest.mark.parametrize("content", [b'{"name": ', b"{'name': 'x'}", b"not json", b'{"name": "x",}'])
def test_malformed_json_is_a_400_problem(client: httpx.Client, tenant: Tenant, content: bytes) -> None:
    errors = assert_validation_problem(_post_raw(client, tenant, content))
    assert errors[0]["field"] == "body"
    assert "JSON" in errors[0]["detail"]


@pytest.mark.parametrize(
    "content",
    [
        b'\xff{"name": "x", "scopes": ["read:projects"]}',
        b'{"name": "\xff\xfe", "scopes": ["read:projects"]}',
        '{"name": "Café sync", "scopes": ["read:projects"]}'.encode("latin-1"),
    ],
    ids=["before-the-json", "inside-a-string", "latin-1-text"],
)
def test_a_body_that_is_not_utf8_is_a_400_problem(client: httpx.Client, tenant: Tenant, content: bytes) -> None:
    resp = _post_raw(client, tenant, content)
    errors = assert_validation_problem(resp)
    assert "UTF-8" in resp.json()["detail"]
    assert errors[0]["field"] == "body"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"name": 5}, "name"),
        ({"scopes": "read:projects"}, "scopes"),
        ({"scopes": [1]}, "scopes[0]"),
        ({"rate_limit": "ten"}, "rate_limit"),
        ({"expires_at": 12}, "expires_at"),
    ],
)
def test_a_wrong_json_type_names_the_field(
    client: httpx.Client, tenant: Tenant, change: dict[str, object], field: str
) -> None:
    resp = client.post(KEYS, json={**VALID_BODY, **change}, headers=tenant.auth)
    errors = assert_validation_problem(resp)
    assert [e["field"] for e in errors] == [field]


def test_an_unknown_body_field_is_refused_by_name(client: httpx.Client, tenant: Tenant) -> None:
    resp = client.post(KEYS, json={**VALID_BODY, "colour": "red"}, headers=tenant.auth)
    assert assert_validation_problem(resp) == [{"field": "colour", "detail": "not a field of this body"}]


def test_a_missing_field_is_named(client: httpx.Client, tenant: Tenant) -> None:
    resp = client.post(KEYS, json={"scopes": ["read:projects"]}, headers=tenant.auth)
    assert assert_validation_problem(resp) == [{"field": "name", "detail": "required"}]


@pytest.mark.parametrize("content", [b"", b"null"])
def test_an_empty_or_null_body_is_refused(client: httpx.Client, tenant: Tenant, content: bytes) -> None:
    headers = {**tenant.auth, "Content-Type": "application/json"}
    errors = assert_validation_problem(client.post(KEYS, content=content, headers=headers))
    assert errors[0]["field"] == "body"
    assert "data" not in errors[0]["detail"]


def test_a_json_array_instead_of_an_object_is_refused(client: httpx.Client, tenant: Tenant) -> None:
    resp = client.post(KEYS, json=[VALID_BODY], headers=tenant.auth)
    errors = assert_validation_problem(resp)
    assert errors[0]["field"] == "body"
    assert "object" in errors[0]["detail"]


def test_auth_and_scope_failures_are_problems(client: httpx.Client, make_tenant: Callable[..., Tenant]) -> None:
    assert_problem(client.get(KEYS), 401)
    reader = make_tenant(scopes=["read:projects"])
    assert_problem(client.get(KEYS, headers=reader.auth), 403)


# -- 500 --------------------------------------------------------------------------------------


def test_an_unhandled_error_is_a_500_problem_that_leaks_nothing(make_server: Callable[..., LiveServer]) -> None:
    with make_server(extra_routers=[boom_router()]).client() as boom_client:
        resp = boom_client.get("/boom")
    body = assert_problem(resp, 500)
    assert set(body) <= {"type", "title", "status", "detail", "instance", "request_id"}
    for leak in ("secret-sql", "SELECT", "password", "Traceback", "RuntimeError", 'File "', ".py"):
        assert leak not in resp.text, leak


@pytest.mark.parametrize(
    "content_type",
    [None, "text/plain", "application/x-www-form-urlencoded", "application/json; charset=iso-8859-1", "json"],
)
def test_a_json_body_must_be_declared_as_json(client: httpx.Client, tenant: Tenant, content_type: str | None) -> None:
    headers = {**tenant.auth} | ({"Content-Type": content_type} if content_type else {})
    resp = client.post("/api/v1/projects", content=b'{"name": "Harbor View"}', headers=headers)
    body = assert_problem(resp, 415)
    assert body["type"] == "urn:joist:problem:unsupported-media-type" and "application/json" in body["detail"]
    assert client.get("/api/v1/projects", headers=tenant.auth).json()["data"] == []


@pytest.mark.parametrize(
    "content_type",
    ["application/json", "application/json; charset=utf-8", "Application/JSON", "application/merge-patch+json"],
)
def test_json_media_types_are_accepted(client: httpx.Client, tenant: Tenant, content_type: str) -> None:
    headers = {**tenant.auth, "Content-Type": content_type}
    assert client.post("/api/v1/projects", content=b'{"name": "Harbor View"}', headers=headers).status_code == 201


def test_an_action_that_takes_no_body_refuses_one(client: httpx.Client, tenant: Tenant) -> None:
    key = client.post("/api/v1/api-keys", json={"name": "spare", "scopes": ["read:projects"]}, headers=tenant.auth)
    assert key.status_code == 201, key.text
    url = f"/api/v1/api-keys/{key.json()['id']}"
    resp = client.request(
        "DELETE", url, content=b'{"x": 1}', headers={**tenant.auth, "Content-Type": "application/json"}
    )
    assert [e["field"] for e in assert_validation_problem(resp)] == ["body"]
    assert client.get(url, headers=tenant.auth).json()["is_active"] is True
    # an empty object is no body to speak of
    gone = client.request("DELETE", url, content=b"{}", headers={**tenant.auth, "Content-Type": "application/json"})
    assert gone.status_code == 204, gone.text
