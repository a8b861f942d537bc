"""What the services of the core records (budgets, schedules, invoices, change orders, vendors,
documents) share: loading one of the caller's records, checking a reference to another, saving
a change with its event, state transitions, deletes, and reading child rows (line items, tasks)
for a page of records.

Every record has ``id``, ``builder_id``, ``version`` (SQLAlchemy's ``version_id_col``) and
``updated_at``. Services flush; the request owns the commit (``service/db/database.py``).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Generic, Protocol, TypeVar, cast

import msgspec
from litestar import Request, Response
from litestar.datastructures import State
from msgspec import UNSET
from sqlalchemy import ColumnElement, Select, bindparam, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.interfaces import ORMOption

from service.db.base import Base
from service.db.database import Database, database
from service.errors import Conflict, FieldError, InvalidInput, NotFound
from service.events.services import record
from service.http.auth import principal_of
from service.http.conditional import Precondition, V, if_match, tagged
from service.http.pagination import ListQuery, Page, PageParams, paginate

__all__ = [
    "ChildQuery",
    "Guarded",
    "Transition",
    "as_row",
    "blank",
    "changes_of",
    "checked",
    "created",
    "emit",
    "fail_on",
    "fetch_with_children",
    "frozen_unless",
    "illegal",
    "owned",
    "page_with_children",
    "referenced",
    "remove",
    "save_change",
    "transition",
    "write_checked",
]

M = TypeVar("M", bound=Base)
T = TypeVar("T")
P = TypeVar("P", bound=Page[Any])
Row = Sequence[Any]


class Versioned(Protocol):
    id: uuid.UUID
    builder_id: uuid.UUID
    version: int
    updated_at: datetime


class Stateful(Protocol):
    status: str


# -- checks --------------------------------------------------------------------------------


def blank(field: str, value: str | None) -> FieldError | None:
    """Names and titles must hold more than spaces (they are stored stripped)."""
    return FieldError(field, "must contain more than spaces") if value is not None and not value.strip() else None


def fail_on(errors: Iterable[FieldError | None]) -> None:
    """A 400 naming every field in ``errors`` (``None`` entries are checks that passed)."""
    found = [e for e in errors if e is not None]
    if found:
        raise InvalidInput("; ".join(f"{e.field}: {e.detail}" for e in found), errors=found)


def changes_of(data: msgspec.Struct) -> dict[str, Any]:
    """The fields a PATCH body sets (``null`` included, absent fields not)."""
    return {f: value for f in data.__struct_fields__ if (value := getattr(data, f)) is not UNSET}


# -- loading -------------------------------------------------------------------------------


def owned(
    session: Session, model: type[M], builder_id: uuid.UUID, ident: uuid.UUID, noun: str, *options: ORMOption
) -> M:
    """The builder's ``model`` row ``ident``; another builder's is as absent as a missing one (404)."""
    columns = model.__table__.c
    found = session.scalars(
        select(model).where(columns.builder_id == builder_id, columns.id == ident).options(*options)
    ).first()
    if found is None:
        raise NotFound(f"no {noun} {ident}")
    return found


def referenced(
    session: Session,
    model: type[M],
    builder_id: uuid.UUID,
    ident: uuid.UUID,
    field: str,
    noun: str,
    *options: ORMOption,
) -> M:
    """A record a body refers to by id (``project_id``…): a 400 naming ``field`` if the builder has none."""
    try:
        return owned(session, model, builder_id, ident, noun, *options)
    except NotFound:
        raise InvalidInput.field(field, f"no {noun} {ident} for this builder") from None


# -- changing ------------------------------------------------------------------------------


def checked(
    precondition: Precondition | None,
    model: type[M],
    builder_id: uuid.UUID,
    ident: uuid.UUID,
    noun: str,
    work: Callable[[Session], T],
) -> Callable[[Session], T]:
    """``work`` (a write of the record ``ident``) behind the request's ``If-Match``.

    The version is compared in the write's own session, on the row ``work`` then loads again
    (the session's identity map hands back this same object) and changes: its UPDATE or DELETE
    carries ``version = <the version compared>``, so a change committed in between is a 409.
    """
    if precondition is None:
        return work

    def run(session: Session) -> T:
        row = cast(Versioned, owned(session, model, builder_id, ident, noun))
        precondition.check(row.version)
        return work(session)

    return run


async def write_checked(
    request: Request[Any, Any, Any],
    state: State,
    model: type[M],
    ident: uuid.UUID,
    noun: str,
    work: Callable[[Session, uuid.UUID], T],
) -> T:
    """``work(session, builder_id)``, a write of the caller's record ``ident``, in one transaction
    behind the request's ``If-Match`` (``checked``)."""
    builder_id = principal_of(request).builder_id
    guarded = checked(if_match(request), model, builder_id, ident, noun, lambda session: work(session, builder_id))
    return await database(state).write(guarded)


@dataclass(frozen=True, slots=True)
class Guarded(Generic[M]):
    """One record type's writes behind ``If-Match`` (``write_checked``): its model, and the noun
    its problems name it by."""

    model: type[M]
    noun: str

    async def write(
        self, request: Request[Any, Any, Any], state: State, ident: uuid.UUID, work: Callable[[Session, uuid.UUID], T]
    ) -> T:
        return await write_checked(request, state, self.model, ident, self.noun, work)

    async def answer(
        self, request: Request[Any, Any, Any], state: State, ident: uuid.UUID, work: Callable[[Session, uuid.UUID], V]
    ) -> Response[V]:
        """As ``write``, answered with the record as ``work`` renders it and its ETag."""
        return tagged(await self.write(request, state, ident, work))


def save_change(session: Session, row: Versioned) -> bool:
    """After attributes were set: when something really changed, stamp ``updated_at`` and flush
    (which bumps ``version`` and fails on a concurrent change). Whether it changed."""
    if not session.is_modified(row):
        return False  # nothing really changed: no new version, no event
    row.updated_at = datetime.now(UTC)
    session.flush()
    return True


def emit(
    session: Session, category: str, row: Versioned, action: str, data: msgspec.Struct, *, deleted: bool = False
) -> None:
    """The outbox: ``<category>.<action>`` goes into the same transaction as the change, with the
    row's version as sequence (a delete is one more than the last version)."""
    record(
        session,
        builder_id=row.builder_id,
        type=f"{category}.{action}",
        entity_id=row.id,
        sequence=row.version + 1 if deleted else row.version,
        data=data,
    )


def remove(session: Session, row: Versioned, noun: str, blocked_by: str) -> None:
    """Delete ``row``; a 409 while other records still refer to it (the foreign keys restrict)."""
    session.delete(row)
    try:
        session.flush()
    except IntegrityError as exc:
        raise Conflict(f"this {noun} still has {blocked_by}; delete those first") from exc


@dataclass(frozen=True, slots=True)
class Transition:
    """A state-changing action: allowed from ``sources``, leading to ``target``."""

    sources: tuple[str, ...]
    target: str


def _a(word: str) -> str:
    """The article before ``word`` (our nouns and states: "an invoice", "an approved", "a draft")."""
    return "an" if word[:1].lower() in "aeiou" else "a"


def transition(row: Stateful, noun: str, action: str, rules: Mapping[str, Transition]) -> None:
    """Move ``row`` along ``rules[action]``, or 409 naming its state and the states allowed."""
    rule = rules[action]
    if row.status not in rule.sources:
        allowed = " or ".join(rule.sources)
        raise illegal(
            row, f"cannot {action} {_a(noun)} {noun} that is {row.status}; only {_a(allowed)} {allowed} {noun} can be"
        )
    row.status = rule.target


def frozen_unless(row: Stateful, noun: str, states: tuple[str, ...], fields: Iterable[str]) -> None:
    """A 409 when a change touches ``fields`` while ``row`` is not in one of ``states``."""
    touched = sorted(fields)
    if touched and row.status not in states:
        raise illegal(
            row, f"{', '.join(touched)} can change only while the {noun} is {' or '.join(states)}; it is {row.status}"
        )


def illegal(row: Stateful, detail: str) -> Conflict:
    """The 409 for an action the record's state does not allow (``current_status`` names its state)."""
    return Conflict(
        detail,
        slug="illegal-transition",
        title="Not allowed in the record's current state",
        extensions={"current_status": row.status},
    )


# -- reading -------------------------------------------------------------------------------


def as_row(obj: object, columns: Sequence[ColumnElement[Any]]) -> list[Any]:
    """A mapped object as a row of ``columns``, so writes render with the list's ``render``."""
    return [getattr(obj, str(column.key)) for column in columns]


class ChildQuery:
    """The child rows (line items, tasks) of a page of records, in one statement.

    ``parent IN (:_p0, :_p1, …)`` with one bound parameter per parent: one statement per page
    size, built once and then compiled once by ``Database`` like ``ListQuery``'s. Children are
    filtered by the tenant too, though their parents already are.
    """

    def __init__(
        self,
        columns: Sequence[ColumnElement[Any]],
        *,
        tenant: ColumnElement[Any],
        parent: ColumnElement[uuid.UUID],
        order: ColumnElement[int],
    ) -> None:
        self.columns = tuple(columns)
        self.tenant = tenant
        self.parent = parent
        self.order = order
        self.parent_index = self.columns.index(parent)
        self._built: dict[int, Select[Any]] = {}

    def statement(self, count: int) -> Select[Any]:
        stmt = self._built.get(count)
        if stmt is None:
            parents = [bindparam(f"_p{i}", type_=self.parent.type) for i in range(count)]
            stmt = self._built[count] = (
                select(*self.columns)
                .where(self.tenant == bindparam("_tenant"), self.parent.in_(parents))
                .order_by(self.parent, self.order)
            )
        return stmt

    async def load(self, db: Database, tenant: uuid.UUID, parents: Sequence[uuid.UUID]) -> dict[uuid.UUID, list[Row]]:
        grouped: dict[uuid.UUID, list[Row]] = {parent: [] for parent in parents}
        if not parents:
            return grouped
        values: dict[str, object] = {f"_p{i}": parent for i, parent in enumerate(parents)}
        values["_tenant"] = tenant
        for row in await db.fetch_all(self.statement(len(parents)), values):
            grouped[row[self.parent_index]].append(row)
        return grouped


class _Rows(Page[Row]):
    pass


async def page_with_children(
    db: Database,
    query: ListQuery,
    children: ChildQuery,
    tenant: uuid.UUID,
    page: PageParams,
    render: Callable[[Row, Sequence[Row]], T],
    page_type: type[P],
    **filters: object,
) -> P:
    """``paginate`` for records with children: one statement for the page, one for its children."""
    rows = await paginate(db, query, tenant, page, list, _Rows, **filters)
    grouped = await children.load(db, tenant, [row[query.ident_index] for row in rows.data])
    return page_type(
        data=[render(row, grouped[row[query.ident_index]]) for row in rows.data], next_cursor=rows.next_cursor
    )


async def fetch_with_children(
    db: Database,
    one: Select[Any],
    children: ChildQuery,
    params: dict[str, Any],
    render: Callable[[Row, Sequence[Row]], T],
    missing: str,
) -> T:
    """One record with its children, or 404 (``one`` selects ``LIST_COLUMNS``, id first, by
    ``builder_id`` and ``id``)."""
    row = await db.fetch_one(one, params)
    if row is None:
        raise NotFound(missing)
    grouped = await children.load(db, params["builder_id"], [row[0]])
    return render(row, grouped[row[0]])


def created(data: V, path: str, ident: uuid.UUID) -> Response[V]:
    """201 with ``Location`` (API_CONVENTIONS.md: creates answer so) and the new record's ``ETag``."""
    return tagged(data, 201, {"Location": f"/api/v1/{path}/{ident}"})
