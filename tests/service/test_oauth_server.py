"""The OAuth 2.0 authorization server (issue #5, slice 3): RFC 6749, RFC 7636 (S256 PKCE for
every client), RFC 7009, RFC 7662, RFC 8414, RFC 9207 and the RFC 9700 items, each as a test.
Every refusal is an RFC 6749 error or a 4xx, never a 500 and never a token."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from sqlalchemy import update

from service.accounts.models import UserKind
from service.db.database import Database
from service.oauth.models import AuthorizationCode
from service.oauth.tokens import digest
from tests.conftest import LiveServer
from tests.helpers import assert_problem
from tests.service.oauth_helpers import (
    App,
    Person,
    authorize_params,
    consent,
    csrf_of,
    exchange,
    get_code,
    make_app,
    make_builder_user,
    make_person,
    pkce,
    sign_in,
    token_post,
)

TOKEN = "/api/v1/oauth/token"


@pytest.fixture
def developer(db: Database) -> Person:
    return make_person(db, UserKind.DEVELOPER)


@pytest.fixture
def app(db: Database, developer: Person) -> App:
    return make_app(db, developer)


@pytest.fixture
def owner(db: Database) -> Person:
    return make_builder_user(db, "owner")


@pytest.fixture
def browser(server: LiveServer, owner: Person) -> Iterator[httpx.Client]:
    """A signed-in builder owner's browser (redirects are inspected, not followed)."""
    with server.client(follow_redirects=False) as c:
        assert sign_in(c, owner).status_code == 303
        yield c


def tokens_for(browser: httpx.Client, http: httpx.Client, app: App) -> dict[str, Any]:
    verifier, challenge = pkce()
    resp = exchange(http, app, get_code(browser, app, challenge), verifier)
    assert resp.status_code == 200, resp.text
    issued: dict[str, Any] = resp.json()
    return issued


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def assert_oauth_error(resp: httpx.Response, status: int, error: str) -> dict[str, Any]:
    assert resp.status_code == status, resp.text
    assert resp.headers["content-type"].startswith("application/json")
    assert resp.headers["cache-control"] == "no-store"
    body: dict[str, Any] = resp.json()
    assert body["error"] == error and body["error_description"]
    assert "access_token" not in body and "refresh_token" not in body
    return body


# -- discovery ----------------------------------------------------------------------------------


def test_the_rfc_8414_metadata(client: httpx.Client, server: LiveServer) -> None:
    meta = client.get("/.well-known/oauth-authorization-server").json()
    assert meta["issuer"] == server.url
    assert meta["authorization_endpoint"] == f"{server.url}/api/v1/oauth/authorize"
    assert meta["token_endpoint"] == f"{server.url}{TOKEN}"
    assert meta["code_challenge_methods_supported"] == ["S256"]
    assert meta["grant_types_supported"] == ["authorization_code", "refresh_token"]
    assert meta["response_types_supported"] == ["code"]
    assert meta["authorization_response_iss_parameter_supported"] is True
    assert {"client_secret_basic", "client_secret_post"} <= set(meta["token_endpoint_auth_methods_supported"])
    assert "read:projects" in meta["scopes_supported"]


# -- the whole flow -------------------------------------------------------------------------------


