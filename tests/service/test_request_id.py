"""``X-Request-ID`` on every response: the caller's when it is sane, else a fresh one; a problem's
``request_id`` is the same id."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import httpx
import pytest

from tests.conftest import LiveServer, Tenant
from tests.helpers import PROBLEM_JSON, boom_router

KEYS = "/api/v1/api-keys"
SANE = re.compile(r"^[A-Za-z0-9._:@/+=-]{1,128}$")


@dataclass
class Ctx:
    client: httpx.Client
    tenant: Tenant
    make_tenant: Callable[..., Tenant]
    make_server: Callable[..., LiveServer]


def _ok(ctx: Ctx, headers: dict[str, str]) -> httpx.Response:
    return ctx.client.get(KEYS, headers={**ctx.tenant.auth, **headers})


def _created(ctx: Ctx, headers: dict[str, str]) -> httpx.Response:
    body = {"name": "request id", "scopes": ["read:projects"]}
    return ctx.client.post(KEYS, json=body, headers={**ctx.tenant.auth, **headers})


def _health(ctx: Ctx, headers: dict[str, str]) -> httpx.Response:
    return ctx.client.get("/healthz", headers=headers)


def _bad_request(ctx: Ctx, headers: dict[str, str]) -> httpx.Response:
    return ctx.client.get(KEYS, params={"limit": 0}, headers={**ctx.tenant.auth, **headers})


def _unauthenticated(ctx: Ctx, headers: dict[str, str]) -> httpx.Response:
    return ctx.client.get(KEYS, headers=headers)


def _not_found(ctx: Ctx, headers: dict[str, str]) -> httpx.Response:
    return ctx.client.get("/no-such-page", headers=headers)


def _method_not_allowed(ctx: Ctx, headers: dict[str, str]) -> httpx.Response:
    return ctx.client.put(KEYS, json={}, headers={**ctx.tenant.auth, **headers})


def _too_large(ctx: Ctx, headers: dict[str, str]) -> httpx.Response:
    with ctx.make_server(max_body_bytes=1024).client() as small:
        return small.post(
            KEYS, content=b"x" * 4096, headers={**ctx.tenant.auth, "Content-Type": "application/json", **headers}
        )


def _rate_limited(ctx: Ctx, headers: dict[str, str]) -> httpx.Response:
    limited = ctx.make_tenant(plan="enterprise", rate_limit=1)
    assert ctx.client.get(KEYS, headers=limited.auth).status_code == 200
    return ctx.client.get(KEYS, headers={**limited.auth, **headers})


Request = Callable[[Ctx, dict[str, str]], httpx.Response]
RESPONSES: dict[str, tuple[Request, int]] = {
    "200-list": (_ok, 200),
    "201-create": (_created, 201),
    "200-unauthenticated-route": (_health, 200),
    "400": (_bad_request, 400),
    "401": (_unauthenticated, 401),
    "404": (_not_found, 404),
    "405": (_method_not_allowed, 405),
    "413": (_too_large, 413),
    "429": (_rate_limited, 429),
}


@pytest.fixture
def ctx(
    client: httpx.Client, tenant: Tenant, make_tenant: Callable[..., Tenant], make_server: Callable[..., LiveServer]
) -> Ctx:
    return Ctx(client, tenant, make_tenant, make_server)


def _send(ctx: Ctx, case: str, headers: dict[str, str] | None = None) -> httpx.Response:
    request, status = RESPONSES[case]
    resp = request(ctx, headers or {})
    assert resp.status_code == status, resp.text
    return resp


def _assert_body_matches_header(resp: httpx.Response) -> None:
    if resp.status_code >= 400:
        assert resp.headers["content-type"] == PROBLEM_JSON
        assert resp.json()["request_id"] == resp.headers["x-request-id"]


@pytest.mark.parametrize("case", RESPONSES)
def test_every_response_carries_a_fresh_request_id(ctx: Ctx, case: str) -> None:
    first, second = _send(ctx, case), _send(ctx, case)
    for resp in (first, second):
        assert SANE.match(resp.headers["x-request-id"])
        _assert_body_matches_header(resp)
    assert first.headers["x-request-id"] != second.headers["x-request-id"]


@pytest.mark.parametrize("case", RESPONSES)
def test_a_sane_caller_id_is_echoed(ctx: Ctx, case: str) -> None:
    resp = _send(ctx, case, {"X-Request-ID": "abc-123"})
    assert resp.headers["x-request-id"] == "abc-123"
    _assert_body_matches_header(resp)


@pytest.mark.parametrize(
    "caller_id",
    ["req-" + "a" * 124, "trace:2026/01/31@edge+1=ok.v2_x", "00f067aa0ba902b7"],
    ids=["128-chars", "punctuation", "hex"],
)
def test_sane_ids_of_every_allowed_shape_are_echoed(ctx: Ctx, caller_id: str) -> None:
    for case in ("200-list", "401"):
        assert _send(ctx, case, {"X-Request-ID": caller_id}).headers["x-request-id"] == caller_id


@pytest.mark.parametrize(
    "caller_id",
    ["a" * 129, "has space", 'say "hi"', "it's", "semi;colon", "<script>", "new\tline"],
    ids=["129-chars", "space", "double-quote", "single-quote", "semicolon", "angle-brackets", "tab"],
)
@pytest.mark.parametrize("case", ["200-list", "400", "401", "404"])
def test_an_insane_caller_id_is_replaced(ctx: Ctx, case: str, caller_id: str) -> None:
    resp = _send(ctx, case, {"X-Request-ID": caller_id})
    given = resp.headers["x-request-id"]
    assert given != caller_id and caller_id not in resp.text
    assert SANE.match(given)
    _assert_body_matches_header(resp)


def test_a_500_carries_the_id_in_header_and_body(make_server: Callable[..., LiveServer]) -> None:
    with make_server(extra_routers=[boom_router()]).client() as boom:
        echoed = boom.get("/boom", headers={"X-Request-ID": "abc-123"})
        fresh = boom.get("/boom")
    assert echoed.status_code == fresh.status_code == 500
    assert echoed.headers["x-request-id"] == echoed.json()["request_id"] == "abc-123"
    assert fresh.headers["x-request-id"] == fresh.json()["request_id"]
