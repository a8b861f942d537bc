"""People, apps and flows for the tests of issue #5: sign-in through the real HTML forms and
the authorization code flow driven by plain HTTP (a browser does the same in tests/browser)."""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
import uuid
from dataclasses import dataclass
from html import unescape
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx

from service.accounts.models import UserKind
from service.accounts.services import create_builder, create_person, create_user, issue_person_key
from service.db.database import Database
from service.oauth.apps import create_app, review_app, submit_app
from service.oauth.schemas import AppCreate

PASSWORD = "correct horse battery"
REDIRECT = "http://127.0.0.1:8765/callback"


@dataclass
class Person:
    id: uuid.UUID
    email: str
    password: str
    key: str = ""
    builder_id: uuid.UUID | None = None
    builder_slug: str = ""

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.key}"}


@dataclass
class App:
    id: uuid.UUID
    client_id: str
    client_secret: str | None
    redirect_uri: str
    scopes: list[str]


def email() -> str:
    return f"p-{uuid.uuid4().hex[:12]}@example.com"


def make_builder_user(db: Database, role: str = "owner", plan: str = "professional") -> Person:
    slug = f"b-{uuid.uuid4().hex[:12]}"

    def work(session: Any) -> Person:
        builder = create_builder(session, slug=slug, name=f"Builder {slug}", plan=plan)
        user = create_user(session, builder, email=email(), role=role, password=PASSWORD, name="Pat Builder")
        return Person(user.id, user.email, PASSWORD, builder_id=builder.id, builder_slug=slug)

    return db.write_sync(work)


def make_person(db: Database, kind: UserKind) -> Person:
    def work(session: Any) -> Person:
        user = create_person(session, kind, email=email(), password=PASSWORD, name=f"{kind.value} person")
        return Person(user.id, user.email, PASSWORD, key=issue_person_key(session, user))

    return db.write_sync(work)


def make_app(
    db: Database,
    developer: Person,
    *,
    client_type: str = "confidential",
    scopes: list[str] | None = None,
    redirect_uri: str = REDIRECT,
    status: str = "approved",
) -> App:
    scopes = scopes or ["read:projects", "write:projects"]

    def work(session: Any) -> App:
        data = AppCreate(
            name="Takeoff Sync",
            redirect_uris=[redirect_uri],
            scopes=scopes,
            client_type=client_type,  # type: ignore[arg-type]
        )
        app, secret = create_app(session, developer.id, data)
        if status != "draft":
            submit_app(session, developer.id, app.id)
        if status == "approved":
            review_app(session, app, "approve", "looks good", None)
        return App(app.id, app.client_id, secret, redirect_uri, scopes)

    return db.write_sync(work)


def pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(html: str) -> str:
    found = _CSRF.search(html)
    assert found, "no CSRF token in the page"
    return unescape(found.group(1))


def sign_in(client: httpx.Client, person: Person, next_path: str | None = None) -> httpx.Response:
    query = f"?{urlencode({'next': next_path})}" if next_path else ""
    form = client.get(f"/login{query}")
    assert form.status_code == 200, form.text
    return client.post(
        f"/login{query}",
        data={"email": person.email, "password": person.password, "csrf_token": csrf_of(form.text)},
    )


def authorize_params(app: App, challenge: str, **changes: str | None) -> dict[str, str]:
    params: dict[str, str | None] = {
        "response_type": "code",
        "client_id": app.client_id,
        "redirect_uri": app.redirect_uri,
        "scope": " ".join(app.scopes),
        "state": "xyz-state",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    params.update(changes)
    return {k: v for k, v in params.items() if v is not None}


def consent(
    client: httpx.Client, app: App, challenge: str, decision: str = "approve", **changes: str | None
) -> dict[str, str]:
    """Open the consent screen as the signed-in user and decide; the redirect's query."""
    screen = client.get("/api/v1/oauth/authorize", params=authorize_params(app, challenge, **changes))
    assert screen.status_code == 200, screen.text
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', screen.text))
    fields = {k: unescape(v) for k, v in fields.items()}
    fields["decision"] = decision
    answer = client.post("/api/v1/oauth/authorize", data=fields)
    assert answer.status_code == 303, answer.text
    location = answer.headers["location"]
    assert location.startswith(app.redirect_uri)
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


def get_code(client: httpx.Client, app: App, challenge: str) -> str:
    return consent(client, app, challenge)["code"]


def exchange(http: httpx.Client, app: App, code: str, verifier: str, **extra: str) -> httpx.Response:
    data = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": app.redirect_uri,
        "code_verifier": verifier,
    }
    data.update(extra)
    return token_post(http, app, data)


def token_post(http: httpx.Client, app: App, data: dict[str, str], path: str = "/api/v1/oauth/token") -> httpx.Response:
    if app.client_secret:
        return http.post(path, data=data, auth=(app.client_id, app.client_secret))
    return http.post(path, data={**data, "client_id": app.client_id})