def test_consent_code_token_api_refresh(
    browser: httpx.Client, client: httpx.Client, app: App, server: LiveServer, owner: Person
) -> None:
    verifier, challenge = pkce()
    screen = browser.get("/api/v1/oauth/authorize", params=authorize_params(app, challenge))
    assert screen.status_code == 200
    assert "Takeoff Sync" in screen.text and "developer person" in screen.text
    assert "See your projects" in screen.text and "See, create, change and delete your projects" in screen.text
    assert screen.headers["x-frame-options"] == "DENY"
    csp = screen.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in csp and "default-src 'none'" in csp
    assert "form-action 'self' http://127.0.0.1:8765" in csp
    assert screen.headers["referrer-policy"] == "no-referrer"
    assert not re.search(r'(src|href)="(https?:)?//', screen.text), "the consent page loads nothing from elsewhere"

    answer = consent(browser, app, challenge)
    assert answer["state"] == "xyz-state"
    assert answer["iss"] == server.url  # RFC 9207
    assert answer["code"].startswith("jst_ac_")

    resp = exchange(client, app, answer["code"], verifier)
    assert resp.status_code == 200, resp.text
    assert resp.headers["cache-control"] == "no-store"
    issued = resp.json()
    assert issued["token_type"] == "Bearer" and issued["expires_in"] == 3600
    assert issued["access_token"].startswith("jst_at_") and issued["refresh_token"].startswith("jst_rt_")
    assert issued["scope"] == "read:projects write:projects"

    created = client.post("/api/v1/projects", json={"name": "Riverside"}, headers=bearer(issued["access_token"]))
    assert created.status_code == 201, created.text
    listed = client.get("/api/v1/projects", headers=bearer(issued["access_token"]))
    assert [p["name"] for p in listed.json()["data"]] == ["Riverside"]
    assert listed.headers["ratelimit-limit"] == "500"  # the builder's plan (professional)

    refreshed = token_post(client, app, {"grant_type": "refresh_token", "refresh_token": issued["refresh_token"]})
    assert refreshed.status_code == 200 and refreshed.headers["cache-control"] == "no-store"
    again = refreshed.json()
    assert again["refresh_token"] != issued["refresh_token"] and again["access_token"] != issued["access_token"]
    assert client.get("/api/v1/projects", headers=bearer(again["access_token"])).status_code == 200


def test_access_tokens_carry_only_the_granted_scopes(
    db: Database, developer: Person, browser: httpx.Client, client: httpx.Client
) -> None:
    narrow = make_app(db, developer, scopes=["read:projects"])
    issued = tokens_for(browser, client, narrow)
    assert client.get("/api/v1/projects", headers=bearer(issued["access_token"])).status_code == 200
    denied = client.post("/api/v1/projects", json={"name": "x"}, headers=bearer(issued["access_token"]))
    assert assert_problem(denied, 403)["required_scope"] == "write:projects"
    assert_problem(client.get("/api/v1/invoices", headers=bearer(issued["access_token"])), 403)


def test_tokens_in_the_query_string_are_refused(browser: httpx.Client, client: httpx.Client, app: App) -> None:
    issued = tokens_for(browser, client, app)
    assert_problem(client.get("/api/v1/projects", params={"access_token": issued["access_token"]}), 400)


def test_a_malformed_or_unknown_access_token_is_a_401(client: httpx.Client) -> None:
    for token in ("jst_at_nope", "jst_at_" + "A" * 38):
        resp = client.get("/api/v1/projects", headers=bearer(token))
        assert_problem(resp, 401)
        assert resp.headers["www-authenticate"].startswith("Bearer")


# -- authorization requests --------------------------------------------------------------------


@pytest.mark.parametrize(
    "redirect_uri",
    [
        "http://127.0.0.1:8765/callback/",  # trailing slash
        "http://127.0.0.1:8765/CALLBACK",  # case
        "http://127.0.0.1:8765/callback?x=1",  # extra query
        "http://127.0.0.1:8766/callback",  # another port
        "https://evil.example/callback",
    ],
)
def test_a_mismatched_redirect_uri_gets_an_error_page_never_a_redirect(
    browser: httpx.Client, app: App, redirect_uri: str
) -> None:
    _, challenge = pkce()
    resp = browser.get("/api/v1/oauth/authorize", params=authorize_params(app, challenge, redirect_uri=redirect_uri))
    assert resp.status_code == 400 and "location" not in resp.headers
    assert "Unregistered redirect URI" in resp.text


def test_a_bad_client_id_gets_an_error_page(browser: httpx.Client, app: App) -> None:
    _, challenge = pkce()
    for client_id in ("jst_cid_unknown", "", None):
        resp = browser.get("/api/v1/oauth/authorize", params=authorize_params(app, challenge, client_id=client_id))
        assert resp.status_code == 400 and "location" not in resp.headers


