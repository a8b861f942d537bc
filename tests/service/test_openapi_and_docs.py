"""The OpenAPI document at /api/v1/openapi.json is valid OpenAPI 3.x and describes the API; the
console at /api/docs works offline, from assets the server itself serves."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

import httpx
import pytest
from openapi_spec_validator import validate

from service.db.database import Database
from tests.conftest import Tenant
from tests.helpers import PROBLEM_JSON, assert_problem
from tests.service.feed_helpers import make_org

SPEC = "/api/v1/openapi.json"
KEYS = "/api/v1/api-keys"
KEY = "/api/v1/api-keys/{key_id}"


@pytest.fixture
def spec(client: httpx.Client) -> dict[str, Any]:
    resp = client.get(SPEC)
    assert resp.status_code == 200
    assert "json" in resp.headers["content-type"]
    document: dict[str, Any] = resp.json()
    return document


def _parameters(operation: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {p["name"]: p for p in operation.get("parameters", [])}


def test_the_document_is_valid_openapi_3(spec: dict[str, Any]) -> None:
    assert re.match(r"^3\.\d+\.\d+$", spec["openapi"])
    validate(spec)


def test_the_api_key_operations_are_documented(spec: dict[str, Any]) -> None:
    paths = spec["paths"]
    assert {"get", "post"} <= set(paths[KEYS])
    assert {"get", "delete"} <= set(paths[KEY])
    assert _parameters(paths[KEY]["get"])["key_id"]["in"] == "path"
    assert paths[KEYS]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert "201" in paths[KEYS]["post"]["responses"]
    assert "204" in paths[KEY]["delete"]["responses"]


def test_a_bearer_scheme_secures_the_operations(spec: dict[str, Any]) -> None:
    schemes = spec["components"]["securitySchemes"]
    bearer = [
        name for name, s in schemes.items() if s.get("type") == "http" and s.get("scheme", "").lower() == "bearer"
    ]
    assert bearer, schemes
    for path in (KEYS, KEY):
        for method, operation in spec["paths"][path].items():
            requirements = operation.get("security", spec.get("security", []))
            assert any(set(r) & set(bearer) for r in requirements), (path, method)


def test_the_list_documents_limit_and_cursor(spec: dict[str, Any]) -> None:
    params = _parameters(spec["paths"][KEYS]["get"])
    limit, cursor = params["limit"], params["cursor"]
    assert limit["in"] == cursor["in"] == "query"
    assert not limit.get("required") and not cursor.get("required")
    assert limit["schema"]["type"] == "integer"
    assert (limit["schema"]["minimum"], limit["schema"]["maximum"], limit["schema"]["default"]) == (1, 100, 25)


OAUTH_PROTOCOL = ("/api/v1/oauth/token", "/api/v1/oauth/revoke", "/api/v1/oauth/introspect")


def test_documented_errors_are_problem_details(spec: dict[str, Any]) -> None:
    # Clients generated from the document must expect what the API really sends on an error.
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            for status, response in operation.get("responses", {}).items():
                if status.startswith(("4", "5")) and "content" in response:
                    # the OAuth protocol endpoints answer RFC 6749 JSON, as OAuth client libraries expect
                    expected = {"application/json"} if path in OAUTH_PROTOCOL else {PROBLEM_JSON}
                    assert set(response["content"]) == expected, (path, method, status)


CATALOG_READS = (
    ("/api/v1/catalog/products", "get"),
    ("/api/v1/catalog/products/{product_id}", "get"),
    ("/api/v1/cost-data/items", "get"),
    ("/api/v1/cost-data/estimate", "post"),
)
FEED_PUSHES = ("/api/v1/suppliers/catalog", "/api/v1/manufacturers/feed")


def test_every_body_whose_media_type_is_checked_documents_415(spec: dict[str, Any]) -> None:
    without = {
        (path, method)
        for path, item in spec["paths"].items()
        for method, operation in item.items()
        if "requestBody" in operation and "415" not in operation["responses"]
    }
    # the OAuth endpoints answer the protocol's way; a document's content may be any media type
    assert without == {(path, "post") for path in OAUTH_PROTOCOL} | {("/api/v1/documents/{document_id}/content", "put")}
    for path in FEED_PUSHES:
        unsupported = spec["paths"][path]["post"]["responses"]["415"]
        assert "Accept-Encoding" in unsupported["headers"] and "`accepted`" in unsupported["description"]
    assert {"accepted", "unknown_items"} <= set(spec["components"]["schemas"]["Problem"]["properties"])


def test_the_catalog_reads_document_503_and_the_estimate_422(spec: dict[str, Any]) -> None:
    for path, method in CATALOG_READS:
        unavailable = spec["paths"][path][method]["responses"]["503"]
        assert "snapshot-unavailable" in unavailable["description"], path
        assert set(unavailable["content"]) == {PROBLEM_JSON}
        assert unavailable["headers"]["Retry-After"]["schema"] == {"type": "integer"}
    unknown = spec["paths"]["/api/v1/cost-data/estimate"]["post"]["responses"]["422"]
    assert "unknown-cost-items" in unknown["description"] and set(unknown["content"]) == {PROBLEM_JSON}


def _documented(spec: dict[str, Any], path: str, method: str, resp: httpx.Response) -> dict[str, Any]:
    """The problem ``resp`` answered, after checking the document lists its status for the operation."""
    body = assert_problem(resp, resp.status_code)
    assert str(resp.status_code) in spec["paths"][path][method]["responses"], (path, method, resp.status_code)
    return body


def test_the_answers_really_given_are_documented(
    spec: dict[str, Any], client: httpx.Client, tenant: Tenant, db: Database
) -> None:
    # nothing is published in the session's data dir: the catalog reads answer 503
    for path, method in CATALOG_READS:
        url = path.replace("{product_id}", "p_0000000000000000")
        body = {"lines": [{"item": "03 30 53.40 4300", "quantity": "1"}]} if method == "post" else None
        resp = client.request(method, url, json=body, headers=tenant.auth)
        assert resp.status_code == 503 and resp.headers["retry-after"] == "60", resp.text
        assert _documented(spec, path, method, resp)["type"].endswith(":snapshot-unavailable")
    # a JSON body sent as something else
    for path in ("/api/v1/projects", "/api/v1/cost-data/estimate"):
        resp = client.post(path, content=b"{}", headers={**tenant.auth, "Content-Type": "text/plain"})
        assert resp.status_code == 415, (path, resp.text)
        _documented(spec, path, "post", resp)
    # a feed push: its own formats
    supplier = make_org(db)
    push = "/api/v1/suppliers/catalog"
    resp = client.post(push, content=b"sku\n1\n", headers={**supplier.auth, "Content-Type": "text/plain"})
    assert resp.status_code == 415, resp.text
    assert "text/csv" in _documented(spec, push, "post", resp)["accepted"]
    compressed = {**supplier.auth, "Content-Type": "text/csv", "Content-Encoding": "br"}
    resp = client.post(push, content=b"sku\n1\n", headers=compressed)
    assert resp.status_code == 415 and resp.headers["accept-encoding"] == "gzip", resp.text
    _documented(spec, push, "post", resp)


class _Assets(HTMLParser):
    """Collects the URLs a page makes the browser load."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.scripts = 0
        self.stylesheets = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = dict(attrs)
        if tag == "script":
            self.scripts += 1
            if attr.get("src"):
                self.urls.append(attr["src"] or "")
        elif tag == "link" and attr.get("href"):
            self.stylesheets += "stylesheet" in (attr.get("rel") or "")
            self.urls.append(attr["href"] or "")
        elif tag in ("img", "iframe") and attr.get("src"):
            self.urls.append(attr["src"] or "")


