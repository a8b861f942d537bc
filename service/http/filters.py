"""Query filters shared by list endpoints: ``created_after`` / ``created_before``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from litestar.params import QueryParameter

from service.errors import FieldError, InvalidInput

__all__ = ["CreatedAfter", "CreatedBefore", "CreatedRange", "UpdatedAfter"]

CreatedAfter = Annotated[datetime | None, QueryParameter(description="Only items created after this RFC 3339 time.")]
CreatedBefore = Annotated[datetime | None, QueryParameter(description="Only items created before this RFC 3339 time.")]
UpdatedAfter = Annotated[datetime | None, QueryParameter(description="Only items changed after this RFC 3339 time.")]


@dataclass(frozen=True, slots=True)
class CreatedRange:
    after: datetime | None
    before: datetime | None

    @classmethod
    def of(cls, created_after: datetime | None, created_before: datetime | None) -> CreatedRange:
        errors = [
            FieldError(name, "give a time zone offset, e.g. 2026-01-31T12:00:00Z")
            for name, value in (("created_after", created_after), ("created_before", created_before))
            if value is not None and value.tzinfo is None
        ]
        if errors:
            raise InvalidInput("; ".join(f"{e.field}: {e.detail}" for e in errors), errors=errors)
        return cls(after=created_after, before=created_before)