def redirected_error(browser: httpx.Client, app: App, **changes: str | None) -> dict[str, str]:
    _, challenge = pkce()
    resp = browser.get("/api/v1/oauth/authorize", params=authorize_params(app, challenge, **changes))
    assert resp.status_code == 303, resp.text
    location = resp.headers["location"]
    assert location.startswith(app.redirect_uri + "?")
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"code_challenge_method": "plain"}, "invalid_request"),
        ({"code_challenge_method": None}, "invalid_request"),
        ({"code_challenge": None}, "invalid_request"),
        ({"code_challenge": "too-short"}, "invalid_request"),
        ({"response_type": "token"}, "unsupported_response_type"),
        ({"response_type": None}, "invalid_request"),
        ({"scope": "read:projects read:everything"}, "invalid_scope"),
        ({"scope": "read:invoices"}, "invalid_scope"),  # not registered by the app
    ],
)
def test_bad_authorization_requests_are_answered_at_the_redirect_uri(
    browser: httpx.Client, app: App, server: LiveServer, changes: dict[str, str | None], error: str
) -> None:
    answer = redirected_error(browser, app, **changes)
    assert answer["error"] == error
    assert answer["state"] == "xyz-state" and answer["iss"] == server.url
    assert "code" not in answer


def test_a_repeated_authorization_parameter_is_refused(browser: httpx.Client, app: App) -> None:
    _, challenge = pkce()
    params = [*authorize_params(app, challenge).items(), ("client_id", app.client_id)]
    assert_problem(browser.get("/api/v1/oauth/authorize", params=params), 400)


def test_signed_out_users_are_sent_to_sign_in_and_back(server: LiveServer, app: App, owner: Person) -> None:
    _, challenge = pkce()
    with server.client(follow_redirects=False) as c:
        resp = c.get("/api/v1/oauth/authorize", params=authorize_params(app, challenge))
        assert resp.status_code == 303 and resp.headers["location"].startswith(
            "/login?next=%2Fapi%2Fv1%2Foauth%2Fauthorize%3F"
        )
        next_path = parse_qs(urlsplit(resp.headers["location"]).query)["next"][0]
        signed = sign_in(c, owner, next_path)
        assert signed.headers["location"] == next_path
        assert c.get(next_path).status_code == 200


def test_only_builder_users_can_consent(server: LiveServer, db: Database, app: App) -> None:
    _, challenge = pkce()
    with server.client(follow_redirects=False) as c:
        sign_in(c, make_person(db, UserKind.DEVELOPER))
        resp = c.get("/api/v1/oauth/authorize", params=authorize_params(app, challenge))
        assert resp.status_code == 403 and "location" not in resp.headers


def test_deny_returns_access_denied(browser: httpx.Client, app: App, server: LiveServer) -> None:
    _, challenge = pkce()
    answer = consent(browser, app, challenge, decision="deny")
    assert answer == {
        "error": "access_denied",
        "error_description": "the builder user declined",
        "state": "xyz-state",
        "iss": server.url,
    }


def test_a_consent_post_without_csrf_issues_no_code(browser: httpx.Client, app: App) -> None:
    _, challenge = pkce()
    fields = {**authorize_params(app, challenge), "decision": "approve"}
    resp = browser.post("/api/v1/oauth/authorize", data=fields)
    assert resp.status_code == 403 and "location" not in resp.headers
    forged = browser.post("/api/v1/oauth/authorize", data={**fields, "csrf_token": "f" * 64})
    assert forged.status_code == 403 and "location" not in forged.headers


# -- the token endpoint ------------------------------------------------------------------------


def test_a_code_is_single_use_and_its_replay_revokes_what_it_issued(
    browser: httpx.Client, client: httpx.Client, app: App
) -> None:
    verifier, challenge = pkce()
    code = get_code(browser, app, challenge)
    first = exchange(client, app, code, verifier).json()
    assert client.get("/api/v1/projects", headers=bearer(first["access_token"])).status_code == 200
    replay = exchange(client, app, code, verifier)
    assert_oauth_error(replay, 400, "invalid_grant")
    assert_problem(client.get("/api/v1/projects", headers=bearer(first["access_token"])), 401)
    refresh = token_post(client, app, {"grant_type": "refresh_token", "refresh_token": first["refresh_token"]})
    assert_oauth_error(refresh, 400, "invalid_grant")


