"""Curated tables: the current catalog per supplier and region, and price history as SCD2."""

from __future__ import annotations

from contextlib import closing
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import duckdb

from tests.warehouse.conftest import T0, ingest, offer, write_feed
from warehouse._sql import execute
from warehouse.catalog import CatalogReader
from warehouse.curated import roll_price_history
from warehouse.snapshots import publish_snapshot


def _history(conn: duckdb.DuckDBPyConnection) -> list[tuple[object, ...]]:
    return conn.execute(
        "SELECT supplier_sku, price_region, unit_price, effective_from, effective_to, is_current "
        "FROM price_history ORDER BY supplier_sku, price_region, effective_from"
    ).fetchall()


def test_price_history_is_scd2(conn: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    t1, t2 = T0 + timedelta(days=7), T0 + timedelta(days=14)
    first = [offer("A", "10.00"), offer("A", "11.00", region="802"), offer("B", "5.00")]
    assert ingest(conn, write_feed(tmp_path / "1.csv", "supplier_catalog", first), submission_id="1", at=T0).accepted
    # A's * price changes, A/802 stays, B disappears from a full catalog, C is new
    second = [offer("A", "12.00"), offer("A", "11.00", region="802"), offer("C", "3.00")]
    assert ingest(conn, write_feed(tmp_path / "2.csv", "supplier_catalog", second), submission_id="2", at=t1).accepted
    # B comes back
    third = [*second, offer("B", "5.50")]
    assert ingest(conn, write_feed(tmp_path / "3.csv", "supplier_catalog", third), submission_id="3", at=t2).accepted

    ten, eleven, twelve = Decimal("10.0000"), Decimal("11.0000"), Decimal("12.0000")
    assert _history(conn) == [
        ("A", "*", ten, T0, t1, False),
        ("A", "*", twelve, t1, None, True),
        ("A", "802", eleven, T0, None, True),
        ("B", "*", Decimal("5.0000"), T0, t1, False),
        ("B", "*", Decimal("5.5000"), t2, None, True),
        ("C", "*", Decimal("3.0000"), t1, None, True),
    ]
    current = conn.execute("SELECT supplier_sku, price_region, unit_price FROM catalog_offer ORDER BY 1, 2").fetchall()
    assert current == [
        ("A", "*", twelve),
        ("A", "802", eleven),
        ("B", "*", Decimal("5.5000")),
        ("C", "*", Decimal("3.0000")),
    ]


def test_delta_submissions_touch_only_their_keys(conn: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    full = [offer("A", "1.00"), offer("B", "2.00")]
    ingest(conn, write_feed(tmp_path / "f.csv", "supplier_catalog", full), submission_id="f")
    delta = [offer("B", "2.50")]
    at = T0 + timedelta(days=1)
    assert ingest(
        conn, write_feed(tmp_path / "d.csv", "supplier_catalog", delta), submission_id="d", at=at, mode="delta"
    ).accepted
    current = conn.execute("SELECT supplier_sku, unit_price FROM catalog_offer ORDER BY 1").fetchall()
    assert current == [("A", Decimal("1.0000")), ("B", Decimal("2.5000"))]


def test_suppliers_do_not_replace_each_other(conn: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    ingest(conn, write_feed(tmp_path / "a.csv", "supplier_catalog", [offer("X", "1")]), submission_id="a", source="one")
    ingest(conn, write_feed(tmp_path / "b.csv", "supplier_catalog", [offer("X", "2")]), submission_id="b", source="two")
    assert conn.execute("SELECT supplier, unit_price FROM catalog_offer ORDER BY 1").fetchall() == [
        ("one", Decimal("1.0000")),
        ("two", Decimal("2.0000")),
    ]


def test_a_rejected_submission_changes_nothing(conn: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    ingest(conn, write_feed(tmp_path / "ok.csv", "supplier_catalog", [offer("A", "1.00")]), submission_id="ok")
    before = (_history(conn), conn.execute("SELECT * FROM catalog_offer").fetchall())
    bad = [offer("A", "9.00"), offer("B", "-1")]
    report = ingest(conn, write_feed(tmp_path / "bad.csv", "supplier_catalog", bad), submission_id="bad")
    assert not report.accepted
    assert (_history(conn), conn.execute("SELECT * FROM catalog_offer").fetchall()) == before


def test_same_product_across_suppliers_shares_an_id(conn: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    shared = {"manufacturer": "NIBCO", "manufacturer_part_number": "C-607 1/2"}
    ingest(
        conn,
        write_feed(tmp_path / "a.csv", "supplier_catalog", [offer("A1", "1", **dict(shared))]),
        submission_id="a",
        source="one",
    )
    other = {"manufacturer": "Nibco", "manufacturer_part_number": "C607-1/2"}
    ingest(
        conn,
        write_feed(tmp_path / "b.csv", "supplier_catalog", [offer("B7", "2", **other)]),
        submission_id="b",
        source="two",
    )
    ids = conn.execute("SELECT DISTINCT product_id FROM catalog_offer").fetchall()
    assert len(ids) == 1


def test_cost_data_and_manufacturer_feeds_curate(conn: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    from contracts.samples import write_cost_items_csv, write_location_index_csv, write_manufacturer_csv

    assert ingest(
        conn, write_cost_items_csv(tmp_path / "c.csv", 40).path, feed="cost_items", submission_id="c"
    ).accepted
    li = write_location_index_csv(tmp_path / "l.csv")
    assert ingest(conn, li.path, feed="location_index", submission_id="l").accepted
    mf = write_manufacturer_csv(tmp_path / "m.csv", 30)
    assert ingest(conn, mf.path, feed="manufacturer_feed", submission_id="m", source="mfrs").accepted
    assert conn.execute("SELECT count(*), count(DISTINCT division) FROM cost_item").fetchone() == (40, 11)
    assert conn.execute("SELECT count(*) FROM location_index").fetchone() == (li.rows,)
    row = conn.execute("SELECT json_array_length(specs) > 0 FROM manufacturer_product LIMIT 1").fetchone()
    assert row == (True,)


_USD = {"currency": "USD"}


def _models(conn: duckdb.DuckDBPyConnection) -> list[tuple[object, ...]]:
    return conn.execute(
        "SELECT manufacturer, model_number, list_price, submission_id FROM manufacturer_product ORDER BY 1, 2"
    ).fetchall()


def test_a_manufacturer_org_never_replaces_or_deletes_another_orgs_models(
    conn: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    def row(model: str, price: str, maker: str = "Weyerhaeuser") -> dict[str, object]:
        return {"manufacturer": maker, "model_number": model, "name": f"Beam {model}", "list_price": price, **_USD}

    first = [row("WEYBE-000000", "6.86"), row("WEYBE-000001", "9.10")]
    feed = write_feed(tmp_path / "a.csv", "manufacturer_feed", first)
    assert ingest(conn, feed, feed="manufacturer_feed", submission_id="a", source="mfr-a").accepted
    # another organisation's full feed naming one of those models (spelled differently)
    hijack = write_feed(tmp_path / "b.csv", "manufacturer_feed", [row("weybe 000000", "0.01", "WEYERHAEUSER")])
    report = ingest(
        conn, hijack, feed="manufacturer_feed", submission_id="b", source="mfr-b", at=T0 + timedelta(hours=1)
    )
    assert not report.accepted
    (failed,) = [r for r in report.rules if r.rule == "model_of_other_source"]
    assert not failed.passed and [s["line"] for s in failed.samples] == [2]
    assert _models(conn) == [
        ("Weyerhaeuser", "WEYBE-000000", Decimal("6.8600"), "a"),
        ("Weyerhaeuser", "WEYBE-000001", Decimal("9.1000"), "a"),
    ]
    # a full feed of mfr-b's own models leaves mfr-a's alone, even under the same maker's name
    own = write_feed(tmp_path / "c.csv", "manufacturer_feed", [row("WEYBE-777", "3.00")])
    assert ingest(
        conn, own, feed="manufacturer_feed", submission_id="c", source="mfr-b", at=T0 + timedelta(hours=2)
    ).accepted
    assert [m[1] for m in _models(conn)] == ["WEYBE-000000", "WEYBE-000001", "WEYBE-777"]
    # mfr-a respells its own model: the new row replaces the old one (one product, one row)
    respelled = write_feed(tmp_path / "d.csv", "manufacturer_feed", [row("WEYBE000001", "9.50")])
    assert ingest(
        conn, respelled, feed="manufacturer_feed", submission_id="d", source="mfr-a",
        at=T0 + timedelta(hours=3), mode="delta",
    ).accepted  # fmt: skip
    assert [m[1:3] for m in _models(conn)] == [
        ("WEYBE-000000", Decimal("6.8600")),
        ("WEYBE-777", Decimal("3.0000")),
        ("WEYBE000001", Decimal("9.5000")),
    ]


def test_one_feed_cannot_name_a_model_twice_in_two_spellings(conn: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    rows = [
        {"manufacturer": "Zeta Doors", "model_number": "ZD-100", "name": "Door", "list_price": "899", **_USD},
        {"manufacturer": "ZETA DOORS", "model_number": "ZD100", "name": "Door", "list_price": "950", **_USD},
    ]
    feed = write_feed(tmp_path / "z.csv", "manufacturer_feed", rows)
    report = ingest(conn, feed, feed="manufacturer_feed", submission_id="z", source="mfr-z")
    (failed,) = [r for r in report.rules if r.rule == "unique_model_number"]
    assert not report.accepted and [s["line"] for s in failed.samples] == [2, 3]
    assert _models(conn) == []


def _offered(data_dir: Path, q: str) -> list[tuple[str, Decimal]]:
    with closing(CatalogReader(data_dir)) as reader:
        return [(h.name, h.offer.unit_price) for h in reader.search_products(q=q).items if h.offer is not None]


def test_a_price_change_sent_ahead_is_served_from_its_first_day(
    conn: duckdb.DuckDBPyConnection, data_dir: Path, tmp_path: Path
) -> None:
    """Today's price until the 10th and the next from the 11th, for one SKU and region: two rows
    whose validity windows do not meet are accepted; each publish serves the one in effect, and
    rolls the history on to it on its first day. Windows that share a day are a conflict."""
    switch = T0.date() + timedelta(days=10)
    ahead = [
        offer("A", "10.00", name="Copper pipe", valid_to=switch.isoformat()),
        offer("A", "12.00", name="Copper pipe", valid_from=(switch + timedelta(days=1)).isoformat()),
        offer("B", "5.00"),
    ]
    path = write_feed(tmp_path / "1.csv", "supplier_catalog", ahead)
    assert ingest(conn, path, submission_id="1", at=T0).accepted
    assert _history(conn) == [
        ("A", "*", Decimal("10.0000"), T0, None, True),
        ("B", "*", Decimal("5.0000"), T0, None, True),
    ]
    later = T0 + timedelta(days=11)
    for published, price in ((T0, "10.0000"), (later, "12.0000")):
        roll_price_history(conn, at=published)  # as each catalog publish does
        publish_snapshot(conn, data_dir=data_dir, product="catalog", now=published)
        assert _offered(data_dir, "copper") == [("Copper pipe", Decimal(price))], published
    rolled = [
        ("A", "*", Decimal("10.0000"), T0, later, False),
        ("A", "*", Decimal("12.0000"), later, None, True),
        ("B", "*", Decimal("5.0000"), T0, None, True),
    ]
    assert _history(conn) == rolled  # the new price started on its day, with no push
    assert ingest(conn, path, submission_id="2", at=later + timedelta(hours=1)).accepted  # pushed again
    roll_price_history(conn, at=later + timedelta(days=1))
    assert _history(conn) == rolled  # nothing changed

    overlapping = [offer("A", "10.00", valid_to=switch.isoformat()), offer("A", "12.00", valid_from=switch.isoformat())]
    report = ingest(conn, write_feed(tmp_path / "3.csv", "supplier_catalog", overlapping), submission_id="3")
    assert not report.accepted
    assert [s["line"] for s in report.rule("unique_sku_per_region").samples] == [2, 3]
    day = switch + timedelta(days=1)
    three = [
        offer("A", "10.00", valid_to=switch.isoformat()),
        offer("A", "12.00", valid_from=day.isoformat(), valid_to=(day + timedelta(days=20)).isoformat()),
        offer("A", "13.00", valid_from=(day + timedelta(days=15)).isoformat()),  # overlaps the second only
    ]
    report = ingest(conn, write_feed(tmp_path / "4.csv", "supplier_catalog", three), submission_id="4")
    assert [s["line"] for s in report.rule("unique_sku_per_region").samples] == [3, 4]


def test_a_delta_withdraws_an_item_by_a_validity_that_has_ended(
    conn: duckdb.DuckDBPyConnection, data_dir: Path, tmp_path: Path
) -> None:
    """A delta row whose valid_to is past takes the SKU out of the next snapshot and ends its price
    in the history; the supplier's other items stay."""
    full = [offer("A", "1.00"), offer("B", "2.00")]
    assert ingest(conn, write_feed(tmp_path / "f.csv", "supplier_catalog", full), submission_id="f").accepted
    at = T0 + timedelta(days=3)
    gone = [offer("B", "2.00", valid_to=(at - timedelta(days=1)).date().isoformat())]
    path = write_feed(tmp_path / "d.csv", "supplier_catalog", gone)
    assert ingest(conn, path, submission_id="d", at=at, mode="delta").accepted
    publish_snapshot(conn, data_dir=data_dir, product="catalog", now=at)
    assert _offered(data_dir, "item") == [("Item A", Decimal("1.0000"))]
    assert [(sku, to, current) for sku, _, _, _, to, current in _history(conn)] == [
        ("A", None, True),
        ("B", at, False),
    ]


def test_the_roll_looks_only_at_the_days_since_the_last_and_a_late_push_starts_after_it(
    conn: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    """An expired row is rolled once, on the day after its valid_to, not at every later publish;
    and a submission received before a roll but applied after it starts its prices at the roll,
    so no period of the history ends before it starts or overlaps another."""
    ends = T0.date() + timedelta(days=2)
    rows = [
        offer("A", "1.00", valid_to=ends.isoformat()),
        offer("A", "1.50", valid_from=(ends + timedelta(days=1)).isoformat()),
    ]
    assert ingest(conn, write_feed(tmp_path / "f.csv", "supplier_catalog", rows), submission_id="f").accepted
    looked_at, lengths = [], []
    for day in (1, 3, 4, 30):
        at = T0 + timedelta(days=day)
        execute(conn, "supplier_catalog", "roll_keys", {"at": at})  # the keys this roll looks at
        looked_at.append(execute(conn, "supplier_catalog", "roll_count").fetchone())
        roll_price_history(conn, at=at)
        lengths.append(len(_history(conn)))
    assert looked_at == [(0,), (1,), (0,), (0,)]  # on day 3 only
    assert lengths == [1, 2, 2, 2]
    late = [offer("A", "2.00", valid_from=(ends + timedelta(days=1)).isoformat())]
    received = T0 + timedelta(days=29, hours=23)  # before the day-30 roll, applied after it
    assert ingest(
        conn, write_feed(tmp_path / "l.csv", "supplier_catalog", late), submission_id="l", at=received
    ).accepted
    history = _history(conn)
    assert [(price, start, end) for _, _, price, start, end, _ in history][-2:] == [
        (Decimal("1.5000"), T0 + timedelta(days=3), T0 + timedelta(days=30)),
        (Decimal("2.0000"), T0 + timedelta(days=30), None),
    ]
    assert all(end is None or end >= start for *_, start, end, _ in history)


def test_a_price_whose_validity_ends_ends_in_the_history_at_the_next_publish(
    conn: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    ends = T0.date() + timedelta(days=5)
    rows = [offer("A", "1.00", valid_to=ends.isoformat()), offer("B", "2.00")]
    assert ingest(conn, write_feed(tmp_path / "f.csv", "supplier_catalog", rows), submission_id="f").accepted
    roll_price_history(conn, at=T0 + timedelta(days=5))  # its last day: still in effect
    assert [(sku, current) for sku, *_, current in _history(conn)] == [("A", True), ("B", True)]
    gone = T0 + timedelta(days=6)
    roll_price_history(conn, at=gone)
    assert [(sku, to, current) for sku, _, _, _, to, current in _history(conn)] == [
        ("A", gone, False),
        ("B", None, True),
    ]
