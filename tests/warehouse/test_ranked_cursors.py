"""A ranked list (a ``q`` search) is walked through on the snapshot its first page came from: a
publish between two pages changes every BM25 score, and a cursor that carried a score into the
new ranking repeated some products and skipped others. A list in key order (no ``q``) goes on
in whatever snapshot is current, and a ranking's snapshot is kept for ``PINNED_SECONDS`` only."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from contracts.samples import write_cost_items_csv, write_location_index_csv
from tests.warehouse.conftest import T0, ingest, offer, write_feed
from warehouse import snapshots
from warehouse.catalog import CatalogReader, InvalidQuery
from warehouse.snapshots import PINNED_SECONDS, publish_snapshot
from warehouse.store import connect_warehouse


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    now = [1000.0]
    monkeypatch.setattr(snapshots.time, "monotonic", lambda: now[0])
    return now


@pytest.fixture
def warehouse(data_dir: Path, tmp_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    conn = connect_warehouse(data_dir)
    rows = [
        offer(f"C{i}", f"{5 + i}.00", name=f"Copper pipe {i} " + "copper " * (i % 4), category="Plumbing > Pipe")
        for i in range(30)
    ]
    assert ingest(conn, write_feed(tmp_path / "a.csv", "supplier_catalog", rows), submission_id="a").accepted
    costs = write_cost_items_csv(tmp_path / "c.csv", 66)
    assert ingest(conn, costs.path, feed="cost_items", submission_id="c").accepted
    locations = write_location_index_csv(tmp_path / "l.csv").path
    assert ingest(conn, locations, feed="location_index", submission_id="l").accepted
    publish_snapshot(conn, data_dir=data_dir, product="catalog", now=T0)
    publish_snapshot(conn, data_dir=data_dir, product="cost_data", now=T0)
    yield conn
    conn.close()


def _republish_with_more_copper(conn: duckdb.DuckDBPyConnection, data_dir: Path, tmp_path: Path) -> None:
    """Another supplier's copper products: the word's document frequency and the average length
    change, and with them every score of the ranking."""
    rows = [offer(f"T{i}", "3.00", name=f"Copper tube {i} long copper run") for i in range(40)]
    assert ingest(
        conn, write_feed(tmp_path / "b.csv", "supplier_catalog", rows), submission_id="b", source="other-supply"
    ).accepted
    publish_snapshot(conn, data_dir=data_dir, product="catalog", now=T0)


def _walk(reader: CatalogReader, first: list[str], cursor: str | None, **query: object) -> list[str]:
    seen = list(first)
    while cursor is not None:
        page = reader.search_products(cursor=cursor, limit=7, **query)  # type: ignore[arg-type]
        seen += [h.product_id for h in page.items]
        cursor = page.next_cursor
    return seen


def test_a_ranked_walk_keeps_its_ranking_across_a_publish(
    warehouse: duckdb.DuckDBPyConnection, data_dir: Path, tmp_path: Path, clock: list[float]
) -> None:
    reader = CatalogReader(data_dir, switch_in_background=True)
    try:
        ranking = [h.product_id for h in reader.search_products(q="copper", limit=100).items]
        assert len(ranking) == 30
        page = reader.search_products(q="copper", limit=7)
        before = page.snapshot
        _republish_with_more_copper(warehouse, data_dir, tmp_path)
        reader.warm()
        assert reader.search_products(q="copper", limit=100).snapshot != before  # new pages: new snapshot
        clock[0] += PINNED_SECONDS - 1
        walked = _walk(reader, [h.product_id for h in page.items], page.next_cursor, q="copper")
        assert walked == ranking  # each product once, in the first page's ranking
        assert len(reader.search_products(q="copper", limit=100).items) == 70
    finally:
        reader.close()


def test_a_ranked_cursor_older_than_its_snapshot_is_kept_is_a_400_on_cursor(
    warehouse: duckdb.DuckDBPyConnection, data_dir: Path, tmp_path: Path, clock: list[float]
) -> None:
    reader = CatalogReader(data_dir, switch_in_background=True)
    try:
        ranked = reader.search_products(q="copper", limit=7)
        listed = reader.search_products(limit=7)  # product_id order
        costs = reader.list_cost_items(q="concrete", limit=1)
        assert ranked.next_cursor and listed.next_cursor and costs.next_cursor
        _republish_with_more_copper(warehouse, data_dir, tmp_path)
        publish_snapshot(warehouse, data_dir=data_dir, product="cost_data", now=T0)
        reader.warm()
        clock[0] += PINNED_SECONDS + 1
        reader.warm()
        with pytest.raises(InvalidQuery, match=r"^cursor .*start the list again"):
            reader.search_products(q="copper", limit=7, cursor=ranked.next_cursor)
        with pytest.raises(InvalidQuery, match=r"^cursor "):
            reader.list_cost_items(q="concrete", limit=1, cursor=costs.next_cursor)
        # a list in key order goes on in the snapshot now current, however old its cursor
        rest = reader.search_products(limit=100, cursor=listed.next_cursor)
        everything = [h.product_id for h in reader.search_products(limit=100).items]
        assert rest.snapshot == reader.catalog.snapshot_id
        assert [h.product_id for h in rest.items] == [p for p in everything if p > listed.items[-1].product_id]
    finally:
        reader.close()


def test_a_tampered_cursor_score_is_a_400() -> None:
    import base64
    import json

    from warehouse.catalog import _decode_cursor

    token = base64.urlsafe_b64encode(json.dumps([10**400, "p_1", "q"]).encode()).decode()
    with pytest.raises(InvalidQuery, match=r"^cursor "):
        _decode_cursor(token, "q")
