"""Checks made once per request before the handler runs, in the order a client should meet
them: the credential's scope (401/403), then strict query strings — a parameter the route does
not declare is a 400, never silently ignored; so is a repeated parameter that takes one value.
(One hook rather than route guards: Litestar copies the handler for every guard call.)"""

from __future__ import annotations

import re
from typing import Any

from litestar import Litestar, Request
from litestar.routes import HTTPRoute

from service.errors import FieldError, InvalidInput
from service.http.auth import check_scope

__all__ = ["check_request", "index_query_params"]

_OPT = "joist.query_params"
_INTS = "joist.integer_query_params"
_WITH_BODY = frozenset({"POST", "PUT", "PATCH"})
_WHOLE = re.compile(r"-?[0-9]{1,18}")


def index_query_params(app: Litestar) -> None:
    """Record, on each handler, the query parameters it (and its dependencies) accept, and
    which of them are whole numbers (checked strictly: ``1e2`` or ``25.0`` is not a limit)."""
    for route in app.routes:
        if not isinstance(route, HTTPRoute):
            continue
        for handler, kwargs_model in route.route_handler_map.values():
            # expected_query_params already includes those of the handler's dependencies.
            params = kwargs_model.expected_query_params
            handler.opt[_OPT] = {p.field_alias: p.is_sequence for p in params}
            signature = handler.parsed_fn_signature.parameters
            handler.opt[_INTS] = frozenset(
                p.field_alias for p in params if p.field_name in signature and _is_int(signature[p.field_name])
            )


async def _reject_nul(request: Request[Any, Any, Any]) -> None:
    """NUL has no place in any text Joist keeps (PostgreSQL refuses it outright)."""
    if b"%00" in request.scope.get("query_string", b""):
        raise InvalidInput.field("query", "NUL characters are not allowed")
    if request.method in _WITH_BODY and "json" in (request.headers.get("content-type") or "json"):
        body = await request.body()
        if b"\x00" in body or b"\\u0000" in body:
            raise InvalidInput.field("body", "NUL characters (\\u0000) are not allowed in text")


def _is_int(field: Any) -> bool:
    types = [t.annotation for t in field.inner_types] if field.is_optional else [field.annotation]
    return any(t is int for t in types)


async def check_request(request: Request[Any, Any, Any]) -> None:
    check_scope(request)
    await _reject_nul(request)
    allowed: dict[str, bool] | None = request.route_handler.opt.get(_OPT)
    if allowed is None or not request.scope.get("query_string"):
        return None
    errors: list[FieldError] = []
    integers: frozenset[str] = request.route_handler.opt.get(_INTS, frozenset())
    for name, values in request.query_params.dict().items():
        if name not in allowed:
            known = ", ".join(sorted(allowed)) or "none"
            errors.append(FieldError(name, f"unknown query parameter (this endpoint accepts: {known})"))
        elif len(values) > 1 and not allowed[name]:
            errors.append(FieldError(name, "given more than once; it takes one value"))
        elif name in integers and not all(_WHOLE.fullmatch(v) for v in values):
            errors.append(FieldError(name, "must be a whole number, e.g. 25"))
    if errors:
        raise InvalidInput("; ".join(f"{e.field}: {e.detail}" for e in errors), errors=errors)
    return None
