"""Bodies line by line, where DuckDB's readers cannot take them as they are.

JSON bodies become one record per line, in bounded memory, with bad records named by their line.

A ``{"records": [...]}`` body is one JSON document: DuckDB can only read it whole, in a buffer of
twice its largest object, which a 768 MB memory limit cannot hold for a body of hundreds of MB.
It is streamed instead (ijson's C parser builds one record at a time) into NDJSON that DuckDB
reads in parallel. An NDJSON body is read by DuckDB as it is; only when DuckDB refuses it (a line
that is not JSON), or would number its rows wrongly (it skips blank lines), is it copied here
line by line, the bad lines set aside and named, so that every good line lands with its own
number.

Lines are the record's position: the line of an NDJSON body, the 1-based index in ``records``.

CSV: DuckDB's reader skips empty lines without a word, and counts a record whose quoted field
spans several lines (a description with line breaks) as one line, in its rejects too.
``csv_lines`` counts the lines and finds the empty ones while DuckDB reads; when the lines do not
add up to DuckDB's rows and rejects, ``csv_layout`` reads the body as CSV to find the lines that
begin inside a quoted field, so that every row keeps its file line. DuckDB's reader also fails a
whole file whose lines end in both ``\n`` and ``\r\n`` (``lf_line_endings`` writes a copy with
``\n`` only, same lines; its lenient mode would read such a file, but it also drops extra values
and mangles stray quotes without a word).
"""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

import ijson
import msgspec

__all__ = [
    "CsvLines",
    "Normalised",
    "NotRecords",
    "SetAside",
    "csv_layout",
    "csv_lines",
    "json_to_ndjson",
    "lf_line_endings",
    "lines_as_sent",
    "ndjson_good_lines",
]

_SAMPLE_TEXT = 200
_encoder = msgspec.json.Encoder(decimal_format="string")  # a number's digits as they were sent
# a number with a fraction or exponent as a Decimal, which keeps its digits (a float would round)
_decoder = msgspec.json.Decoder(float_hook=Decimal)


_TOO_DEEP = "the JSON is nested too deeply"


def _as_text_values(record: dict[str, Any], structured: frozenset[str]) -> str | None:
    """Make a record's values land as text, in place: true / false as ``"true"`` / ``"false"``
    (the field's own rule then judges them), and an object or array as its JSON text in a field
    that holds structured values (a manufacturer's ``specs``). Why the record cannot land, or None:
    an object or array in any other field (values are strings, numbers, true / false or null)."""
    for name, value in record.items():
        if isinstance(value, bool):
            record[name] = "true" if value else "false"
        elif isinstance(value, dict | list):
            if name not in structured:
                kind = "an object" if isinstance(value, dict) else "an array"
                return f"the value of {name!r} is {kind}, not a string or a number"
            try:
                record[name] = _encoder.encode(value).decode()
            except RecursionError:
                return f"the value of {name!r}: {_TOO_DEEP}"
    return None


class _OnceEach(dict[str, Any]):
    """A JSON object as ijson builds it, noting a key given twice (``repeated``): a plain dict
    keeps the last value without a word, and one of the two values would be lost."""

    __slots__ = ("repeated",)

    def __setitem__(self, key: str, value: Any) -> None:
        if key in self:
            self.repeated = key
        dict.__setitem__(self, key, value)


def _repeated_key_problem(key: str) -> str:
    return f"the key {key!r} is given more than once; send each field once"


def _repeated_in_line(text: bytes, value: dict[str, Any]) -> str | None:
    """The key an NDJSON line gives twice, or None. A line whose count of ``":`` (and ``" :``)
    matches its keys has none (the common case, counted in C); any other line (a nested object,
    a value holding ``":``, or a repeated key) is parsed again keeping every pair."""
    if text.count(b'":') + text.count(b'" :') == len(value):
        return None
    repeated: list[str] = []

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        seen: dict[str, Any] = {}
        for key, item in items:
            if key in seen and not repeated:
                repeated.append(key)
            seen[key] = item
        return seen

    json.loads(text, object_pairs_hook=pairs, parse_float=Decimal, parse_int=Decimal)
    return repeated[0] if repeated else None


def _shown_value(value: Any) -> str:
    """A record that cannot land, as the report shows it."""
    try:
        return _shown(_encoder.encode(value))
    except RecursionError:
        return f"({_TOO_DEEP} to show)"


class NotRecords(ValueError):
    """The body cannot be read as records at all (not JSON, or not ``{"records": [...]}``)."""


@dataclass(frozen=True, slots=True)
class SetAside:
    """A line that is not one JSON object: what the report shows of it."""

    line: int
    kind: str  # "encoding" | "shape"
    text: str
    error: str

    def sample(self) -> dict[str, object]:
        return {"line": self.line, "values": {"text": self.text}, "error": self.error}


@dataclass(slots=True)
class Normalised:
    """What was set aside while every good record was written on its own line, in order."""

    set_aside: list[SetAside] = field(default_factory=list)


