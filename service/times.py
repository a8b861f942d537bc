"""Times are UTC, RFC 3339 on the wire (ARCHITECTURE.md)."""

from __future__ import annotations

from datetime import UTC, datetime

from service.errors import InvalidInput

__all__ = ["to_utc"]


def to_utc(value: datetime, field: str) -> datetime:
    """``value`` in UTC; a naive time, or one that falls outside years 1–9999 once in UTC, is a 400."""
    if value.tzinfo is None:
        raise InvalidInput.field(field, "give a time zone offset, e.g. 2026-01-31T12:00:00Z")
    try:
        utc = value.astimezone(UTC)
        utc.replace(tzinfo=None).isoformat()  # the storable range, as SQLite would write it
    except (OverflowError, ValueError) as exc:
        raise InvalidInput.field(field, "out of range once converted to UTC") from exc
    if utc.year < 1 or utc.year > 9998:
        raise InvalidInput.field(field, "out of range: use a year between 1 and 9998")
    return utc
