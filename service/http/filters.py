"""Query filters shared by list endpoints: ``created_after`` / ``created_before`` /
``updated_after``, and text prefixes."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from litestar.params import QueryParameter
from sqlalchemy import ColumnElement, bindparam

from service.times import to_utc

__all__ = [
    "CreatedAfter",
    "CreatedBefore",
    "CreatedRange",
    "ProjectFilter",
    "UpdatedAfter",
    "prefix_pattern",
    "time_clauses",
    "time_filter",
    "time_filters",
]

CreatedAfter = Annotated[datetime | None, QueryParameter(description="Only items created after this RFC 3339 time.")]
CreatedBefore = Annotated[datetime | None, QueryParameter(description="Only items created before this RFC 3339 time.")]
UpdatedAfter = Annotated[datetime | None, QueryParameter(description="Only items changed after this RFC 3339 time.")]
ProjectFilter = Annotated[uuid.UUID | None, QueryParameter(description="Only those of this project.")]


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


def time_filters(
    created_after: datetime | None, created_before: datetime | None, updated_after: datetime | None
) -> dict[str, datetime | None]:
    """The three time filters of a list endpoint, checked, as ``paginate`` keywords."""
    created = CreatedRange.of(created_after, created_before)
    changed = time_filter(updated_after, "updated_after")
    return {"created_after": created.after, "created_before": created.before, "updated_after": changed}


def time_clauses(
    created_at: ColumnElement[datetime], updated_at: ColumnElement[datetime]
) -> dict[str, ColumnElement[bool]]:
    """The ``ListQuery`` filters that ``time_filters`` feeds."""
    return {
        "created_after": created_at > bindparam("created_after"),
        "created_before": created_at < bindparam("created_before"),
        "updated_after": updated_at > bindparam("updated_after"),
    }


def prefix_pattern(value: str | None) -> str | None:
    """A case-insensitive ``LIKE`` pattern (escape ``\\``) for values starting with ``value``."""
    if value is None:
        return None
    escaped = value.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return escaped + "%"
