"""Cursor pagination: ``?limit=`` (1–100, default 25) and an opaque ``?cursor=``.

Lists are ordered newest first by ``(created_at, id)`` and continued with a keyset condition, so
following cursors returns each item once even while new items arrive.
"""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, Generic, TypeVar

import msgspec
from litestar.params import QueryParameter
from sqlalchemy import ColumnElement, Connection, Select, tuple_

from service.errors import InvalidInput

__all__ = ["Cursor", "Limit", "Page", "PageParams", "paginate"]

T = TypeVar("T")

Limit = Annotated[int, QueryParameter(ge=1, le=100, description="Items per page, 1–100.")]
Cursor = Annotated[str | None, QueryParameter(description="The previous page's next_cursor, unchanged.")]


class Page(msgspec.Struct, Generic[T]):
    data: list[T]
    next_cursor: str | None


@dataclass(frozen=True, slots=True)
class PageParams:
    limit: int
    after: tuple[datetime, uuid.UUID] | None

    @classmethod
    def of(cls, limit: int, cursor: str | None) -> PageParams:
        return cls(limit=limit, after=_decode(cursor) if cursor else None)


def _encode(created_at: datetime, ident: uuid.UUID) -> str:
    raw = json.dumps([created_at.isoformat(), ident.hex], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(cursor: str) -> tuple[datetime, uuid.UUID]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        stamp, ident = json.loads(raw)
        created = datetime.fromisoformat(stamp)
        if created.tzinfo is None:
            raise ValueError("naive")
        return created, uuid.UUID(hex=ident)
    except (binascii.Error, ValueError, TypeError, UnicodeDecodeError) as exc:
        raise InvalidInput.field("cursor", "not a cursor this API issued; pass next_cursor back unchanged") from exc


def paginate(
    conn: Connection,
    stmt: Select[Any],
    params: PageParams,
    created_at: ColumnElement[datetime],
    ident: ColumnElement[uuid.UUID],
    render: Callable[[Any], T],
) -> Page[T]:
    """Run ``stmt`` (already filtered and tenant-scoped) for one page, newest first.

    ``stmt`` selects plain columns, not mapped objects: list pages are read-only and the ORM's
    identity map would only cost time. ``render`` turns one row into the response item.
    """
    if params.after is not None:
        stmt = stmt.where(tuple_(created_at, ident) < tuple_(*params.after))
    stmt = stmt.order_by(created_at.desc(), ident.desc()).limit(params.limit + 1)
    rows: Sequence[Any] = conn.execute(stmt).all()
    more = len(rows) > params.limit
    rows = rows[: params.limit]
    next_cursor = None
    if more and rows:
        last = rows[-1]._mapping
        next_cursor = _encode(last[created_at], last[ident])
    return Page(data=[render(r) for r in rows], next_cursor=next_cursor)