def test_a_wrong_verifier_gets_no_token_and_burns_the_code(
    browser: httpx.Client, client: httpx.Client, app: App
) -> None:
    verifier, challenge = pkce()
    code = get_code(browser, app, challenge)
    other, _ = pkce()
    assert_oauth_error(exchange(client, app, code, other), 400, "invalid_grant")
    assert_oauth_error(exchange(client, app, code, verifier), 400, "invalid_grant")


def test_a_missing_or_malformed_verifier_is_refused(browser: httpx.Client, client: httpx.Client, app: App) -> None:
    verifier, challenge = pkce()
    code = get_code(browser, app, challenge)
    data = {"grant_type": "authorization_code", "code": code, "redirect_uri": app.redirect_uri}
    assert_oauth_error(token_post(client, app, data), 400, "invalid_request")
    assert_oauth_error(exchange(client, app, get_code(browser, app, challenge), "short"), 400, "invalid_grant")
    del verifier


def test_an_expired_code_is_refused(browser: httpx.Client, client: httpx.Client, app: App, db: Database) -> None:
    verifier, challenge = pkce()
    code = get_code(browser, app, challenge)
    past = datetime.now(UTC) - timedelta(seconds=1)
    db.write_sync(
        lambda s: s.execute(
            update(AuthorizationCode).where(AuthorizationCode.code_hash == digest(code)).values(expires_at=past)
        )
    )
    assert_oauth_error(exchange(client, app, code, verifier), 400, "invalid_grant")


def test_codes_live_at_most_sixty_seconds(browser: httpx.Client, app: App, db: Database) -> None:
    _, challenge = pkce()
    code = get_code(browser, app, challenge)
    row = db.write_sync(
        lambda s: s.scalars(s.query(AuthorizationCode).filter_by(code_hash=digest(code)).statement).one()
    )
    assert timedelta(0) < row.expires_at - row.created_at <= timedelta(seconds=60)
    assert row.code_challenge == challenge and row.redirect_uri == app.redirect_uri


@pytest.mark.parametrize(
    "redirect_uri",
    ["http://127.0.0.1:8765/callback/", "http://127.0.0.1:8765/Callback", "http://127.0.0.1:8765/callback?x=1"],
)
def test_the_token_request_must_repeat_the_redirect_uri_exactly(
    browser: httpx.Client, client: httpx.Client, app: App, redirect_uri: str
) -> None:
    verifier, challenge = pkce()
    code = get_code(browser, app, challenge)
    data = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri, "code_verifier": verifier}
    assert_oauth_error(token_post(client, app, data), 400, "invalid_grant")


def test_another_client_cannot_redeem_a_code(
    browser: httpx.Client, client: httpx.Client, app: App, db: Database, developer: Person
) -> None:
    thief = make_app(db, developer)
    verifier, challenge = pkce()
    code = get_code(browser, app, challenge)
    data = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": app.redirect_uri,
        "code_verifier": verifier,
    }
    assert_oauth_error(token_post(client, thief, data), 400, "invalid_grant")


@pytest.mark.parametrize(
    "grant_type",
    ["password", "implicit", "token", "client_credentials", "urn:ietf:params:oauth:grant-type:device_code"],
)
def test_other_grants_are_refused(client: httpx.Client, app: App, grant_type: str) -> None:
    data = {"grant_type": grant_type, "username": "a", "password": "b"}
    assert_oauth_error(token_post(client, app, data), 400, "unsupported_grant_type")


def test_missing_and_repeated_parameters_are_invalid_requests(client: httpx.Client, app: App) -> None:
    assert_oauth_error(token_post(client, app, {}), 400, "invalid_request")
    assert app.client_secret
    repeated = client.post(
        TOKEN,
        content="grant_type=refresh_token&refresh_token=a&refresh_token=b",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        auth=(app.client_id, app.client_secret),
    )
    assert_oauth_error(repeated, 400, "invalid_request")
    as_json = client.post(TOKEN, json={"grant_type": "refresh_token"}, auth=(app.client_id, app.client_secret))
    assert_oauth_error(as_json, 400, "invalid_request")


