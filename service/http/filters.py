"""Query filters shared by list endpoints: ``created_after`` / ``created_before``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from litestar.params import QueryParameter

from service.times import to_utc

__all__ = ["CreatedAfter", "CreatedBefore", "CreatedRange", "UpdatedAfter", "time_filter"]

CreatedAfter = Annotated[datetime | None, QueryParameter(description="Only items created after this RFC 3339 time.")]
CreatedBefore = Annotated[datetime | None, QueryParameter(description="Only items created before this RFC 3339 time.")]
UpdatedAfter = Annotated[datetime | None, QueryParameter(description="Only items changed after this RFC 3339 time.")]


@dataclass(frozen=True, slots=True)
class CreatedRange:
    after: datetime | None
    before: datetime | None

    @classmethod
    def of(cls, created_after: datetime | None, created_before: datetime | None) -> CreatedRange:
        return cls(
            after=time_filter(created_after, "created_after"), before=time_filter(created_before, "created_before")
        )


def time_filter(value: datetime | None, name: str) -> datetime | None:
    """A time query parameter in UTC (400 when naive or out of range)."""
    return None if value is None else to_utc(value, name)
