"""Bad bodies are reported by rule with their lines; nothing about them fails the load."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import duckdb
import pytest

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
    # shown as sent: the bad bytes escaped, and the comma after them kept
    assert encoding.samples[0]["values"] == {"text": "D,\\xff\\xfe,EA,1,USD,*"}
    header = next(r for r in landed.structure if r.rule == "header")
    assert (header.checked, header.failed) == (1, 0)
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
    assert (header.checked, header.failed) == (1, 1)  # one header, and it failed
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


@pytest.mark.parametrize(
    ("first_bytes", "says"),
    [
        (b"PK\x03\x04\x14\x00\x06\x00" + bytes(range(128, 256)), "an Excel .xlsx workbook"),
        (b"\x89PNG\r\n\x1a\n" + bytes(range(128, 256)), "a PNG image"),
        (b"s\x00u\x00p\x00\xff\xfe", "UTF-16"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3", "a PDF document"),  # its first line is UTF-8 text
        ("supplier_sku,name,order_uom,unit_price,currency,price_region,déjà\n".encode("latin-1"), "byte 63 is 0xE9"),
        (b"\xef\xbb\xbf" + "supplier_sku,déjà\n".encode("latin-1"), "byte 18 is 0xE9"),  # counting the BOM
    ],
)
def test_a_body_that_is_not_utf8_text_says_what_it_seems_to_be(
    conn: duckdb.DuckDBPyConnection, tmp_path: Path, first_bytes: bytes, says: str
) -> None:
    body = tmp_path / "body.csv"
    body.write_bytes(first_bytes + b"\n" + b"x" * 100)
    readable = next(r for r in _land(conn, body).structure if r.rule == "readable")
    assert not readable.passed and says in (readable.message or ""), readable.message
    assert "codec" not in (readable.message or "")


def test_a_workbook_sent_as_ndjson_or_json_says_so(conn: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    for name in ("body.ndjson", "body.json"):
        body = tmp_path / name
        body.write_bytes(b"PK\x03\x04\x14\x00\x06\x00" + bytes(range(256)))
        readable = next(r for r in _land(conn, body).structure if r.rule == "readable")
        assert not readable.passed and "Excel .xlsx workbook" in (readable.message or ""), (name, readable.message)


def test_an_ndjson_body_of_latin1_lines_is_unreadable_not_empty(
    conn: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    body = tmp_path / "body.ndjson"
    body.write_bytes('{"supplier_sku": "A", "name": "Plâtre"}\n'.encode("cp1252"))
    status = _status(_land(conn, body))
    assert status["readable"] is False and status["not_empty"] is True


def test_a_latin1_body_is_unreadable_not_empty(conn: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    """A Windows-1252 export with a UTF-8-clean header: every row is set aside as not UTF-8, and
    the report says so once, not also that the feed has no records."""
    body = tmp_path / "body.csv"
    body.write_bytes(HEADER + "A,Plâtre 13 mm,EA,1,USD,*\nB,Tôle,EA,2,USD,*\n".encode("cp1252"))
    landed = _land(conn, body)
    status = _status(landed)
    assert status["readable"] is False and status["not_empty"] is True
    assert [line for line, _ in _samples(landed, "readable")] == [2, 3]


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


def test_a_record_that_gives_a_key_twice_is_set_aside(conn: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    """One of the two values would be lost (a JSON parser keeps the last): the record is set aside
    under row_shape, naming the key, in NDJSON (however the line is spaced) and in a JSON body; a
    value that holds ``":`` or a nested object with its own keys is no repeat."""
    base = '"supplier_sku": "{sku}", "name": "{name}", "order_uom": "EA", "currency": "USD", "price_region": "*"'
    lines = [
        "{" + base.format(sku="A", name="ok") + ', "unit_price": "1.00"}',
        "{" + base.format(sku="B", name="twice") + ', "unit_price": "10.00", "unit_price": "1.00"}',
        "{" + base.format(sku="C", name="spaced") + ', "unit_price" : "2.00", "unit_price" : "3.00"}',
        "{" + base.format(sku="D", name='Pipe 1/2\\": copper') + ', "unit_price": "4.00"}',
    ]
    nd = tmp_path / "body.ndjson"
    nd.write_text("\n".join(lines) + "\n")
    landed = _land(conn, nd, "dup-nd")
    assert _samples(landed, "row_shape") == [
        (2, "the key 'unit_price' is given more than once; send each field once"),
        (3, "the key 'unit_price' is given more than once; send each field once"),
    ]
    assert _lines(conn, "dup-nd") == [(1, "A"), (4, "D")]
    js = tmp_path / "body.json"
    js.write_text('{"records": [' + ", ".join(lines) + "]}")
    landed = _land(conn, js, "dup-js")
    assert [line for line, _ in _samples(landed, "row_shape")] == [2, 3]
    assert _lines(conn, "dup-js") == [(1, "A"), (4, "D")]


