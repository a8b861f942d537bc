"""Strict query strings: an unknown parameter, a bad value or a repeated single-value parameter
is a 400 naming the parameter, never silently ignored."""

from __future__ import annotations

import base64
import json

import httpx
import pytest

from tests.conftest import Tenant
from tests.helpers import assert_validation_problem

KEYS = "/api/v1/api-keys"


def _fields(resp: httpx.Response) -> list[str]:
    return [e["field"] for e in assert_validation_problem(resp)]


def _cursor_of(value: object) -> str:
    """Base64url JSON, the same wrapping real cursors use, around a payload no server issued."""
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    ("path", "query", "unknown"),
    [
        (KEYS, "colour=red", "colour"),
        (KEYS, "limit=5&colour=red", "colour"),
        (KEYS, "Limit=5", "Limit"),  # names are case-sensitive
        (KEYS, "colour", "colour"),  # a bare flag is a parameter too
        (f"{KEYS}/00000000-0000-4000-8000-000000000000", "colour=red", "colour"),
    ],
)
def test_an_unknown_query_parameter_is_named(
    client: httpx.Client, tenant: Tenant, path: str, query: str, unknown: str
) -> None:
    resp = client.get(f"{path}?{query}", headers=tenant.auth)
    assert _fields(resp) == [unknown]


def test_every_unknown_parameter_is_named(client: httpx.Client, tenant: Tenant) -> None:
    resp = client.get(f"{KEYS}?colour=red&size=xl", headers=tenant.auth)
    assert sorted(_fields(resp)) == ["colour", "size"]


def test_an_unknown_parameter_on_a_post_is_refused(client: httpx.Client, tenant: Tenant) -> None:
    before = client.get(KEYS, headers=tenant.auth).json()["data"]
    resp = client.post(f"{KEYS}?dry_run=true", json={"name": "x", "scopes": ["read:projects"]}, headers=tenant.auth)
    assert _fields(resp) == ["dry_run"]
    assert client.get(KEYS, headers=tenant.auth).json()["data"] == before


@pytest.mark.parametrize("limit", ["0", "101", "-1", "abc", "1.5", "", "1e2", "25.0", " 25", "9" * 30])
def test_a_bad_limit_is_refused(client: httpx.Client, tenant: Tenant, limit: str) -> None:
    resp = client.get(KEYS, params={"limit": limit}, headers=tenant.auth)
    assert _fields(resp) == ["limit"]


@pytest.mark.parametrize("limit", [1, 100])
def test_limits_at_the_bounds_are_accepted(client: httpx.Client, tenant: Tenant, limit: int) -> None:
    resp = client.get(KEYS, params={"limit": limit}, headers=tenant.auth)
    assert resp.status_code == 200, resp.text


@pytest.mark.parametrize(
    "query", ["limit=1&limit=2", "limit=5&limit=5", "is_active=true&is_active=false", "cursor=a&cursor=b"]
)
def test_a_repeated_single_value_parameter_is_refused(client: httpx.Client, tenant: Tenant, query: str) -> None:
    resp = client.get(f"{KEYS}?{query}", headers=tenant.auth)
    assert _fields(resp) == [query.split("=", maxsplit=1)[0]]


@pytest.mark.parametrize(
    "cursor",
    [
        "garbage",
        "!!!not-base64!!!",
        "é",
        _cursor_of({"a": 1}),
        _cursor_of([1, 2]),
        _cursor_of("ab"),
        _cursor_of(5),
        _cursor_of(["2026-01-01T00:00:00", "0" * 32]),  # a naive time
        _cursor_of(["2026-01-01T00:00:00+00:00", "not-a-uuid"]),
        _cursor_of(["2026-01-01T00:00:00+00:00", "0" * 32, "extra"]),
        base64.urlsafe_b64encode(b"\xff\xfe\xfd").decode(),
    ],
)
def test_a_garbage_cursor_is_refused(client: httpx.Client, tenant: Tenant, cursor: str) -> None:
    resp = client.get(KEYS, params={"cursor": cursor}, headers=tenant.auth)
    assert _fields(resp) == ["cursor"]


def test_a_bad_filter_value_is_refused(client: httpx.Client, tenant: Tenant) -> None:
    resp = client.get(KEYS, params={"is_active": "maybe"}, headers=tenant.auth)
    assert _fields(resp) == ["is_active"]
    resp = client.get(KEYS, params={"created_after": "yesterday"}, headers=tenant.auth)
    assert _fields(resp) == ["created_after"]


@pytest.mark.parametrize("value", ["1700000000", "2026-01-01", "yesterday", "2026-01-01T00:00:00 02:00"])
def test_times_must_be_rfc3339(client: httpx.Client, tenant: Tenant, value: str) -> None:
    resp = client.get(KEYS, params={"created_after": value}, headers=tenant.auth)
    assert _fields(resp) == ["created_after"]


@pytest.mark.parametrize(
    ("query", "field", "detail"),
    [
        ("code=%ff", "code", "not UTF-8 text once percent-decoded"),
        ("code=a%e9b", "code", "not UTF-8 text once percent-decoded"),
        ("%ff=1", "\ufffd", "not UTF-8 text once percent-decoded"),
        ("code=a%00b", "code", "NUL characters are not allowed"),
        ("q=%00", "q", "NUL characters are not allowed"),
        ("co%00de=1", "code", "NUL characters are not allowed"),
    ],
)
def test_a_query_that_is_not_utf8_or_holds_a_nul_is_refused_naming_the_parameter(
    client: httpx.Client, tenant: Tenant, query: str, field: str, detail: str
) -> None:
    resp = client.get(f"/api/v1/projects?{query}", headers=tenant.auth)
    assert _fields(resp) == [field]
    assert resp.json()["errors"][0]["detail"] == detail


def test_utf8_query_values_pass(client: httpx.Client, tenant: Tenant) -> None:
    assert client.get("/api/v1/projects?code=%C3%A9t%C3%A9+1", headers=tenant.auth).status_code == 200
