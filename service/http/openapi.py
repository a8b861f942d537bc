"""The OpenAPI document, completed with what the shared conventions add to every operation:
problem+json error responses, the rate-limit headers, ``Idempotency-Key`` on ``POST``, and the
validators of the single-record operations (``ETag``, ``If-Match`` / 412, ``If-None-Match`` / 304),
and the OAuth protocol endpoints, whose handlers read their forms by hand.

Litestar generates the operations from the handlers; the conventions are implemented once in
middleware, so they are documented once here. The finished document is built on first request
and then served from memory.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

import msgspec
from litestar import Litestar, Request, Response, get

from service.http.conditional import Kind, conditional_operations
from service.oauth.openapi_paths import OAUTH_PATHS

__all__ = ["PROBLEM_SCHEMA", "complete_document", "openapi_json"]

PROBLEM_JSON = "application/problem+json"

PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "RFC 9457 problem details.",
    "required": ["type", "title", "status", "detail", "request_id"],
    "properties": {
        "type": {"type": "string", "format": "uri", "examples": ["urn:joist:problem:validation-error"]},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "request_id": {"type": "string"},
        "errors": {
            "type": "array",
            "description": "For validation problems: each field or parameter that is wrong.",
            "items": {
                "type": "object",
                "required": ["field", "detail"],
                "properties": {"field": {"type": "string"}, "detail": {"type": "string"}},
            },
        },
        "required_scope": {"type": "string", "description": "For insufficient-scope problems."},
        "current_etag": {"type": "string", "description": "For precondition-failed problems: the record's ETag."},
    },
}

_RATE_HEADERS: dict[str, Any] = {
    "RateLimit-Limit": {
        "description": "Requests per minute allowed to this credential.",
        "schema": {"type": "integer"},
    },
    "RateLimit-Remaining": {"description": "Requests left in the current window.", "schema": {"type": "integer"}},
    "RateLimit-Reset": {"description": "Seconds until the window resets.", "schema": {"type": "integer"}},
}

_ERRORS: dict[str, str] = {
    "400": "The request is not valid; `errors` names each field or parameter.",
    "401": "No usable credential (missing, malformed, unknown, revoked or expired).",
    "403": "The credential lacks the scope named in `required_scope`.",
    "404": "No such resource for this builder.",
    "409": "A conflict, e.g. an `Idempotency-Key` reused with a different request.",
    "413": "The request body is over the size limit.",
    "429": "Over the plan's rate limit; see `Retry-After`.",
    "500": "A fault of ours; quote `request_id` when reporting it.",
}

_IDEMPOTENCY_KEY: dict[str, Any] = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": (
        "Any unique string (1–255 printable ASCII). Retrying with the same key and the same request "
        "within 24 h returns the first answer again without a second effect."
    ),
    "schema": {"type": "string", "minLength": 1, "maxLength": 255},
}


_ETAG: dict[str, Any] = {
    "ETag": {
        "description": 'The record\'s version as a strong entity tag (`"7"`), for `If-Match` and `If-None-Match`.',
        "schema": {"type": "string"},
    }
}

_IF_MATCH: dict[str, Any] = {
    "name": "If-Match",
    "in": "header",
    "required": False,
    "description": (
        'Make the change only if the record is still at this version: `*` or a list of ETags (`"7"`). '
        "Otherwise 412 `precondition-failed`, with the current ETag in `current_etag`."
    ),
    "schema": {"type": "string"},
}

_IF_NONE_MATCH: dict[str, Any] = {
    "name": "If-None-Match",
    "in": "header",
    "required": False,
    "description": "ETags the client holds: when one is the record's current version, 304 with no body.",
    "schema": {"type": "string"},
}


def _conditional(operation: dict[str, Any], kind: Kind, problem: dict[str, Any]) -> None:
    """The headers and answers of a conditional operation (``service.http.conditional``)."""
    responses = operation.setdefault("responses", {})
    for status, response in responses.items():
        if status.startswith("2") and status != "204":
            response.setdefault("headers", {}).update(_ETAG)
    if kind == "read":
        operation.setdefault("parameters", []).append(_IF_NONE_MATCH)
        responses["304"] = {
            "description": "Not modified: `If-None-Match` names the current version.",
            "headers": dict(_ETAG),
        }
    elif kind == "write":
        operation.setdefault("parameters", []).append(_IF_MATCH)
        responses["412"] = {
            "description": "`If-Match` names no current version of the record; `current_etag` is its ETag.",
            "content": problem,
        }


def complete_document(document: dict[str, Any], conditional: Mapping[str, Kind] | None = None) -> dict[str, Any]:
    """The generated ``document`` completed with the conventions; ``conditional`` maps the
    ``operationId`` of each conditional operation to its kind."""
    conditional = conditional or {}
    doc = copy.deepcopy(document)
    doc.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
    problem = {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}}
    for path, item in doc.get("paths", {}).items():
        if not path.startswith("/api/"):
            continue
        for method, operation in item.items():
            if not isinstance(operation, dict) or method not in {"get", "post", "put", "patch", "delete"}:
                continue
            responses = operation.setdefault("responses", {})
            for status, description in _ERRORS.items():
                if status in {"409", "413"} and method == "get":
                    continue
                responses[status] = {"description": description, "content": problem}
            for status, response in responses.items():
                if status.startswith("2"):
                    response.setdefault("headers", {}).update(_RATE_HEADERS)
            if method == "post":
                operation.setdefault("parameters", []).append(_IDEMPOTENCY_KEY)
            if (kind := conditional.get(operation.get("operationId", ""))) is not None:
                _conditional(operation, kind, problem)
    # after the conventions: the protocol's endpoints answer errors the protocol's way
    doc["paths"].update(copy.deepcopy(OAUTH_PATHS))
    return doc


_CACHE_KEY = "joist.openapi_json"


@get("/openapi.json", include_in_schema=False, media_type="application/vnd.oai.openapi+json")
async def openapi_json(request: Request[Any, Any, Any]) -> Response[bytes]:
    app: Litestar = request.app
    body: bytes | None = app.state.get(_CACHE_KEY)
    if body is None:
        body = msgspec.json.encode(complete_document(app.openapi_schema.to_schema(), conditional_operations(app)))
        app.state[_CACHE_KEY] = body
    return Response(body, media_type="application/vnd.oai.openapi+json")