def test_client_authentication(browser: httpx.Client, client: httpx.Client, app: App) -> None:
    assert app.client_secret
    data = {"grant_type": "refresh_token", "refresh_token": "jst_rt_x"}
    wrong = client.post(TOKEN, data=data, auth=(app.client_id, "jst_cs_wrong"))
    assert_oauth_error(wrong, 401, "invalid_client")
    assert wrong.headers["www-authenticate"].startswith("Basic")
    assert_oauth_error(client.post(TOKEN, data=data), 401, "invalid_client")
    both = client.post(
        TOKEN, data={**data, "client_secret": app.client_secret}, auth=(app.client_id, app.client_secret)
    )
    assert_oauth_error(both, 400, "invalid_request")
    no_secret = client.post(TOKEN, data={**data, "client_id": app.client_id})
    assert_oauth_error(no_secret, 401, "invalid_client")
    # client_secret_post works as well as client_secret_basic
    verifier, challenge = pkce()
    code = get_code(browser, app, challenge)
    post = client.post(
        TOKEN,
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": app.redirect_uri,
            "code_verifier": verifier,
            "client_id": app.client_id,
            "client_secret": app.client_secret,
        },
    )
    assert post.status_code == 200, post.text


def test_a_rotated_secret_stops_working_at_once(client: httpx.Client, app: App, developer: Person) -> None:
    rotated = client.post(f"/api/v1/developer/apps/{app.id}/client-secret", headers=developer.auth).json()
    data = {"grant_type": "refresh_token", "refresh_token": "jst_rt_x"}
    assert_oauth_error(token_post(client, app, data), 401, "invalid_client")
    app.client_secret = rotated["client_secret"]
    assert_oauth_error(token_post(client, app, data), 400, "invalid_grant")


def test_a_public_client_uses_pkce_without_a_secret(
    db: Database, developer: Person, browser: httpx.Client, client: httpx.Client
) -> None:
    public = make_app(db, developer, client_type="public")
    issued = tokens_for(browser, client, public)
    refreshed = token_post(client, public, {"grant_type": "refresh_token", "refresh_token": issued["refresh_token"]})
    assert refreshed.status_code == 200
    with_secret = client.post(
        TOKEN, data={"grant_type": "refresh_token", "refresh_token": "x"}, auth=(public.client_id, "anything")
    )
    assert_oauth_error(with_secret, 401, "invalid_client")


def test_refresh_rotation_and_replay_detection(
    make_server: Any, db: Database, developer: Person, owner: Person
) -> None:
    live: LiveServer = make_server(oauth_refresh_grace_seconds=0)
    app = make_app(db, developer)
    with live.client(follow_redirects=False) as browser, live.client() as http:
        sign_in(browser, owner)
        first = tokens_for(browser, http, app)
        second = token_post(http, app, {"grant_type": "refresh_token", "refresh_token": first["refresh_token"]}).json()
        assert http.get("/api/v1/projects", headers=bearer(second["access_token"])).status_code == 200
        # The first refresh token comes back (a stolen copy): the whole grant ends.
        stolen = token_post(http, app, {"grant_type": "refresh_token", "refresh_token": first["refresh_token"]})
        assert_oauth_error(stolen, 400, "invalid_grant")
        assert_problem(http.get("/api/v1/projects", headers=bearer(second["access_token"])), 401)
        legit = token_post(http, app, {"grant_type": "refresh_token", "refresh_token": second["refresh_token"]})
        assert_oauth_error(legit, 400, "invalid_grant")


def test_concurrent_refreshes_within_the_grace_window_both_succeed(
    browser: httpx.Client, client: httpx.Client, app: App
) -> None:
    issued = tokens_for(browser, client, app)
    data = {"grant_type": "refresh_token", "refresh_token": issued["refresh_token"]}
    a, b = token_post(client, app, data), token_post(client, app, data)
    assert a.status_code == 200 and b.status_code == 200
    assert client.get("/api/v1/projects", headers=bearer(a.json()["access_token"])).status_code == 200


