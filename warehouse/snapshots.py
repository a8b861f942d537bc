"""Serving snapshots: the bridge from the warehouse to the service.

Layout, per data product (``catalog``, ``cost_data``)::

    <data_dir>/serving/<product>/
        <product>-<UTC time>-<random>.duckdb    one immutable file per publish
        CURRENT                                  the file name now served (one line)

**Publishing** (pipelines only): curated tables are copied into a new file (name ending
``.building``) through an ``ATTACH`` of the warehouse connection, the file's full-text indexes
are built inside it, the file is checkpointed, closed and renamed to ``.duckdb``; then
``CURRENT`` is replaced atomically (written to a temporary file, ``os.replace``). A reader
therefore sees the old snapshot or the new one, never a half-written table. The newest ``keep``
files stay for rollback (``rollback_snapshot``); older ones are deleted.

**Reading** (the service): :class:`SnapshotReader` keeps one warm read-only connection per
process, and each call runs on its own cursor of that connection. A call that finds ``CURRENT``
changed opens the new file (and builds what the reader's ``prepare`` makes of it, such as the
search's in-memory arrays) while other calls keep reading the old one; then later calls go to the
new file, and the old connection closes once its last cursor is done. No restart, and no request
fails because of a publish.
"""

from __future__ import annotations

import os
import re
import secrets
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

from warehouse._sql import execute, sql
from warehouse.fts import load_fts
from warehouse.text import register_fold

__all__ = [
    "PINNED_SECONDS",
    "PRODUCTS",
    "Snapshot",
    "SnapshotGone",
    "SnapshotReader",
    "SnapshotUnavailable",
    "current_snapshot",
    "list_snapshots",
    "publish_snapshot",
    "rollback_snapshot",
    "serving_dir",
]


@dataclass(frozen=True, slots=True)
class _Product:
    """How a data product's snapshot is built.

    ``tables`` copy curated tables from the warehouse, in order (``cleanup`` then drops what they
    left in the warehouse connection); ``indexes`` then run inside the new file. ``search`` build
    the search index, unless the current snapshot's index can serve the new one as it is:
    ``search_inputs`` gather what the index is built from (temporary tables), ``fingerprint``
    summarises it, and when the current snapshot
    recorded the same fingerprint its ``reused`` tables are copied instead (then ``after_reuse``
    runs). A price or stock update leaves the words alone, so it skips the build.
    """

    tables: tuple[str, ...]
    cleanup: tuple[str, ...] = ()
    indexes: tuple[str, ...] = ()
    search: tuple[str, ...] = ()
    search_inputs: tuple[str, ...] = ()
    fingerprint: str | None = None
    reused: tuple[str, ...] = ()
    after_reuse: tuple[str, ...] = ()


PRODUCTS: dict[str, _Product] = {
    "catalog": _Product(
        tables=("catalog_products", "catalog_offer_numbers", "catalog_offers", "catalog_price_history"),
        cleanup=("drop_offer_numbers",),
        indexes=("catalog_products_index", "catalog_offers_index"),
        search=(
            "catalog_search_stopwords",
            "catalog_search_tokens",
            "catalog_search_words",
            "catalog_search_tf",
            "catalog_search_terms",
            "catalog_search_terms_index",
            "catalog_search_postings",
        ),
        search_inputs=("catalog_search_names",),
        fingerprint="catalog_search_fingerprint",
        reused=("search_stopwords", "search_terms", "search_postings"),
        after_reuse=("catalog_search_terms_index",),
    ),
    "cost_data": _Product(tables=("cost_items", "location_index"), search=("cost_data_fts",)),
}
_FINGERPRINT_KEY = "search_fingerprint"
_IDLE_LIMIT = "64MB"  # the warehouse connection's, while the snapshot's own connection builds

_NAME = re.compile(r"^[a-z_]+-\d{8}T\d{12}Z-[0-9a-f]{8}\.duckdb$")
_READ_CONFIG: dict[str, str | bool | int | float | list[str]] = {
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
}


