"""Supplier and manufacturer organisations: created and keyed through the CLI, authenticated by
the same middleware as builders, and kept apart from builders' endpoints (and the reverse)."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from service.db.database import Database
from service.settings import Settings
from tests.conftest import LiveServer, Tenant
from tests.helpers import assert_problem
from tests.service.feed_helpers import Org, make_org
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


def test_a_manufacturer_push_carries_the_names_it_may_publish_under(
    cli_env: dict[str, str], client: httpx.Client, settings: Settings
) -> None:
    """Its own name by default, the names an operator sets with `orgs set-makes` after that; the
    pipeline checks the feed's rows against them (manufacturer_of_source). A supplier's push
    carries none, and a supplier cannot be given any."""
    slug = f"cli-mfr-{uuid.uuid4().hex[:8]}"
    joist(cli_env, "orgs", "create", "--kind", "manufacturer", "--slug", slug, "--name", "Zeta Doors")
    key = joist(cli_env, "api-keys", "create", "--org", slug, "--name", "push", "--scopes", "write:catalog")
    auth = {"Authorization": f"Bearer {key.stdout.strip().splitlines()[-1]}"}
    feed = {"records": [{"manufacturer": "Zeta Doors", "model_number": "Z-1", "name": "Door", "list_price": "9.99",
                         "currency": "USD"}]}  # fmt: skip

    def makes() -> object:
        resp = client.post("/api/v1/manufacturers/feed", json=feed, headers=auth)
        assert resp.status_code == 202, resp.text
        manifest = json.loads((settings.data_dir / "landing" / resp.json()["id"] / "submission.json").read_text())
        return manifest.get("makes")

    assert makes() == ["Zeta Doors"]
    out = joist(cli_env, "orgs", "set-makes", "--slug", slug, "--make", "Zeta Doors", "--make", "Zeta Millwork")
    assert out.stdout.split("\n")[:2] == ["Zeta Doors", "Zeta Millwork"]
    assert makes() == ["Zeta Doors", "Zeta Millwork"]

    supplier = f"cli-sup-{uuid.uuid4().hex[:8]}"
    create = ["orgs", "create", "--kind", "supplier", "--slug", supplier, "--name", "S"]
    refused = joist(cli_env, *create, "--make", "Zeta", check=False)
    assert refused.returncode != 0 and "only a manufacturer" in refused.stderr
    joist(cli_env, *create)
    again = joist(cli_env, "orgs", "set-makes", "--slug", supplier, "--make", "Zeta", check=False)
    assert again.returncode != 0 and "only a manufacturer" in again.stderr
    blank = joist(cli_env, "orgs", "set-makes", "--slug", slug, "--make", " -- ", check=False)
    assert blank.returncode != 0 and "not a manufacturer name" in blank.stderr
    key = joist(cli_env, "api-keys", "create", "--org", supplier, "--name", "push", "--scopes", "write:catalog")
    pushed = client.post(
        "/api/v1/suppliers/catalog",
        content=CSV,
        headers={"Authorization": f"Bearer {key.stdout.strip().splitlines()[-1]}", "Content-Type": "text/csv"},
    )
    assert pushed.status_code == 202, pushed.text
    manifest = json.loads((settings.data_dir / "landing" / pushed.json()["id"] / "submission.json").read_text())
    assert "makes" not in manifest


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


# -- an organisation's own keys: /api/v1/org/api-keys and the CLI -------------------------------

ORG_KEYS = "/api/v1/org/api-keys"
SUBMISSIONS = "/api/v1/feed-submissions"


def _issue(db: Database, org: Org, scopes: list[str], name: str = "admin") -> tuple[str, dict[str, str]]:
    """Another key of ``org``: its id and its Authorization header."""
    from service.orgs.models import Organisation
    from service.orgs.services import issue_org_key

    def work(session: Any) -> tuple[str, str]:
        row, key = issue_org_key(session, session.get_one(Organisation, org.org_id), name=name, scopes=scopes)
        return str(row.id), key

    key_id, key = db.write_sync(work)
    return key_id, {"Authorization": f"Bearer {key}"}


def _push_key_id(client: httpx.Client, org: Org, admin: dict[str, str]) -> str:
    listed = client.get(ORG_KEYS, params={"limit": 100}, headers=admin).json()["data"]
    return str(next(k["id"] for k in listed if k["prefix"] == org.key[len("jst_live_") :][:8]))


def _push(client: httpx.Client, auth: dict[str, str]) -> httpx.Response:
    return client.post("/api/v1/suppliers/catalog", content=CSV, headers=auth | {"Content-Type": "text/csv"})


def test_an_org_lists_and_reads_its_own_keys(client: httpx.Client, db: Database) -> None:
    org = make_org(db)
    admin_id, admin = _issue(db, org, ["write:api_keys"])
    resp = client.get(ORG_KEYS, headers=admin)
    assert resp.status_code == 200, resp.text
    assert resp.headers["ratelimit-limit"] == "600"
    keys = resp.json()["data"]
    assert [k["name"] for k in keys] == ["admin", "push key"]  # newest first
    assert [k["scopes"] for k in keys] == [["write:api_keys"], ["write:catalog"]]
    assert keys[1]["prefix"] == org.key[len("jst_live_") :][:8]
    assert all(k["is_active"] and k["revoked_at"] is None and k["rate_limit"] == 600 for k in keys)
    assert not [k for k in keys if set(k) & {"key", "key_hash"}]
    first = client.get(ORG_KEYS, params={"limit": 1}, headers=admin).json()
    rest = client.get(ORG_KEYS, params={"limit": 1, "cursor": first["next_cursor"]}, headers=admin).json()
    assert [k["id"] for k in first["data"] + rest["data"]] == [k["id"] for k in keys]
    assert rest["next_cursor"] is None
    assert client.get(ORG_KEYS, params={"is_active": "false"}, headers=admin).json()["data"] == []
    assert client.get(f"{ORG_KEYS}/{admin_id}", headers=admin).json() == keys[0]
    unknown = assert_problem(client.get(ORG_KEYS, params={"colour": "red"}, headers=admin), 400)
    assert unknown["errors"][0]["field"] == "colour"


def test_org_key_endpoints_need_the_scope_and_an_org_key(client: httpx.Client, db: Database, tenant: Tenant) -> None:
    org = make_org(db)
    reader_id, reader = _issue(db, org, ["read:api_keys"], name="reader")
    assert client.get(ORG_KEYS, headers=reader).status_code == 200
    for auth, method, path, scope in (
        (org.auth, "GET", ORG_KEYS, "read:api_keys"),  # the push key holds only write:catalog
        (reader, "DELETE", f"{ORG_KEYS}/{reader_id}", "write:api_keys"),
    ):
        body = assert_problem(client.request(method, path, headers=auth), 403)
        assert body["required_scope"] == scope, body
    builder = assert_problem(client.get(ORG_KEYS, headers=tenant.auth), 403)  # the tenant's key holds every scope
    assert builder["type"].endswith(":wrong-account") and builder["required_account"] == "org"
    assert_problem(client.get(ORG_KEYS), 401)
    assert_problem(client.get("/api/v1/api-keys", headers=reader), 403)  # and the builders' list is not theirs


def test_a_revoked_org_key_is_refused_at_once(client: httpx.Client, db: Database) -> None:
    org = make_org(db)
    admin_id, admin = _issue(db, org, ["write:api_keys"])
    push_id = _push_key_id(client, org, admin)
    assert client.get(SUBMISSIONS, headers=org.auth).status_code == 200  # the key is now cached
    revoked = client.delete(f"{ORG_KEYS}/{push_id}", headers=admin)
    assert (revoked.status_code, revoked.content) == (204, b"")
    for resp in (client.get(SUBMISSIONS, headers=org.auth), _push(client, org.auth)):
        assert assert_problem(resp, 401)["detail"] == "the API key has been revoked"
        assert resp.headers["www-authenticate"].startswith("Bearer")
    shown = client.get(f"{ORG_KEYS}/{push_id}", headers=admin).json()
    assert shown["is_active"] is False and shown["revoked_at"] is not None
    assert client.delete(f"{ORG_KEYS}/{push_id}", headers=admin).status_code == 204  # again: nothing changes
    assert client.get(f"{ORG_KEYS}/{push_id}", headers=admin).json() == shown
    assert [k["id"] for k in client.get(ORG_KEYS, params={"is_active": "false"}, headers=admin).json()["data"]] == [
        push_id
    ]
    # A key may revoke itself; its next request is refused.
    assert client.delete(f"{ORG_KEYS}/{admin_id}", headers=admin).status_code == 204
    assert_problem(client.get(ORG_KEYS, headers=admin), 401)


def test_another_accounts_key_is_not_found(client: httpx.Client, db: Database, tenant: Tenant) -> None:
    from sqlalchemy import select

    from service.api_keys.models import ApiKey

    mine, theirs = make_org(db), make_org(db, "manufacturer")
    _, admin = _issue(db, mine, ["write:api_keys"])
    _, their_admin = _issue(db, theirs, ["read:api_keys"])
    their_key = _push_key_id(client, theirs, their_admin)
    builder_key = db.read_sync(
        lambda c: c.execute(select(ApiKey.id).where(ApiKey.builder_id == tenant.builder_id)).scalar_one()
    )
    for key_id in (their_key, str(builder_key), str(uuid.uuid4())):
        assert_problem(client.get(f"{ORG_KEYS}/{key_id}", headers=admin), 404)
        assert_problem(client.delete(f"{ORG_KEYS}/{key_id}", headers=admin), 404)
    assert client.get(SUBMISSIONS, headers=theirs.auth).status_code == 200  # still working
    assert client.get("/api/v1/api-keys", headers=tenant.auth).status_code == 200
    listed = client.get(ORG_KEYS, headers=admin).json()["data"]
    assert their_key not in {k["id"] for k in listed}


def test_a_revocation_reaches_other_instances_within_their_cache_time(
    client: httpx.Client, db: Database, make_server: Callable[..., LiveServer]
) -> None:
    org = make_org(db)
    _, admin = _issue(db, org, ["write:api_keys"])
    push_id = _push_key_id(client, org, admin)
    with make_server(auth_cache_seconds=1).client() as other:
        assert other.get(SUBMISSIONS, headers=org.auth).status_code == 200  # cached over there
        assert client.delete(f"{ORG_KEYS}/{push_id}", headers=admin).status_code == 204
        revoked_at = time.monotonic()
        assert client.get(SUBMISSIONS, headers=org.auth).status_code == 401  # here: at once
        while other.get(SUBMISSIONS, headers=org.auth).status_code == 200:
            assert time.monotonic() - revoked_at < 3, "the other instance kept trusting a revoked key"
            time.sleep(0.05)
        assert_problem(other.get(SUBMISSIONS, headers=org.auth), 401)


def _table(out: str) -> list[dict[str, str]]:
    header, *lines = out.strip().splitlines()
    return [dict(zip(header.split("\t"), line.split("\t"), strict=True)) for line in lines]


@pytest.mark.slow  # waits for the server's cached copy of the key to expire
def test_cli_lists_and_revokes_an_orgs_keys(cli_env: dict[str, str], client: httpx.Client, db: Database) -> None:
    slug = f"cli-keys-{uuid.uuid4().hex[:8]}"
    joist(cli_env, "orgs", "create", "--kind", "supplier", "--slug", slug, "--name", "Keys Co")
    push = joist(cli_env, "api-keys", "create", "--org", slug, "--name", "push", "--scopes", "write:catalog")
    push_key = push.stdout.strip().splitlines()[-1]
    admin = joist(
        cli_env, "api-keys", "create", "--org", slug, "--name", "admin", "--scopes", "write:api_keys,write:catalog"
    )
    assert admin.returncode == 0 and admin.stdout.strip().splitlines()[-1].startswith("jst_live_")
    listed = _table(joist(cli_env, "api-keys", "list", "--org", slug).stdout)
    assert [(k["name"], k["scopes"], k["revoked_at"]) for k in listed] == [
        ("admin", "write:api_keys,write:catalog", "-"),
        ("push", "write:catalog", "-"),
    ]
    assert listed[1]["prefix"] == push_key[len("jst_live_") :][:8]
    assert listed[1]["created_at"].endswith("Z") and listed[1]["expires_at"] == "-"
    push_auth = {"Authorization": f"Bearer {push_key}"}
    assert client.get(SUBMISSIONS, headers=push_auth).status_code == 200  # cached by the server

    revoked = joist(cli_env, "api-keys", "revoke", "--org", slug, listed[1]["id"])
    assert "revoked" in revoked.stdout and "already" not in revoked.stdout
    revoked_at = time.monotonic()
    again = joist(cli_env, "api-keys", "revoke", "--org", slug, listed[1]["id"])
    assert again.returncode == 0 and "revoked already" in again.stdout
    # The server learns of it when its cached copy expires (5 s).
    while client.get(SUBMISSIONS, headers=push_auth).status_code == 200:
        assert time.monotonic() - revoked_at < 6, "the server kept trusting a key revoked by the CLI"
        time.sleep(0.1)
    assert assert_problem(_push(client, push_auth), 401)["detail"] == "the API key has been revoked"
    after = _table(joist(cli_env, "api-keys", "list", "--org", slug).stdout)
    assert after[1]["revoked_at"] != "-" and after[0]["revoked_at"] == "-"


def test_cli_refuses_keys_of_other_accounts_and_unknown_ids(
    cli_env: dict[str, str], db: Database, tenant: Tenant
) -> None:
    mine, theirs = make_org(db), make_org(db)
    their_key = _issue(db, theirs, ["write:catalog"], name="theirs")[0]
    for args in (
        ("--org", mine.slug, their_key),
        ("--org", mine.slug, str(uuid.uuid4())),
        ("--builder", tenant.slug, their_key),  # an organisation's key is no builder's
    ):
        refused = joist(cli_env, "api-keys", "revoke", *args, check=False)
        assert refused.returncode == 2, refused.stdout
        assert f"has no API key {args[-1]}" in refused.stderr and args[1] in refused.stderr
    bad = joist(cli_env, "api-keys", "revoke", "--org", mine.slug, "not-a-uuid", check=False)
    assert bad.returncode == 2 and "not-a-uuid" in bad.stderr
    both = joist(cli_env, "api-keys", "list", "--org", mine.slug, "--builder", tenant.slug, check=False)
    assert both.returncode == 2 and "exactly one of --builder and --org" in both.stderr
    assert "exactly one" in joist(cli_env, "api-keys", "revoke", their_key, check=False).stderr
    # The builder side lists the tenant's key the same way.
    [builder_key] = _table(joist(cli_env, "api-keys", "list", "--builder", tenant.slug).stdout)
    assert builder_key["prefix"] == tenant.key[len("jst_live_") :][:8] and builder_key["revoked_at"] == "-"
    assert "theirs" in joist(cli_env, "api-keys", "list", "--org", theirs.slug).stdout
