"""The OpenAPI document, completed with what the shared conventions add to every operation:
problem+json error responses, the rate-limit headers, ``Idempotency-Key`` on ``POST``, 415 where
a body's media type is checked, and the validators of the single-record operations (``ETag``,
``If-Match`` / 412, ``If-None-Match`` / 304), the problems a route declares it answers beyond the
conventions (``PROBLEMS_OPT``), and the OAuth protocol endpoints, whose handlers read their forms
by hand.

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
from litestar.routes import HTTPRoute

from service.http.conditional import Kind, conditional_operations
from service.oauth.openapi_paths import OAUTH_PATHS

__all__ = ["PROBLEMS_OPT", "PROBLEM_SCHEMA", "complete_document", "declared_problems", "openapi_json"]

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
        "unknown_items": {
            "type": "array",
            "items": {"type": "string"},
            "description": "For unknown-cost-items problems: each cost item the cost book lacks, once, as sent.",
        },
        "accepted": {
            "type": "array",
            "items": {"type": "string"},
            "description": "For unsupported-media-type problems of a feed push: the media types it takes.",
        },
        "required_account": {
            "type": "string",
            "description": "For wrong-account problems: the kind of account the endpoint serves (builder, org).",
        },
        "account": {
            "type": "string",
            "description": "For wrong-account problems: the kind of account the key belongs to.",
        },
    },
}

#: Handler opt: the problems a route answers beyond the conventions, as ``{"422": {"description":
#: …, "headers"?: …}}``; the document gives each the problem+json body.
PROBLEMS_OPT = "joist.problems"

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
        "Any unique string (1–255 printable ASCII, no comma). Retrying with the same key and the same "
        "request within 24 h returns the first answer again without a second effect."
    ),
    "schema": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[\\x20-\\x2B\\x2D-\\x7E]+$"},
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


_JSON_BODY_415 = (
    "The body is not declared `application/json` (or `application/<x>+json`), or names a charset other than UTF-8."
)
# The feed pushes read their body as a stream, in the formats their request body lists
# (service.feeds.landing.body_kind checks the headers).
_FEED_BODY_415: dict[str, Any] = {
    "description": (
        "The Content-Type is not a feed format (`text/csv`, `application/x-ndjson` or `application/json`; "
        "`accepted` lists every media type taken, aliases included), names a charset other than UTF-8 (or US-ASCII), "
        "or the Content-Encoding is not gzip (then `Accept-Encoding: gzip`)."
    ),
    "headers": {
        "Accept-Encoding": {
            "description": "When the Content-Encoding was refused: the one accepted, `gzip`.",
            "schema": {"type": "string"},
        }
    },
}
_FEED_PUSHES = frozenset({"pushSupplierCatalog", "pushManufacturerFeed"})


def _unsupported_media_type(operation: dict[str, Any]) -> dict[str, Any] | None:
    """The 415 answer of an operation that takes a body, or None where any media type is taken."""
    if operation.get("operationId") in _FEED_PUSHES:
        return copy.deepcopy(_FEED_BODY_415)
    media_types = set(operation.get("requestBody", {}).get("content", {}))
    # a JSON body's media type is checked for every such route (service.http.query); a document's
    # content (application/octet-stream) is taken as whatever it is declared to be
    if media_types == {"application/json"}:
        return {"description": _JSON_BODY_415}
    return None


def declared_problems(app: Litestar) -> dict[str, dict[str, dict[str, Any]]]:
    """The ``operationId`` of every handler that declares problems with ``PROBLEMS_OPT``, and those."""
    found: dict[str, dict[str, dict[str, Any]]] = {}
    for route in app.routes:
        if isinstance(route, HTTPRoute):
            for handler in route.route_handlers:
                problems = handler.opt.get(PROBLEMS_OPT)
                if problems and isinstance(handler.operation_id, str):
                    found[handler.operation_id] = problems
    return found


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


def complete_document(
    document: dict[str, Any],
    conditional: Mapping[str, Kind] | None = None,
    problems: Mapping[str, Mapping[str, Mapping[str, Any]]] | None = None,
) -> dict[str, Any]:
    """The generated ``document`` completed with the conventions; ``conditional`` maps the
    ``operationId`` of each conditional operation to its kind, ``problems`` that of each operation
    declaring problems of its own (``declared_problems``) to them."""
    conditional = conditional or {}
    problems = problems or {}
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
            if "requestBody" in operation and (unsupported := _unsupported_media_type(operation)) is not None:
                responses["415"] = {**unsupported, "content": problem}
            for status, declared in problems.get(operation.get("operationId", ""), {}).items():
                responses[status] = {**copy.deepcopy(dict(declared)), "content": problem}
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
        body = msgspec.json.encode(
            complete_document(app.openapi_schema.to_schema(), conditional_operations(app), declared_problems(app))
        )
        app.state[_CACHE_KEY] = body
    return Response(body, media_type="application/vnd.oai.openapi+json")
