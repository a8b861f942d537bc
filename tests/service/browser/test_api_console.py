"""The API console in a real headless Chromium: it loads with no internet, and Try-It calls the
API with a Bearer key. Screenshots are kept in ``test-artifacts/``."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from urllib.parse import urlparse

import pytest
from playwright.sync_api import Browser, Page, Request, Route, sync_playwright

from tests.conftest import REPO_ROOT, LiveServer, Tenant

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = REPO_ROOT / "test-artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Browser, server: LiveServer) -> Iterator[tuple[Page, list[str]]]:
    """A page that may reach only our server; anything else is recorded and refused."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    outside: list[str] = []
    ours = urlparse(server.url).netloc

    def guard(route: Route, request: Request) -> None:
        if urlparse(request.url).netloc == ours or request.url.startswith("data:"):
            route.continue_()
        else:
            outside.append(request.url)
            route.abort()

    context.route("**/*", guard)
    yield context.new_page(), outside
    context.close()


def test_try_it_calls_the_api_with_a_bearer_key(
    page: tuple[Page, list[str]], server: LiveServer, tenant: Tenant
) -> None:
    tab, outside = page
    ARTIFACTS.mkdir(exist_ok=True)
    tab.goto(f"{server.url}/api/docs")
    tab.wait_for_selector("text=Joist API", timeout=20_000)

    tab.click("button.authorize")
    tab.fill(".auth-container input", tenant.key)
    tab.click(".auth-btn-wrapper button.authorize")
    tab.click("button.btn-done")

    operation = tab.locator("#operations-API_keys-listApiKeys")
    operation.locator(".opblock-summary").click()
    with tab.expect_response(lambda r: r.url.startswith(f"{server.url}/api/v1/api-keys")) as answer:
        operation.locator("button.execute").click()
    assert answer.value.status == 200
    assert answer.value.request.headers["authorization"] == f"Bearer {tenant.key}"
    tab.wait_for_selector(".live-responses-table .response-col_status")
    tab.screenshot(path=str(ARTIFACTS / "api-console-try-it.png"), full_page=False)
    assert "test key" in operation.locator(".live-responses-table").inner_text()
    assert outside == []