def _console(client: httpx.Client) -> tuple[httpx.Response, _Assets]:
    resp = client.get("/api/docs")
    assert resp.status_code == 200
    assert resp.headers["content-type"].startswith("text/html")
    parser = _Assets()
    parser.feed(resp.text)
    return resp, parser


def test_the_console_loads_nothing_from_the_internet(client: httpx.Client) -> None:
    resp, assets = _console(client)
    assert assets.scripts >= 1 and assets.stylesheets >= 1
    assert "http://" not in resp.text and "https://" not in resp.text
    for url in assets.urls:
        assert url.startswith("/") and not url.startswith("//"), url


def test_every_console_asset_is_served(client: httpx.Client) -> None:
    _, assets = _console(client)
    for url in assets.urls:
        resp = client.get(url)
        assert resp.status_code == 200, url
        assert resp.content, url
    js = [url for url in assets.urls if url.endswith(".js")]
    css = [url for url in assets.urls if url.endswith(".css")]
    assert js and css
    assert all("javascript" in client.get(url).headers["content-type"] for url in js)
    assert all(client.get(url).headers["content-type"].startswith("text/css") for url in css)


def test_the_console_is_pointed_at_the_v1_document(client: httpx.Client) -> None:
    init = client.get("/api/docs/init.js")
    assert init.status_code == 200
    assert "javascript" in init.headers["content-type"]
    assert re.search(r"""url:\s*["']/api/v1/openapi\.json["']""", init.text)
    assert "http://" not in init.text and "https://" not in init.text


