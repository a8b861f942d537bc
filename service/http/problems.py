"""RFC 9457 problem details for every error, in one handler per exception family."""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

import msgspec
from litestar import Request, Response
from litestar.exceptions import (
    HTTPException,
    MethodNotAllowedException,
    NotAuthorizedException,
    NotFoundException,
    ValidationException,
)
from litestar.status_codes import HTTP_413_REQUEST_ENTITY_TOO_LARGE
from litestar.types import ExceptionHandlersMap
from litestar.utils.scope.state import ScopeState

from service.errors import FieldError, InvalidInput, JoistError
from service.http.query import QUERY_ALIASES
from service.http.request_id import request_id

__all__ = ["PROBLEM_JSON", "exception_handlers", "problem", "schema_router_problems"]

PROBLEM_JSON = "application/problem+json"
log = logging.getLogger("joist.http")


def problem_type(slug: str) -> str:
    return f"urn:joist:problem:{slug}"


def problem(
    request: Request[Any, Any, Any],
    *,
    status: int,
    slug: str,
    title: str,
    detail: str,
    errors: Sequence[FieldError] = (),
    headers: Mapping[str, str] | None = None,
    extensions: Mapping[str, object] | None = None,
) -> Response[bytes]:
    body: dict[str, object] = {
        "type": problem_type(slug),
        "title": title,
        "status": status,
        "detail": detail,
        "instance": request.url.path,
        "request_id": request_id(request.scope),
    }
    if errors:
        body["errors"] = [{"field": e.field, "detail": e.detail} for e in errors]
    if extensions:
        body.update(extensions)
    return Response(
        content=msgspec.json.encode(body),
        status_code=status,
        media_type=PROBLEM_JSON,
        headers=dict(headers or {}),
    )


def _joist_error(request: Request[Any, Any, Any], exc: JoistError) -> Response[bytes]:
    if exc.status >= 500:
        log.error("request %s failed: %s", request_id(request.scope), exc.detail)
    return problem(
        request,
        status=exc.status,
        slug=exc.slug,
        title=exc.title,
        detail=exc.detail,
        errors=exc.errors,
        headers=exc.headers,
        extensions=exc.extensions,
    )


def _field_name(key: object, source: object) -> str:
    key = str(key or "")
    if key == "data":  # Litestar's name for the whole request body
        return "body"
    if source == "body" or not key:
        # msgspec names the failing spot as ``$.a.b[0]``; the API speaks of ``a.b[0]``.
        return key.removeprefix("$.").removeprefix("$") or "body"
    return key


# What a parameter's type error says in the words of the API (msgspec names Python types).
_PARAMETER_MESSAGES = {
    "Expected `bool`, got `str`": "must be true or false (or 1 or 0)",
    "Expected `int`, got `str`": "must be a whole number",
}

# msgspec names the offending field inside the message when the problem is the object itself.
_NAMED_FIELD = re.compile(r"^Object (missing required|contains unknown) field `([^`]+)`$")


def _body_error(key: str, message: str) -> FieldError:
    if message == "'data'":  # Litestar's way of saying there was no body at all
        return FieldError("body", "a JSON object is required")
    if key == "body" and (named := _NAMED_FIELD.match(message)):
        reason = "required" if named.group(1) == "missing required" else "not a field of this body"
        return FieldError(named.group(2), reason)
    return FieldError(key, message)


def _validation_error(request: Request[Any, Any, Any], exc: ValidationException) -> Response[bytes]:
    errors: list[FieldError] = []
    for item in exc.extra if isinstance(exc.extra, list) else []:
        if isinstance(item, Mapping):
            message = str(item.get("message", "invalid value"))
            key = item.get("key")
            if not key and " - at `" in message:
                message, _, where = message.partition(" - at `")
                key = where.rstrip("`")
            if item.get("source") == "query":
                key = request.route_handler.opt.get(QUERY_ALIASES, {}).get(key, key)
                message = message.replace(f"{item.get('key')}:", f"{key}:")
            if item.get("source") in ("query", "header", "cookie"):
                message = _PARAMETER_MESSAGES.get(message, message)
            errors.append(_body_error(_field_name(key, item.get("source")), message))
    detail = "; ".join(f"{e.field}: {e.detail}" for e in errors) or _clean_detail(exc.detail)
    return problem(
        request, status=400, slug="validation-error", title="Your request is not valid", detail=detail, errors=errors
    )


def _clean_detail(detail: str) -> str:
    # Litestar prefixes validation messages with the handler path; the caller wants the reason.
    return detail.split(" for ", 1)[0] if detail.startswith("Validation failed") else detail


_HTTP_SLUGS = {
    400: ("bad-request", "Bad request"),
    401: ("unauthenticated", "Authentication required"),
    403: ("forbidden", "Forbidden"),
    404: ("not-found", "Not found"),
    405: ("method-not-allowed", "Method not allowed"),
    413: ("payload-too-large", "Request body too large"),
    415: ("unsupported-media-type", "Unsupported media type"),
    429: ("rate-limited", "Rate limit exceeded"),
}


