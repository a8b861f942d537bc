"""Snapshots: immutable files, an atomic CURRENT, the last N kept, and a reader that switches
after a publish without restart and without failing a read."""

from __future__ import annotations

import threading
import time
from datetime import timedelta
from pathlib import Path

import duckdb
import pytest

from tests.warehouse.conftest import T0, ingest, offer, write_feed
from warehouse import snapshots
from warehouse.snapshots import (
    SnapshotGone,
    SnapshotReader,
    SnapshotUnavailable,
    current_snapshot,
    list_snapshots,
    publish_snapshot,
    rollback_snapshot,
    serving_dir,
)


def _load(conn: duckdb.DuckDBPyConnection, tmp_path: Path, name: str, price: str) -> None:
    rows = [offer(f"SKU-{i}", price, name=f"Copper pipe {i}") for i in range(50)]
    assert ingest(conn, write_feed(tmp_path / f"{name}.csv", "supplier_catalog", rows), submission_id=name).accepted


def _price(reader: SnapshotReader) -> object:
    with reader.cursor() as cur:
        row = cur.execute("SELECT max(unit_price) FROM offers").fetchone()
    return row[0] if row else None


def test_reader_before_any_publish(data_dir: Path) -> None:
    reader = SnapshotReader(data_dir, "catalog")
    with pytest.raises(SnapshotUnavailable), reader.cursor():
        pass


def test_publish_keeps_last_n_and_rolls_back(conn: duckdb.DuckDBPyConnection, data_dir: Path, tmp_path: Path) -> None:
    published = []
    for i in range(5):
        _load(conn, tmp_path, f"s{i}", f"{i + 1}.00")
        published.append(publish_snapshot(conn, data_dir=data_dir, product="catalog", keep=3))
    names = list_snapshots(data_dir, "catalog")
    assert names == [s.path.name for s in published[-3:]]
    assert current_snapshot(data_dir, "catalog") == published[-1].path.name
    assert published[-1].tables["offers"] == 50
    leftovers = [p.name for p in serving_dir(data_dir, "catalog").iterdir() if p.name.endswith((".building", ".tmp"))]
    assert leftovers == []
    reader = SnapshotReader(data_dir, "catalog")
    assert str(_price(reader)) == "5.0000"
    assert rollback_snapshot(data_dir, "catalog") == published[-2].path.name
    assert str(_price(reader)) == "4.0000"


def test_reader_switches_without_restart_and_closes_the_old_connection(
    conn: duckdb.DuckDBPyConnection, data_dir: Path, tmp_path: Path
) -> None:
    _load(conn, tmp_path, "a", "1.00")
    publish_snapshot(conn, data_dir=data_dir, product="catalog")
    reader = SnapshotReader(data_dir, "catalog", pin_seconds=0)  # nothing pinned keeps the old one
    with reader.cursor() as held:
        old = reader._open  # the connection this cursor reads
        _load(conn, tmp_path, "b", "2.00")
        publish_snapshot(conn, data_dir=data_dir, product="catalog")
        assert str(_price(reader)) == "2.00" + "00"  # the next call reads the new snapshot
        # the held cursor still reads the snapshot it started on
        assert str(held.execute("SELECT max(unit_price) FROM offers").fetchone()[0]) == "1.0000"  # type: ignore[index]
        assert old is not None
        assert not old.closed
    assert old.closed  # closed once its last cursor was done
    reader.close()


def test_warming_opens_each_new_snapshot_before_any_read(
    conn: duckdb.DuckDBPyConnection, data_dir: Path, tmp_path: Path
) -> None:
    built: list[str] = []

    def prepare(c: duckdb.DuckDBPyConnection) -> int:
        built.append(str(c.execute("SELECT max(unit_price) FROM offers").fetchone()[0]))  # type: ignore[index]
        return len(built)

    reader = SnapshotReader(data_dir, "catalog", prepare=prepare)
    assert reader.warm() is False  # nothing published: nothing to open, and no error
    _load(conn, tmp_path, "a", "1.00")
    publish_snapshot(conn, data_dir=data_dir, product="catalog")
    assert reader.loaded_snapshot_id is None
    assert reader.warm() is True
    assert reader.loaded_snapshot_id == reader.snapshot_id
    assert built == ["1.0000"]
    assert reader.warm() is True
    assert built == ["1.0000"]  # open already: nothing built again

    _load(conn, tmp_path, "b", "2.00")
    publish_snapshot(conn, data_dir=data_dir, product="catalog")
    assert reader.loaded_snapshot_id != reader.snapshot_id
    reader.warm()
    assert reader.loaded_snapshot_id == reader.snapshot_id
    assert built == ["1.0000", "2.0000"]
    with reader.session() as (cur, prepared):  # the read finds it ready
        assert prepared == 2
        assert str(cur.execute("SELECT max(unit_price) FROM offers").fetchone()[0]) == "2.0000"  # type: ignore[index]
    assert built == ["1.0000", "2.0000"]
    reader.close()


