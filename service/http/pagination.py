"""Cursor pagination: ``?limit=`` (1–100, default 25) and an opaque ``?cursor=``.

Lists are ordered newest first by ``(created_at, id)`` and continued with a keyset condition, so
following cursors returns each item once even while new items arrive.
"""

from __future__ import annotations

import base64
import binascii
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, Generic, TypeVar

import msgspec
from litestar.params import QueryParameter
from sqlalchemy import ColumnElement, Select, bindparam, select, tuple_

from service.db.database import Database
from service.errors import InvalidInput
from service.times import to_utc

__all__ = ["Cursor", "Limit", "ListQuery", "Page", "PageParams", "encode_cursor", "paginate"]

T = TypeVar("T")
P = TypeVar("P", bound="Page[Any]")

Limit = Annotated[int, QueryParameter(ge=1, le=100, description="Items per page, 1–100.")]
Cursor = Annotated[str | None, QueryParameter(description="The previous page's next_cursor, unchanged.")]


class Page(msgspec.Struct, Generic[T]):
    """One page of a list. Each resource subclasses it with a name (``ProjectPage``) so the
    OpenAPI document, and SDKs generated from it, get readable type names."""

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
    raw = msgspec.json.encode([created_at.isoformat(), ident.hex])
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def encode_cursor(created_at: datetime, ident: uuid.UUID) -> str:
    """The cursor after the item ``(created_at, ident)``, for lists that build their own query."""
    return _encode(created_at, ident)


_BAD_CURSOR = "not a cursor this API issued; pass next_cursor back unchanged"


def _decode(cursor: str) -> tuple[datetime, uuid.UUID]:
    if len(cursor) > 200:
        raise InvalidInput.field("cursor", _BAD_CURSOR)
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        stamp, ident = msgspec.json.decode(raw, type=tuple[datetime, uuid.UUID])
    except (binascii.Error, ValueError, msgspec.DecodeError) as exc:
        raise InvalidInput.field("cursor", _BAD_CURSOR) from exc
    if stamp.tzinfo is None:
        raise InvalidInput.field("cursor", _BAD_CURSOR)
    return to_utc(stamp, "cursor"), ident


class ListQuery:
    """A tenant-scoped, keyset-paginated list statement, built once per combination of filters.

    Building a SQLAlchemy statement costs more than running it on a warm connection, so list
    endpoints declare their columns and filters once (each filter an expression over a
    ``bindparam`` named like the filter) and pay only for binding values per request.
    """

    def __init__(
        self,
        columns: Sequence[ColumnElement[Any]],
        *,
        tenant: ColumnElement[Any],
        created_at: ColumnElement[datetime],
        ident: ColumnElement[uuid.UUID],
        filters: dict[str, ColumnElement[bool]] | None = None,
    ) -> None:
        self.columns = tuple(columns)
        self.tenant = tenant
        self.created_at = created_at
        self.ident = ident
        self.filters = dict(filters or {})
        self.created_at_index = self.columns.index(created_at)
        self.ident_index = self.columns.index(ident)
        self._built: dict[tuple[frozenset[str], bool], Select[Any]] = {}

    def statement(self, active: frozenset[str], continued: bool) -> Select[Any]:
        key = (active, continued)
        stmt = self._built.get(key)
        if stmt is None:
            stmt = select(*self.columns).where(self.tenant == bindparam("_tenant"))
            for name in sorted(active):
                stmt = stmt.where(self.filters[name])
            if continued:
                after = tuple_(
                    bindparam("_after_created", type_=self.created_at.type),
                    bindparam("_after_id", type_=self.ident.type),
                )
                stmt = stmt.where(tuple_(self.created_at, self.ident) < after)
            stmt = stmt.order_by(self.created_at.desc(), self.ident.desc()).limit(bindparam("_limit"))
            self._built[key] = stmt
        return stmt


async def paginate(
    db: Database,
    query: ListQuery,
    tenant: uuid.UUID,
    page: PageParams,
    render: Callable[[Any], T],
    page_type: type[P],
    **filters: object,
) -> P:
    """One page of ``query`` for ``tenant``, newest first; filters given as None are not applied.

    Rows are plain columns, not mapped objects: list pages are read-only and the ORM's identity
    map would only cost time. ``render`` turns one row into the response item.
    """
    values: dict[str, object] = {name: value for name, value in filters.items() if value is not None}
    values["_tenant"] = tenant
    values["_limit"] = page.limit + 1
    if page.after is not None:
        values["_after_created"], values["_after_id"] = page.after
    stmt = query.statement(frozenset(filters.keys() & values.keys()), page.after is not None)
    rows = await db.fetch_all(stmt, values)
    next_cursor = None
    if len(rows) > page.limit:
        rows = rows[: page.limit]
        last = rows[-1]
        next_cursor = _encode(last[query.created_at_index], last[query.ident_index])
    return page_type(data=[render(r) for r in rows], next_cursor=next_cursor)
