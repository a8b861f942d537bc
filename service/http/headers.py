"""Headers every response may carry, added in one pass as the response starts: ``X-Request-ID``
always, the ``RateLimit-*`` trio for authenticated calls, and Deprecation / Sunset / Link on
routes of a version on its way out."""

from __future__ import annotations

from typing import Any, cast

from litestar.types import Message, Scope

from service.http.auth import RATE_STATE_KEY
from service.http.deprecation import Deprecation
from service.http.request_id import request_id

__all__ = ["add_response_headers"]


async def add_response_headers(message: Message, scope: Scope) -> None:
    if message["type"] != "http.response.start":
        return
    state = cast(dict[str, Any], scope)
    headers = cast(list[tuple[bytes, bytes]], message.setdefault("headers", []))
    if not isinstance(headers, list):
        headers = message["headers"] = list(headers)
    headers.append((b"x-request-id", request_id(scope).encode("latin-1")))
    if (limits := state.get(RATE_STATE_KEY)) is not None:
        headers.extend(limits.raw_headers)
    handler = state.get("route_handler")
    if handler is not None and isinstance(deprecation := handler.opt.get("deprecation"), Deprecation):
        headers.extend((k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in deprecation.headers().items())