def test_a_reader_that_switches_in_the_background_leaves_the_switch_to_warm(
    conn: duckdb.DuckDBPyConnection, data_dir: Path, tmp_path: Path
) -> None:
    _load(conn, tmp_path, "a", "1.00")
    publish_snapshot(conn, data_dir=data_dir, product="catalog")
    reader = SnapshotReader(data_dir, "catalog", switch_in_background=True, pin_seconds=0)
    assert str(_price(reader)) == "1.0000"  # nothing open yet: the call opens what is current
    old = reader._open
    _load(conn, tmp_path, "b", "2.00")
    publish_snapshot(conn, data_dir=data_dir, product="catalog")
    assert str(_price(reader)) == "1.0000"  # a call never waits for the new one to load
    assert reader.loaded_snapshot_id != reader.snapshot_id
    assert reader.warm() is True
    assert str(_price(reader)) == "2.0000"
    assert old is not None and old.closed
    reader.close()


def _pinned_price(reader: SnapshotReader, snapshot_id: str | None) -> object:
    assert snapshot_id is not None
    with reader.cursor(pinned=snapshot_id) as cur:
        row = cur.execute("SELECT max(unit_price) FROM offers").fetchone()
    return str(row[0]) if row else None


@pytest.mark.parametrize("background", [False, True])
def test_a_pinned_call_reads_the_snapshot_a_publish_replaced_until_its_time_is_up(
    conn: duckdb.DuckDBPyConnection, data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, background: bool
) -> None:
    now = [1000.0]
    monkeypatch.setattr(snapshots.time, "monotonic", lambda: now[0])
    _load(conn, tmp_path, "a", "1.00")
    publish_snapshot(conn, data_dir=data_dir, product="catalog")
    reader = SnapshotReader(data_dir, "catalog", switch_in_background=background, pin_seconds=60)
    first = reader.snapshot_id
    assert _pinned_price(reader, first) == "1.0000"  # current, not open yet: opened for the call
    _load(conn, tmp_path, "b", "2.00")
    publish_snapshot(conn, data_dir=data_dir, product="catalog")
    reader.warm()
    second = reader.snapshot_id
    assert str(_price(reader)) == "2.0000"
    assert _pinned_price(reader, first) == "1.0000"  # replaced, still served to calls pinned to it
    assert _pinned_price(reader, second) == "2.0000"

    _load(conn, tmp_path, "c", "3.00")
    publish_snapshot(conn, data_dir=data_dir, product="catalog")
    reader.warm()
    with pytest.raises(SnapshotGone):  # only the snapshot the open one replaced is kept
        _pinned_price(reader, first)
    assert _pinned_price(reader, second) == "2.0000"
    kept = reader._previous
    now[0] += 61
    reader.warm()
    assert kept is not None and kept.closed  # its time is up: closed, its memory given back
    with pytest.raises(SnapshotGone):
        _pinned_price(reader, second)
    assert str(_price(reader)) == "3.0000"
    reader.close()


