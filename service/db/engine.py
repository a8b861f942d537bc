"""Engines and session factories for the operational database."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

__all__ = ["make_engine", "make_sessionmaker"]


def make_engine(url: str, **kwargs: Any) -> Engine:
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    if url.startswith("sqlite"):
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": 30},
            pool_use_lifo=True,
            pool_size=kwargs.pop("pool_size", 20),
            max_overflow=kwargs.pop("max_overflow", 10),
            **kwargs,
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    # Sessions run in UTC so timestamps arrive already in the zone the API speaks (see
    # UTCDateTime). This engine carries writes (reads use psycopg's async pool, see
    # Database), so a pre-ping round trip per checkout is cheap insurance that a write never
    # lands on a connection the server dropped.
    return create_engine(
        url,
        pool_size=kwargs.pop("pool_size", 20),
        max_overflow=kwargs.pop("max_overflow", 10),
        pool_pre_ping=kwargs.pop("pool_pre_ping", True),
        pool_recycle=kwargs.pop("pool_recycle", 1800),
        connect_args={"options": "-c TimeZone=UTC"},
        **kwargs,
    )


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets readers run beside the one writer; foreign keys are off by default in SQLite.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False, autoflush=False)
