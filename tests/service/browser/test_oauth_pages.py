"""Issue #5's web pages in a real headless Chromium: a developer registers an app and submits it,
staff approve it, a builder user consents, the app calls the API with its token and refreshes,
and the builder revokes it. No JavaScript is needed; screenshots go to ``test-artifacts/``."""

from __future__ import annotations

import base64
import hashlib
import secrets
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Request, Route, sync_playwright

from service.accounts.models import UserKind
from service.db.database import Database
from tests.conftest import LiveServer, free_port
from tests.service.browser.test_api_console import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS
from tests.service.oauth_helpers import Person, make_builder_user, make_person


class _Callback(BaseHTTPRequestHandler):
    """The app's redirect URI: a real listener on loopback that records what reaches it."""

    received: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        type(self).received.append(self.path)
        body = b"the app received the answer"
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def callback_url() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", free_port()), _Callback)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/callback"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class Session:
    """A browser context that may reach only our server (and the app's callback, which it
    records instead of loading); JavaScript is off, as the pages must work without it."""

    def __init__(self, browser: Browser, server: LiveServer) -> None:
        self.context: BrowserContext = browser.new_context(
            viewport={"width": 1100, "height": 900}, java_script_enabled=False
        )
        self.outside: list[str] = []
        ours = urlsplit(server.url).netloc

        def guard(route: Route, request: Request) -> None:
            if urlsplit(request.url).netloc == ours:
                route.continue_()
            else:
                self.outside.append(request.url)
                route.abort()

        self.context.route("**/*", guard)
        self.page: Page = self.context.new_page()
        self.server = server

    def sign_in(self, person: Person) -> None:
        self.page.goto(f"{self.server.url}/login")
        self.page.fill("#email", person.email)
        self.page.fill("#password", person.password)
        self.page.click("main button[type=submit]")

    def shot(self, name: str) -> None:
        ARTIFACTS.mkdir(exist_ok=True)
        self.page.screenshot(path=str(ARTIFACTS / name), full_page=True)


@pytest.fixture
def session_factory(browser: Browser, server: LiveServer) -> Iterator[type[Session] | object]:
    opened: list[Session] = []

    def open_session() -> Session:
        s = Session(browser, server)
        opened.append(s)
        return s

    yield open_session
    for s in opened:
        assert s.outside == [], f"pages tried to load from elsewhere: {s.outside}"
        s.context.close()


def test_register_review_consent_call_refresh_revoke(
    session_factory: object, server: LiveServer, db: Database, callback_url: str
) -> None:
    callback = callback_url
    open_session = session_factory
    developer = make_person(db, UserKind.DEVELOPER)
    staff = make_person(db, UserKind.STAFF)
    owner = make_builder_user(db, "owner")

    # A developer registers an app and submits it for review.
    dev = open_session()  # type: ignore[operator]
    dev.sign_in(developer)
    assert dev.page.url.endswith("/developer/apps")
    dev.page.click("text=Register an app")
    dev.page.fill("#name", "Takeoff Sync")
    dev.page.fill("#description", "Quantity takeoffs into budgets")
    dev.page.fill("#redirect_uris", callback)
    dev.page.fill("#scopes", "read:projects write:projects")
    dev.page.fill("#homepage_url", "https://takeoff.example")
    dev.page.click("main button[type=submit]")
    client_secret = dev.page.inner_text("#client-secret")
    client_id = dev.page.inner_text("#client-id")
    assert client_secret.startswith("jst_cs_") and client_id.startswith("jst_cid_")
    dev.shot("developer-app-registered.png")
    dev.page.click("text=Submit for review")
    assert dev.page.inner_text("#app-status") == "submitted"
    app_url = dev.page.url

    # Staff approve it with a reason.
    reviewer = open_session()  # type: ignore[operator]
    reviewer.sign_in(staff)
    section = reviewer.page.locator("section", has_text=client_id)
    section.locator("input[name=reason]").fill("Scopes match what the app does")
    reviewer.shot("staff-review.png")
    section.locator("button[value=approve]").click()
    assert client_id not in reviewer.page.content()

    dev.page.goto(app_url)
    assert dev.page.inner_text("#app-status") == "approved"
    assert dev.page.inner_text("#review-reason") == "Scopes match what the app does"

    # A builder user consents in the browser.
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    query = urlencode(
        {
            "response_type": "code",
            "client_id": client_id,
            "redirect_uri": callback,
            "scope": "read:projects write:projects",
            "state": "s-123",
            "code_challenge": challenge,
            "code_challenge_method": "S256",
        }
    )
    builder = open_session()  # type: ignore[operator]
    builder.page.goto(f"{server.url}/api/v1/oauth/authorize?{query}")
    assert "/login?next=" in builder.page.url
    builder.page.fill("#email", owner.email)
    builder.page.fill("#password", owner.password)
    builder.page.click("main button[type=submit]")
    assert builder.page.url.startswith(f"{server.url}/api/v1/oauth/authorize?")
    text = builder.page.inner_text("main")
    assert "Takeoff Sync" in text and "See, create, change and delete your projects" in text
    builder.shot("oauth-consent.png")
    builder.page.click("button[value=approve]")
    # The browser followed the redirect to the app (CSP form-action allows the app's origin).
    assert builder.page.url.startswith(callback + "?")
    assert len(_Callback.received) == 1
    answer = {k: v[0] for k, v in parse_qs(urlsplit(_Callback.received[0]).query).items()}
    assert answer["state"] == "s-123" and answer["iss"] == server.url

    # The app exchanges the code, calls the API and refreshes.
    with server.client() as http:
        token = http.post(
            "/api/v1/oauth/token",
            data={
                "grant_type": "authorization_code",
                "code": answer["code"],
                "redirect_uri": callback,
                "code_verifier": verifier,
            },
            auth=(client_id, client_secret),
        ).json()
        auth = {"Authorization": f"Bearer {token['access_token']}"}
        assert http.post("/api/v1/projects", json={"name": "Harbour Lofts"}, headers=auth).status_code == 201
        refreshed = http.post(
            "/api/v1/oauth/token",
            data={"grant_type": "refresh_token", "refresh_token": token["refresh_token"]},
            auth=(client_id, client_secret),
        ).json()
        auth = {"Authorization": f"Bearer {refreshed['access_token']}"}
        assert http.get("/api/v1/projects", headers=auth).status_code == 200

        # The builder revokes the app from the authorized-apps page.
        builder.page.goto(f"{server.url}/account/authorized-apps")
        assert "Takeoff Sync" in builder.page.inner_text("main")
        builder.shot("authorized-apps.png")
        builder.page.click("button:has-text('Revoke')")
        assert "No app is authorized" in builder.page.inner_text("main")
        assert http.get("/api/v1/projects", headers=auth).status_code == 401
        assert isinstance(http, httpx.Client)
