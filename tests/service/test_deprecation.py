"""Routes of a version on its way out carry ``Deprecation`` (RFC 9745), ``Sunset`` (RFC 8594) and
``Link: <guide>; rel="deprecation"``; current /api/v1 routes carry none of them."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import httpx
import pytest
from litestar import Router, get

from service.http.deprecation import Deprecation
from tests.conftest import LiveServer, Tenant

GUIDE = "https://docs.joist.example/api/v2-migration"
DEPRECATION = Deprecation(
    deprecated_at=datetime(2026, 1, 15, 9, 30, 15, tzinfo=UTC),
    sunset_at=datetime(2027, 1, 15, 0, 0, tzinfo=UTC),
    migration_guide=GUIDE,
)
IMF_FIXDATE = re.compile(
    r"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} "
    r"\d{2}:\d{2}:\d{2} GMT$"
)
HEADERS = ("deprecation", "sunset", "link")


def _old_version() -> Router:
    @get("/widgets", sync_to_thread=False)
    def widgets() -> dict[str, list[str]]:
        return {"data": ["w1"]}

    return Router(path="/api/v0", route_handlers=[widgets], opt={"deprecation": DEPRECATION})


@pytest.fixture
def old_api(make_server: Callable[..., LiveServer]) -> Iterator[httpx.Client]:
    """A server with the deprecated /api/v0 router next to the current API."""
    with make_server(extra_routers=[_old_version()]).client() as client:
        yield client


def _assert_deprecated(resp: httpx.Response) -> None:
    assert resp.headers["deprecation"] == f"@{int(DEPRECATION.deprecated_at.timestamp())}"
    assert resp.headers["deprecation"] == "@1768469415"

    sunset = resp.headers["sunset"]
    assert IMF_FIXDATE.match(sunset), sunset
    assert parsedate_to_datetime(sunset) == DEPRECATION.sunset_at

    link = resp.headers["link"]
    target, _, params = link.partition(";")
    assert target.strip() == f"<{GUIDE}>"
    assert 'rel="deprecation"' in [p.strip() for p in params.split(";")]


def test_a_deprecated_route_announces_deprecation_sunset_and_guide(old_api: httpx.Client) -> None:
    resp = old_api.get("/api/v0/widgets")
    assert resp.status_code == 200
    assert resp.json() == {"data": ["w1"]}
    _assert_deprecated(resp)


def test_a_deprecated_routes_errors_announce_it_too(old_api: httpx.Client) -> None:
    resp = old_api.get("/api/v0/widgets", params={"colour": "red"})
    assert resp.status_code == 400
    _assert_deprecated(resp)


def test_current_routes_carry_no_deprecation_headers(old_api: httpx.Client, tenant: Tenant) -> None:
    responses = [
        old_api.get("/api/v1/api-keys", headers=tenant.auth),
        old_api.post("/api/v1/api-keys", json={"name": "current", "scopes": ["read:projects"]}, headers=tenant.auth),
        old_api.get("/api/v1/api-keys"),
        old_api.get("/api/v1/api-keys", params={"limit": 0}, headers=tenant.auth),
        old_api.get("/api/v1/openapi.json"),
        old_api.get("/healthz"),
    ]
    assert [r.status_code for r in responses] == [200, 201, 401, 400, 200, 200]
    for resp in responses:
        assert not [h for h in HEADERS if h in resp.headers], (resp.request.url, resp.headers)
