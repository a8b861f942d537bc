"""How request handlers reach the operational database.

Writes: ``await db.write(fn)`` is one unit of work. ``fn`` gets a fresh ORM session in a worker
thread, and the session is committed in that thread as soon as ``fn`` returns, before any
response exists; so a failed commit is a 5xx, never a 2xx, and an exception rolls everything
back. Services and repositories only flush; the request (through this call) owns the commit.

Reads: ``await db.fetch_all(stmt, params)`` / ``fetch_one`` run one Core statement, in
autocommit, and return rows as sequences in the statement's column order.

- SQLite: on the event loop itself, on one long-lived connection. SQLite is an in-process
  library whose reads never wait on locks in WAL mode; handing a read to a worker thread cost
  more than the query (pysqlite releases and re-takes the GIL on every row while the busy event
  loop holds it). Inline reads never run concurrently, so one connection serves them all. The
  statement is compiled once and run on the driver connection, with the column types' own bind
  and result processors applied by position: SQLAlchemy's result machinery cost more than the
  query itself on a page of 25 rows.
- PostgreSQL: natively async with psycopg's ``AsyncConnectionPool``: the event loop keeps
  serving other requests while a query is on the wire, with neither a blocked loop nor thread
  hand-offs. The statement is compiled once by SQLAlchemy's psycopg dialect; psycopg's own
  loaders return exactly what SQLAlchemy would (UUID, aware UTC datetimes — sessions run in
  UTC — and lists for ``text[]``), so rows are the same on both paths. A read that meets a
  dropped connection (a database restart) is retried once on a fresh one.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeAlias, TypeVar

import anyio.to_thread
import psycopg
from litestar.datastructures import State
from psycopg_pool import AsyncConnectionPool
from sqlalchemy import Connection, Engine
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from service.db.engine import make_sessionmaker
from service.errors import Conflict

__all__ = ["Database", "database"]

T = TypeVar("T")

if TYPE_CHECKING:
    from sqlalchemy import Select

    Query: TypeAlias = Select[*tuple[Any, ...]]  # any SELECT, whatever its columns


class Database:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.sessions: sessionmaker[Session] = make_sessionmaker(engine)
        self.is_sqlite = engine.dialect.name == "sqlite"
        self._inline: Connection | None = None
        self._prepared: dict[int, _Prepared] = {}
        self._pool: AsyncConnectionPool[Any] | None = None

    # -- lifecycle ------------------------------------------------------------------------

    async def open(self) -> None:
        """Open the async read pool (PostgreSQL); called when the app starts."""
        if self.is_sqlite or self._pool is not None:
            return
        url = self.engine.url.set(drivername="postgresql")
        self._pool = AsyncConnectionPool(
            url.render_as_string(hide_password=False),
            min_size=2,
            max_size=10,
            kwargs={"autocommit": True, "options": "-c TimeZone=UTC"},
            open=False,
        )
        await self._pool.open(wait=True, timeout=30)

    async def close(self) -> None:
        if self._pool is not None:
            await self._pool.close()
            self._pool = None
        if self._inline is not None:
            self._inline.close()
            self._inline = None
        self.engine.dispose()

    # -- reads ----------------------------------------------------------------------------

    async def fetch_all(self, stmt: Query, params: Mapping[str, Any] | None = None) -> Sequence[Sequence[Any]]:
        if self.is_sqlite:
            return self._sqlite_fetch(stmt, params or {})
        rows: Sequence[Sequence[Any]] = await self._pg_fetch(stmt, params or {}, one=False)
        return rows

    async def fetch_one(self, stmt: Query, params: Mapping[str, Any] | None = None) -> Sequence[Any] | None:
        if self.is_sqlite:
            rows = self._sqlite_fetch(stmt, params or {})
            return rows[0] if rows else None
        row: Sequence[Any] | None = await self._pg_fetch(stmt, params or {}, one=True)
        return row

    def _sqlite_fetch(self, stmt: Query, params: Mapping[str, Any]) -> list[list[Any]]:
        prepared = self._prepare(stmt)
        values = prepared.compiled.construct_params(params)
        args = [values[name] if bind is None else bind(values[name]) for name, bind in prepared.binds]
        conn = self._inline
        if conn is None or conn.closed or conn.invalidated:
            conn = self._inline = self.engine.connect()
        rows = [list(row) for row in conn.connection.driver_connection.execute(prepared.sql, args)]  # type: ignore[union-attr]
        for row in rows:
            for index, process in prepared.results:
                row[index] = process(row[index])
        return rows

    def _prepare(self, stmt: Query) -> _Prepared:
        # Statements are module-level constants (see ListQuery), so id() is a stable key; the
        # statement is kept alongside so the id can never be reused by another object.
        cached = self._prepared.get(id(stmt))
        if cached is None or cached.stmt is not stmt:
            dialect = self.engine.dialect
            compiled = stmt.compile(dialect=dialect)
            binds: tuple[tuple[str, Callable[[Any], Any] | None], ...] = ()
            results: tuple[tuple[int, Callable[[Any], Any]], ...] = ()
            if self.is_sqlite:  # psycopg adapts PostgreSQL values itself
                binds = tuple(
                    (name, compiled.binds[name].type.dialect_impl(dialect).bind_processor(dialect))
                    for name in compiled.positiontup or ()
                )
                results = tuple(
                    (index, process)
                    for index, column in enumerate(stmt.selected_columns)
                    if (process := column.type.dialect_impl(dialect).result_processor(dialect, None)) is not None
                )
            cached = self._prepared[id(stmt)] = _Prepared(stmt, compiled, str(compiled), binds, results)
        return cached

    async def _pg_fetch(self, stmt: Query, params: Mapping[str, Any], *, one: bool) -> Any:
        if self._pool is None:
            raise RuntimeError("Database.open() was not awaited before the first read")
        prepared = self._prepare(stmt)
        values = prepared.compiled.construct_params(params)  # adds literal-bound parameters
        for attempt in (1, 2):
            try:
                async with self._pool.connection() as conn:
                    cursor = await conn.execute(prepared.sql, values)
                    return await (cursor.fetchone() if one else cursor.fetchall())
            except psycopg.OperationalError:
                if attempt == 2:
                    raise
                await self._pool.check()  # drop connections the server closed
        raise AssertionError("unreachable")

    # -- writes and synchronous access ----------------------------------------------------

    async def write(self, fn: Callable[[Session], T]) -> T:
        return await anyio.to_thread.run_sync(self.write_sync, fn)

    def write_sync(self, fn: Callable[[Session], T]) -> T:
        try:
            with self.sessions() as session:
                result = fn(session)
                session.commit()
                return result
        except StaleDataError as exc:  # another request changed or deleted the row first
            raise Conflict("the record was changed by another request; read it again and retry") from exc

    def read_sync(self, fn: Callable[[Connection], T]) -> T:
        """A read outside the event loop (CLI, tests, worker threads)."""
        with self.engine.connect() as conn:
            return fn(conn)


@dataclass(frozen=True, slots=True)
class _Prepared:
    """A statement compiled once for this database; on SQLite also its types' bind and result
    processors in parameter and column order (psycopg adapts PostgreSQL values itself)."""

    stmt: Any
    compiled: Any
    sql: str
    binds: tuple[tuple[str, Callable[[Any], Any] | None], ...]
    results: tuple[tuple[int, Callable[[Any], Any]], ...]


def database(state: State) -> Database:
    """The app's ``Database`` (kept in the application state)."""
    db: Database = state.db
    return db
