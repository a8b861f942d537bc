"""Staging types, normalises units by the contracts' one table, and drops exact repeats."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import duckdb

from contracts.uom import UOMS, Dimension, UomError, normalise
from tests.warehouse.conftest import offer, write_feed
from warehouse.landing import land_feed
from warehouse.staging import stage_feed


def _stage(conn: duckdb.DuckDBPyConnection, path: Path) -> int:
    land_feed(conn, feed="supplier_catalog", submission_id="s", path=path)
    return stage_feed(conn, feed="supplier_catalog", submission_id="s", source="acme")


def test_sql_normalisation_agrees_with_contracts_uom(conn: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    cases: list[tuple[str, str | None, str | None]] = []
    for uom in UOMS:
        cases.append((uom.code, None, None))
        cases.append((uom.aliases[0].lower() if uom.aliases else uom.code.lower(), None, None))
        if uom.dimension is not Dimension.PACKAGE:
            cases.append(("BOX", uom.code, "12.5"))
            cases.append(("EA", uom.code, "3"))
    rows = [
        offer(f"S{i}", "100.00", order_uom=order, content_uom=content, content_per_order_uom=per)
        for i, (order, content, per) in enumerate(cases)
    ]
    _stage(conn, write_feed(tmp_path / "u.csv", "supplier_catalog", rows))
    staged = {
        sku: (base, qty, price)
        for sku, base, qty, price in conn.execute(
            "SELECT supplier_sku, base_uom, base_qty, price_per_base_unit FROM staged_supplier_catalog"
        ).fetchall()
    }
    for i, (order, content, per) in enumerate(cases):
        base, qty, price = staged[f"S{i}"]
        try:
            expected = normalise(order, content, None if per is None else Decimal(per))
        except UomError:
            assert base is None, (order, content, per)
            continue
        assert base == expected.base_uom, (order, content, per)
        # the warehouse keeps 10 decimal places of the base quantity
        assert qty == expected.base_qty_per_order_uom.quantize(Decimal("1e-10"), ROUND_HALF_UP), (order, content, per)
        # and 8 of the price per base unit
        assert abs(price - Decimal(100) / expected.base_qty_per_order_uom) <= Decimal("1e-8"), (order, content, per)


def test_price_quantity_divides_the_price(conn: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    rows = [offer("W", "145.00", order_uom="LF", price_quantity="1000")]
    _stage(conn, write_feed(tmp_path / "w.csv", "supplier_catalog", rows))
    assert conn.execute("SELECT base_uom, price_per_base_unit FROM staged_supplier_catalog").fetchone() == (
        "LF",
        Decimal("0.14500000"),
    )


def test_exact_repeats_are_dropped_but_conflicts_kept(conn: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    rows = [offer("A", "1.00"), offer("A", "1.00"), offer("A", "1.10"), offer("A", "1.00", region="802")]
    assert _stage(conn, write_feed(tmp_path / "d.csv", "supplier_catalog", rows)) == 3
    lines = conn.execute("SELECT source_line FROM staged_supplier_catalog ORDER BY 1").fetchall()
    assert lines == [(2,), (4,), (5,)]


def test_repeats_with_empty_fields_and_spacing_are_one_row(conn: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    # empty optional fields are null after trimming, and nulls count as equal; spacing is trimmed
    rows = [
        offer("B", "2.00", description=""),
        offer("B", "2.00"),
        offer(" B ", "2.00 ", name="Item B", brand=""),
        offer("B", "2.00", brand="Acme"),
        offer("C", "2.00"),
        offer("C", "2.00"),
    ]
    assert _stage(conn, write_feed(tmp_path / "r.csv", "supplier_catalog", rows)) == 3
    lines = conn.execute("SELECT source_line, brand FROM staged_supplier_catalog ORDER BY 1").fetchall()
    assert lines == [(2, None), (5, "Acme"), (6, None)]


def test_text_beside_typed_values(conn: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    rows = [offer("A", "N/A", valid_from="2026-02-30", lead_time_days="5")]
    _stage(conn, write_feed(tmp_path / "t.csv", "supplier_catalog", rows))
    row = conn.execute(
        "SELECT unit_price_text, unit_price, valid_from_text, valid_from, lead_time_days FROM staged_supplier_catalog"
    ).fetchone()
    assert row == ("N/A", None, "2026-02-30", None, 5)