def test_a_refresh_ends_the_access_tokens_issued_before_it(
    browser: httpx.Client, client: httpx.Client, app: App
) -> None:
    first = tokens_for(browser, client, app)
    assert client.get("/api/v1/projects", headers=bearer(first["access_token"])).status_code == 200
    second = token_post(client, app, {"grant_type": "refresh_token", "refresh_token": first["refresh_token"]}).json()
    assert_problem(client.get("/api/v1/projects", headers=bearer(first["access_token"])), 401)
    assert client.get("/api/v1/projects", headers=bearer(second["access_token"])).status_code == 200
    # narrowing takes effect at once: the wider token of the pair before is gone
    narrow = {"grant_type": "refresh_token", "refresh_token": second["refresh_token"], "scope": "read:projects"}
    third = token_post(client, app, narrow).json()
    assert_problem(client.get("/api/v1/projects", headers=bearer(second["access_token"])), 401)
    assert client.get("/api/v1/projects", headers=bearer(third["access_token"])).status_code == 200
    created = client.post("/api/v1/projects", json={"name": "Pier 9"}, headers=bearer(third["access_token"]))
    assert_problem(created, 403)


def test_a_refresh_may_narrow_but_not_widen_the_scopes(browser: httpx.Client, client: httpx.Client, app: App) -> None:
    issued = tokens_for(browser, client, app)
    wider = token_post(
        client, app, {"grant_type": "refresh_token", "refresh_token": issued["refresh_token"], "scope": "read:invoices"}
    )
    assert_oauth_error(wider, 400, "invalid_scope")
    narrower = token_post(
        client, app, {"grant_type": "refresh_token", "refresh_token": issued["refresh_token"], "scope": "read:projects"}
    )
    assert narrower.status_code == 200 and narrower.json()["scope"] == "read:projects"


def test_the_token_endpoint_is_rate_limited_per_client(make_server: Any, app: App) -> None:
    live: LiveServer = make_server(oauth_token_rate_limit=3)
    with live.client() as http:
        data = {"grant_type": "refresh_token", "refresh_token": "jst_rt_x"}
        answers = [token_post(http, app, data) for _ in range(4)]
    assert [a.status_code for a in answers] == [400, 400, 400, 429]
    assert answers[-1].headers["retry-after"]
    assert answers[-1].json()["error"] == "slow_down"


# -- revocation, introspection, authorized apps -------------------------------------------------


def test_revocation_ends_the_grant(browser: httpx.Client, client: httpx.Client, app: App) -> None:
    issued = tokens_for(browser, client, app)
    resp = token_post(
        client, app, {"token": issued["refresh_token"], "token_type_hint": "refresh_token"}, "/api/v1/oauth/revoke"
    )
    assert resp.status_code == 200
    assert_problem(client.get("/api/v1/projects", headers=bearer(issued["access_token"])), 401)
    unknown = token_post(client, app, {"token": "jst_at_whatever"}, "/api/v1/oauth/revoke")
    assert unknown.status_code == 200
    assert_oauth_error(token_post(client, app, {}, "/api/v1/oauth/revoke"), 400, "invalid_request")
    assert_oauth_error(client.post("/api/v1/oauth/revoke", data={"token": "x"}), 401, "invalid_client")


def test_introspection(
    browser: httpx.Client,
    client: httpx.Client,
    app: App,
    db: Database,
    developer: Person,
    server: LiveServer,
    owner: Person,
) -> None:
    issued = tokens_for(browser, client, app)
    info = token_post(client, app, {"token": issued["access_token"]}, "/api/v1/oauth/introspect").json()
    assert info["active"] is True and info["scope"] == "read:projects write:projects"
    assert info["client_id"] == app.client_id and info["sub"] == str(owner.builder_id) and info["iss"] == server.url
    assert info["exp"] > info["iat"]
    other = make_app(db, developer)
    assert token_post(client, other, {"token": issued["access_token"]}, "/api/v1/oauth/introspect").json() == {
        "active": False
    }
    token_post(client, app, {"token": issued["access_token"]}, "/api/v1/oauth/revoke")
    assert token_post(client, app, {"token": issued["access_token"]}, "/api/v1/oauth/introspect").json() == {
        "active": False
    }


