"""Supplier and manufacturer organisations: created and keyed through the CLI, authenticated by
the same middleware as builders, and kept apart from builders' endpoints (and the reverse)."""

from __future__ import annotations

import uuid

import httpx

from service.db.database import Database
from tests.conftest import Tenant
from tests.helpers import assert_problem
from tests.service.feed_helpers import make_org
from tests.service.test_cli import joist

CSV = b"supplier_sku,name,order_uom,unit_price,currency,price_region\nA1,Stud,EA,4.10,USD,*\n"


def test_cli_creates_an_org_and_its_key_which_can_push(cli_env: dict[str, str], client: httpx.Client) -> None:
    slug = f"cli-sup-{uuid.uuid4().hex[:8]}"
    created = joist(cli_env, "orgs", "create", "--kind", "supplier", "--slug", slug, "--name", "Front Range")
    assert slug in created.stdout and "supplier" in created.stdout
    out = joist(cli_env, "api-keys", "create", "--org", slug, "--name", "push", "--scopes", "write:catalog")
    key = out.stdout.strip().splitlines()[-1]
    assert key.startswith("jst_live_")
    resp = client.post(
        "/api/v1/suppliers/catalog",
        content=CSV,
        headers={"Authorization": f"Bearer {key}", "Content-Type": "text/csv"},
    )
    assert resp.status_code == 202, resp.text
    assert resp.json()["source"] == slug
    assert resp.headers["ratelimit-limit"] == "600"


def test_cli_refuses_bad_org_and_key_requests(cli_env: dict[str, str]) -> None:
    slug = f"cli-mfr-{uuid.uuid4().hex[:8]}"
    joist(cli_env, "orgs", "create", "--kind", "manufacturer", "--slug", slug, "--name", "Mueller")
    again = joist(cli_env, "orgs", "create", "--kind", "manufacturer", "--slug", slug, "--name", "X", check=False)
    assert again.returncode != 0 and "already exists" in again.stderr
    kind = joist(cli_env, "orgs", "create", "--kind", "lender", "--slug", "x", "--name", "X", check=False)
    assert kind.returncode != 0
    both = joist(
        cli_env, "api-keys", "create", "--org", slug, "--builder", "b", "--name", "n", "--scopes", "x", check=False
    )
    assert both.returncode != 0 and "exactly one of --builder and --org" in both.stderr
    neither = joist(cli_env, "api-keys", "create", "--name", "n", "--scopes", "write:catalog", check=False)
    assert neither.returncode != 0 and "exactly one" in neither.stderr
    scope = joist(cli_env, "api-keys", "create", "--org", slug, "--name", "n", "--scopes", "read:projects", check=False)
    assert scope.returncode != 0 and "write:catalog" in scope.stderr
    unknown = joist(
        cli_env, "api-keys", "create", "--org", "nope", "--name", "n", "--scopes", "write:catalog", check=False
    )
    assert unknown.returncode != 0 and "no organisation" in unknown.stderr


def test_builder_endpoints_refuse_org_keys(client: httpx.Client, db: Database) -> None:
    org = make_org(db)
    for method, path in (
        ("GET", "/api/v1/projects"),
        ("GET", "/api/v1/api-keys"),
        ("GET", "/api/v1/catalog/products"),
        ("GET", "/api/v1/deals"),
        ("POST", "/api/v1/projects"),
    ):
        resp = client.request(method, path, headers=org.auth, json={"name": "x"} if method == "POST" else None)
        body = assert_problem(resp, 403)
        assert body["type"].endswith(":wrong-account"), body
        assert body["required_account"] == "builder" and body["account"] == "supplier"


def test_org_endpoints_refuse_builder_keys_and_the_other_kind(
    client: httpx.Client, db: Database, tenant: Tenant
) -> None:
    supplier, manufacturer = make_org(db, "supplier"), make_org(db, "manufacturer")
    csv = {"Content-Type": "text/csv"}
    for auth, path in (
        (tenant.auth, "/api/v1/suppliers/catalog"),
        (tenant.auth, "/api/v1/manufacturers/feed"),
        (supplier.auth, "/api/v1/manufacturers/feed"),
        (manufacturer.auth, "/api/v1/suppliers/catalog"),
    ):
        body = assert_problem(client.post(path, content=CSV, headers=auth | csv), 403)
        assert body["type"].endswith(":wrong-account"), (path, body)
    assert_problem(client.get("/api/v1/feed-submissions", headers=tenant.auth), 403)
    assert client.get("/api/v1/feed-submissions", headers=manufacturer.auth).status_code == 200
    assert_problem(client.post("/api/v1/suppliers/catalog", content=CSV, headers=csv), 401)


def test_a_revoked_or_unknown_org_key_is_401(client: httpx.Client, db: Database) -> None:
    from sqlalchemy import update

    from service.orgs.models import OrgApiKey

    org = make_org(db)
    db.write_sync(lambda s: s.execute(update(OrgApiKey).where(OrgApiKey.org_id == org.org_id).values(is_active=False)))
    resp = client.get("/api/v1/feed-submissions", headers=org.auth)
    assert_problem(resp, 401)
    assert "Bearer" in resp.headers["www-authenticate"]
