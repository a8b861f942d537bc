"""Product search on a sample catalog big enough that pages span several candidate batches:
pages against the rules written out in SQL, ranking against BM25 order, and the index's arrays."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest

from contracts.samples import SUPPLIERS, write_supplier_csv
from tests.warehouse.conftest import OFFER_RULES_SQL, T0, ingest
from warehouse.catalog import CatalogReader
from warehouse.search import ProductIndex
from warehouse.snapshots import publish_snapshot
from warehouse.store import connect_warehouse


@pytest.fixture(scope="module")
def reader(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CatalogReader]:
    tmp_path = tmp_path_factory.mktemp("search")
    data_dir = tmp_path / "data"
    conn = connect_warehouse(data_dir)
    for i, supplier in enumerate(SUPPLIERS[:3]):
        body = write_supplier_csv(tmp_path / f"{supplier.slug}.csv", 1500, supplier=supplier, seed=i).path
        assert ingest(conn, body, submission_id=f"s{i}", source=supplier.slug).accepted
    publish_snapshot(conn, data_dir=data_dir, product="catalog", now=T0)
    conn.close()
    catalog = CatalogReader(data_dir)
    yield catalog
    catalog.close()


def _all_pages(reader: CatalogReader, **params: Any) -> list[Any]:
    items: list[Any] = []
    cursor = None
    while True:
        page = reader.search_products(limit=25, cursor=cursor, **params)
        items += page.items
        cursor = page.next_cursor
        if cursor is None:
            return items


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"zip_code": "80202"},
        {"zip_code": "10001", "in_stock": True},
        {"zip_code": "98101", "min_price": Decimal("5"), "max_price": Decimal("60")},
        {"category": "Lumber"},
        {"category": "Plumbing", "zip_code": "60601", "in_stock": True},
        {"supplier": SUPPLIERS[1].slug, "zip_code": "80202"},
    ],
)
def test_pages_hold_exactly_what_the_rules_select(reader: CatalogReader, params: dict[str, Any]) -> None:
    got = [
        (h.product_id, h.offer.supplier, h.offer.supplier_sku, h.offer.price_region, h.offer_count)
        for h in _all_pages(reader, **params)
    ]
    zip_code = params.get("zip_code")
    with reader.catalog.cursor() as cur:
        expected = cur.execute(
            OFFER_RULES_SQL,
            {
                "zip": zip_code[:3] if zip_code else None,
                "supplier": params.get("supplier"),
                "in_stock": params.get("in_stock", False),
                "low": params.get("min_price"),
                "high": params.get("max_price"),
                "category": params.get("category"),
            },
        ).fetchall()
    assert len(expected) > 25  # several pages
    assert got == [tuple(r) for r in expected]


@pytest.mark.parametrize("q", ["lumber", "copper pipe", "pine", "fir", "kiln dried lumber"])
def test_text_search_pages_follow_bm25_rank(reader: CatalogReader, q: str) -> None:
    items = _all_pages(reader, q=q, zip_code="80202")
    assert items
    keys = [(-h.score, h.product_id) for h in items]
    assert keys == sorted(keys)  # best first, ties in product order, across page boundaries
    assert len({h.product_id for h in items}) == len(items)
    with reader.catalog.session() as (cur, index):
        terms = index.lookup(cur, index.words(q))
        assert all(t is not None for t in terms)
        # every product with all the words and an offer in the area shows up: none is lost
        nos = None
        for term_no, _ in terms:  # type: ignore[misc]
            found = {
                r[0]
                for r in cur.execute("SELECT product_no FROM search_postings WHERE term_no = ?", [term_no]).fetchall()
            }
            nos = found if nos is None else nos & found
        assert nos is not None
        in_area = {
            r[0]
            for r in cur.execute(
                "SELECT DISTINCT product_no FROM offers WHERE price_region IN ('802', '*') AND product_no = ANY(?)",
                [sorted(nos)],
            ).fetchall()
        }
        ids = {
            r[0]
            for r in cur.execute(
                "SELECT product_id FROM products WHERE product_no = ANY(?)", [sorted(in_area)]
            ).fetchall()
        }
    assert {h.product_id for h in items} == ids


def test_index_arrays_describe_the_snapshot(reader: CatalogReader) -> None:
    with reader.catalog.session() as (cur, index):
        assert isinstance(index, ProductIndex)
        offers = cur.execute(
            "SELECT count(*), count(DISTINCT (product_no, supplier, supplier_sku)) FROM offers"
        ).fetchone()
        assert offers is not None
        assert len(index.region) == offers[0]
        assert int(index.group.max()) + 1 == offers[1]
        assert index.offer_start[-1] == offers[0]
        assert index.snapshot_id == reader.catalog.snapshot_id
        assert index.nbytes > 0