def test_authorized_apps_are_listed_and_withdrawn(
    browser: httpx.Client, client: httpx.Client, app: App, owner: Person, db: Database
) -> None:
    issued = tokens_for(browser, client, app)
    from service.accounts.models import Builder
    from service.api_keys.services import issue_key

    key = db.write_sync(
        lambda s: issue_key(s, s.get_one(Builder, owner.builder_id), name="k", scopes=["write:oauth"])[1]
    )
    listed = client.get("/api/v1/oauth/authorized-apps", headers=bearer(key)).json()["data"]
    assert [(a["client_id"], a["scopes"]) for a in listed] == [(app.client_id, ["read:projects", "write:projects"])]
    assert listed[0]["created_at"] and listed[0]["last_used_at"]

    outsider = make_builder_user(db)
    other_key = db.write_sync(
        lambda s: issue_key(s, s.get_one(Builder, outsider.builder_id), name="k", scopes=["write:oauth"])[1]
    )
    assert_problem(client.delete(f"/api/v1/oauth/authorized-apps/{listed[0]['id']}", headers=bearer(other_key)), 404)

    gone = client.delete(f"/api/v1/oauth/authorized-apps/{listed[0]['id']}", headers=bearer(key))
    assert gone.status_code == 204
    assert_problem(client.get("/api/v1/projects", headers=bearer(issued["access_token"])), 401)
    refresh = token_post(client, app, {"grant_type": "refresh_token", "refresh_token": issued["refresh_token"]})
    assert_oauth_error(refresh, 400, "invalid_grant")
    assert client.get("/api/v1/oauth/authorized-apps", headers=bearer(key)).json()["data"] == []


def test_an_access_token_cannot_read_authorized_apps_without_the_scope(
    browser: httpx.Client, client: httpx.Client, app: App
) -> None:
    issued = tokens_for(browser, client, app)
    assert_problem(client.get("/api/v1/oauth/authorized-apps", headers=bearer(issued["access_token"])), 403)


def add_member(db: Database, owner: Person) -> Person:
    from service.accounts.models import Builder
    from service.accounts.services import create_user
    from tests.service.oauth_helpers import PASSWORD, email

    def work(session: Any) -> Person:
        user = create_user(session, session.get_one(Builder, owner.builder_id), email=email(), password=PASSWORD)
        return Person(user.id, user.email, PASSWORD, builder_id=owner.builder_id)

    return db.write_sync(work)


def test_owners_and_admins_revoke_from_the_web_page_members_cannot(
    server: LiveServer, db: Database, app: App, client: httpx.Client
) -> None:
    owner = make_builder_user(db, "owner")
    with server.client(follow_redirects=False) as browser:
        sign_in(browser, owner)
        issued = tokens_for(browser, client, app)
        page = browser.get("/account/authorized-apps")
        assert "Takeoff Sync" in page.text and "Revoke" in page.text
        action = re.search(r'action="(/account/authorized-apps/[^"]+/revoke)"', page.text)
        assert action
        member = add_member(db, owner)
        with server.client(follow_redirects=False) as member_browser:
            sign_in(member_browser, member)
            seen = member_browser.get("/account/authorized-apps")
            assert "Takeoff Sync" in seen.text and "Only owners and admins" in seen.text
            refused = member_browser.post(action.group(1), data={"csrf_token": csrf_of(seen.text)})
            assert refused.status_code == 403
        done = browser.post(action.group(1), data={"csrf_token": csrf_of(page.text)})
        assert done.status_code == 303
    assert_problem(client.get("/api/v1/projects", headers=bearer(issued["access_token"])), 401)


def test_pages_declare_their_charset_once(client: httpx.Client) -> None:
    assert client.get("/login").headers["content-type"] == "text/html; charset=utf-8"
