"""Landing: a feed file (CSV, NDJSON or ``{"records": [...]}`` JSON, optionally gzip) → ``landed_<feed>``.

Every field lands as text with the line it came from; nothing is typed yet, so a bad value never
fails the load. What can fail is the file itself, and each such failure is a named structure rule
of the report (``readable``, ``header``, ``row_shape``, ``not_empty``; see contracts.rules).
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import duckdb

from contracts.report import MAX_SAMPLES, RuleResult
from contracts.rules import STRUCTURE_RULES
from contracts.schemas import FEEDS, Feed, FieldType, check_header
from warehouse._sql import execute, sql
from warehouse.body_lines import (
    CsvLines,
    Normalised,
    NotRecords,
    csv_layout,
    csv_lines,
    json_to_ndjson,
    lf_line_endings,
    lines_as_sent,
    ndjson_good_lines,
)

__all__ = ["BodyFormat", "Landed", "body_format", "land_feed"]

log = logging.getLogger(__name__)

BodyFormat = Literal["csv", "ndjson", "json"]

_SUFFIXES: dict[str, BodyFormat] = {".csv": "csv", ".ndjson": "ndjson", ".jsonl": "ndjson", ".json": "json"}
#: the line of a body's first record: after the header in CSV; JSON counts records from 1
_FIRST_LINE: dict[BodyFormat, int] = {"csv": 2, "ndjson": 1, "json": 1}


@dataclass(slots=True)
class Landed:
    """What landing a file produced: its rows and the structure rules' results."""

    feed: str
    submission_id: str
    rows: int
    structure: list[RuleResult] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(r.passed for r in self.structure)


def body_format(path: str | Path) -> BodyFormat:
    """The format a body file's name declares (``body.csv.gz`` → ``csv``)."""
    name = Path(path).name.lower()
    if name.endswith(".gz"):
        name = name[:-3]
    suffix = Path(name).suffix
    if suffix not in _SUFFIXES:
        raise ValueError(f"cannot tell the format of {Path(path).name!r}: expected .csv, .ndjson, .jsonl or .json")
    return _SUFFIXES[suffix]


def _result(
    name: str,
    *,
    passed: bool,
    checked: int = 0,
    failed: int = 0,
    samples: list[dict[str, object]] | None = None,
    message: str | None = None,
) -> RuleResult:
    rule = next(r for r in STRUCTURE_RULES if r.name == name)
    return RuleResult(
        rule=name,
        description=rule.description,
        kind=rule.kind,
        blocking=rule.blocking,
        passed=passed,
        checked=checked,
        failed=failed,
        samples=samples or [],
        message=message,
    )


def _csv_header(path: Path) -> list[str]:
    """The field names of a CSV file's first line (read by Python: DuckDB's sniffer gives up on
    files whose later rows are malformed, and those must still be reported row by row)."""
    opener = gzip.open if path.name.lower().endswith(".gz") else open
    with opener(path, "rb") as raw:
        first = raw.readline(1 << 20)
    try:
        text = first.decode("utf-8-sig")  # strict: a header that is not UTF-8 is unreadable
    except UnicodeDecodeError:
        try:
            first.decode("utf-8")  # again, to place the byte counting a byte-order mark
        except UnicodeDecodeError as exc:
            raise NotRecords(
                f"the first line is not UTF-8 text (byte {exc.start + 1} is 0x{first[exc.start]:02X}); "
                "send the file as UTF-8 (a Latin-1 or Windows-1252 export must be converted)"
            ) from None
        raise
    return [name.strip() for name in next(csv.reader(io.StringIO(text)), [])]