def _http_error(request: Request[Any, Any, Any], exc: HTTPException) -> Response[bytes]:
    status = exc.status_code
    slug, title = _HTTP_SLUGS.get(status, ("http-error", "HTTP error"))
    headers = dict(exc.headers or {})
    detail = exc.detail
    if isinstance(exc, NotFoundException):
        detail = f"no resource at {request.url.path}"
    elif isinstance(exc, MethodNotAllowedException):
        detail = f"{request.method} is not allowed on {request.url.path}"
    elif status == HTTP_413_REQUEST_ENTITY_TOO_LARGE:
        limit = request.route_handler.resolve_request_max_body_size() if "route_handler" in request.scope else None
        detail = f"the request body is larger than the {limit}-byte limit" if limit else "the request body is too large"
    elif isinstance(exc, NotAuthorizedException):
        headers.setdefault("WWW-Authenticate", "Bearer")
    elif status == 400:
        if "number out of range" in str(exc.detail).lower() and (field := _huge_number(request)) is not None:
            detail = "a number beyond the range of a JSON number here; send it as a decimal string"
            return problem(
                request,
                status=400,
                slug=InvalidInput.slug,
                title=InvalidInput.title,
                detail=f"{field}: {detail}",
                errors=[FieldError(field, detail)],
            )
        return _malformed_body(request, _malformed_detail(request, exc.detail))
    if status >= 500:
        log.error("request %s failed with HTTP %s: %s", request_id(request.scope), status, exc.detail)
        detail = "an internal error occurred; quote the request id when you report it"
    return problem(request, status=status, slug=slug, title=title, detail=detail, headers=headers)


def _malformed_detail(request: Request[Any, Any, Any], detail: str) -> str:
    body = ScopeState.from_scope(request.scope).body
    if isinstance(body, bytes):
        try:
            body.decode("utf-8")
        except UnicodeDecodeError as exc:
            return f"the body is not valid UTF-8 (byte {exc.start})"
    lowered = detail.lower()
    if "json" in lowered or "malformed" in lowered or "truncated" in lowered or "expected" in lowered:
        return f"the body is not valid JSON ({detail})"
    return detail


_DECIMAL_JSON = msgspec.json.Decoder(float_hook=Decimal)  # every JSON number with a fraction or exponent


def _huge_number(request: Request[Any, Any, Any]) -> str | None:
    """Where a JSON body holds a number too large for a float (``1e999999999``), as a field path
    (``lines[0].quantity``): the body is read into ``Any`` first, which cannot say where."""
    body = ScopeState.from_scope(request.scope).body
    if not isinstance(body, bytes):
        return None
    try:
        document = _DECIMAL_JSON.decode(body)
    except (msgspec.DecodeError, ArithmeticError, ValueError):
        return None
    return _first_huge(document)


#: How many values of a body the search for a huge number looks at (it runs on the event loop).
_MAX_VISITED = 50_000


def _first_huge(document: Any) -> str | None:
    """The path of the first number (in document order) a float cannot hold, depth first, giving
    up after ``_MAX_VISITED`` values (None: the problem then names the body)."""
    stack: list[tuple[tuple[str | int, ...], Any]] = [((), document)]
    visited = 0
    while stack and visited < _MAX_VISITED:
        where, value = stack.pop()
        visited += 1
        if isinstance(value, Decimal):
            if not math.isfinite(float(value)):
                named = "".join(f"[{p}]" if isinstance(p, int) else (f".{p}" if i else p) for i, p in enumerate(where))
                return named or "body"
        elif isinstance(value, dict):
            stack.extend(((*where, key), item) for key, item in reversed(value.items()))
        elif isinstance(value, list):
            room = _MAX_VISITED - visited  # a long list: only as much of its head as can be looked at
            head = value[:room]
            stack.extend(((*where, i), head[i]) for i in range(len(head) - 1, -1, -1))
    return None


def _internal_error(request: Request[Any, Any, Any], exc: Exception) -> Response[bytes]:
    log.exception("request %s failed", request_id(request.scope), exc_info=exc)
    return problem(
        request,
        status=500,
        slug="internal-error",
        title="Internal error",
        detail="an internal error occurred; quote the request id when you report it",
    )


def _undecodable_body(request: Request[Any, Any, Any], exc: UnicodeDecodeError) -> Response[bytes]:
    return _malformed_body(request, f"the body is not valid UTF-8 (byte {exc.start})")


def _too_deep(request: Request[Any, Any, Any], exc: RecursionError) -> Response[bytes]:
    return _malformed_body(request, "the body is nested too deeply")


def _malformed_body(request: Request[Any, Any, Any], detail: str) -> Response[bytes]:
    return problem(
        request,
        status=400,
        slug="malformed-request",
        title="The request body could not be read",
        detail=detail,
        errors=[FieldError("body", detail)],
    )


async def schema_router_problems(response: Response[Any]) -> Response[Any]:
    """Litestar's schema router answers unknown paths with an HTML page; make it a problem."""
    if response.status_code == 404 and response.media_type != PROBLEM_JSON:
        raise NotFoundException()
    return response


exception_handlers: ExceptionHandlersMap = {
    JoistError: _joist_error,
    UnicodeDecodeError: _undecodable_body,
    RecursionError: _too_deep,
    ValidationException: _validation_error,
    HTTPException: _http_error,
    Exception: _internal_error,
}