#: A serving process runs many small queries at once, one per request thread: a query split over
#: DuckDB's own threads only competes with the others (HTTP search: 226 against 218 searches/s).
_SERVING_CONFIG: dict[str, str | bool | int | float | list[str]] = {"threads": 1}


class SnapshotUnavailable(LookupError):
    """No snapshot of the data product has been published yet (or its file is gone)."""


class SnapshotGone(LookupError):
    """A call pinned to a snapshot that this process no longer serves (replaced too long ago)."""

    def __init__(self, snapshot_id: str) -> None:
        super().__init__(f"snapshot {snapshot_id} is no longer served")
        self.snapshot_id = snapshot_id


#: How long a reader keeps serving a replaced snapshot to the calls pinned to it (a ranked
#: search's next pages, so that a walk through its cursors sees one ranking).
PINNED_SECONDS = 900.0


@dataclass(frozen=True, slots=True)
class Snapshot:
    product: str
    snapshot_id: str
    path: Path
    published_at: datetime
    tables: dict[str, int] = field(default_factory=dict)
    #: the search index was copied from the previous snapshot (its words had not changed)
    search_reused: bool = False


def serving_dir(data_dir: str | Path, product: str) -> Path:
    """``<data_dir>/serving/<product>``."""
    if product not in PRODUCTS:
        raise KeyError(f"unknown data product {product!r}")
    return Path(data_dir) / "serving" / product


def _literal_path(path: Path) -> str:
    text = str(path)
    if "'" in text:  # ATTACH takes a literal, not a parameter; our own paths never hold a quote
        raise ValueError(f"refusing a path with a quote: {text!r}")
    return text


def _write_pointer(directory: Path, name: str) -> None:
    tmp = directory / f".CURRENT.{secrets.token_hex(4)}.tmp"
    with tmp.open("w") as fh:
        fh.write(name + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, directory / "CURRENT")
    try:  # make the rename itself durable
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError:  # pragma: no cover - platforms without directory fsync
        pass


def current_snapshot(data_dir: str | Path, product: str) -> str | None:
    """The file name ``CURRENT`` points at, or None before the first publish."""
    try:
        name = (serving_dir(data_dir, product) / "CURRENT").read_text().strip()
    except FileNotFoundError:
        return None
    return name or None


def list_snapshots(data_dir: str | Path, product: str) -> list[str]:
    """Published snapshot file names, oldest first."""
    directory = serving_dir(data_dir, product)
    if not directory.is_dir():
        return []
    return sorted(p.name for p in directory.iterdir() if _NAME.match(p.name))


def publish_snapshot(
    conn: duckdb.DuckDBPyConnection,
    *,
    data_dir: str | Path,
    product: str,
    keep: int = 3,
    now: datetime | None = None,
) -> Snapshot:
    """Build a new immutable snapshot of ``product`` from the warehouse and make it current."""
    if keep < 1:
        raise ValueError("keep at least one snapshot")
    spec = PRODUCTS[product]
    published_at = now or datetime.now(UTC)
    directory = serving_dir(data_dir, product)
    directory.mkdir(parents=True, exist_ok=True)
    snapshot_id = f"{product}-{published_at.astimezone(UTC):%Y%m%dT%H%M%S%f}Z-{secrets.token_hex(4)}"
    final = directory / f"{snapshot_id}.duckdb"
    building = directory / f"{snapshot_id}.duckdb.building"
    current = current_snapshot(data_dir, product)
    previous = directory / current if current is not None else None

    _copy_tables(conn, spec, building, published_at)

    counts: dict[str, int] = {}
    with (
        _lent_memory(conn) as limit,
        duckdb.connect(str(building), config={**_READ_CONFIG, "memory_limit": limit}) as snap,
    ):
        load_fts(snap)
        register_fold(snap)
        for index in spec.indexes:
            execute(snap, "serving", index)
        info = {"product": product, "snapshot_id": snapshot_id, "published_at": published_at.isoformat()}
        for statement in spec.search_inputs:
            execute(snap, "serving", statement)
        if spec.fingerprint is not None:
            row = execute(snap, "serving", spec.fingerprint).fetchone()
            info[_FINGERPRINT_KEY] = str(row[0]) if row else ""
        reused = _reuse_search(snap, spec, previous, info.get(_FINGERPRINT_KEY))
        if not reused:
            for statement in spec.search:
                execute(snap, "serving", statement)
        execute(snap, "serving", "info_table")
        for key, value in info.items():
            execute(snap, "serving", "info_insert", {"key": key, "value": value})
        for table_name, _ in execute(snap, "serving", "table_counts").fetchall():
            if table_name == "snapshot_info":
                continue
            row = snap.table(str(table_name)).aggregate("count(*)").fetchone()
            counts[str(table_name)] = int(row[0]) if row else 0
        snap.execute("CHECKPOINT")
    os.replace(building, final)
    _write_pointer(directory, final.name)
    _prune(directory, keep, final.name)
    return Snapshot(product, snapshot_id, final, published_at, counts, reused)


