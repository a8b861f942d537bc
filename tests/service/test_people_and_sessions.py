"""People and sessions (issue #5, slice 1): argon2 passwords, server-side sessions behind an
HttpOnly SameSite=Lax cookie, CSRF on every form, safe ``?next=``, sign-out, and the CLI."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import select

from service.accounts.models import User, UserKind, WebSession
from service.db.database import Database
from service.oauth.tokens import digest
from tests.conftest import LiveServer
from tests.service.oauth_helpers import PASSWORD, csrf_of, make_app, make_builder_user, make_person, sign_in
from tests.service.test_cli import joist


@pytest.fixture
def browser_client(server: LiveServer) -> Iterator[httpx.Client]:
    with server.client(follow_redirects=False) as c:
        yield c


def test_passwords_are_stored_as_argon2id(db: Database) -> None:
    person = make_builder_user(db)
    stored = db.write_sync(lambda s: s.get_one(User, person.id).password_hash)
    assert stored.startswith("$argon2id$") and PASSWORD not in stored


def test_sign_in_sets_an_httponly_lax_session_cookie_and_goes_to_next(
    db: Database, browser_client: httpx.Client
) -> None:
    person = make_builder_user(db)
    resp = sign_in(browser_client, person, "/account/authorized-apps?x=1")
    assert resp.status_code == 303
    assert resp.headers["location"] == "/account/authorized-apps?x=1"
    cookie = next(h for h in resp.headers.get_list("set-cookie") if h.startswith("joist_session="))
    attributes = {a.strip().split("=")[0].lower() for a in cookie.split(";")}
    assert {"httponly", "samesite", "path"} <= attributes
    assert "samesite=lax" in cookie.lower()
    assert "secure" not in attributes  # plain http on loopback (tests, a developer's machine)
    token = cookie.split(";")[0].split("=", 1)[1]
    rows = db.write_sync(
        lambda s: s.scalars(select(WebSession.token_hash).where(WebSession.user_id == person.id)).all()
    )
    assert rows == [digest(token)]  # only the hash is stored
    page = browser_client.get("/account/authorized-apps")
    assert page.status_code == 200 and person.email in page.text


def test_the_cookie_is_secure_off_loopback(db: Database, server: LiveServer) -> None:
    person = make_builder_user(db)
    with server.client(follow_redirects=False, headers={"Host": "joist.example"}) as c:
        form = c.get("/login")
        login_cookie = form.headers["set-cookie"]
        assert "Secure" in login_cookie
        csrf = login_cookie.split(";")[0].split("=", 1)[1]
        # A client over http keeps no Secure cookie, so hand it back as a browser would over https.
        resp = c.post(
            "/login",
            data={"email": person.email, "password": PASSWORD, "csrf_token": csrf},
            headers={"Cookie": f"joist_login_csrf={csrf}"},
        )
    assert resp.status_code == 303
    cookies = resp.headers.get_list("set-cookie")
    assert any(h.startswith("joist_session=") and "Secure" in h for h in cookies)


@pytest.mark.parametrize(
    "target",
    ["https://evil.example/", "//evil.example/x", "/\\evil.example", "http:/evil", "/\tx", "javascript:alert(1)"],
)
def test_next_is_only_a_relative_same_site_path(db: Database, browser_client: httpx.Client, target: str) -> None:
    person = make_builder_user(db)
    resp = sign_in(browser_client, person, target)
    assert resp.status_code == 303
    assert resp.headers["location"] == "/account/authorized-apps"


def test_wrong_password_and_unknown_email_are_refused_alike(db: Database, browser_client: httpx.Client) -> None:
    person = make_builder_user(db)
    person.password = "not the password"
    wrong = sign_in(browser_client, person)
    person.email = "nobody-" + person.email
    unknown = sign_in(browser_client, person)
    for resp in (wrong, unknown):
        assert resp.status_code == 400
        assert "Wrong email or password" in resp.text
        assert not any(h.startswith("joist_session=") for h in resp.headers.get_list("set-cookie"))


def test_a_sign_in_without_its_csrf_token_is_refused(db: Database, browser_client: httpx.Client) -> None:
    person = make_builder_user(db)
    browser_client.get("/login")
    resp = browser_client.post("/login", data={"email": person.email, "password": PASSWORD})
    assert resp.status_code == 403
    forged = browser_client.post("/login", data={"email": person.email, "password": PASSWORD, "csrf_token": "x" * 43})
    assert forged.status_code == 403


def test_forms_of_a_signed_in_user_need_the_csrf_token(db: Database, browser_client: httpx.Client) -> None:
    owner = make_builder_user(db)
    sign_in(browser_client, owner)
    missing = browser_client.post(f"/account/authorized-apps/{uuid.uuid4()}/revoke", data={"x": "1"})
    assert missing.status_code == 403
    wrong = browser_client.post(f"/account/authorized-apps/{uuid.uuid4()}/revoke", data={"csrf_token": "0" * 64})
    assert wrong.status_code == 403
    logout = browser_client.post("/logout", data={"x": "1"})
    assert logout.status_code == 403


def test_sign_out_ends_the_session_server_side(db: Database, browser_client: httpx.Client) -> None:
    person = make_builder_user(db)
    sign_in(browser_client, person)
    page = browser_client.get("/account/authorized-apps")
    token = browser_client.cookies["joist_session"]
    out = browser_client.post("/logout", data={"csrf_token": csrf_of(page.text)})
    assert out.status_code == 303 and out.headers["location"] == "/login"
    assert (
        db.write_sync(lambda s: s.scalars(select(WebSession).where(WebSession.token_hash == digest(token))).first())
        is None
    )
    browser_client.cookies.set("joist_session", token)  # a copy of the old cookie is worthless
    again = browser_client.get("/account/authorized-apps")
    assert again.status_code == 303 and again.headers["location"].startswith("/login?next=")


def test_pages_send_anti_framing_and_no_referrer_headers(browser_client: httpx.Client) -> None:
    resp = browser_client.get("/login")
    assert resp.headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in resp.headers["content-security-policy"]
    assert resp.headers["referrer-policy"] == "no-referrer"
    assert resp.headers["cache-control"] == "no-store"
    assert 'name="email"' in resp.text and 'name="password"' in resp.text


def test_each_kind_lands_on_its_own_pages(db: Database, server: LiveServer) -> None:
    for kind, home in ((UserKind.DEVELOPER, "/developer/apps"), (UserKind.STAFF, "/staff/apps")):
        with server.client(follow_redirects=False) as c:
            resp = sign_in(c, make_person(db, kind))
            assert resp.headers["location"] == home
            assert c.get(home).status_code == 200
            assert c.get("/account/authorized-apps").status_code == 403


def test_cli_creates_people_and_reviews_apps(cli_env: dict[str, str], db: Database, client: httpx.Client) -> None:
    slug = f"cli-{uuid.uuid4().hex[:8]}"
    joist(cli_env, "builders", "create", "--slug", slug, "--name", "Framing Co")
    owner = joist(
        cli_env,
        "users",
        "create",
        "--builder",
        slug,
        "--email",
        f"o-{slug}@example.com",
        "--password",
        PASSWORD,
        "--role",
        "owner",
    )
    assert "owner" in owner.stdout
    member = joist(
        cli_env, "users", "create", "--builder", slug, "--email", f"m-{slug}@example.com", "--password", PASSWORD
    )
    assert "member" in member.stdout
    dup = joist(
        cli_env,
        "users",
        "create",
        "--builder",
        slug,
        "--email",
        f"m-{slug}@example.com",
        "--password",
        PASSWORD,
        check=False,
    )
    assert dup.returncode == 2 and "already exists" in dup.stderr
    short = joist(
        cli_env, "developers", "create", "--email", f"d2-{slug}@example.com", "--password", "short", check=False
    )
    assert short.returncode == 2 and "password" in short.stderr

    dev = joist(cli_env, "developers", "create", "--email", f"d-{slug}@example.com", "--password", PASSWORD)
    key = dev.stdout.strip().splitlines()[-1]
    assert key.startswith("jst_dev_")
    created = client.post(
        "/api/v1/developer/apps",
        headers={"Authorization": f"Bearer {key}"},
        json={"name": "CLI app", "redirect_uris": ["https://app.example/cb"], "scopes": ["read:projects"]},
    )
    assert created.status_code == 201, created.text
    app = created.json()
    submit = client.post(f"/api/v1/developer/apps/{app['id']}/submit", headers={"Authorization": f"Bearer {key}"})
    assert submit.json()["status"] == "submitted"

    staff = joist(cli_env, "staff", "create", "--email", f"s-{slug}@example.com", "--password", PASSWORD)
    assert staff.stdout.strip().splitlines()[-1].startswith("jst_stf_")
    none = joist(cli_env, "apps", "review", app["client_id"], "--reason", "x", check=False)
    assert none.returncode == 2
    approved = joist(
        cli_env, "apps", "review", app["client_id"], "--approve", "--reason", "Clear scopes and a real homepage"
    )
    assert approved.stdout.strip().endswith("approved")
    again = joist(cli_env, "apps", "review", app["client_id"], "--reject", "--reason", "late", check=False)
    assert again.returncode == 2 and "not awaiting review" in again.stderr
    shown = client.get(f"/api/v1/developer/apps/{app['id']}", headers={"Authorization": f"Bearer {key}"}).json()
    assert shown["status"] == "approved" and shown["review_reason"] == "Clear scopes and a real homepage"
    json.dumps(shown)


def test_an_unapproved_app_is_not_offered(db: Database, browser_client: httpx.Client) -> None:
    developer = make_person(db, UserKind.DEVELOPER)
    app = make_app(db, developer, status="submitted")
    sign_in(browser_client, make_builder_user(db))
    resp = browser_client.get(
        "/api/v1/oauth/authorize", params={"client_id": app.client_id, "redirect_uri": app.redirect_uri}
    )
    assert resp.status_code == 400 and "Unknown application" in resp.text
