"""``X-Request-ID`` on every response: the caller's when it is sane, else a new one."""

from __future__ import annotations

import re
import secrets
from typing import Any, cast

from litestar.types import Scope

__all__ = ["request_id"]

_SANE = re.compile(rb"^[A-Za-z0-9._:@/+=-]{1,128}$")
_KEY = "joist.request_id"


def request_id(scope: Scope | dict[str, Any]) -> str:
    """The request's id, decided once and kept in the scope."""
    state = cast(dict[str, Any], scope)
    rid: str | None = state.get(_KEY)
    if rid is None:
        rid = next(
            (v.decode("ascii") for k, v in scope.get("headers", ()) if k == b"x-request-id" and _SANE.match(v)),
            None,
        ) or secrets.token_hex(16)
        state[_KEY] = rid
    return rid