@contextmanager
def _lent_memory(conn: duckdb.DuckDBPyConnection) -> Iterator[str]:
    """The warehouse connection's memory limit, lent to the snapshot's own connection: meanwhile
    the warehouse connection runs with a small limit, which makes DuckDB give back what it cached,
    so the two never hold the limit each. The limit is restored whatever happens."""
    row = conn.execute("SELECT current_setting('memory_limit')").fetchone()
    limit = str(row[0]) if row else "80%"
    conn.execute("SET memory_limit = $limit", {"limit": _IDLE_LIMIT})
    try:
        yield limit
    finally:
        conn.execute("SET memory_limit = $limit", {"limit": limit})


def _copy_tables(conn: duckdb.DuckDBPyConnection, spec: _Product, building: Path, published_at: datetime) -> None:
    """The curated tables, copied from the warehouse into the new file (attached as ``snap``)."""
    conn.execute(f"ATTACH '{_literal_path(building)}' AS snap")
    try:
        for name in spec.tables:
            if "published_at" in sql("serving", name):
                execute(conn, "serving", name, {"published_at": published_at})
            else:
                execute(conn, "serving", name)
    finally:
        for statement in spec.cleanup:
            execute(conn, "serving", statement)
        conn.execute("DETACH snap")


def _reuse_search(
    snap: duckdb.DuckDBPyConnection, spec: _Product, previous: Path | None, fingerprint: str | None
) -> bool:
    """Copy the search index of the ``previous`` snapshot into ``snap`` when it was built from the
    same ``fingerprint``; False (nothing copied) when it was not, or cannot be read."""
    if fingerprint is None or previous is None or not previous.is_file() or not spec.reused:
        return False
    try:
        snap.execute(f"ATTACH '{_literal_path(previous)}' AS previous (READ_ONLY)")
    except duckdb.Error:
        return False
    try:
        row = snap.execute(
            "SELECT value FROM previous.snapshot_info WHERE key = $key", {"key": _FINGERPRINT_KEY}
        ).fetchone()
        if row is None or row[0] != fingerprint:
            return False
        for table in spec.reused:  # names from PRODUCTS, not from input
            snap.execute(f"CREATE TABLE {table} AS SELECT * FROM previous.{table}")  # noqa: S608
    except duckdb.Error:  # an older snapshot without these tables, or one that cannot be read
        for table in spec.reused:
            snap.execute(f"DROP TABLE IF EXISTS {table}")
        return False
    finally:
        snap.execute("DETACH previous")
    for statement in spec.after_reuse:
        execute(snap, "serving", statement)
    return True


def _prune(directory: Path, keep: int, current: str) -> None:
    names = sorted(p.name for p in directory.iterdir() if _NAME.match(p.name))
    for name in names[:-keep]:
        if name != current:
            (directory / name).unlink(missing_ok=True)
    for leftover in directory.glob("*.duckdb.building"):
        if leftover.name != f"{current}.building":
            leftover.unlink(missing_ok=True)
    for wal in directory.glob("*.duckdb.building.wal"):
        wal.unlink(missing_ok=True)