def _samples(landed, rule: str) -> list[tuple[int, str]]:  # type: ignore[no-untyped-def]
    result = next(r for r in landed.structure if r.rule == rule)
    return [(s["line"], s["error"]) for s in result.samples]


def _lines(conn: duckdb.DuckDBPyConnection, submission: str) -> list[tuple[int, str]]:
    return conn.execute(
        "SELECT source_line, supplier_sku FROM landed_supplier_catalog WHERE submission_id = ? ORDER BY 1",
        [submission],
    ).fetchall()


def test_a_json_body_lands_under_the_pipelines_memory_limit(conn: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    # DuckDB reads a {"records": [...]} document whole, in a buffer twice the largest object it
    # allows: under the pipelines' memory limit that failed for every JSON body, even 1 KB ones
    small = tmp_path / "small.json"
    small.write_text(json.dumps({"records": [offer("A", "1.50"), offer("B", "2")]}))
    landed = _land(conn, small, "small")
    assert landed.ok, landed.structure
    assert _lines(conn, "small") == [(1, "A"), (2, "B")]
    # and a larger one, gzip, streamed a record at a time (some 40 MB of JSON)
    records = [offer(f"S{i:07d}", f"{i % 997 + 1}.25", description="x" * 200) for i in range(120_000)]
    big = tmp_path / "big.json.gz"
    with gzip.open(big, "wt") as fh:
        json.dump({"records": records}, fh)
    landed = _land(conn, big, "big")
    assert landed.ok and landed.rows == 120_000
    last = conn.execute(
        "SELECT source_line, supplier_sku, unit_price FROM landed_supplier_catalog"
        " WHERE submission_id = 'big' ORDER BY source_line DESC LIMIT 1"
    ).fetchone()
    assert last == (120_000, "S0119999", "360.25")


def test_numbers_in_json_keep_their_digits(conn: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    path = tmp_path / "body.json"
    path.write_text(
        '{"records": [{"supplier_sku": "A", "name": "a", "order_uom": "EA", "unit_price": 12.50,'
        ' "currency": "USD", "price_region": "*", "lead_time_days": 3}]}'
    )
    assert _land(conn, path).ok
    row = conn.execute("SELECT unit_price, lead_time_days FROM landed_supplier_catalog").fetchone()
    assert row == ("12.50", "3")


def test_numbers_in_ndjson_keep_their_digits(conn: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    path = tmp_path / "body.ndjson"
    path.write_text(
        '{"supplier_sku": "A", "name": "a", "order_uom": "EA", "unit_price": 12345678901234.5678,'
        ' "currency": "USD", "price_region": "*", "price_quantity": 1.000, "lead_time_days": 3}\n'
        '{"supplier_sku": "B", "name": "b", "order_uom": "EA", "unit_price": 12.50,'
        ' "currency": "USD", "price_region": "*", "content_per_order_uom": 1.5e2}\n'
    )
    assert _land(conn, path).ok
    rows = conn.execute(
        "SELECT unit_price, price_quantity, lead_time_days, content_per_order_uom FROM landed_supplier_catalog"
        " ORDER BY source_line"
    ).fetchall()
    # a double would give 12345678901234.568, 12.5, 1.0 and 150.0
    assert rows == [("12345678901234.5678", "1.000", "3", None), ("12.50", None, None, "1.5E+2")]


def _write_records(path: Path, records: list[Any], suffix: str) -> None:
    if suffix == "json":
        path.write_text(json.dumps({"records": records}))
    else:
        path.write_text("\n".join(json.dumps(r) for r in records) + "\n")


@pytest.mark.parametrize("suffix", ["ndjson", "json"])
def test_values_that_are_not_strings_or_numbers_are_set_aside(
    conn: duckdb.DuckDBPyConnection, tmp_path: Path, suffix: str
) -> None:
    records = [offer("A", "1"), {**offer("B", "2"), "name": {"en": "Widget"}}, {**offer("C", "3"), "brand": True}]
    records += [[1, 2], 42, None, {**offer("D", "4"), "category": ["Lumber"]}, offer("E", "5")]
    path = tmp_path / f"body.{suffix}"
    _write_records(path, records, suffix)
    landed = _land(conn, path, suffix)
    not_an_object = "the line is not a JSON object" if suffix == "ndjson" else "the record is not a JSON object"
    assert _samples(landed, "row_shape") == [
        (2, "the value of 'name' is an object, not a string or a number"),
        (4, not_an_object),
        (5, not_an_object),
        (6, not_an_object),
        (7, "the value of 'category' is an array, not a string or a number"),
    ]
    # true / false land as text, for the field's own rule to judge
    assert _lines(conn, suffix) == [(1, "A"), (3, "C"), (8, "E")]
    assert conn.execute(
        f"SELECT brand FROM landed_supplier_catalog WHERE submission_id = '{suffix}' AND supplier_sku = 'C'"
    ).fetchall() == [("true",)]


@pytest.mark.parametrize("suffix", ["ndjson", "json"])
def test_json_nested_too_deeply_is_set_aside_not_an_error(
    conn: duckdb.DuckDBPyConnection, tmp_path: Path, suffix: str
) -> None:
    deep = "[" * 5000 + "]" * 5000
    good = json.dumps(offer("A", "1"))
    inner = json.dumps({**offer("B", "2"), "name": "x"}).replace('"x"', deep)
    path = tmp_path / f"deep.{suffix}"
    if suffix == "json":
        path.write_text('{"records": [' + ", ".join([good, deep, inner]) + "]}")
    else:
        path.write_text("\n".join([good, deep, inner]) + "\n")
    landed = _land(conn, path, f"deep-{suffix}")
    samples = _samples(landed, "row_shape")
    assert [line for line, _ in samples] == [2, 3]
    assert _lines(conn, f"deep-{suffix}") == [(1, "A")]


@pytest.mark.parametrize("suffix", ["ndjson", "json"])
def test_a_manufacturers_specs_and_discontinued_take_json_types(
    conn: duckdb.DuckDBPyConnection, tmp_path: Path, suffix: str
) -> None:
    record = {
        "manufacturer": "Mueller",
        "model_number": "CU-L-050",
        "name": "Copper tube",
        "list_price": 3.10,
        "currency": "USD",
        "specs": [{"name": "OD", "value": "0.625", "unit": "in"}],
        "discontinued": True,
    }
    path = tmp_path / f"maker.{suffix}"
    _write_records(path, [record], suffix)
    landed = land_feed(conn, feed="manufacturer_feed", submission_id=f"m-{suffix}", path=path)
    assert landed.ok, [(r.rule, r.message, r.samples) for r in landed.structure if not r.passed]
    specs, discontinued = conn.execute(
        "SELECT specs, discontinued FROM landed_manufacturer_feed WHERE submission_id = ?", [f"m-{suffix}"]
    ).fetchone()  # type: ignore[misc]
    assert json.loads(specs) == [{"name": "OD", "value": "0.625", "unit": "in"}] and discontinued == "true"


@pytest.mark.parametrize("name", ["body.ndjson", "body.json", "body.ndjson.gz", "body.json.gz"])
def test_a_byte_order_mark_is_read_past(conn: duckdb.DuckDBPyConnection, tmp_path: Path, name: str) -> None:
    records = [offer("A", "1.50"), offer("B", "2.50")]
    ndjson = "\n".join(json.dumps(r) for r in records) + "\n"
    raw = b"\xef\xbb\xbf" + (ndjson if ".ndjson" in name else json.dumps({"records": records})).encode()
    path = tmp_path / name
    path.write_bytes(gzip.compress(raw) if name.endswith(".gz") else raw)
    landed = _land(conn, path, "bom")
    assert landed.ok, [(r.rule, r.message, r.samples) for r in landed.structure if not r.passed]
    assert _lines(conn, "bom") == [(1, "A"), (2, "B")]


def test_json_bodies_that_are_not_records_say_why(conn: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    cases = {
        b'{"records": [{"supplier_sku": broken': "not valid JSON before the first record",
        b'{"records": [' + json.dumps(offer("A", "1")).encode() + b", {oops}]}": "not valid JSON after record 1",
        b"[1, 2, 3]": "not a JSON object",
        b'{"rows": [{"supplier_sku": "A"}]}': 'no "records" member',
        b'{"records": {"supplier_sku": "A"}}': '"records" is not an array',
        b"\xff\xfe{": "UTF-16 text: send UTF-8",
    }
    for n, (text, reason) in enumerate(cases.items()):
        path = tmp_path / f"bad{n}.json"
        path.write_bytes(text)
        landed = _land(conn, path, f"bad{n}")
        readable = next(r for r in landed.structure if r.rule == "readable")
        assert not readable.passed and reason in (readable.message or ""), (text, readable.message)
        assert str(tmp_path) not in (readable.message or "")
    empty = tmp_path / "empty.json"
    empty.write_text('{"records": []}')
    assert _status(_land(conn, empty, "empty")) == {"readable": True, "row_shape": True, "not_empty": False}


def test_json_records_that_are_not_objects_are_set_aside_by_index(
    conn: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    path = tmp_path / "body.json"
    path.write_text(json.dumps({"records": [offer("A", "1"), 5, offer("C", "3"), ["x"], offer("E", "5")]}))
    landed = _land(conn, path, "mixed")
    assert _samples(landed, "row_shape") == [
        (2, "the record is not a JSON object"),
        (4, "the record is not a JSON object"),
    ]
    assert _lines(conn, "mixed") == [(1, "A"), (3, "C"), (5, "E")]


def test_ndjson_lines_that_are_not_json_are_named_and_the_rest_lands(
    conn: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    good = [json.dumps(offer(sku, "1")).encode() for sku in "ACEG"]
    path = tmp_path / "body.ndjson"
    path.write_bytes(
        b"\n".join(
            [good[0], b'{"supplier_sku": broken', good[1], b"", good[2], b'"just a string"', b"\xff\xfe", good[3]]
        )
    )
    landed = _land(conn, path, "nd")
    shape = _samples(landed, "row_shape")
    assert [line for line, _ in shape] == [2, 6] and "not valid JSON" in shape[0][1]
    assert [line for line, _ in _samples(landed, "readable")] == [7]
    # the good lines land with their own line numbers, the blank line 4 skipped
    assert _lines(conn, "nd") == [(1, "A"), (3, "C"), (5, "E"), (8, "G")]
    messages = " ".join(str(r.message) + str(r.samples) for r in landed.structure)
    assert str(tmp_path) not in messages


def test_ndjson_rows_keep_their_lines_across_blank_lines(conn: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    good = [json.dumps(offer(sku, "1")).encode() for sku in "ACE"]
    path = tmp_path / "body.ndjson"
    path.write_bytes(b"\n" + good[0] + b"\n \r\n" + good[1] + b"\n\n\n" + good[2] + b"\n\n")
    landed = _land(conn, path, "blank")
    assert landed.ok, landed.structure
    assert _lines(conn, "blank") == [(2, "A"), (4, "C"), (7, "E")]
    # trailing blank lines alone change nothing: DuckDB reads the body as it is
    plain = tmp_path / "plain.ndjson"
    plain.write_bytes(b"\n".join(good) + b"\n\n\n")
    assert _land(conn, plain, "plain").ok
    assert _lines(conn, "plain") == [(1, "A"), (2, "C"), (3, "E")]


def test_csv_rows_keep_their_lines_across_empty_lines(conn: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    # DuckDB's CSV reader skips empty lines without a word; the rows after them keep their lines,
    # beside a row set aside for its shape
    path = tmp_path / "body.csv"
    path.write_bytes(HEADER + b"A,a,EA,1,USD,*\n\nC,c,EA,1,USD,*\nD,d,EA\n\n\nG,g,EA,1,USD,*\n\n")
    landed = _land(conn, path, "blank")
    assert _samples(landed, "row_shape") == [(5, "Expected Number of Columns: 6 Found: 3")]
    assert _lines(conn, "blank") == [(2, "A"), (4, "C"), (8, "G")]
    crlf = tmp_path / "crlf.csv"
    crlf.write_bytes(HEADER.replace(b"\n", b"\r\n") + b"A,a,EA,1,USD,*\r\n\r\nC,c,EA,1,USD,*\r\n")
    assert _land(conn, crlf, "crlf").ok
    assert _lines(conn, "crlf") == [(2, "A"), (4, "C")]


def test_csv_rows_keep_their_lines_after_records_of_several_lines(
    conn: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    # DuckDB counts a record whose quoted field has line breaks as one line, in its rejects too;
    # an empty line inside quotes is part of the field, and a quote inside an unquoted field
    # (1/2" pipe) is a character like any other
    path = tmp_path / "multi.csv"
    path.write_bytes(
        HEADER
        + b'A,"Copper pipe\nType L\n1/2 in",EA,1,USD,*\n'  # lines 2-4
        + b"B,b,EA,1,USD,*\n"  # 5
        + b"\n"  # 6: empty, skipped
        + b'C,"para one\n\npara two",EA,1,USD,*\n'  # 7-9
        + b"D,d,EA\n"  # 10: too few values
        + b'E,1/2" pipe,EA,1,USD,*\n'  # 11
        + b"F,\xff,EA,1,USD,*\n"  # 12: not UTF-8
        + b'G,"He said ""hi""\r\nthen ""bye""",EA,1,USD,*\r\n'  # 13-14
        + b"H,h,EA,1,USD,*"  # 15, no line ending
    )
    landed = _land(conn, path, "multi")
    assert _samples(landed, "row_shape") == [(10, "Expected Number of Columns: 6 Found: 3")]
    assert [s["line"] for s in next(r for r in landed.structure if r.rule == "readable").samples] == [12]
    assert _lines(conn, "multi") == [(2, "A"), (5, "B"), (7, "C"), (11, "E"), (13, "G"), (15, "H")]
    names = dict(
        conn.execute("SELECT supplier_sku, name FROM landed_supplier_catalog WHERE submission_id = 'multi'").fetchall()
    )
    assert names["C"] == "para one\n\npara two" and names["E"] == '1/2" pipe'


@pytest.mark.parametrize(
    ("line", "in_quotes", "open_after"),
    [
        (b"a,b,c\n", False, False),
        (b'a,"b,c\n', False, True),
        (b'a,"b"",c\n', False, True),  # "" is a quote inside the field, which goes on
        (b'a,"b""",c\n', False, False),
        (b'a,1/2" pipe,c\n', False, False),  # not at a field's start: a character
        (b'a,1/2" pipe,"x\n', False, True),
        (b"more text\n", True, True),
        (b'end of it",c\n', True, False),
        (b'end "" still",c,"and again\n', True, True),
        (b'""\n', True, True),  # an escaped quote, then the line ends inside the field
    ],
)
def test_which_lines_end_inside_a_quoted_field(line: bytes, in_quotes: bool, open_after: bool) -> None:
    from warehouse.body_lines import _ends_in_quotes

    assert _ends_in_quotes(line, in_quotes=in_quotes) is open_after


def test_csv_with_both_line_endings_lands_line_by_line(conn: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    # DuckDB's strict reader fails such a file whole ("state machine reached an invalid state")
    path = tmp_path / "mixed.csv.gz"
    text = HEADER + b"A,a,EA,1,USD,*\r\nB,b,EA\r\n\r\nD,d,EA,1,USD,802\n"
    path.write_bytes(gzip.compress(text))
    landed = _land(conn, path, "mixed")
    assert _samples(landed, "row_shape") == [(3, "Expected Number of Columns: 6 Found: 3")]
    rows = conn.execute(
        "SELECT source_line, supplier_sku, price_region FROM landed_supplier_catalog"
        " WHERE submission_id = 'mixed' ORDER BY 1"
    ).fetchall()
    assert rows == [(2, "A", "*"), (5, "D", "802")]
    assert not list(tmp_path.glob(".*"))  # the rewritten copy is gone
