"""Bad bodies are reported by rule with their lines; nothing about them fails the load."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import duckdb

from contracts.samples import write_supplier_csv
from tests.warehouse.conftest import offer, write_feed
from warehouse.landing import land_feed

HEADER = b"supplier_sku,name,order_uom,unit_price,currency,price_region\n"


def _land(conn: duckdb.DuckDBPyConnection, path: Path, submission: str = "sub-1"):  # type: ignore[no-untyped-def]
    return land_feed(conn, feed="supplier_catalog", submission_id=submission, path=path)


def _status(landed) -> dict[str, bool]:  # type: ignore[no-untyped-def]
    return {r.rule: r.passed for r in landed.structure}


def test_csv_lands_as_text_with_source_lines(conn: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    path = write_feed(tmp_path / "body.csv", "supplier_catalog", [offer("A", "1.50"), offer("B", "abc")])
    landed = _land(conn, path)
    assert landed.ok
    assert landed.rows == 2
    rows = conn.execute(
        "SELECT source_line, supplier_sku, unit_price FROM landed_supplier_catalog ORDER BY source_line"
    ).fetchall()
    assert rows == [(2, "A", "1.50"), (3, "B", "abc")]


def test_malformed_rows_and_bad_encoding_are_named_with_their_lines(
    conn: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    path = tmp_path / "body.csv"
    path.write_bytes(HEADER + b"A,a,EA,1,USD,*\nB,b,EA\nC\nD,\xff\xfe,EA,1,USD,*\nE,e,EA,1,USD,*\n")
    landed = _land(conn, path)
    status = _status(landed)
    assert status == {"readable": False, "header": True, "row_shape": False, "not_empty": True}
    shape = next(r for r in landed.structure if r.rule == "row_shape")
    assert [s["line"] for s in shape.samples] == [3, 4]
    encoding = next(r for r in landed.structure if r.rule == "readable")
    assert [s["line"] for s in encoding.samples] == [5]
    # the rows kept still carry the lines they came from
    kept = conn.execute("SELECT source_line, supplier_sku FROM landed_supplier_catalog ORDER BY 1").fetchall()
    assert kept == [(2, "A"), (6, "E")]


def test_every_kept_row_keeps_its_line_however_many_lines_are_set_aside(
    conn: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    # set-aside lines first, in runs, between kept rows and last; more of them than samples
    good = [f"K{n},k,EA,1,USD,*\n" for n in range(6)]
    lines = ["X\n", "X\n", good[0], "X\n", good[1], good[2], *(["X\n"] * 1500), good[3], good[4], "X\n", good[5], "X\n"]
    path = tmp_path / "body.csv"
    path.write_bytes(HEADER + "".join(lines).encode())
    landed = _land(conn, path)
    shape = next(r for r in landed.structure if r.rule == "row_shape")
    assert shape.failed == lines.count("X\n") == 1505
    expected = [(line, text.split(",")[0]) for line, text in enumerate(lines, start=2) if text != "X\n"]
    kept = conn.execute("SELECT source_line, supplier_sku FROM landed_supplier_catalog ORDER BY 1").fetchall()
    assert kept == expected
    assert [k[0] for k in kept] == [4, 6, 7, 1508, 1509, 1511]


def test_missing_and_unknown_fields_fail_the_header(conn: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    path = tmp_path / "body.csv"
    path.write_text("supplier_sku,name,colour\nA,a,red\n")
    landed = _land(conn, path)
    header = next(r for r in landed.structure if r.rule == "header")
    assert not header.passed
    assert header.message is not None
    assert "unit_price" in header.message
    assert "colour" in header.message
    assert landed.rows == 0


def test_optional_fields_may_be_left_out(conn: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    path = tmp_path / "body.csv"
    path.write_bytes(HEADER + b"A,a,EA,1,USD,*\n")
    landed = _land(conn, path)
    assert landed.ok
    assert conn.execute("SELECT brand FROM landed_supplier_catalog").fetchall() == [(None,)]


def test_empty_truncated_and_not_csv_bodies(conn: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    assert _status(_land(conn, empty)) == {"readable": True, "not_empty": False}

    header_only = tmp_path / "header.csv"
    header_only.write_bytes(HEADER)
    assert _status(_land(conn, header_only))["not_empty"] is False

    full = write_supplier_csv(tmp_path / "full.csv", 2000, seed=1).path
    packed = gzip.compress(full.read_bytes())
    truncated = tmp_path / "body.csv.gz"
    truncated.write_bytes(packed[: len(packed) // 2])
    assert _status(_land(conn, truncated))["readable"] is False

    pdf = tmp_path / "body.csv"
    pdf.write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 20)
    assert not _land(conn, pdf).ok


def test_gzip_csv_lands(conn: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    path = tmp_path / "body.csv.gz"
    path.write_bytes(gzip.compress(HEADER + b"A,a,EA,1,USD,*\n"))
    assert _land(conn, path).rows == 1


def test_ndjson_and_json_records(conn: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    records = [offer("A", "1.5"), {**offer("B", "2"), "unit_price": 2.25}]
    nd = tmp_path / "body.ndjson"
    nd.write_text("\n".join(json.dumps(r) for r in records))
    assert _land(conn, nd, "nd").rows == 2
    js = tmp_path / "body.json"
    js.write_text(json.dumps({"records": records}))
    assert _land(conn, js, "js").rows == 2
    rows = conn.execute(
        "SELECT submission_id, source_line, unit_price FROM landed_supplier_catalog ORDER BY 1, 2"
    ).fetchall()
    assert rows == [("js", 1, "1.5"), ("js", 2, "2.25"), ("nd", 1, "1.5"), ("nd", 2, "2.25")]
    extra = tmp_path / "extra.json"
    extra.write_text(json.dumps({"records": [{**records[0], "colour": "red"}]}))
    assert _status(_land(conn, extra, "x"))["header"] is False