def rollback_snapshot(data_dir: str | Path, product: str) -> str:
    """Point ``CURRENT`` back at the snapshot published before the current one."""
    names = list_snapshots(data_dir, product)
    current = current_snapshot(data_dir, product)
    if current not in names or names.index(current) == 0:
        raise SnapshotUnavailable(f"no earlier {product} snapshot to roll back to")
    previous = names[names.index(current) - 1]
    _write_pointer(serving_dir(data_dir, product), previous)
    return previous


class _Open:
    """One read-only connection to one snapshot file, counted while cursors use it, with what the
    reader's ``prepare`` built from it (e.g. the search's in-memory index)."""

    def __init__(self, name: str, path: Path, prepare: Callable[[duckdb.DuckDBPyConnection], Any] | None) -> None:
        self.name = name
        self.conn = duckdb.connect(str(path), read_only=True, config={**_READ_CONFIG, **_SERVING_CONFIG})
        try:
            load_fts(self.conn)
            self.prepared = prepare(self.conn) if prepare is not None else None
        except BaseException:
            self.conn.close()
            raise
        self.users = 0
        self.retired = False
        self.closed = False

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            self.conn.close()


class SnapshotReader:
    """The service's view of one data product's current snapshot; safe to share between threads.

    ``with reader.cursor() as cur: cur.execute(...)`` runs on a cursor of the process's warm
    connection to the snapshot that was current when the call began. With ``switch_in_background``
    a call reads the snapshot that is open, and only ``warm`` (which the owner calls in the
    background) opens the next one, so no call waits for a snapshot to load once one is open.

    The snapshot a newer one replaced stays open for ``pin_seconds`` more, for the calls pinned
    to it (``session(pinned=...)``): the later pages of a ranked search keep the ranking of its
    first page although a publish changed the scores in between.
    """

    def __init__(
        self,
        data_dir: str | Path,
        product: str,
        prepare: Callable[[duckdb.DuckDBPyConnection], Any] | None = None,
        *,
        switch_in_background: bool = False,
        pin_seconds: float = PINNED_SECONDS,
    ) -> None:
        self._dir = serving_dir(data_dir, product)
        self.product = product
        self._prepare = prepare
        self._switch_in_background = switch_in_background
        self._lock = threading.Lock()
        self._opening = threading.Lock()
        self._open: _Open | None = None
        self._stamp: tuple[int, int] | None = None
        self._pin_seconds = pin_seconds
        self._previous: _Open | None = None  # the snapshot the open one replaced, while pinned calls may read it
        self._previous_until = 0.0

    @property
    def snapshot_id(self) -> str | None:
        """The snapshot the next call will read (None before the first publish)."""
        name = self._pointed_name()
        return name.removesuffix(".duckdb") if name else None

    @property
    def loaded_snapshot_id(self) -> str | None:
        """The snapshot this process has open, which the next call reads unless ``CURRENT`` has
        moved on (None before anything was opened)."""
        handle = self._open
        return handle.name.removesuffix(".duckdb") if handle is not None else None

    def _pointed_name(self) -> str | None:
        try:
            name = (self._dir / "CURRENT").read_text().strip()
        except FileNotFoundError:
            return None
        return name or None

    def _for_call(self) -> _Open:
        """The snapshot a call reads: the open one when switching is the background's, else the
        one ``CURRENT`` names (opening it if it is not open yet)."""
        if self._switch_in_background:
            with self._lock:
                if self._open is not None:
                    return self._use(self._open)
        return self._acquire()

    def _acquire(self) -> _Open:
        pointer = self._dir / "CURRENT"
        try:
            st = pointer.stat()
        except FileNotFoundError:
            raise SnapshotUnavailable(f"no {self.product} snapshot has been published") from None
        stamp = (st.st_ino, st.st_mtime_ns)
        with self._lock:
            if self._open is not None and stamp == self._stamp:
                return self._use(self._open)
        # CURRENT changed (or nothing is open): one thread opens the new snapshot, outside the
        # lock, while the others keep reading the one they had
        if not self._opening.acquire(blocking=self._open is None):
            with self._lock:
                if self._open is not None:
                    return self._use(self._open)
            self._opening.acquire()
        try:
            with self._lock:
                if self._open is not None and stamp == self._stamp:
                    return self._use(self._open)
            name = self._pointed_name()
            if name is None:
                raise SnapshotUnavailable(f"no {self.product} snapshot has been published")
            if self._open is not None and name == self._open.name:
                with self._lock:
                    self._stamp = stamp
                    return self._use(self._open)
            path = self._dir / name
            if not path.is_file():
                raise SnapshotUnavailable(f"{self.product} snapshot {name} is missing")
            fresh = _Open(name, path, self._prepare)
            with self._lock:
                old, self._open, self._stamp = self._open, fresh, stamp
                self._keep_previous(old)
                return self._use(fresh)
        finally:
            self._opening.release()

    def _keep_previous(self, replaced: _Open | None) -> None:
        """(Lock held.) Keep the snapshot just replaced open for pinned calls, and let go of the
        one it had replaced."""
        earlier, self._previous = self._previous, None
        if earlier is not None:
            self._retire(earlier)
        if replaced is not None:
            if self._pin_seconds > 0:
                self._previous, self._previous_until = replaced, time.monotonic() + self._pin_seconds
            else:
                self._retire(replaced)

    def _expire_previous(self) -> None:
        """(Lock held.) Let go of the replaced snapshot once its pinned calls have had their time."""
        if self._previous is not None and time.monotonic() >= self._previous_until:
            self._retire(self._previous)
            self._previous = None

    @staticmethod
    def _retire(handle: _Open) -> None:
        """(Lock held.) Close the snapshot when its last call ends (now, when none is reading it)."""
        handle.retired = True
        if handle.users == 0:
            handle.close()

    def _pinned(self, snapshot_id: str) -> _Open:
        """The snapshot a pinned call reads: the open one or the one it replaced, by name; one that
        ``CURRENT`` names but this process has not opened yet (another process issued the cursor
        first) is opened now. Any other is SnapshotGone."""
        name = f"{snapshot_id}.duckdb"
        with self._lock:
            self._expire_previous()
            for handle in (self._open, self._previous):
                if handle is not None and handle.name == name:
                    return self._use(handle)
        if self._pointed_name() == name:
            handle = self._acquire()
            if handle.name == name:
                return handle
            self._release(handle)  # CURRENT moved on again meanwhile
        raise SnapshotGone(snapshot_id)

    def warm(self) -> bool:
        """Open the snapshot ``CURRENT`` names, with what ``prepare`` builds from it, unless it is
        open already; whether one is open. The service calls this in the background after each
        publish, so no request waits for a new snapshot to load (requests keep reading the one
        before until it has)."""
        with self._lock:
            self._expire_previous()
        try:
            handle = self._acquire()
        except SnapshotUnavailable:
            return False
        self._release(handle)
        return True

    @staticmethod
    def _use(handle: _Open) -> _Open:
        handle.users += 1
        return handle

    def _release(self, handle: _Open) -> None:
        with self._lock:
            handle.users -= 1
            if handle.retired and handle.users == 0:
                handle.close()

    @contextmanager
    def cursor(self, pinned: str | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
        """A cursor on the current snapshot (or ``pinned``, see ``session``), closed (and the
        snapshot released) on exit."""
        with self.session(pinned) as (cur, _):
            yield cur

    @contextmanager
    def session(self, pinned: str | None = None) -> Iterator[tuple[duckdb.DuckDBPyConnection, Any]]:
        """A cursor on the current snapshot and what ``prepare`` built from that snapshot. With
        ``pinned`` (a snapshot id), on that snapshot while this process still serves it, else
        SnapshotGone."""
        handle = self._for_call() if pinned is None else self._pinned(pinned)
        try:
            with self._lock:
                cur = handle.conn.cursor()
            try:
                yield cur, handle.prepared
            finally:
                cur.close()
        finally:
            self._release(handle)

    def close(self) -> None:
        """Close the connection (at process shutdown); later calls open it again."""
        with self._lock:
            for handle in (self._open, self._previous):
                if handle is not None:
                    self._retire(handle)
            self._open = self._previous = None
            self._stamp = None
