"""Sample feeds are deterministic, realistic enough to exercise the contracts, and stream."""

from __future__ import annotations

import csv
import hashlib
from pathlib import Path

from contracts.samples import (
    DEFECTS,
    SUPPLIERS,
    write_cost_items_csv,
    write_location_index_csv,
    write_manufacturer_csv,
    write_supplier_csv,
)
from contracts.schemas import COST_ITEMS, LOCATION_INDEX, MANUFACTURER_FEED, SUPPLIER_CATALOG
from contracts.uom import canonical_uom


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_same_seed_same_bytes_other_seed_other_prices(tmp_path: Path) -> None:
    a = write_supplier_csv(tmp_path / "a.csv", 500, seed=7).path
    b = write_supplier_csv(tmp_path / "b.csv", 500, seed=7).path
    c = write_supplier_csv(tmp_path / "c.csv", 500, seed=8).path
    assert _digest(a) == _digest(b)
    assert _digest(a) != _digest(c)


def test_chunking_does_not_change_the_output(tmp_path: Path) -> None:
    whole = write_supplier_csv(tmp_path / "whole.csv", 1000, seed=3, dirty=True).path
    chunked = write_supplier_csv(tmp_path / "chunked.csv", 1000, seed=3, dirty=True, chunk_rows=1000).path
    assert _digest(whole) == _digest(chunked)


def test_supplier_catalog_rows(tmp_path: Path) -> None:
    stats = write_supplier_csv(tmp_path / "s.csv.gz", 3000, seed=1, supplier=SUPPLIERS[1])
    assert stats.rows == 3000
    assert stats.defects == {}
    import gzip

    with gzip.open(stats.path, "rt", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 3000
    assert list(rows[0]) == list(SUPPLIER_CATALOG.field_names)
    regions = {r["price_region"] for r in rows}
    assert "*" in regions
    assert len(regions) > 10
    assert all(r["supplier_sku"].startswith("SLH-") for r in rows)
    assert all(canonical_uom(r["order_uom"]) is not None for r in rows)
    categories = {r["category"].split(" > ")[0] for r in rows}
    assert {"Lumber", "Plumbing", "Electrical", "Roofing", "Concrete", "Drywall"} <= categories
    keys = [(r["supplier_sku"], r["price_region"]) for r in rows]
    assert len(keys) == len(set(keys))


def test_dirty_mode_plants_every_defect(tmp_path: Path) -> None:
    stats = write_supplier_csv(tmp_path / "d.csv", 500, seed=1, dirty=True)
    assert set(stats.defects) == set(DEFECTS)
    assert all(n >= 1 for n in stats.defects.values())


def test_other_feeds_have_their_headers(tmp_path: Path) -> None:
    for writer, feed in (
        (lambda p: write_manufacturer_csv(p, 40, seed=1), MANUFACTURER_FEED),
        (lambda p: write_cost_items_csv(p, 80, seed=1), COST_ITEMS),
        (lambda p: write_location_index_csv(p, seed=1), LOCATION_INDEX),
    ):
        stats = writer(tmp_path / f"{feed.name}.csv")
        with stats.path.open(newline="") as fh:
            rows = list(csv.DictReader(fh))
        assert list(rows[0]) == list(feed.field_names)
        assert len(rows) == stats.rows
    with (tmp_path / "cost_items.csv").open(newline="") as fh:
        lines = [r["line_number"] for r in csv.DictReader(fh)]
    assert len(lines) == len(set(lines))
