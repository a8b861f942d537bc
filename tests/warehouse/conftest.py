"""Warehouse fixtures: a real DuckDB warehouse file in a temporary data directory."""

from __future__ import annotations

import csv
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest

from contracts.report import ValidationReport
from contracts.schemas import FEEDS
from pipelines.resources import DEFAULT_MEMORY_LIMIT
from warehouse.ingest import ingest_file
from warehouse.store import connect_warehouse

T0 = datetime(2026, 3, 1, tzinfo=UTC)

#: The offer each product of a catalog snapshot shows, by the search's rules written out as one SQL
#: query (the search computes it in NumPy: warehouse/search.py), in product order.
OFFER_RULES_SQL = """
WITH regional AS (
    SELECT * FROM offers
    WHERE ($zip IS NULL OR price_region IN ($zip, '*')) AND ($supplier IS NULL OR supplier = $supplier)
    QUALIFY row_number() OVER (
        PARTITION BY product_id, supplier, supplier_sku
        ORDER BY CASE price_region WHEN $zip THEN 0 WHEN '*' THEN 1 ELSE 2 END, price_per_base_unit, price_region
    ) = 1
),
applicable AS (
    SELECT * FROM regional
    WHERE (NOT $in_stock OR available_qty > 0)
        AND ($low IS NULL OR unit_price >= $low) AND ($high IS NULL OR unit_price <= $high)
)
SELECT a.product_id, a.supplier, a.supplier_sku, a.price_region, count(*) OVER (PARTITION BY a.product_id)
FROM applicable AS a
JOIN products AS p ON p.product_id = a.product_id
WHERE $category IS NULL OR p.category = $category OR starts_with(p.category, $category || ' > ')
QUALIFY row_number() OVER (
    PARTITION BY a.product_id
    ORDER BY NOT a.price_comparison_allowed, a.currency <> 'USD', a.price_per_base_unit, a.supplier, a.supplier_sku
) = 1
ORDER BY a.product_id
"""


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def conn(data_dir: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    # with the memory limit the pipeline steps run under, so what it cannot hold fails here too
    connection = connect_warehouse(data_dir, memory_limit=DEFAULT_MEMORY_LIMIT)
    yield connection
    connection.close()


def write_feed(path: Path, feed: str, rows: Sequence[dict[str, object]], header: Sequence[str] | None = None) -> Path:
    """A CSV body with the feed's header (or the given one) and these rows (missing fields empty)."""
    fields = list(header or FEEDS[feed].field_names)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=fields)
        writer.writeheader()
        for row in rows:
            writer.writerow({k: "" if v is None else v for k, v in row.items()})
    return path


def offer(sku: str, price: str, region: str = "*", **extra: object) -> dict[str, object]:
    """A valid supplier row: one EA at ``price`` unless ``extra`` says otherwise."""
    return {
        "supplier_sku": sku,
        "name": extra.pop("name", f"Item {sku}"),
        "order_uom": extra.pop("order_uom", "EA"),
        "unit_price": price,
        "currency": "USD",
        "price_region": region,
        **extra,
    }


def ingest(
    conn: duckdb.DuckDBPyConnection,
    path: Path,
    *,
    feed: str = "supplier_catalog",
    submission_id: str,
    source: str = "acme-supply",
    at: datetime = T0,
    mode: str = "full",
    terms: Sequence[str] = (),
    makes: Sequence[str] | None = None,
) -> ValidationReport:
    return ingest_file(
        conn,
        feed=feed,
        submission_id=submission_id,
        path=path,
        source=source,
        received_at=at,
        mode=mode,  # type: ignore[arg-type]
        terms=terms,
        makes=makes,
    )
