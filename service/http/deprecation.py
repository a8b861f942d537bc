"""Deprecation (RFC 9745), Sunset (RFC 8594) and ``Link: rel="deprecation"`` headers for routes of
an API version on its way out. Mark a router or handler with ``opt={"deprecation": Deprecation(...)}``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime

from litestar.datastructures import MutableScopeHeaders
from litestar.types import Message, Scope

__all__ = ["Deprecation", "add_deprecation_headers"]


@dataclass(frozen=True, slots=True)
class Deprecation:
    deprecated_at: datetime
    sunset_at: datetime
    migration_guide: str

    def headers(self) -> dict[str, str]:
        return {
            "Deprecation": f"@{int(self.deprecated_at.timestamp())}",
            "Sunset": format_datetime(self.sunset_at, usegmt=True),
            "Link": f'<{self.migration_guide}>; rel="deprecation"; type="text/html"',
        }


async def add_deprecation_headers(message: Message, scope: Scope) -> None:
    if message["type"] != "http.response.start":
        return
    handler = scope.get("route_handler")
    deprecation = handler.opt.get("deprecation") if handler is not None else None
    if isinstance(deprecation, Deprecation):
        headers = MutableScopeHeaders.from_message(message)
        for name, value in deprecation.headers().items():
            headers[name] = value
