"""Plan rate limits per credential per minute, in process and shared through Redis."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import httpx
import pytest
import redis

from tests.conftest import LiveServer, Tenant

REDIS_URL = "redis://127.0.0.1:6379/15"


def test_every_authenticated_response_carries_the_headers(client: httpx.Client, make_tenant) -> None:
    tenant = make_tenant(plan="business")
    ok = client.get("/api/v1/api-keys", headers=tenant.auth)
    assert ok.headers["ratelimit-limit"] == "2000"
    assert int(ok.headers["ratelimit-remaining"]) == 1999
    assert 0 <= int(ok.headers["ratelimit-reset"]) <= 60
    not_found = client.get(f"/api/v1/api-keys/{uuid.uuid4()}", headers=tenant.auth)
    assert not_found.status_code == 404
    assert not_found.headers["ratelimit-remaining"] == "1998"
    anonymous = client.get("/healthz")
    assert "ratelimit-limit" not in anonymous.headers


@pytest.mark.parametrize(("plan", "limit"), [("starter", 100), ("professional", 500)])
def test_plan_limits_end_in_429_with_retry_after(client: httpx.Client, make_tenant, plan: str, limit: int) -> None:
    tenant = make_tenant(plan=plan)
    statuses = [client.get("/api/v1/api-keys?limit=1", headers=tenant.auth).status_code for _ in range(limit)]
    assert statuses == [200] * limit
    over = client.get("/api/v1/api-keys?limit=1", headers=tenant.auth)
    assert over.status_code == 429
    assert over.headers["content-type"] == "application/problem+json"
    assert over.headers["ratelimit-limit"] == str(limit)
    assert over.headers["ratelimit-remaining"] == "0"
    assert 1 <= int(over.headers["retry-after"]) <= 60
    assert f"{limit} requests per minute" in over.json()["detail"]


def test_limits_are_per_credential(client: httpx.Client, make_tenant) -> None:
    tenant = make_tenant(plan="starter")
    other = client.post(
        "/api/v1/api-keys", json={"name": "second", "scopes": ["read:api_keys"]}, headers=tenant.auth
    ).json()["key"]
    for _ in range(99):
        client.get("/api/v1/api-keys?limit=1", headers=tenant.auth)
    assert client.get("/api/v1/api-keys?limit=1", headers=tenant.auth).status_code == 429
    fresh = client.get("/api/v1/api-keys?limit=1", headers={"Authorization": f"Bearer {other}"})
    assert fresh.status_code == 200 and fresh.headers["ratelimit-remaining"] == "99"


def test_enterprise_keys_use_their_own_limit(client: httpx.Client, make_tenant) -> None:
    tenant = make_tenant(plan="enterprise", rate_limit=3)
    assert [client.get("/api/v1/api-keys", headers=tenant.auth).status_code for _ in range(4)] == [200, 200, 200, 429]


@pytest.fixture
def redis_servers(make_server) -> Iterator[tuple[LiveServer, LiveServer]]:
    client = redis.Redis.from_url(REDIS_URL)
    client.flushdb()
    yield make_server(redis_url=REDIS_URL), make_server(redis_url=REDIS_URL)
    client.flushdb()


def test_redis_shares_counters_between_instances(redis_servers, make_tenant) -> None:
    tenant: Tenant = make_tenant(plan="enterprise", rate_limit=10)
    first, second = redis_servers
    with first.client() as a, second.client() as b:
        answers = [(a if i % 2 else b).get("/api/v1/api-keys", headers=tenant.auth) for i in range(10)]
        assert [r.status_code for r in answers] == [200] * 10
        assert answers[-1].headers["ratelimit-remaining"] == "0"
        assert a.get("/api/v1/api-keys", headers=tenant.auth).status_code == 429
        assert b.get("/api/v1/api-keys", headers=tenant.auth).status_code == 429
    assert redis.Redis.from_url(REDIS_URL).dbsize() > 0  # the counters really live in Redis


def test_unreachable_redis_falls_back_to_local_limits(make_server, make_tenant) -> None:
    live = make_server(redis_url="redis://127.0.0.1:1/0")
    tenant = make_tenant(plan="enterprise", rate_limit=2)
    with live.client() as c:
        assert [c.get("/api/v1/api-keys", headers=tenant.auth).status_code for _ in range(3)] == [200, 200, 429]
