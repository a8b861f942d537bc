"""Deprecation (RFC 9745), Sunset (RFC 8594) and ``Link: rel="deprecation"`` headers for routes of
an API version on its way out. Mark a router or handler with ``opt={"deprecation": Deprecation(...)}``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime

__all__ = ["Deprecation"]


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
