"""A third-party OAuth client library (Authlib's requests client) completes the whole flow against
the running server: authorize with PKCE, exchange, call the API, refresh, detect a replayed
refresh token, revoke. The library's own PKCE, client authentication and token handling are used."""

from __future__ import annotations

import re
import secrets
from html import unescape
from typing import Any

import pytest
from authlib.integrations.base_client.errors import OAuthError
from authlib.integrations.requests_client import OAuth2Session

from service.accounts.models import UserKind
from service.db.database import Database
from tests.conftest import LiveServer
from tests.service.oauth_helpers import make_app, make_builder_user, make_person, sign_in


@pytest.mark.parametrize("auth_method", ["client_secret_basic", "client_secret_post"])
def test_authlib_client_full_flow(make_server: Any, db: Database, auth_method: str) -> None:
    live: LiveServer = make_server(oauth_refresh_grace_seconds=0)
    developer = make_person(db, UserKind.DEVELOPER)
    app = make_app(db, developer)
    owner = make_builder_user(db, "owner")
    meta_url = f"{live.url}/.well-known/oauth-authorization-server"

    with live.client(follow_redirects=False) as browser:
        sign_in(browser, owner)
        meta = browser.get(meta_url).json()
        oauth = OAuth2Session(
            client_id=app.client_id,
            client_secret=app.client_secret,
            scope="read:projects write:projects",
            redirect_uri=app.redirect_uri,
            code_challenge_method="S256",
            token_endpoint_auth_method=auth_method,
        )
        with oauth:
            verifier = secrets.token_urlsafe(48)
            url, state = oauth.create_authorization_url(meta["authorization_endpoint"], code_verifier=verifier)
            screen = browser.get(url)
            assert screen.status_code == 200
            fields = {
                k: unescape(v)
                for k, v in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', screen.text)
            }
            decided = browser.post("/api/v1/oauth/authorize", data={**fields, "decision": "approve"})
            callback = decided.headers["location"]
            assert f"iss={live.url.replace(':', '%3A').replace('/', '%2F')}" in callback

            token = oauth.fetch_token(meta["token_endpoint"], authorization_response=callback, code_verifier=verifier)
            assert token["token_type"] == "Bearer" and token["scope"] == "read:projects write:projects"
            first_refresh = token["refresh_token"]

            created = oauth.post(f"{live.url}/api/v1/projects", json={"name": "Authlib Tower"})
            assert created.status_code == 201, created.text
            assert oauth.get(f"{live.url}/api/v1/projects").json()["data"][0]["name"] == "Authlib Tower"

            refreshed = oauth.refresh_token(meta["token_endpoint"], refresh_token=first_refresh)
            assert refreshed["refresh_token"] != first_refresh
            assert oauth.get(f"{live.url}/api/v1/projects").status_code == 200

            # Presenting the rotated refresh token again is a replay: refused, and the grant ends.
            with pytest.raises(OAuthError) as replay:
                oauth.refresh_token(meta["token_endpoint"], refresh_token=first_refresh)
            assert replay.value.error == "invalid_grant"
            assert oauth.get(f"{live.url}/api/v1/projects").status_code == 401

            # A fresh authorization, then revocation through the library.
            verifier = secrets.token_urlsafe(48)
            url, _ = oauth.create_authorization_url(meta["authorization_endpoint"], code_verifier=verifier)
            fields = {
                k: unescape(v)
                for k, v in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', browser.get(url).text)
            }
            callback = browser.post("/api/v1/oauth/authorize", data={**fields, "decision": "approve"}).headers[
                "location"
            ]
            token = oauth.fetch_token(meta["token_endpoint"], authorization_response=callback, code_verifier=verifier)
            assert oauth.get(f"{live.url}/api/v1/projects").status_code == 200
            revoked = oauth.revoke_token(
                meta["revocation_endpoint"], token=token["refresh_token"], token_type_hint="refresh_token"
            )
            assert revoked.status_code == 200
            assert oauth.get(f"{live.url}/api/v1/projects").status_code == 401
            del state
