"""Hostile input at the OAuth endpoints and pages: refused with an RFC 6749 error or a 4xx, never a
500 and never a token."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from service.accounts.models import UserKind
from service.db.database import Database
from tests.conftest import LiveServer
from tests.service.oauth_helpers import App, authorize_params, make_app, make_builder_user, make_person, pkce, sign_in

TOKEN = "/api/v1/oauth/token"


@pytest.fixture
def app(db: Database) -> App:
    return make_app(db, make_person(db, UserKind.DEVELOPER))


@pytest.fixture
def browser(server: LiveServer, db: Database) -> Iterator[httpx.Client]:
    with server.client(follow_redirects=False) as c:
        sign_in(c, make_builder_user(db))
        yield c


@pytest.mark.parametrize(
    ("content", "headers"),
    [
        (b"\xff\xfe\x00garbage", {"Content-Type": "application/x-www-form-urlencoded"}),
        (b"grant_type=authorization_code&code=%00", {"Content-Type": "application/x-www-form-urlencoded"}),
        (
            b"grant_type=refresh_token&refresh_token=" + "é".encode() * 3000,
            {"Content-Type": "application/x-www-form-urlencoded"},
        ),
        (b"&".join(b"a%d=1" % i for i in range(500)), {"Content-Type": "application/x-www-form-urlencoded"}),
        (b"grant_type=authorization_code", {"Content-Type": "text/plain"}),
        (
            b"grant_type=authorization_code",
            {"Content-Type": "application/x-www-form-urlencoded", "Authorization": "Basic !!!"},
        ),
        (
            b"grant_type=authorization_code",
            {"Content-Type": "application/x-www-form-urlencoded", "Authorization": "Basic Zm9v"},
        ),
        (
            b"grant_type=authorization_code",
            {"Content-Type": "application/x-www-form-urlencoded", "Authorization": "Bearer jst_at_x"},
        ),
    ],
)
@pytest.mark.parametrize("path", [TOKEN, "/api/v1/oauth/revoke", "/api/v1/oauth/introspect"])
def test_mangled_requests_are_4xx_with_an_oauth_error(
    client: httpx.Client, path: str, content: bytes, headers: dict[str, str]
) -> None:
    resp = client.post(path, content=content, headers=headers)
    assert 400 <= resp.status_code < 500, resp.text
    body = resp.json()
    assert body["error"] in {"invalid_request", "invalid_client"}
    assert "access_token" not in body


def test_odd_codes_and_verifiers_never_give_a_token(client: httpx.Client, app: App) -> None:
    assert app.client_secret
    for code, verifier in [("x" * 5000, "a" * 50), ("jst_ac_" + "Z" * 38, "ü" * 50), ("", ""), ("jst_ac_", "a" * 129)]:
        resp = client.post(
            TOKEN,
            data={
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": app.redirect_uri,
                "code_verifier": verifier,
            },
            auth=(app.client_id, app.client_secret),
        )
        assert resp.status_code == 400 and resp.json()["error"] in {"invalid_grant", "invalid_request"}


@pytest.mark.parametrize(
    "changes",
    [
        {"client_id": "x" * 5000},
        {"redirect_uri": "http://127.0.0.1:8765/" + "a" * 5000},
        {"state": "s" * 2000},
        {"scope": "read:projects " * 200},
        {"code_challenge": "é" * 43},
        {"redirect_uri": "javascript:alert(1)"},
    ],
)
def test_odd_authorization_requests_are_4xx_or_an_error_redirect(
    browser: httpx.Client, app: App, changes: dict[str, str]
) -> None:
    _, challenge = pkce()
    resp = browser.get("/api/v1/oauth/authorize", params=authorize_params(app, challenge, **changes))
    assert resp.status_code in (200, 303, 400), resp.text  # 200: the consent screen (repeated scopes fold)
    if resp.status_code == 303:
        assert resp.headers["location"].startswith(app.redirect_uri + "?") and "code=" not in resp.headers["location"]


def test_a_nul_in_the_authorization_request_is_refused(browser: httpx.Client, app: App) -> None:
    resp = browser.get(f"/api/v1/oauth/authorize?client_id={app.client_id}%00&response_type=code")
    assert resp.status_code == 400