def test_each_operation_names_its_scope_and_nothing_internal_is_listed(spec: dict[str, Any]) -> None:
    assert all(path.startswith("/api/v1/") for path in spec["paths"]), list(spec["paths"])
    scopes = {
        (path, method): operation["security"]
        for path, item in spec["paths"].items()
        for method, operation in item.items()
    }
    assert scopes[(KEYS, "get")] == [{"bearer": ["read:api_keys"]}]
    assert scopes[(KEYS, "post")] == [{"bearer": ["write:api_keys"]}]
    assert scopes[("/api/v1/projects/{project_id}", "patch")] == [
        {"bearer": ["write:projects"]},
        {"oauth2": ["write:projects"]},
    ]
    assert scopes[("/api/v1/events", "get")] == [{"bearer": ["read:events"]}, {"oauth2": ["read:events"]}]
    assert scopes[("/api/v1/org/api-keys", "get")] == [{"bearer": ["read:api_keys"]}]
    assert scopes[("/api/v1/org/api-keys/{key_id}", "delete")] == [{"bearer": ["write:api_keys"]}]


def test_list_pages_have_readable_names(spec: dict[str, Any]) -> None:
    schemas = spec["components"]["schemas"]
    assert {"ApiKeyPage", "ProjectPage", "EventPage"} <= set(schemas)
    assert not [name for name in schemas if "[" in name or "." in name]


def test_every_list_page_documents_its_items(spec: dict[str, Any]) -> None:
    """An SDK generated from the document types each page's items (not a bag of fields)."""
    schemas = spec["components"]["schemas"]
    pages = {name: s for name, s in schemas.items() if {"data", "next_cursor"} <= set(s.get("properties", {}))}
    assert len(pages) > 10
    for name, page in pages.items():
        ref = page["properties"]["data"]["items"].get("$ref", "")
        assert ref.startswith("#/components/schemas/"), (name, page["properties"]["data"])
        assert ref.removeprefix("#/components/schemas/") in schemas, (name, ref)


def test_an_oauth2_scheme_describes_the_apps_flow(spec: dict[str, Any]) -> None:
    oauth2 = spec["components"]["securitySchemes"]["oauth2"]
    flow = oauth2["flows"]["authorizationCode"]
    assert (flow["authorizationUrl"], flow["tokenUrl"]) == ("/api/v1/oauth/authorize", "/api/v1/oauth/token")
    assert "read:projects" in flow["scopes"] and "write:invoices" in flow["scopes"]
    assert not [s for s in flow["scopes"] if s.endswith((":api_keys", ":oauth"))]  # apps never hold these
    paths = spec["paths"]
    # a builder's record: a key or an app's token
    assert paths["/api/v1/projects"]["get"]["security"] == [
        {"bearer": ["read:projects"]},
        {"oauth2": ["read:projects"]},
    ]
    # the builder's own keys only
    assert paths[KEYS]["get"]["security"] == [{"bearer": ["read:api_keys"]}]
    # an organisation's push: its keys only
    assert paths["/api/v1/suppliers/catalog"]["post"]["security"] == [{"bearer": ["write:catalog"]}]


def test_the_oauth_endpoints_are_documented_as_forms(spec: dict[str, Any]) -> None:
    for path in OAUTH_PROTOCOL:
        operation = spec["paths"][path]["post"]
        form = operation["requestBody"]["content"]["application/x-www-form-urlencoded"]["schema"]
        assert "client_id" in form["properties"] and operation["security"] == []
        # errors the protocol's way (RFC 6749 JSON), not the API's problem documents
        assert "application/json" in operation["responses"]["400"]["content"]
    token = spec["paths"]["/api/v1/oauth/token"]["post"]
    assert token["requestBody"]["content"]["application/x-www-form-urlencoded"]["schema"]["properties"]["grant_type"][
        "enum"
    ] == ["authorization_code", "refresh_token"]


def test_the_api_root_says_where_to_read_about_it(client: httpx.Client) -> None:
    # the URL `joist up` prints as "API"
    for path in ("/api/v1", "/api/v1/"):
        resp = client.get(path)
        assert resp.status_code == 200, (path, resp.text)
        assert resp.json()["openapi"] == SPEC and client.get(resp.json()["console"]).status_code == 200
