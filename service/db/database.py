"""How request handlers reach the operational database.

``Database.write(fn)`` is one unit of work: ``fn`` gets a fresh ORM session in a worker thread,
and the session is committed in that thread as soon as ``fn`` returns, before any response
exists; so a failed commit is a 5xx, never a 2xx, and an exception rolls everything back.
Services and repositories only flush; the request (through this call) owns the commit.

``Database.read(fn)`` runs a read-only ``fn`` on a connection in autocommit mode (each statement
sees committed data). On SQLite it runs on the event loop itself: SQLite is an in-process library
whose reads never wait on locks in WAL mode, and handing it to a worker thread costs far more
than the query (every row step releases and re-takes the GIL). On PostgreSQL it runs in a worker
thread so that network waits never stall the event loop.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import anyio.to_thread
from litestar.datastructures import State
from sqlalchemy import Connection, Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from service.db.engine import make_engine, make_sessionmaker

__all__ = ["Database", "database"]

T = TypeVar("T")


class Database:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.sessions: sessionmaker[Session] = make_sessionmaker(engine)
        self.inline_reads = engine.dialect.name == "sqlite"
        self._inline: Connection | None = None
        # Reads use connections that stay in autocommit: no BEGIN/ROLLBACK round trips and no
        # switching modes on every checkout. pysqlite opens no transaction for a SELECT, so on
        # SQLite the one engine serves both; PostgreSQL gets a small pool of its own.
        self._reader = (
            engine
            if self.inline_reads
            else make_engine(
                engine.url.render_as_string(hide_password=False), isolation_level="AUTOCOMMIT", pool_size=10
            )
        )

    async def read(self, fn: Callable[[Connection], T]) -> T:
        if self.inline_reads:
            return self._read_inline(fn)
        return await anyio.to_thread.run_sync(self.read_sync, fn)

    def _read_inline(self, fn: Callable[[Connection], T]) -> T:
        # Inline reads all run on the event loop's one thread and never yield, so they can
        # share one long-lived connection instead of paying a pool checkout each.
        conn = self._inline
        if conn is None or conn.closed or conn.invalidated:
            conn = self._inline = self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        try:
            return fn(conn)
        except DBAPIError as exc:
            if exc.connection_invalidated:
                self._inline = None
            raise

    async def write(self, fn: Callable[[Session], T]) -> T:
        return await anyio.to_thread.run_sync(self.write_sync, fn)

    def read_sync(self, fn: Callable[[Connection], T]) -> T:
        with self._reader.connect() as conn:
            return fn(conn)

    def write_sync(self, fn: Callable[[Session], T]) -> T:
        with self.sessions() as session:
            result = fn(session)
            session.commit()
            return result

    def dispose(self) -> None:
        if self._inline is not None:
            self._inline.close()
            self._inline = None
        self.engine.dispose()
        if self._reader is not self.engine:
            self._reader.dispose()


def database(state: State) -> Database:
    """The app's ``Database`` (kept in the application state)."""
    db: Database = state.db
    return db