@contextmanager
def _open(path: Path) -> Iterator[IO[bytes]]:
    raw: IO[bytes]
    with gzip.open(path, "rb") if path.name.lower().endswith(".gz") else path.open("rb") as raw:  # type: ignore[assignment]
        yield raw


_BOM = b"\xef\xbb\xbf"


def _after_bom(raw: IO[bytes]) -> IO[bytes]:
    """``raw`` past a UTF-8 byte order mark, if the body starts with one (editors on Windows write
    it; JSON has no use for it, and CSV bodies are read past it by DuckDB)."""
    head = raw.read(len(_BOM))
    if head != _BOM:
        raw.seek(0)
    return raw


def _shown(raw: bytes) -> str:
    return raw[:_SAMPLE_TEXT].decode("utf-8", errors="replace")


def lines_as_sent(body: Path, wanted: set[int]) -> dict[int, str]:
    """The body's lines ``wanted`` (1 = the first), as sent: a byte that is not UTF-8 is shown as
    ``\\xe9``, and nothing around it is lost (DuckDB's reject text drops the byte after it). One
    pass that stops at the last line wanted."""
    found: dict[int, str] = {}
    if not wanted:
        return found
    last = max(wanted)
    with _open(body) as raw:
        for number, line in enumerate(raw, start=1):
            if number in wanted:
                found[number] = line.rstrip(b"\r\n")[:_SAMPLE_TEXT].decode("utf-8", errors="backslashreplace")
            if number >= last:
                break
    return found


def json_to_ndjson(body: Path, out: Path, structured: frozenset[str] = frozenset()) -> Normalised:
    """``{"records": [...]}`` → one record per line in ``out``. A record that is not an object, or
    whose values cannot land (``_as_text_values``; ``structured``: the fields that hold JSON), is
    set aside with its index; a body that stops being JSON is NotRecords, naming the record."""
    done = Normalised()
    index = 0
    try:
        with _open(body) as raw, out.open("wb") as sink:
            records = ijson.items(_after_bom(raw), "records.item", use_float=False, map_type=_OnceEach)
            for index, record in enumerate(records, start=1):
                if not isinstance(record, dict):
                    problem: str | None = "the record is not a JSON object"
                elif (repeated := getattr(record, "repeated", None)) is not None:
                    problem = _repeated_key_problem(repeated)
                else:
                    problem = _as_text_values(record, structured)
                if problem is None:
                    sink.write(_encoder.encode(record))
                    sink.write(b"\n")
                else:
                    done.set_aside.append(SetAside(index, "shape", _shown_value(record), problem))
    except ijson.JSONError as exc:
        where = f"after record {index}" if index else "before the first record"
        raise NotRecords(f"not valid JSON {where}: {_first_line(exc)}") from exc
    except UnicodeDecodeError as exc:
        raise NotRecords(f"not UTF-8 after record {index}: {exc.reason}") from exc
    if index == 0:
        _explain_no_records(body)
    return done


def _first_line(exc: BaseException) -> str:
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    return lines[0][:300] if lines else type(exc).__name__


def _explain_no_records(body: Path) -> None:
    """No record came out: say why, unless it was an empty ``records`` array."""
    with _open(body) as raw:
        events = ijson.parse(_after_bom(raw), use_float=False)
        try:
            prefix, event, _ = next(events)
            if event != "start_map":
                raise NotRecords('the body is not a JSON object; send {"records": [...]}')
            for prefix, event, value in events:
                if prefix == "" and event == "map_key" and value == "records":
                    _, kind, _ = next(events)
                    if kind != "start_array":
                        raise NotRecords('"records" is not an array; send {"records": [...]}')
                    return
        except (ijson.JSONError, StopIteration) as exc:
            raise NotRecords(f"not valid JSON: {_first_line(exc)}") from exc
    raise NotRecords('the body has no "records" member; send {"records": [...]}')


def lf_line_endings(body: Path, out: Path) -> None:
    """A copy of a CSV body with every ``\r\n`` as ``\n``: the same lines, one line ending."""
    with _open(body) as raw, out.open("wb") as sink:
        held = b""
        while chunk := raw.read(1 << 22):
            text = held + chunk
            held = b"\r" if text.endswith(b"\r") else b""  # its \n may open the next chunk
            sink.write(text[: len(text) - len(held)].replace(b"\r\n", b"\n"))
        sink.write(held)


