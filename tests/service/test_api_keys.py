"""API keys: issue, list, get, revoke; hashing, prefixes, scopes, expiry, tenancy."""

from __future__ import annotations

import hashlib
import time
import uuid
from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy import select

from service.api_keys.models import ApiKey
from service.api_keys.tokens import is_well_formed
from service.db.database import Database
from tests.conftest import Tenant


def _create(client: httpx.Client, tenant: Tenant, **body: object) -> httpx.Response:
    payload = {"name": "integration", "scopes": ["read:projects"], **body}
    return client.post("/api/v1/api-keys", json=payload, headers=tenant.auth)


def test_create_shows_key_once_and_stores_only_its_hash(client: httpx.Client, tenant: Tenant, db: Database) -> None:
    resp = _create(client, tenant, name="Accounting sync", scopes=["read:projects", "write:invoices"])
    assert resp.status_code == 201
    body = resp.json()
    key = body["key"]
    assert key.startswith("jst_live_") and is_well_formed(key)
    assert body["prefix"] == key[len("jst_live_") :][:8]
    assert body["scopes"] == ["read:projects", "write:invoices"]
    assert resp.headers["location"] == f"/api/v1/api-keys/{body['id']}"
    assert resp.headers["cache-control"] == "no-store"

    row = db.read_sync(
        lambda c: c.execute(select(ApiKey.key_hash, ApiKey.key_prefix).where(ApiKey.id == uuid.UUID(body["id"]))).one()
    )
    assert row.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert row.key_prefix == body["prefix"]

    listed = client.get("/api/v1/api-keys", headers=tenant.auth).json()["data"]
    shown = next(item for item in listed if item["id"] == body["id"])
    assert "key" not in shown and "key_hash" not in shown
    fetched = client.get(f"/api/v1/api-keys/{body['id']}", headers=tenant.auth).json()
    assert "key" not in fetched and fetched["prefix"] == body["prefix"]


def test_new_key_authenticates_with_exactly_its_scopes(client: httpx.Client, tenant: Tenant) -> None:
    key = _create(client, tenant, scopes=["read:api_keys"]).json()["key"]
    headers = {"Authorization": f"Bearer {key}"}
    assert client.get("/api/v1/api-keys", headers=headers).status_code == 200
    denied = client.post("/api/v1/api-keys", json={"name": "x", "scopes": ["read:projects"]}, headers=headers)
    assert denied.status_code == 403
    assert denied.headers["content-type"] == "application/problem+json"
    assert denied.json()["required_scope"] == "write:api_keys"
    assert 'error="insufficient_scope"' in denied.headers["www-authenticate"]


def test_write_scope_implies_read(client: httpx.Client, tenant: Tenant) -> None:
    key = _create(client, tenant, scopes=["write:api_keys"]).json()["key"]
    assert client.get("/api/v1/api-keys", headers={"Authorization": f"Bearer {key}"}).status_code == 200


def test_a_key_cannot_grant_scopes_it_lacks(client: httpx.Client, make_tenant) -> None:
    tenant = make_tenant(scopes=["write:api_keys"])
    resp = _create(client, tenant, scopes=["write:invoices"])
    assert resp.status_code == 400
    assert resp.json()["errors"] == [{"field": "scopes", "detail": "the calling key does not hold: write:invoices"}]


def test_unknown_scopes_are_named(client: httpx.Client, tenant: Tenant) -> None:
    resp = _create(client, tenant, scopes=["read:projects", "fly:drones"])
    assert resp.status_code == 400
    assert "fly:drones" in resp.json()["errors"][0]["detail"]


def test_revoked_key_stops_working_at_once(client: httpx.Client, tenant: Tenant) -> None:
    created = _create(client, tenant, scopes=["read:api_keys"]).json()
    headers = {"Authorization": f"Bearer {created['key']}"}
    assert client.get("/api/v1/api-keys", headers=headers).status_code == 200  # now cached
    assert client.delete(f"/api/v1/api-keys/{created['id']}", headers=tenant.auth).status_code == 204
    resp = client.get("/api/v1/api-keys", headers=headers)
    assert resp.status_code == 401
    assert resp.json()["detail"] == "the API key has been revoked"
    assert resp.headers["www-authenticate"].startswith("Bearer")
    shown = client.get(f"/api/v1/api-keys/{created['id']}", headers=tenant.auth).json()
    assert shown["is_active"] is False and shown["revoked_at"] is not None
    # revoking again changes nothing
    assert client.delete(f"/api/v1/api-keys/{created['id']}", headers=tenant.auth).status_code == 204


def test_expired_key_is_refused(client: httpx.Client, tenant: Tenant, db: Database) -> None:
    created = _create(client, tenant, scopes=["read:api_keys"]).json()
    soon = datetime.now(UTC) + timedelta(seconds=1)
    db.write_sync(lambda s: s.get_one(ApiKey, uuid.UUID(created["id"])).__setattr__("expires_at", soon))
    time.sleep(1.2)
    resp = client.get("/api/v1/api-keys", headers={"Authorization": f"Bearer {created['key']}"})
    assert resp.status_code == 401
    assert resp.json()["detail"] == "the API key has expired"


def test_expires_at_must_be_in_the_future_and_zoned(client: httpx.Client, tenant: Tenant) -> None:
    past = _create(client, tenant, expires_at="2020-01-01T00:00:00Z")
    assert past.status_code == 400 and past.json()["errors"][0]["field"] == "expires_at"
    naive = _create(client, tenant, expires_at="2099-01-01T00:00:00")
    assert naive.status_code == 400 and naive.json()["errors"][0]["field"] == "expires_at"
    later = _create(client, tenant, expires_at="2099-01-01T00:00:00+02:00")
    assert later.status_code == 201
    assert later.json()["expires_at"] == "2098-12-31T22:00:00Z"


