"""Assertions shared by the service tests."""

from __future__ import annotations

from typing import Any

import httpx
from litestar import Router, get

__all__ = ["PROBLEM_JSON", "assert_problem", "assert_validation_problem", "boom_router"]

PROBLEM_JSON = "application/problem+json"


def assert_problem(resp: httpx.Response, status: int) -> dict[str, Any]:
    """Assert ``resp`` is an RFC 9457 problem with ``status``; return its body."""
    assert resp.status_code == status, resp.text
    assert resp.headers["content-type"] == PROBLEM_JSON
    body: dict[str, Any] = resp.json()
    for member in ("type", "title", "status", "detail", "request_id"):
        assert member in body, f"problem lacks {member!r}: {body}"
    assert body["status"] == status
    assert isinstance(body["type"], str) and ":" in body["type"], "type must be a URI"
    assert isinstance(body["title"], str) and body["title"]
    assert isinstance(body["detail"], str) and body["detail"]
    assert body["request_id"] == resp.headers["x-request-id"]
    return body


def assert_validation_problem(resp: httpx.Response) -> list[dict[str, str]]:
    """A 400 problem with ``errors: [{field, detail}]``; return the errors."""
    body = assert_problem(resp, 400)
    errors = body.get("errors")
    assert isinstance(errors, list) and errors, f"400 without errors: {body}"
    for error in errors:
        assert set(error) == {"field", "detail"}, error
        assert isinstance(error["field"], str) and error["field"]
        assert isinstance(error["detail"], str) and error["detail"]
    return errors


def boom_router() -> Router:
    @get("/", sync_to_thread=False)
    def boom() -> None:
        raise RuntimeError("secret-sql SELECT password FROM users")

    return Router(path="/boom", route_handlers=[boom])