@dataclass(frozen=True, slots=True)
class CsvLines:
    """What DuckDB's CSV reader does not say of a body: its lines, the empty ones after the header
    (skipped), and the ones that begin inside a quoted field (part of the record above)."""

    lines: int
    empty: list[int]
    continued: list[int] = field(default_factory=list)

    def explains(self, rows: int, rejected: int) -> bool:
        """Whether every line after the header is a row, a rejected line, empty or continued."""
        return self.lines - 1 == rows + rejected + len(self.empty) + len(self.continued)

    def file_lines(self, lines: list[int]) -> list[int]:
        """The file lines of what DuckDB numbers ``lines`` (in order; it counts a record of several
        lines as one): each plus the continued lines above it, in one pass over both."""
        out: list[int] = []
        shift, continued = 0, iter(self.continued)
        upcoming = next(continued, None)
        for line in lines:
            while upcoming is not None and upcoming <= line + shift:
                shift += 1
                upcoming = next(continued, None)
            out.append(line + shift)
        return out


def csv_lines(body: Path) -> CsvLines:
    """The lines of a CSV body and its empty ones, in one quick scan; a line inside a quoted
    field counts as a line here (``csv_layout`` tells those apart)."""
    lines, last, tail, any_empty = 0, b"\n", b"\n", False
    with _open(body) as raw:
        while chunk := raw.read(1 << 22):
            lines += chunk.count(b"\n")
            text = tail + chunk
            any_empty = any_empty or b"\n\n" in text or b"\n\r\n" in text
            tail, last = text[-2:], chunk[-1:]
    lines += last != b"\n"  # a last line without a line ending
    if not any_empty:
        return CsvLines(lines, [])
    with _open(body) as raw:
        empty = [n for n, line in enumerate(raw, start=1) if n > 1 and line in (b"\n", b"\r\n")]
    return CsvLines(lines, empty)


#: the rest of a quoted field up to its closing quote ("" is a quote inside it); possessive, so a
#: "" at the end of a line never passes for a closing quote
_QUOTED_REST = re.compile(rb'(?:[^"]|"")*+"')


def _ends_in_quotes(line: bytes, in_quotes: bool) -> bool:
    """Whether a quoted field is still open at the end of ``line`` (RFC 4180, as DuckDB reads it:
    a quote opens a field only at its start; elsewhere it is a character like any other)."""
    pos = 0
    while True:
        if in_quotes:
            closed = _QUOTED_REST.match(line, pos)
            if closed is None:
                return True
            in_quotes, pos = False, closed.end()
        elif line.startswith(b'"', pos):
            in_quotes, pos = True, pos + 1
            continue
        comma = line.find(b",", pos)
        if comma < 0:
            return False
        pos = comma + 1


def csv_layout(body: Path) -> CsvLines:
    """As ``csv_lines``, reading the body as CSV: an empty line inside a quoted field is part of
    it, and every line that begins inside a quoted field is ``continued``. Python walks each line
    that has a quote, so this runs only when the quick scan does not add up."""
    empty: list[int] = []
    continued: list[int] = []
    in_quotes, number = False, 0
    with _open(body) as raw:
        for number, line in enumerate(raw, start=1):
            if in_quotes:
                continued.append(number)
                in_quotes = _ends_in_quotes(line, in_quotes=True)
            elif b'"' in line:
                in_quotes = _ends_in_quotes(line, in_quotes=False)
            elif number > 1 and line in (b"\n", b"\r\n"):
                empty.append(number)
    return CsvLines(number, empty, continued)


def ndjson_good_lines(body: Path, out: Path, structured: frozenset[str] = frozenset()) -> Normalised:
    """Copy the lines of an NDJSON body that are JSON objects whose values can land
    (``_as_text_values``) into ``out``, numbers as strings with the digits they were sent with;
    set the others aside with their line number (blank lines are skipped, as DuckDB skips them)."""
    done = Normalised()
    with _open(body) as raw, out.open("wb") as sink:
        for number, line in enumerate(_after_bom(raw), start=1):
            text = line.strip()
            if not text:
                done.set_aside.append(SetAside(number, "blank", "", ""))
                continue
            try:
                text.decode("utf-8")
            except UnicodeDecodeError as exc:
                done.set_aside.append(SetAside(number, "encoding", _shown(text), f"not UTF-8: {exc.reason}"))
                continue
            try:
                value: Any = _decoder.decode(text)
            except msgspec.DecodeError as exc:
                done.set_aside.append(SetAside(number, "shape", _shown(text), f"not valid JSON: {exc}"))
                continue
            except RecursionError:
                done.set_aside.append(SetAside(number, "shape", _shown(text), _TOO_DEEP))
                continue
            try:
                repeated = _repeated_in_line(text, value) if isinstance(value, dict) else None
            except RecursionError:  # the pairs' parser nests less deeply than msgspec's
                done.set_aside.append(SetAside(number, "shape", _shown(text), _TOO_DEEP))
                continue
            if not isinstance(value, dict):
                problem: str | None = "the line is not a JSON object"
            elif repeated is not None:
                problem = _repeated_key_problem(repeated)
            else:
                problem = _as_text_values(value, structured)
            if problem is not None:
                done.set_aside.append(SetAside(number, "shape", _shown(text), problem))
                continue
            sink.write(_encoder.encode(value))
            sink.write(b"\n")
    return done