def test_another_builders_key_is_not_found(client: httpx.Client, make_tenant) -> None:
    alice, bob = make_tenant(), make_tenant()
    bobs = _create(client, bob).json()
    assert client.get(f"/api/v1/api-keys/{bobs['id']}", headers=alice.auth).status_code == 404
    resp = client.delete(f"/api/v1/api-keys/{bobs['id']}", headers=alice.auth)
    assert resp.status_code == 404
    assert resp.headers["content-type"] == "application/problem+json"
    assert all(item["id"] != bobs["id"] for item in client.get("/api/v1/api-keys", headers=alice.auth).json()["data"])
    # and Bob's key still authenticates (it holds read:projects, so listing keys is a 403, not a 401)
    assert client.get("/api/v1/api-keys", headers={"Authorization": f"Bearer {bobs['key']}"}).status_code == 403


def test_bad_credentials_are_401_problems(client: httpx.Client, tenant: Tenant) -> None:
    flipped = tenant.key[:-1] + ("A" if tenant.key[-1] != "A" else "B")
    unknown_but_well_formed = "jst_live_" + "0" * 30 + tenant.key[-6:]
    for header in (
        "Bearer garbage",
        f"Bearer {flipped}",
        f"Bearer {unknown_but_well_formed}",
        "Basic dXNlcjpwYXNz",
        "Bearer",
    ):
        resp = client.get("/api/v1/api-keys", headers={"Authorization": header})
        assert resp.status_code == 401, header
        assert resp.headers["content-type"] == "application/problem+json"
        assert resp.headers["www-authenticate"].startswith("Bearer")
        assert tenant.key not in resp.text
    missing = client.get("/api/v1/api-keys")
    assert missing.status_code == 401
    assert missing.headers["www-authenticate"] == "Bearer"


def test_credentials_in_the_query_string_are_refused(client: httpx.Client, tenant: Tenant) -> None:
    resp = client.get("/api/v1/api-keys", params={"access_token": tenant.key})
    assert resp.status_code == 400
    assert "query string" in resp.json()["detail"]


def test_last_used_at_is_written_at_most_once_a_minute(client: httpx.Client, tenant: Tenant, db: Database) -> None:
    def last_used() -> datetime | None:
        return db.read_sync(
            lambda c: c.execute(select(ApiKey.last_used_at).where(ApiKey.builder_id == tenant.builder_id)).scalar_one()
        )

    assert last_used() is None
    client.get("/api/v1/api-keys", headers=tenant.auth)
    first = last_used()
    assert first is not None
    for _ in range(5):
        client.get("/api/v1/api-keys", headers=tenant.auth)
    assert last_used() == first


def test_per_key_rate_limit_is_for_enterprise_only(client: httpx.Client, make_tenant) -> None:
    pro = make_tenant(plan="professional")
    resp = _create(client, pro, rate_limit=5000)
    assert resp.status_code == 400 and resp.json()["errors"][0]["field"] == "rate_limit"
    ent = make_tenant(plan="enterprise")
    created = _create(client, ent, rate_limit=5000)
    assert created.status_code == 201 and created.json()["rate_limit"] == 5000


def test_list_filters_by_state_and_creation_time(client: httpx.Client, tenant: Tenant) -> None:
    first = _create(client, tenant, name="first").json()
    second = _create(client, tenant, name="second").json()
    client.delete(f"/api/v1/api-keys/{first['id']}", headers=tenant.auth)
    active = client.get("/api/v1/api-keys", params={"is_active": "false"}, headers=tenant.auth).json()["data"]
    assert [k["id"] for k in active] == [first["id"]]
    after = client.get("/api/v1/api-keys", params={"created_after": first["created_at"]}, headers=tenant.auth).json()[
        "data"
    ]
    assert [k["id"] for k in after] == [second["id"]]
    naive = client.get("/api/v1/api-keys", params={"created_after": "2026-01-01T00:00:00"}, headers=tenant.auth)
    assert naive.status_code == 400 and naive.json()["errors"][0]["field"] == "created_after"


def test_a_key_cannot_mint_a_faster_or_longer_lived_key(client: httpx.Client, make_tenant) -> None:
    tenant = make_tenant(plan="enterprise", scopes=["write:api_keys", "read:projects"], rate_limit=50)
    faster = _create(client, tenant, rate_limit=1000)
    assert faster.status_code == 400
    assert faster.json()["errors"][0]["field"] == "rate_limit"
    assert _create(client, tenant, rate_limit=50).status_code == 201

    parent = _create(client, tenant, scopes=["write:api_keys", "read:projects"], expires_at="2030-01-01T00:00:00Z")
    parent_auth = {"Authorization": f"Bearer {parent.json()['key']}"}
    child = client.post("/api/v1/api-keys", json={"name": "child", "scopes": ["read:projects"]}, headers=parent_auth)
    assert child.status_code == 201
    assert child.json()["expires_at"] == "2030-01-01T00:00:00Z"  # inherited, not unlimited
    later = client.post(
        "/api/v1/api-keys",
        json={"name": "later", "scopes": ["read:projects"], "expires_at": "2031-01-01T00:00:00Z"},
        headers=parent_auth,
    )
    assert later.status_code == 400
    assert later.json()["errors"][0]["field"] == "expires_at"
