"""``HEAD`` on every ``GET`` route: the status and headers ``GET`` would get, no body, with the
credential, scope, query and rate-limit checks of ``GET``; ``Allow`` lists it beside ``GET``."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import anyio
import httpx
import pytest

from tests.conftest import LiveServer, Tenant
from tests.helpers import PROBLEM_JSON, assert_problem

KEYS = "/api/v1/api-keys"
# Headers that may differ between two requests a moment apart (the rate-limit count is checked apart).
_MOMENTARY = {"date", "ratelimit-remaining", "ratelimit-reset"}


def _comparable(resp: httpx.Response) -> dict[str, str]:
    return {name: value for name, value in resp.headers.items() if name not in _MOMENTARY}


def _get_then_head(client: httpx.Client, path: str, headers: dict[str, str]) -> tuple[httpx.Response, httpx.Response]:
    same_id = {"X-Request-ID": f"head-{uuid.uuid4().hex}", **headers}
    return client.get(path, headers=same_id), client.head(path, headers=same_id)


Case = Callable[[Tenant, Callable[..., Tenant]], tuple[str, dict[str, str]]]
CASES: dict[str, Case] = {
    "health": lambda tenant, make: ("/healthz", {}),
    "openapi": lambda tenant, make: ("/api/v1/openapi.json", {}),
    "console": lambda tenant, make: ("/api/docs", {}),
    "list": lambda tenant, make: (f"{KEYS}?limit=1", tenant.auth),
    "one": lambda tenant, make: (f"{KEYS}/{uuid.uuid4()}", tenant.auth),  # 404 problem
    "bad-query": lambda tenant, make: (f"{KEYS}?limit=0", tenant.auth),  # 400 problem
    "unknown-param": lambda tenant, make: (f"{KEYS}?colour=red", tenant.auth),  # 400 problem
    "no-credential": lambda tenant, make: (KEYS, {}),  # 401 problem
    "bad-credential": lambda tenant, make: (KEYS, {"Authorization": "Bearer jst_live_nope"}),  # 401
    "no-scope": lambda tenant, make: (KEYS, make(scopes=["read:projects"]).auth),  # 403 problem
    "catalog": lambda tenant, make: ("/api/v1/catalog/products?q=pipe", tenant.auth),  # 503: nothing published
    "unknown-path": lambda tenant, make: ("/api/v1/no-such-thing", tenant.auth),  # 404 problem
}


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_head_gets_what_get_gets_without_the_body(
    client: httpx.Client, tenant: Tenant, make_tenant: Callable[..., Tenant], case: Case
) -> None:
    path, headers = case(tenant, make_tenant)
    got, head = _get_then_head(client, path, headers)
    assert head.status_code == got.status_code, (got.text, head.headers)
    assert head.content == b""
    assert got.content  # so the Content-Length below is the body's, not an empty one's
    assert head.headers["content-length"] == str(len(got.content))
    assert _comparable(head) == _comparable(got)
    if "ratelimit-remaining" in got.headers:  # authenticated: HEAD is counted like GET
        assert int(head.headers["ratelimit-remaining"]) == int(got.headers["ratelimit-remaining"]) - 1


def test_head_is_refused_or_limited_exactly_like_get(client: httpx.Client, make_tenant: Callable[..., Tenant]) -> None:
    unauthenticated = client.head(KEYS)
    assert unauthenticated.status_code == 401
    assert unauthenticated.headers["www-authenticate"] == "Bearer"
    assert unauthenticated.headers["content-type"] == PROBLEM_JSON
    limited = make_tenant(plan="enterprise", rate_limit=1)
    assert client.head(KEYS, headers=limited.auth).status_code == 200
    over = client.head(KEYS, headers=limited.auth)
    assert over.status_code == 429 and over.content == b""
    assert over.headers["retry-after"] and over.headers["ratelimit-remaining"] == "0"
    assert_problem(client.get(KEYS, headers=limited.auth), 429)  # the HEADs used the minute up


def test_allow_lists_head_where_get_is_allowed(client: httpx.Client, tenant: Tenant) -> None:
    put = client.put(KEYS, json={}, headers=tenant.auth)
    assert_problem(put, 405)
    allowed = {m.strip() for m in put.headers["allow"].split(",")}
    assert {"GET", "HEAD", "POST"} <= allowed and "PUT" not in allowed
    # Where there is no GET there is no HEAD: a push endpoint takes only POST.
    push = client.head("/api/v1/suppliers/catalog", headers=tenant.auth)
    assert push.status_code == 405 and push.content == b""
    assert push.headers["content-type"] == PROBLEM_JSON
    assert "HEAD" not in push.headers["allow"] and "GET" not in push.headers["allow"]


def test_head_is_not_a_second_operation_in_the_openapi_document(client: httpx.Client) -> None:
    spec: dict[str, Any] = client.get("/api/v1/openapi.json").json()
    assert not [path for path, item in spec["paths"].items() if "head" in item]
    assert "HEAD" in spec["info"]["description"]


async def _asgi(app: Any, method: str, path: str) -> tuple[int, dict[bytes, bytes], bytes]:
    """Call the app directly and collect what it sends: a server may drop a HEAD body itself
    (uvicorn does), so only this shows that Joist sends none."""
    messages: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        messages.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"testserver")],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 80),
    }
    await app(scope, receive, send)
    start, *body = messages
    return start["status"], dict(start["headers"]), b"".join(m.get("body", b"") for m in body)


@pytest.mark.parametrize(("path", "status"), [("/healthz", 200), ("/api/v1/openapi.json", 200), (KEYS, 401)])
def test_the_app_itself_sends_no_body_for_head(server: LiveServer, path: str, status: int) -> None:
    got = anyio.run(_asgi, server.app, "GET", path)
    head = anyio.run(_asgi, server.app, "HEAD", path)
    assert got[0] == head[0] == status
    assert got[2] and head[2] == b""
    assert head[1][b"content-length"] == str(len(got[2])).encode()


@pytest.mark.parametrize(
    ("path", "methods"),
    [
        (KEYS, {"GET", "HEAD", "OPTIONS", "POST"}),  # a controller's list and create on one path
        (f"{KEYS}/{uuid.UUID(int=0)}", {"DELETE", "GET", "HEAD", "OPTIONS"}),
        ("/api/v1/projects", {"GET", "HEAD", "OPTIONS", "POST"}),
        ("/api/v1/catalog/products", {"GET", "HEAD", "OPTIONS"}),
        ("/healthz", {"GET", "HEAD", "OPTIONS"}),
    ],
)
def test_options_lists_every_method_of_the_path(client: httpx.Client, path: str, methods: set[str]) -> None:
    resp = client.options(path)
    assert resp.status_code == 204
    assert {m.strip() for m in resp.headers["allow"].split(",")} == methods
    refused = client.request("PATCH" if "PATCH" not in methods else "PUT", path)
    assert_problem(refused, 405)
    assert {m.strip() for m in refused.headers["allow"].split(",")} == methods