def test_publishing_under_load_fails_no_read(conn: duckdb.DuckDBPyConnection, data_dir: Path, tmp_path: Path) -> None:
    _load(conn, tmp_path, "base", "1.00")
    publish_snapshot(conn, data_dir=data_dir, product="catalog", keep=2)
    reader = SnapshotReader(data_dir, "catalog")
    stop = threading.Event()
    errors: list[BaseException] = []
    seen: set[str] = set()
    reads = [0]

    def read() -> None:
        while not stop.is_set():
            try:
                with reader.cursor() as cur:
                    # a query long enough to be in flight while files switch
                    cur.execute(
                        "SELECT count(*), max(o.unit_price) FROM offers o, range(300) r WHERE o.name LIKE '%pipe%'"
                    ).fetchone()
                    info = cur.execute("SELECT value FROM snapshot_info WHERE key = 'snapshot_id'").fetchone()
                    seen.add(str(info[0]) if info else "")
                reads[0] += 1
            except BaseException as exc:  # every failure is what this test looks for
                errors.append(exc)

    threads = [threading.Thread(target=read) for _ in range(4)]
    for t in threads:
        t.start()
    try:
        for i in range(4):  # with keep=2, files the readers held get deleted while they read
            _load(conn, tmp_path, f"p{i}", f"{i + 2}.00")
            publish_snapshot(conn, data_dir=data_dir, product="catalog", keep=2)
            time.sleep(0.05)
    finally:
        stop.set()
        for t in threads:
            t.join()
    assert errors == []
    assert reads[0] > 0
    assert len(seen) >= 2
    assert str(_price(reader)) == "5.0000"
    reader.close()


def test_a_rejected_feed_publishes_nothing_new(conn: duckdb.DuckDBPyConnection, data_dir: Path, tmp_path: Path) -> None:
    _load(conn, tmp_path, "good", "1.00")
    publish_snapshot(conn, data_dir=data_dir, product="catalog")
    reader = SnapshotReader(data_dir, "catalog")
    before = _price(reader)
    bad = [offer("SKU-1", "9.99", name="Copper pipe 1"), offer("SKU-2", "N/A")]
    assert not ingest(conn, write_feed(tmp_path / "bad.csv", "supplier_catalog", bad), submission_id="bad").accepted
    # even if a publish runs anyway, it serves what was accepted before
    publish_snapshot(conn, data_dir=data_dir, product="catalog")
    assert _price(reader) == before


def test_a_price_update_reuses_the_search_index_and_new_words_rebuild_it(
    conn: duckdb.DuckDBPyConnection, data_dir: Path, tmp_path: Path
) -> None:
    from warehouse.catalog import CatalogReader

    _load(conn, tmp_path, "first", "10.00")
    first = publish_snapshot(conn, data_dir=data_dir, product="catalog")
    assert not first.search_reused  # nothing to reuse yet
    _load(conn, tmp_path, "prices", "12.50")  # same products, same words, new prices
    second = publish_snapshot(conn, data_dir=data_dir, product="catalog")
    assert second.search_reused
    assert second.tables["search_postings"] == first.tables["search_postings"]
    reader = CatalogReader(data_dir)
    try:
        hits = reader.search_products(q="copper pipe", limit=100).items
        assert len(hits) == 50
        assert {h.offer.unit_price for h in hits} == {12.5}
        rows = [offer(f"SKU-{i}", "12.50", name=f"Brass valve {i}") for i in range(50)]
        assert ingest(
            conn, write_feed(tmp_path / "words.csv", "supplier_catalog", rows), submission_id="words"
        ).accepted
        third = publish_snapshot(conn, data_dir=data_dir, product="catalog")
        assert not third.search_reused
        assert len(reader.search_products(q="brass valve", limit=100).items) == 50
        assert reader.search_products(q="copper").items == []
    finally:
        reader.close()


def test_an_unreadable_previous_snapshot_means_a_full_build(
    conn: duckdb.DuckDBPyConnection, data_dir: Path, tmp_path: Path
) -> None:
    _load(conn, tmp_path, "first", "10.00")
    first = publish_snapshot(conn, data_dir=data_dir, product="catalog")
    first.path.write_bytes(b"not a database")
    _load(conn, tmp_path, "prices", "12.50")
    second = publish_snapshot(conn, data_dir=data_dir, product="catalog")
    assert not second.search_reused
    assert second.tables["search_postings"] > 0


def test_a_snapshot_without_a_search_index_is_unavailable_not_an_error(
    conn: duckdb.DuckDBPyConnection, data_dir: Path, tmp_path: Path
) -> None:
    from warehouse.catalog import CatalogReader

    _load(conn, tmp_path, "first", "10.00")
    snapshot = publish_snapshot(conn, data_dir=data_dir, product="catalog")
    old = duckdb.connect(str(snapshot.path))  # as a snapshot published before the index was
    old.execute("DROP TABLE search_postings")
    old.execute("DROP TABLE search_terms")
    old.close()
    reader = CatalogReader(data_dir)
    try:
        with pytest.raises(SnapshotUnavailable, match="no search index"):
            reader.search_products(q="copper")
        _load(conn, tmp_path, "again", "11.00")
        publish_snapshot(conn, data_dir=data_dir, product="catalog")  # cannot reuse: builds one
        assert len(reader.search_products(q="copper", limit=100).items) == 50
    finally:
        reader.close()