#: What a body that is not text most likely is, by its first bytes.
_BINARY_KINDS = (
    (b"PK\x03\x04", "a ZIP archive (an Excel .xlsx workbook is one): export the sheet as CSV, UTF-8"),
    (b"\xd0\xcf\x11\xe0", "an Office document (an Excel .xls workbook?): export the sheet as CSV, UTF-8"),
    (b"%PDF", "a PDF document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"\x1f\x8b", "gzip data: send it with Content-Encoding: gzip"),
    (b"\xff\xfe", "UTF-16 text: send UTF-8"),
    (b"\xfe\xff", "UTF-16 text: send UTF-8"),
)
_FORMAT_NAMES = {"csv": "CSV", "ndjson": "NDJSON", "json": "JSON"}


def _not_text(body: Path, fmt: BodyFormat) -> str | None:
    """What a body whose first bytes show it is no text seems to be, as the report says it, or
    None (a body of any format: CSV, NDJSON or JSON)."""
    opener = gzip.open if body.name.lower().endswith(".gz") else open
    with opener(body, "rb") as raw:
        start = raw.read(8)
    for magic, kind in _BINARY_KINDS:
        if start.startswith(magic):
            return f"the body is not a {_FORMAT_NAMES[fmt]} file: it looks like {kind}"
    if b"\x00" in start:
        return "the body is not text: it holds NUL bytes (binary data, or UTF-16 text: send UTF-8)"
    return None


def _gzip_complete(path: Path) -> None:
    """Raise EOFError if a gzip file is truncated (DuckDB reads up to the cut without a word)."""
    with gzip.open(path, "rb") as raw:
        while raw.read(1 << 22):
            pass


def _error_text(exc: BaseException, body: Path | None = None) -> str:
    text = str(exc).strip().splitlines()
    first = text[0][:500] if text else type(exc).__name__
    if body is not None:  # the report names the body, never where the server keeps it
        for place in {str(body), str(body.resolve())}:
            first = first.replace(place, body.name)
    return first


def _number_around(conn: duckdb.DuckDBPyConnection, fmt: BodyFormat, lines: list[int]) -> None:
    """``landing_gaps`` from the lines no row came from (set aside, or blank and skipped by
    DuckDB): the kept rows are numbered around them."""
    execute(conn, "landing", "gaps", {"first_line": _FIRST_LINE[fmt], "lines": lines})


def _csv_layout(conn: duckdb.DuckDBPyConnection, body: Path, scan: CsvLines, rejected: int) -> CsvLines:
    """The body's lines as DuckDB read them: the quick scan when its lines add up to DuckDB's rows
    and rejected lines; else some record spans several lines, and the body is read as CSV to
    find them. Should that not add up either, the quick scan stands (rows after a record of
    several lines are then numbered as DuckDB counts) and a warning is logged."""
    row = conn.execute("SELECT count(*) FROM landing_rows").fetchone()
    rows = int(row[0]) if row else 0
    if scan.explains(rows, rejected):
        return scan
    layout = csv_layout(body)
    if layout.explains(rows, rejected):
        return layout
    log.warning("%s: %d lines, %d rows and %d rejected lines do not add up", body.name, layout.lines, rows, rejected)
    return scan


def _is_encoding(error_type: object) -> bool:
    kind = str(error_type).upper()
    return "ENCODING" in kind or "UNICODE" in kind


def _set_aside_lines(
    conn: duckdb.DuckDBPyConnection, body: Path, scan: CsvLines
) -> tuple[list[dict[str, object]], list[dict[str, object]], bool]:
    """Lines the CSV reader rejected, split into encoding and row-shape problems; with the empty
    lines it skipped and the lines of records that span several, they become ``landing_gaps``,
    which number the kept rows as the file's lines."""
    encoding: list[dict[str, object]] = []
    shape: list[dict[str, object]] = []
    rejects = execute(conn, "landing", "rejected_lines").fetchall()
    layout = _csv_layout(conn, body, scan, len(rejects))
    rejected = layout.file_lines([int(r[0]) for r in rejects])  # rejects come in line order
    rows = list(zip(rejected, rejects, strict=True))
    not_utf8 = [line for line, (_, error_type, _, _) in rows if _is_encoding(error_type)]
    # the sampled lines that are not UTF-8, as sent (DuckDB's text loses the byte after a bad one)
    sent = lines_as_sent(body, set(not_utf8[:MAX_SAMPLES]))
    for line, (_, error_type, csv_line, message) in rows:
        text = sent.get(line, (csv_line or "")[:200])
        sample: dict[str, object] = {"line": line, "values": {"text": text}, "error": message}
        (encoding if _is_encoding(error_type) else shape).append(sample)
    gaps = sorted({*rejected, *layout.empty, *layout.continued})
    if gaps:
        _number_around(conn, "csv", gaps)
    return encoding, shape, bool(gaps)


def _set_aside_records(
    conn: duckdb.DuckDBPyConnection, fmt: BodyFormat, normalised: Normalised
) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    """As _set_aside_lines, for the JSON records body_lines set aside (blank lines count for the
    numbering only)."""
    lines = sorted({s.line for s in normalised.set_aside})
    if not lines:
        return [], []
    _number_around(conn, fmt, lines)
    encoding = [s.sample() for s in normalised.set_aside if s.kind == "encoding"]
    shape = [s.sample() for s in normalised.set_aside if s.kind == "shape"]
    return encoding, shape


def _set_aside(
    conn: duckdb.DuckDBPyConnection, fmt: BodyFormat, normalised: Normalised | None, body: Path, scan: CsvLines | None
) -> tuple[list[dict[str, object]], list[dict[str, object]], bool]:
    """The lines set aside as encoding and shape problems, and whether any line was set aside or
    skipped (so that the kept rows are numbered around them)."""
    if scan is not None:
        return _set_aside_lines(conn, body, scan)
    if normalised is None:
        return [], [], False
    encoding, shape = _set_aside_records(conn, fmt, normalised)
    return encoding, shape, bool(normalised.set_aside)


def _scratch(body: Path) -> Path:
    """Where a body rewritten for DuckDB goes (a JSON body's records one per line, a CSV body's
    lines with one line ending): beside the body, hidden, removed after landing."""
    return body.with_name(f".{body.name}.landing")


def _read_csv(conn: duckdb.DuckDBPyConnection, body: Path, names: list[str]) -> None:
    """The CSV body into landing_rows; a body with both line endings is read from a copy with one."""
    params = {"path": str(body), "columns": dict.fromkeys(names, "VARCHAR")}
    try:
        execute(conn, "landing", "read_csv", params)
    except duckdb.InvalidInputException as exc:
        if "state machine" not in str(exc):
            raise
        lf_line_endings(body, _scratch(body))
        conn.execute("DROP TABLE IF EXISTS landing_rejects")
        conn.execute("DROP TABLE IF EXISTS landing_reject_scans")
        execute(conn, "landing", "read_csv", {**params, "path": str(_scratch(body))})


def _json_keys(
    conn: duckdb.DuckDBPyConnection, body: Path, fmt: BodyFormat, spec: Feed
) -> tuple[Path, list[str], Normalised | None]:
    """The file DuckDB reads the records from, their field names, and what body_lines set aside
    (None: DuckDB reads the body as it is)."""
    # NDJSON goes through body_lines too: DuckDB would read a number as a double (12.50 as 12.5,
    # 16 digits at most) and land a line that is no object, or a value that is an object, as nulls
    scratch = _scratch(body)
    structured = frozenset(f.name for f in spec.fields if f.type == FieldType.JSON)
    normalised = (json_to_ndjson if fmt == "json" else ndjson_good_lines)(body, scratch, structured)
    names = [r[0] for r in execute(conn, "landing", "ndjson_keys", {"path": str(scratch)}).fetchall()]
    return scratch, names, normalised


def land_feed(
    conn: duckdb.DuckDBPyConnection,
    *,
    feed: str,
    submission_id: str,
    path: str | Path,
    fmt: BodyFormat | None = None,
) -> Landed:
    """Load one submission's body into ``landed_<feed>`` (replacing an earlier landing of it)."""
    spec = FEEDS[feed]
    body = Path(path)
    fmt = fmt or body_format(body)
    execute(conn, "landing", f"delete_{feed}", {"submission_id": submission_id})
    landed = Landed(feed, submission_id, 0)

    if not body.is_file() or body.stat().st_size == 0:
        landed.structure += [
            _result("readable", passed=body.is_file(), message=None if body.is_file() else "the body file is missing"),
            _result("not_empty", passed=False, message="the body is empty (0 bytes)"),
        ]
        return landed

    scratch = _scratch(body)
    try:
        return _land(conn, landed, spec, body, fmt)
    finally:
        scratch.unlink(missing_ok=True)


def _nothing_landed(normalised: Normalised | None) -> list[RuleResult]:
    """The structure rules of a JSON body none of whose records can land: those set aside are
    records all the same (readable or row_shape name them), so the body is not empty."""
    aside = normalised.set_aside if normalised else []
    encoding = [s.sample() for s in aside if s.kind == "encoding"]
    shape = [s.sample() for s in aside if s.kind == "shape"]
    records = len(encoding) + len(shape)
    return [
        _result(
            "readable",
            passed=not encoding,
            checked=records,
            failed=len(encoding),
            samples=encoding[:MAX_SAMPLES],
            message="lines that are not UTF-8" if encoding else None,
        ),
        _result("row_shape", passed=not shape, checked=records, failed=len(shape), samples=shape[:MAX_SAMPLES]),
        _result("not_empty", passed=records > 0, checked=records, message=None if records else "no records"),
    ]


def _land(conn: duckdb.DuckDBPyConnection, landed: Landed, spec: Feed, body: Path, fmt: BodyFormat) -> Landed:
    source = body  # what DuckDB reads: the body, or its records one per line (body_lines)
    normalised: Normalised | None = None
    try:
        if body.name.lower().endswith(".gz"):
            _gzip_complete(body)
        if (kind := _not_text(body, fmt)) is not None:
            raise NotRecords(kind)
        if fmt == "csv":
            names = _csv_header(body)
        else:
            source, names, normalised = _json_keys(conn, body, fmt, spec)
    except NotRecords as exc:
        landed.structure.append(_result("readable", passed=False, checked=1, failed=1, message=str(exc)))
        return landed
    except (duckdb.Error, OSError, UnicodeDecodeError, EOFError, csv.Error, gzip.BadGzipFile) as exc:
        landed.structure.append(_result("readable", passed=False, checked=1, failed=1, message=_error_text(exc, body)))
        return landed

    if fmt != "csv" and not names:  # no record that could land (or none with a field)
        landed.structure += _nothing_landed(normalised)
        return landed
    problem = check_header(spec, names)
    if fmt != "csv" and problem is not None and not problem.unknown:
        # a JSON record may leave out a required key on some rows only: that is a row problem
        # (required_<field>), not a header problem, as long as some record has the field
        problem = None
    if problem is not None:
        landed.structure += [
            _result("readable", passed=True),
            _result("header", passed=False, checked=1, failed=1, message=problem.message()),
        ]
        return landed

    params: dict[str, object] = {"path": str(source)}
    # A CSV body's lines are counted, and its empty lines found, while DuckDB reads it (one scan).
    with ThreadPoolExecutor(max_workers=1) as scan:
        lines = scan.submit(csv_lines, body) if fmt == "csv" else None
        try:
            conn.execute("DROP TABLE IF EXISTS landing_rejects")
            conn.execute("DROP TABLE IF EXISTS landing_reject_scans")
            if fmt == "csv":
                _read_csv(conn, body, names)
            else:
                structure = json.dumps(dict.fromkeys(spec.field_names, "VARCHAR"))
                # NDJSON as sent, or what body_lines made of the body: one record per line
                execute(conn, "landing", "read_ndjson", {**params, "structure": structure})
        except duckdb.Error as exc:
            landed.structure += [
                _result("readable", passed=False, checked=1, failed=1, message=_error_text(exc, body)),
                _result("header", passed=True, checked=1),
            ]
            return landed
        counted = lines.result() if lines is not None else None

    encoding_bad, shape_bad, gaps = _set_aside(conn, fmt, normalised, body, counted)
    encoding_count, shape_count = len(encoding_bad), len(shape_bad)
    row = execute(conn, "landing", "landing_row_count").fetchone()
    landed.rows = int(row[0]) if row else 0
    keep = sql("landing", "keep_rows_after_gaps" if gaps else "keep_rows")
    table = f"landed_{landed.feed}"  # a feed of contracts.schemas (FEEDS[feed]), never input
    conn.execute(keep.format(table=table), {"submission_id": landed.submission_id, "first_line": _FIRST_LINE[fmt]})
    conn.execute("DROP TABLE IF EXISTS landing_rows")
    conn.execute("DROP TABLE IF EXISTS landing_gaps")
    checked = landed.rows + encoding_count + shape_count
    landed.structure += [
        _result(
            "readable",
            passed=encoding_count == 0,
            checked=checked,
            failed=encoding_count,
            samples=encoding_bad[:MAX_SAMPLES],
            message="lines that are not UTF-8" if encoding_count else None,
        ),
        _result("header", passed=True, checked=1),
        _result(
            "row_shape", passed=shape_count == 0, checked=checked, failed=shape_count, samples=shape_bad[:MAX_SAMPLES]
        ),
        # records set aside as unreadable or misshapen are records: they are reported above
        _result("not_empty", passed=checked > 0, checked=checked, message=None if checked else "no records"),
    ]
    return landed
