"""Checks made once per request before the handler runs, in the order a client should meet
them: the credential's scope (401/403), then strict query strings — a parameter the route does
not declare is a 400, never silently ignored; so is a repeated parameter that takes one value.
(One hook rather than route guards: Litestar copies the handler for every guard call.)"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any
from urllib.parse import unquote_to_bytes

from litestar import Litestar, Request
from litestar.routes import HTTPRoute

from service.errors import FieldError, InvalidInput, UnsupportedMediaType
from service.http.auth import check_scope

__all__ = ["QUERY_ALIASES", "RAW_BODY", "check_request", "index_query_params"]

_OPT = "joist.query_params"
# Handler opt of routes that stream a raw body (a document's content): it is never read here.
RAW_BODY = "joist.raw_body"
_FORMATS = "joist.strict_query_formats"
# Handler opt: a query parameter's name in the handler's signature → its name in the URL (the
# framework reports a bad value under the former; the caller knows only the latter).
QUERY_ALIASES = "joist.query_aliases"
# Handler opt of routes whose body is a JSON document (a msgspec `data` parameter).
_JSON_BODY = "joist.json_body"
# Handler opt of API routes that take no body at all (actions such as .../submit).
_NO_BODY = "joist.no_body"
# The OAuth protocol endpoints take forms, read by hand (service.web.forms).
_FORM_PREFIX = "/api/v1/oauth/"
_EMPTY_BODIES = (b"", b"{}")
_JSON_TYPE = re.compile(r"application/(?:[\w.+-]+\+)?json", re.IGNORECASE)
_RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:[Zz]|[+-]\d{2}:\d{2})?", re.ASCII)
_WITH_BODY = frozenset({"POST", "PUT", "PATCH"})
_WHOLE = re.compile(r"-?[0-9]{1,18}")


def index_query_params(app: Litestar) -> None:
    """Record, on each handler, the query parameters it (and its dependencies) accept, and the
    strict spelling of whole numbers and times (``1e2`` is not a limit, ``1700000000`` is not
    an RFC 3339 time, although the framework would convert both)."""
    for route in app.routes:
        if not isinstance(route, HTTPRoute):
            continue
        for handler, kwargs_model in route.route_handler_map.values():
            # expected_query_params already includes those of the handler's dependencies.
            params = kwargs_model.expected_query_params
            handler.opt[_OPT] = {p.field_alias: p.is_sequence for p in params}
            handler.opt[QUERY_ALIASES] = {p.field_name: p.field_alias for p in params if p.field_name != p.field_alias}
            takes_data = "data" in kwargs_model.expected_reserved_kwargs
            handler.opt[_JSON_BODY] = (
                takes_data and kwargs_model.expected_form_data is None and kwargs_model.expected_msgpack_data is None
            )
            handler.opt[_NO_BODY] = (
                route.path.startswith("/api/v1/")
                and not route.path.startswith(_FORM_PREFIX)
                and not takes_data
                and not handler.opt.get(RAW_BODY)
            )
            signature = handler.parsed_fn_signature.parameters
            handler.opt[_FORMATS] = {
                p.field_alias: pattern
                for p in params
                if p.field_name in signature and (pattern := _strict_format(signature[p.field_name])) is not None
            }


async def _reject_nul(request: Request[Any, Any, Any]) -> None:
    """NUL has no place in any text Joist keeps (PostgreSQL refuses it outright); the query's are
    found by ``_check_query_text``."""
    if (
        request.method in _WITH_BODY
        and "json" in (request.headers.get("content-type") or "json")
        and not request.route_handler.opt.get(RAW_BODY)
    ):
        body = await request.body()
        if b"\x00" in body or b"\\u0000" in body:
            raise InvalidInput.field("body", "NUL characters (\\u0000) are not allowed in text")


def _check_json_type(request: Request[Any, Any, Any]) -> None:
    """A JSON body must say so: ``application/json`` (or ``application/<x>+json``), UTF-8 if a
    charset is named. Anything else is a 415, not a guess."""
    if request.method not in _WITH_BODY or not request.route_handler.opt.get(_JSON_BODY):
        return
    declared = request.headers.get("content-type")
    media, _, rest = (declared or "").partition(";")
    charset = next(
        (
            p.split("=", 1)[1].strip().strip('"').lower()
            for p in rest.split(";")
            if p.strip().lower().startswith("charset=")
        ),
        "utf-8",
    )
    if not _JSON_TYPE.fullmatch(media.strip()) or charset not in ("utf-8", "utf8"):
        shown = f"Content-Type {declared!r}" if declared else "no Content-Type"
        raise UnsupportedMediaType(f"this endpoint takes a JSON body (Content-Type: application/json); got {shown}")


async def _check_no_body(request: Request[Any, Any, Any]) -> None:
    """An action that takes no body says so rather than ignore one (``{}`` is let through: some
    clients always send an object)."""
    if request.method not in _WITH_BODY | {"DELETE"} or not request.route_handler.opt.get(_NO_BODY):
        return
    if request.headers.get("content-length", "0") == "0" and "transfer-encoding" not in request.headers:
        return
    if (await request.body()).strip() not in _EMPTY_BODIES:
        raise InvalidInput.field("body", "this endpoint takes no body")


def _check_query_text(request: Request[Any, Any, Any]) -> None:
    """Query names and values are UTF-8 once percent-decoded (the framework would quietly replace
    bad bytes) and hold no NUL; a problem names the parameter as the caller sent it."""
    raw: bytes = request.scope.get("query_string", b"")
    if b"%" not in raw and raw.isascii():
        return
    for part in raw.split(b"&"):
        name, _, value = (unquote_to_bytes(p.replace(b"+", b" ")) for p in part.partition(b"="))
        field = name.replace(b"\x00", b"").decode("utf-8", errors="replace") or "query"
        try:
            name.decode("utf-8")
            value.decode("utf-8")
        except UnicodeDecodeError:
            raise InvalidInput.field(field, "not UTF-8 text once percent-decoded") from None
        if b"\x00" in name or b"\x00" in value:
            raise InvalidInput.field(field, "NUL characters are not allowed")


def _strict_format(field: Any) -> tuple[re.Pattern[str], str] | None:
    types = [t.annotation for t in field.inner_types] if field.is_optional else [field.annotation]
    if int in types:
        return _WHOLE, "must be a whole number, e.g. 25"
    if datetime in types:
        return _RFC3339, "must be an RFC 3339 time with an offset, e.g. 2026-01-31T12:00:00Z"
    return None


async def check_request(request: Request[Any, Any, Any]) -> None:
    check_scope(request)
    _check_json_type(request)
    await _check_no_body(request)
    _check_query_text(request)
    await _reject_nul(request)
    allowed: dict[str, bool] | None = request.route_handler.opt.get(_OPT)
    if allowed is None or not request.scope.get("query_string"):
        return None
    errors: list[FieldError] = []
    formats: dict[str, tuple[re.Pattern[str], str]] = request.route_handler.opt.get(_FORMATS, {})
    for name, values in request.query_params.dict().items():
        if name not in allowed:
            known = ", ".join(sorted(allowed)) or "none"
            errors.append(FieldError(name, f"unknown query parameter (this endpoint accepts: {known})"))
        elif len(values) > 1 and not allowed[name]:
            errors.append(FieldError(name, "given more than once; it takes one value"))
        elif name in formats and not all(formats[name][0].fullmatch(v) for v in values):
            errors.append(FieldError(name, formats[name][1]))
    if errors:
        raise InvalidInput("; ".join(f"{e.field}: {e.detail}" for e in errors), errors=errors)
    return None
