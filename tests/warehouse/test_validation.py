"""A dirty feed is rejected with a report naming each planted defect's rule and lines."""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb
import pytest

from contracts.report import ValidationReport
from contracts.samples import write_supplier_csv
from tests.warehouse.conftest import ingest, offer, write_feed
from warehouse.validation import validate_staged


def test_clean_sample_feed_is_accepted(conn: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    path = write_supplier_csv(tmp_path / "clean.csv", 1500, seed=2).path
    report = ingest(conn, path, submission_id="clean")
    assert report.accepted, [r for r in report.rules if not r.passed]
    assert report.rows == 1500
    assert conn.execute("SELECT count(*) FROM catalog_offer").fetchone() == (1500,)


def test_dirty_sample_feed_is_rejected_by_rule_with_lines(conn: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    stats = write_supplier_csv(tmp_path / "dirty.csv", 600, seed=2, dirty=True)
    report = ingest(conn, stats.path, submission_id="dirty")
    assert not report.accepted
    failed = {r.rule for r in report.failed_rules}
    assert set(stats.defects) <= failed
    with stats.path.open(newline="") as fh:
        by_line = dict(enumerate(csv.DictReader(fh), start=2))
    price = report.rule("unit_price_positive")
    assert price.failed == stats.defects["unit_price_positive"]
    assert price.samples
    for sample in price.samples:
        assert by_line[sample["line"]]["unit_price"].startswith("-")
    numeric = report.rule("unit_price_numeric")
    assert numeric.failed == stats.defects["unit_price_numeric"]
    for sample in numeric.samples:
        assert by_line[sample["line"]]["unit_price"] == sample["values"]["unit_price_text"]
    assert report.rule("required_name").failed == stats.defects["required_name"]
    assert report.rule("order_uom_known").failed == stats.defects["order_uom_known"]
    dupes = report.rule("unique_sku_per_region")
    assert dupes.failed == 2 * stats.defects["unique_sku_per_region"]
    # nothing of a rejected feed reaches the curated tables
    assert conn.execute("SELECT count(*) FROM catalog_offer").fetchone() == (0,)
    assert conn.execute("SELECT count(*) FROM price_history").fetchone() == (0,)
    status = conn.execute("SELECT status FROM submission WHERE submission_id = 'dirty'").fetchone()
    assert status == ("rejected",)


def test_samples_are_the_first_bad_rows_across_chunks(conn: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    # every third row is bad; chunks of 64 rows, in whatever order DuckDB reads the staged table
    rows = [offer(f"S{i}", "-1" if i % 3 == 0 else "2") for i in range(3000)]
    ingest(conn, write_feed(tmp_path / "many.csv", "supplier_catalog", rows), submission_id="many")
    report = validate_staged(conn, feed="supplier_catalog", submission_id="many", chunk_rows=64)
    rule = report.rule("unit_price_positive")
    assert (rule.checked, rule.failed) == (3000, 1000)
    assert [s["line"] for s in rule.samples] == [2 + 3 * n for n in range(20)]


def test_report_samples_are_capped_and_round_trip(conn: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    rows = [offer(f"S{i}", "-1") for i in range(45)]
    report = ingest(conn, write_feed(tmp_path / "neg.csv", "supplier_catalog", rows), submission_id="neg")
    rule = report.rule("unit_price_positive")
    assert (rule.passed, rule.checked, rule.failed, len(rule.samples)) == (False, 45, 45, 20)
    assert rule.samples[0] == {"line": 2, "values": {"unit_price_text": "-1"}}
    again = ValidationReport.from_dict(report.to_dict())
    assert again.to_dict() == report.to_dict()
    assert report.to_dict()["accepted"] is False


def test_non_blocking_rules_warn_without_rejecting(conn: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    rows = [offer("A", "2.00", gtin="12345")]
    report = ingest(conn, write_feed(tmp_path / "g.csv", "supplier_catalog", rows), submission_id="gtin")
    assert report.accepted
    assert report.rule("gtin_format").status == "warn"


def test_package_unit_without_pack_size_is_one_rule(conn: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    rows = [offer("A", "2.00", order_uom="BOX"), offer("B", "2.00", order_uom="BUNCH")]
    report = ingest(conn, write_feed(tmp_path / "p.csv", "supplier_catalog", rows), submission_id="pack")
    assert [s["line"] for s in report.rule("normalisable").samples] == [2]
    assert [s["line"] for s in report.rule("order_uom_known").samples] == [3]


def test_other_feeds_validate(conn: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    from contracts.samples import write_cost_items_csv, write_location_index_csv, write_manufacturer_csv

    for feed, writer in (
        ("manufacturer_feed", write_manufacturer_csv),
        ("cost_items", write_cost_items_csv),
    ):
        clean = writer(tmp_path / f"{feed}.csv", 60, seed=1)
        assert ingest(conn, clean.path, feed=feed, submission_id=f"{feed}-ok").accepted
        dirty = writer(tmp_path / f"{feed}-dirty.csv", 60, seed=1, dirty=True)
        report = ingest(conn, dirty.path, feed=feed, submission_id=f"{feed}-bad")
        assert set(dirty.defects) <= {r.rule for r in report.failed_rules}
    location = write_location_index_csv(tmp_path / "li.csv", seed=1)
    assert ingest(conn, location.path, feed="location_index", submission_id="li").accepted


def test_a_manufacturer_lists_products_under_its_own_names_only(
    conn: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    """An organisation registered for "Mueller Industries" may write it in any case or
    punctuation; a row under another maker's name rejects the feed, naming its line. A feed whose
    manifest names no makes (an operator's file) is not checked."""
    rows = [
        {"manufacturer": "Mueller Industries", "model_number": "M-1", "name": "Pipe", "list_price": "12.50",
         "currency": "USD"},
        {"manufacturer": "MUELLER-industries", "model_number": "M-2", "name": "Elbow", "list_price": "2.50",
         "currency": "USD"},
        {"manufacturer": "Zeta Doors", "model_number": "ZD-1", "name": "Door", "list_price": "9.99", "currency": "USD"},
    ]  # fmt: skip
    path = write_feed(tmp_path / "m.csv", "manufacturer_feed", rows)
    mine = ["Mueller Industries"]
    report = ingest(conn, path, feed="manufacturer_feed", submission_id="m-bad", source="mueller", makes=mine)
    assert not report.accepted
    rule = report.rule("manufacturer_of_source")
    assert (rule.failed, [s["line"] for s in rule.samples]) == (1, [4])
    assert rule.samples[0]["values"]["manufacturer"] == "Zeta Doors"
    own = write_feed(tmp_path / "own.csv", "manufacturer_feed", rows[:2])
    assert ingest(conn, own, feed="manufacturer_feed", submission_id="m-ok", source="mueller", makes=mine).accepted
    zeta = write_feed(tmp_path / "z.csv", "manufacturer_feed", rows[2:])
    assert ingest(conn, zeta, feed="manufacturer_feed", submission_id="m-any", source="op").accepted


def test_a_plan_that_failed_half_way_is_rebuilt_on_retry(
    conn: duckdb.DuckDBPyConnection, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The GX context lives as long as the process; the first attempt registers the feed's asset
    # and one suite, then fails on the second suite. A retry in the same process must not trip
    # over what the first attempt left behind.
    import contracts.suites
    from warehouse import validation

    rows = [offer("S1", "-1"), offer("S2", "2")]
    ingest(conn, write_feed(tmp_path / "few.csv", "supplier_catalog", rows), submission_id="few")
    real = contracts.suites.build_suite
    calls: list[str] = []

    def fail_second(feed: str, name: str, rules: object) -> object:
        calls.append(name)
        if len(calls) == 2:
            raise RuntimeError("the second suite could not be built")
        return real(feed, name, rules)  # type: ignore[arg-type]

    monkeypatch.setattr(validation, "_plans", {})
    monkeypatch.setattr(contracts.suites, "build_suite", fail_second)
    with pytest.raises(RuntimeError, match="second suite"):
        validate_staged(conn, feed="supplier_catalog", submission_id="few")
    report = validate_staged(conn, feed="supplier_catalog", submission_id="few")
    assert len(calls) > 2
    rule = report.rule("unit_price_positive")
    assert (rule.checked, rule.failed) == (2, 1)


def test_numbers_beyond_what_is_stored_exactly_are_rejected_not_rounded(
    conn: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    rows = [
        offer("OK", "0.0013"),
        offer("HUGE", "100000000000000000"),  # line 3: does not fit DECIMAL(18, 4)
        offer("FINE", "0.00125"),  # line 4: would round to 0.0013
        offer("TINY", "0.00004"),  # line 5: would round to zero
        offer("LEAD", "2.00", lead_time_days="99999999999"),  # line 6: not an INTEGER
        offer("PACK", "2.00", order_uom="BOX", content_uom="EA", content_per_order_uom="0.0000001"),  # line 7
    ]
    report = ingest(conn, write_feed(tmp_path / "n.csv", "supplier_catalog", rows), submission_id="digits")
    assert not report.accepted
    assert [s["line"] for s in report.rule("unit_price_numeric").samples] == [3, 4, 5]
    assert "at most 14 digits before the decimal point and 4 after" in report.rule("unit_price_numeric").description
    # a price that does not fit is not also called "not above zero"
    assert report.rule("unit_price_positive").passed
    assert [s["line"] for s in report.rule("lead_time_days_valid").samples] == [6]
    assert [s["line"] for s in report.rule("content_per_order_uom_positive").samples] == [7]
    assert conn.execute("SELECT count(*) FROM catalog_offer").fetchone() == (0,)


def test_a_price_per_base_unit_too_large_to_store_is_a_rule_not_a_crash(
    conn: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    rows = [
        offer("A", "2.00"),
        # each value fits, the quotient (10^20 per EA) does not
        offer("B", "99999999999999", price_quantity="0.000001"),
        offer("C", "5000", order_uom="BOX", content_uom="EA", content_per_order_uom="0.000001"),
    ]
    report = ingest(conn, write_feed(tmp_path / "q.csv", "supplier_catalog", rows), submission_id="quotient")
    assert not report.accepted
    fits = report.rule("price_per_base_unit_fits")
    assert [s["line"] for s in fits.samples] == [3] and fits.failed == 1
    assert fits.samples[0]["values"]["price_quantity_text"] == "0.000001"
    assert {r.rule for r in report.failed_rules} == {"price_per_base_unit_fits"}
    assert conn.execute("SELECT count(*) FROM catalog_offer").fetchone() == (0,)


def test_each_number_field_is_staged_in_a_type_that_holds_its_digits(conn: duckdb.DuckDBPyConnection) -> None:
    from decimal import Decimal

    from contracts.schemas import FEEDS, FieldType

    for feed in FEEDS.values():
        types = dict(conn.execute(f"SELECT column_name, column_type FROM (DESCRIBE staged_{feed.name})").fetchall())
        for spec in feed.fields:
            if spec.digits is None:
                continue
            whole, scale = spec.digits
            column_type = types[spec.name]
            largest = "9" * whole + ("." + "9" * scale if scale else "")
            value = conn.execute(f"SELECT TRY_CAST(? AS {column_type})", [largest]).fetchone()
            assert value is not None and Decimal(value[0]) == Decimal(largest), f"{feed.name}.{spec.name}"
            if spec.type is FieldType.DECIMAL:
                assert column_type.endswith(f",{scale})"), f"{feed.name}.{spec.name}: {column_type}"


def test_a_date_that_is_no_day_of_the_calendar_is_rejected(conn: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    rows = [
        offer("A", "2.00", valid_from="2026-02-28", valid_to="2028-02-29"),
        offer("B", "2.00", valid_from="2026-02-30"),  # line 3
        offer("C", "2.00", valid_to="2026-13-45"),  # line 4
        offer("D", "2.00", valid_from="26-1-1"),  # line 5: the format rule's
    ]
    report = ingest(conn, write_feed(tmp_path / "d.csv", "supplier_catalog", rows), submission_id="dates")
    assert not report.accepted
    exist = report.rule("dates_exist")
    assert [s["line"] for s in exist.samples] == [3, 4] and exist.failed == 2
    assert exist.samples[0]["values"] == {"valid_from_text": "2026-02-30", "valid_to_text": None}
    assert [s["line"] for s in report.rule("valid_from_date").samples] == [5]


def test_a_nul_in_a_text_field_is_a_rule_with_its_line(conn: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    rows = [offer("A", "2.00"), offer("B", "3.00", name="Zanzibar\x00widget"), offer("C", "4.00", brand="Acme\x00")]
    report = ingest(conn, write_feed(tmp_path / "nul.csv", "supplier_catalog", rows), submission_id="nul")
    assert not report.accepted
    rule = report.rule("text_without_nul")
    assert [s["line"] for s in rule.samples] == [3, 4] and rule.failed == 2
    assert [s["values"] for s in rule.samples] == [
        {"supplier_sku": "B", "field": "name"},
        {"supplier_sku": "C", "field": "brand"},
    ]
    assert {r.rule for r in report.failed_rules} == {"text_without_nul"}


def test_a_nul_in_a_manufacturers_text_field_is_named_too(conn: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    made = {"manufacturer": "Mueller", "name": "Copper tube", "list_price": "3.10", "currency": "USD"}
    rows = [{**made, "model_number": "M-1"}, {**made, "model_number": "M-2", "product_line": "Stream\x00line"}]
    path = write_feed(tmp_path / "m.csv", "manufacturer_feed", rows)
    report = ingest(conn, path, feed="manufacturer_feed", submission_id="m-nul")
    rule = report.rule("text_without_nul")
    assert not rule.passed and rule.failed == 1
    assert [(s["line"], s["values"]) for s in rule.samples] == [(3, {"model_number": "M-2", "field": "product_line"})]
