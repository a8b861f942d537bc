"""The developer portal API (issue #5, slice 2): registering apps, client secrets shown once and
stored hashed, redirect URI rules, the review workflow with reasons, and the waitlist."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from service.accounts.models import UserKind
from service.db.database import Database
from service.oauth.models import OAuthApplication
from service.oauth.tokens import digest
from tests.conftest import LiveServer, Tenant
from tests.helpers import assert_problem
from tests.service.oauth_helpers import Person, make_person

APPS = "/api/v1/developer/apps"


@pytest.fixture
def developer(db: Database) -> Person:
    return make_person(db, UserKind.DEVELOPER)


@pytest.fixture
def staff(db: Database) -> Person:
    return make_person(db, UserKind.STAFF)


def body(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": "Takeoff Sync",
        "description": "Syncs quantity takeoffs into budgets.",
        "redirect_uris": ["https://takeoff.example/oauth/callback"],
        "scopes": ["read:projects", "write:budgets"],
        "client_type": "confidential",
        "homepage_url": "https://takeoff.example",
        "logo_url": "https://takeoff.example/logo.png",
    }
    data.update(changes)
    return data


def create(client: httpx.Client, developer: Person, **changes: Any) -> dict[str, Any]:
    resp = client.post(APPS, json=body(**changes), headers=developer.auth)
    assert resp.status_code == 201, resp.text
    created: dict[str, Any] = resp.json()
    return created


def review(client: httpx.Client, staff: Person, app_id: str, decision: str, reason: str) -> httpx.Response:
    return client.post(
        f"/api/v1/staff/apps/{app_id}/review", json={"decision": decision, "reason": reason}, headers=staff.auth
    )


def test_a_confidential_client_gets_its_secret_once_and_it_is_stored_hashed(
    client: httpx.Client, developer: Person, db: Database
) -> None:
    resp = client.post(APPS, json=body(), headers=developer.auth)
    assert resp.status_code == 201
    assert resp.headers["cache-control"] == "no-store"
    created = resp.json()
    assert resp.headers["location"] == f"{APPS}/{created['id']}"
    assert created["client_id"].startswith("jst_cid_")
    secret = created["client_secret"]
    assert secret.startswith("jst_cs_") and created["client_secret_prefix"] == secret[7:15]
    assert created["status"] == "draft" and created["scopes"] == ["read:projects", "write:budgets"]
    shown = client.get(f"{APPS}/{created['id']}", headers=developer.auth).json()
    assert "client_secret" not in shown
    stored = db.write_sync(
        lambda s: s.scalars(s.query(OAuthApplication).filter_by(client_id=created["client_id"]).statement).one()
    )
    assert stored.client_secret_hash == digest(secret)


def test_a_public_client_has_no_secret(client: httpx.Client, developer: Person) -> None:
    created = create(client, developer, client_type="public")
    assert created["client_secret"] is None and created["client_secret_prefix"] is None
    rotate = client.post(f"{APPS}/{created['id']}/client-secret", headers=developer.auth)
    assert_problem(rotate, 409)


@pytest.mark.parametrize(
    "uri",
    [
        "https://takeoff.example/cb",
        "https://takeoff.example/cb?tenant=1",
        "http://127.0.0.1/cb",
        "http://127.0.0.1:53682/cb",
        "http://[::1]:8080/cb",
    ],
)
def test_acceptable_redirect_uris(client: httpx.Client, developer: Person, uri: str) -> None:
    assert create(client, developer, redirect_uris=[uri])["redirect_uris"] == [uri]


@pytest.mark.parametrize(
    ("uri", "reason"),
    [
        ("http://takeoff.example/cb", "loopback"),
        ("http://localhost:8080/cb", "loopback"),
        ("https://takeoff.example/cb#top", "fragment"),
        ("https://*.takeoff.example/cb", "wildcard"),
        ("https://takeoff.example/*", "wildcard"),
        ("https://user:pw@takeoff.example/cb", "user information"),
        ("ftp://takeoff.example/cb", "https"),
        ("com.takeoff:/cb", "https"),
        ("https:///cb", "host"),
        ("https://takeoff.example:99999/cb", "valid URL"),
    ],
)
def test_unacceptable_redirect_uris(client: httpx.Client, developer: Person, uri: str, reason: str) -> None:
    resp = client.post(APPS, json=body(redirect_uris=[uri]), headers=developer.auth)
    problem = assert_problem(resp, 400)
    assert problem["errors"][0]["field"] == "redirect_uris[0]"
    assert reason in problem["errors"][0]["detail"]


def test_unknown_scopes_and_plain_http_links_are_refused(client: httpx.Client, developer: Person) -> None:
    resp = client.post(
        APPS, json=body(scopes=["read:everything"], homepage_url="http://x.example"), headers=developer.auth
    )
    fields = {e["field"] for e in assert_problem(resp, 400)["errors"]}
    assert fields == {"scopes", "homepage_url"}
    unknown_field = client.post(APPS, json=body(owner="me"), headers=developer.auth)
    assert_problem(unknown_field, 400)


def test_only_developer_keys_reach_the_portal(client: httpx.Client, developer: Person, tenant: Tenant) -> None:
    assert_problem(client.get(APPS, headers=tenant.auth), 403)
    assert assert_problem(client.get("/api/v1/projects", headers=developer.auth), 403)["type"].endswith("wrong-account")
    assert_problem(client.get(APPS), 401)


def test_another_developers_app_is_not_found(client: httpx.Client, developer: Person, db: Database) -> None:
    created = create(client, developer)
    other = make_person(db, UserKind.DEVELOPER)
    assert_problem(client.get(f"{APPS}/{created['id']}", headers=other.auth), 404)
    assert_problem(client.post(f"{APPS}/{created['id']}/submit", headers=other.auth), 404)
    assert client.get(APPS, headers=other.auth).json()["data"] == []


def test_the_review_workflow_with_reasons(client: httpx.Client, developer: Person, staff: Person) -> None:
    app = create(client, developer)
    app_url = f"{APPS}/{app['id']}"
    # Staff review only what was submitted.
    assert_problem(review(client, staff, app["id"], "approve", "too early"), 409)
    submitted = client.post(f"{app_url}/submit", headers=developer.auth).json()
    assert submitted["status"] == "submitted" and submitted["submitted_at"]
    assert_problem(client.patch(app_url, json={"name": "Renamed"}, headers=developer.auth), 409)
    assert_problem(review(client, staff, app["id"], "request_changes", ""), 400)
    asked = review(client, staff, app["id"], "request_changes", "Narrow the scopes: write:budgets is not explained")
    assert asked.status_code == 200 and asked.json()["status"] == "changes_requested"
    mine = client.get(app_url, headers=developer.auth).json()
    assert mine["review_reason"] == "Narrow the scopes: write:budgets is not explained"

    changed = client.patch(app_url, json={"scopes": ["read:projects"], "logo_url": None}, headers=developer.auth)
    assert changed.status_code == 200
    assert changed.json()["scopes"] == ["read:projects"] and changed.json()["logo_url"] is None
    client.post(f"{app_url}/submit", headers=developer.auth)
    approved = review(client, staff, app["id"], "approve", "Good to go")
    assert approved.json()["status"] == "approved"
    assert_problem(
        client.patch(app_url, json={"redirect_uris": ["https://evil.example/cb"]}, headers=developer.auth), 409
    )
    published = client.post(f"{app_url}/publish", headers=developer.auth)
    assert published.status_code == 200 and published.json()["published_at"]

    reviews = client.get(f"{app_url}/reviews", headers=developer.auth).json()
    assert [(r["decision"], r["reason"]) for r in reviews["data"]] == [
        ("approve", "Good to go"),
        ("request_changes", "Narrow the scopes: write:budgets is not explained"),
    ]


def test_a_rejection_is_final(client: httpx.Client, developer: Person, staff: Person) -> None:
    app = create(client, developer)
    client.post(f"{APPS}/{app['id']}/submit", headers=developer.auth)
    assert review(client, staff, app["id"], "reject", "Scrapes data it does not need").json()["status"] == "rejected"
    assert_problem(client.post(f"{APPS}/{app['id']}/submit", headers=developer.auth), 409)
    assert_problem(client.post(f"{APPS}/{app['id']}/publish", headers=developer.auth), 409)


def test_staff_endpoints_need_a_staff_key(client: httpx.Client, developer: Person, tenant: Tenant) -> None:
    app = create(client, developer)
    for who in (developer.auth, tenant.auth):
        assert_problem(
            client.post(
                f"/api/v1/staff/apps/{app['id']}/review", json={"decision": "approve", "reason": "x"}, headers=who
            ),
            403,
        )


def test_rotating_the_secret_replaces_it(client: httpx.Client, developer: Person) -> None:
    app = create(client, developer)
    rotated = client.post(f"{APPS}/{app['id']}/client-secret", headers=developer.auth)
    assert rotated.status_code == 200 and rotated.headers["cache-control"] == "no-store"
    secret = rotated.json()["client_secret"]
    assert secret != app["client_secret"] and secret.startswith("jst_cs_")
    assert client.get(f"{APPS}/{app['id']}", headers=developer.auth).json()["client_secret_prefix"] == secret[7:15]


def test_the_list_is_paginated_and_filtered(client: httpx.Client, developer: Person) -> None:
    ids = [create(client, developer, name=f"App {i}")["id"] for i in range(3)]
    client.post(f"{APPS}/{ids[0]}/submit", headers=developer.auth)
    first = client.get(APPS, params={"limit": 2}, headers=developer.auth).json()
    rest = client.get(APPS, params={"limit": 2, "cursor": first["next_cursor"]}, headers=developer.auth).json()
    assert [a["id"] for a in first["data"] + rest["data"]] == ids[::-1]
    assert rest["next_cursor"] is None
    submitted = client.get(APPS, params={"status": "submitted"}, headers=developer.auth).json()["data"]
    assert [a["id"] for a in submitted] == [ids[0]]
    assert_problem(client.get(APPS, params={"status": "bogus"}, headers=developer.auth), 400)


def test_the_waitlist_holds_new_registrations(make_server: Any, db: Database, staff: Person) -> None:
    live: LiveServer = make_server(app_waitlist=True)
    developer = make_person(db, UserKind.DEVELOPER)
    with live.client() as c:
        app = create(c, developer)
        assert app["status"] == "waitlisted"
        held = c.post(f"{APPS}/{app['id']}/submit", headers=developer.auth)
        assert assert_problem(held, 409)["type"].endswith("waitlisted")
        admitted = review(c, staff, app["id"], "admit", "Welcome to the beta")
        assert admitted.json()["status"] == "draft"
        assert c.post(f"{APPS}/{app['id']}/submit", headers=developer.auth).json()["status"] == "submitted"


@pytest.mark.parametrize("scope", ["write:api_keys", "read:api_keys", "read:oauth", "write:oauth"])
def test_apps_cannot_hold_credential_scopes(client: httpx.Client, developer: Person, scope: str) -> None:
    resp = client.post(APPS, json=body(scopes=["read:projects", scope]), headers=developer.auth)
    assert "apps cannot hold" in assert_problem(resp, 400)["errors"][0]["detail"]