def test_publishing_lends_the_memory_limit_and_gives_it_back(
    conn: duckdb.DuckDBPyConnection, data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ingest(conn, write_feed(tmp_path / "m.csv", "supplier_catalog", [offer("A", "1.00")]), submission_id="m")
    conn.execute("SET memory_limit = '700MB'")
    before = conn.execute("SELECT current_setting('memory_limit')").fetchone()
    publish_snapshot(conn, data_dir=data_dir, product="catalog")
    assert conn.execute("SELECT current_setting('memory_limit')").fetchone() == before

    # also when the build fails while the limit is lent
    def broken(_: duckdb.DuckDBPyConnection) -> None:
        raise duckdb.IOException("disk full")

    monkeypatch.setattr("warehouse.snapshots.load_fts", broken)
    with pytest.raises(duckdb.IOException):
        publish_snapshot(conn, data_dir=data_dir, product="catalog")
    assert conn.execute("SELECT current_setting('memory_limit')").fetchone() == before


def test_a_snapshot_holds_the_offers_valid_on_its_publish_date(
    conn: duckdb.DuckDBPyConnection, data_dir: Path, tmp_path: Path
) -> None:
    from datetime import UTC, datetime

    rows = [
        offer("NOW", "2.00", name="Copper tee"),
        offer("SOON", "1.00", name="Copper elbow", valid_from="2026-06-01"),
        offer("GONE", "3.00", name="Copper cap", valid_to="2026-01-31"),
        offer("SPAN", "4.00", name="Copper union", valid_from="2026-01-01", valid_to="2026-05-31"),
    ]
    assert ingest(conn, write_feed(tmp_path / "v.csv", "supplier_catalog", rows), submission_id="v").accepted

    def skus(on: datetime) -> set[str]:
        snapshot = publish_snapshot(conn, data_dir=data_dir, product="catalog", now=on)
        with duckdb.connect(str(snapshot.path), read_only=True) as snap:
            offered = {r[0] for r in snap.execute("SELECT supplier_sku FROM offers").fetchall()}
            named = {r[0] for r in snap.execute("SELECT name FROM products").fetchall()}
        assert len(named) == len(offered)  # a product with no valid offer is not in the snapshot
        return offered

    assert skus(datetime(2026, 1, 15, tzinfo=UTC)) == {"NOW", "SPAN", "GONE"}
    assert skus(datetime(2026, 5, 31, 23, tzinfo=UTC)) == {"NOW", "SPAN"}  # GONE's last day has passed
    assert skus(datetime(2026, 6, 1, tzinfo=UTC)) == {"NOW", "SOON"}  # a future price starts on its day


def test_another_suppliers_new_name_for_a_product_rebuilds_the_search_index(
    conn: duckdb.DuckDBPyConnection, data_dir: Path, tmp_path: Path
) -> None:
    """The index holds every supplier's name for a product, so a second supplier's new words for
    it (the product's own fields unchanged) are not served from the old index."""
    from warehouse.catalog import CatalogReader

    maker = {"manufacturer": "Mueller", "manufacturer_part_number": "CU-L-050"}
    first = [offer("A1", "10.00", name="Copper pipe", **maker)]
    assert ingest(
        conn, write_feed(tmp_path / "a.csv", "supplier_catalog", first), submission_id="a", source="a"
    ).accepted
    second = [offer("B1", "11.00", name="Copper pipe", **maker)]
    assert ingest(
        conn, write_feed(tmp_path / "b.csv", "supplier_catalog", second), submission_id="b", source="b"
    ).accepted
    publish_snapshot(conn, data_dir=data_dir, product="catalog")
    renamed = [offer("B1", "11.00", name="Type L tube", **maker)]
    path = write_feed(tmp_path / "b2.csv", "supplier_catalog", renamed)
    assert ingest(conn, path, submission_id="b2", source="b", at=T0 + timedelta(hours=1)).accepted
    again = publish_snapshot(conn, data_dir=data_dir, product="catalog")
    assert not again.search_reused
    reader = CatalogReader(data_dir)
    try:
        assert [h.name for h in reader.search_products(q="tube").items] == ["Copper pipe"]
    finally:
        reader.close()
