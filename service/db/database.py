"""How request handlers reach the operational database.

Writes: ``await db.write(fn)`` is one unit of work. ``fn`` gets a fresh ORM session in a worker
thread, and the session is committed in that thread as soon as ``fn`` returns, before any
response exists; so a failed commit is a 5xx, never a 2xx, and an exception rolls everything
back. Services and repositories only flush; the request (through this call) owns the commit.

Reads: ``await db.fetch_all(stmt, params)`` / ``fetch_one`` run one Core statement, in
autocommit, and return rows that unpack by position and read by name.

- SQLite: on the event loop itself, on one long-lived connection. SQLite is an in-process
  library whose reads never wait on locks in WAL mode; handing a read to a worker thread cost
  more than the query (pysqlite releases and re-takes the GIL on every row while the busy event
  loop holds it). Inline reads never run concurrently, so one connection serves them all.
- PostgreSQL: natively async with psycopg's ``AsyncConnectionPool``: the event loop keeps
  serving other requests while a query is on the wire, with neither a blocked loop nor thread
  hand-offs. The statement is compiled once by SQLAlchemy's psycopg dialect; psycopg's own
  loaders return exactly what SQLAlchemy would (UUID, aware UTC datetimes — sessions run in
  UTC — and lists for ``text[]``), so rows are the same on both paths. A read that meets a
  dropped connection (a database restart) is retried once on a fresh one.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeAlias, TypeVar

import anyio.to_thread
import psycopg
from litestar.datastructures import State
from psycopg.rows import namedtuple_row
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
        self._pool: AsyncConnectionPool[Any] | None = None
        self._sql: dict[int, tuple[Query, str]] = {}

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
            kwargs={"autocommit": True, "options": "-c TimeZone=UTC", "row_factory": namedtuple_row},
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

    async def fetch_all(self, stmt: Query, params: Mapping[str, Any] | None = None) -> Sequence[Any]:
        if self.is_sqlite:
            return self._inline_connection().execute(stmt, params or {}).all()
        rows: Sequence[Any] = await self._pg_fetch(stmt, params or {}, one=False)
        return rows

    async def fetch_one(self, stmt: Query, params: Mapping[str, Any] | None = None) -> Any | None:
        if self.is_sqlite:
            return self._inline_connection().execute(stmt, params or {}).first()
        return await self._pg_fetch(stmt, params or {}, one=True)

    def _inline_connection(self) -> Connection:
        conn = self._inline
        if conn is None or conn.closed or conn.invalidated:
            conn = self._inline = self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        return conn

    def _compiled(self, stmt: Query) -> str:
        # Statements are module-level constants (see ListQuery), so id() is a stable key; the
        # statement is kept alongside so the id can never be reused by another object.
        cached = self._sql.get(id(stmt))
        if cached is None or cached[0] is not stmt:
            cached = self._sql[id(stmt)] = (stmt, str(stmt.compile(dialect=self.engine.dialect)))
        return cached[1]

    async def _pg_fetch(self, stmt: Query, params: Mapping[str, Any], *, one: bool) -> Any:
        if self._pool is None:
            raise RuntimeError("Database.open() was not awaited before the first read")
        sql = self._compiled(stmt)
        for attempt in (1, 2):
            try:
                async with self._pool.connection() as conn:
                    cursor = await conn.execute(sql, params)
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


def database(state: State) -> Database:
    """The app's ``Database`` (kept in the application state)."""
    db: Database = state.db
    return db
