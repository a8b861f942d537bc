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

CSV: DuckDB's reader skips empty lines without a word (``empty_lines`` finds them, so that rows
keep their numbers), and fails a whole file whose lines end in both ``\n`` and ``\r\n``
(``lf_line_endings`` writes a copy with ``\n`` only, same lines; its lenient mode would read
such a file, but it also drops extra values and mangles stray quotes without a word).
"""

from __future__ import annotations

import gzip
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import ijson
import msgspec

__all__ = [
    "Normalised",
    "NotRecords",
    "SetAside",
    "blank_line_before_a_record",
    "empty_lines",
    "json_to_ndjson",
    "lf_line_endings",
    "ndjson_good_lines",
]

_SAMPLE_TEXT = 200
#: a blank (or whitespace) line with a record after it; the text scanned starts with a newline,
#: so a blank first line counts
_INNER_BLANK = re.compile(rb"\n[ \t\r]*\n[ \t\r\n]*[^ \t\r\n]")
_encoder = msgspec.json.Encoder(decimal_format="string")  # a number's digits as they were sent
_decoder = msgspec.json.Decoder()


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


def _shown(raw: bytes) -> str:
    return raw[:_SAMPLE_TEXT].decode("utf-8", errors="replace")


def json_to_ndjson(body: Path, out: Path) -> Normalised:
    """``{"records": [...]}`` → one record per line in ``out``. A record that is not an object is
    set aside with its index; a body that stops being JSON is NotRecords, naming the record."""
    done = Normalised()
    index = 0
    try:
        with _open(body) as raw, out.open("wb") as sink:
            for index, record in enumerate(ijson.items(raw, "records.item", use_float=False), start=1):
                if isinstance(record, dict):
                    sink.write(_encoder.encode(record))
                    sink.write(b"\n")
                else:
                    shown = _shown(_encoder.encode(record))
                    done.set_aside.append(SetAside(index, "shape", shown, "the record is not a JSON object"))
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
        events = ijson.parse(raw, use_float=False)
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


def _found_in(body: Path, hit: Callable[[bytes], bool]) -> bool:
    """Whether ``hit`` is true of some stretch of the (decompressed) body, read in 4 MiB chunks
    that overlap by 4 KiB; the text starts with a newline, so a first line counts as a line."""
    tail = b"\n"
    with _open(body) as raw:
        while chunk := raw.read(1 << 22):
            text = tail + chunk
            if hit(text):
                return True
            tail = text[-4096:]
    return False


def blank_line_before_a_record(body: Path) -> bool:
    """Whether some record of an NDJSON body comes after a blank line. DuckDB skips blank lines,
    so its rows would then no longer be the file's lines."""
    return _found_in(body, lambda text: _INNER_BLANK.search(text) is not None)


def lf_line_endings(body: Path, out: Path) -> None:
    """A copy of a CSV body with every ``\r\n`` as ``\n``: the same lines, one line ending."""
    with _open(body) as raw, out.open("wb") as sink:
        held = b""
        while chunk := raw.read(1 << 22):
            text = held + chunk
            held = b"\r" if text.endswith(b"\r") else b""  # its \n may open the next chunk
            sink.write(text[: len(text) - len(held)].replace(b"\r\n", b"\n"))
        sink.write(held)


def empty_lines(body: Path) -> list[int]:
    """The empty lines of a CSV body after its header, which DuckDB's CSV reader skips without a
    word (a line of spaces is a row, and set aside as one). Usually there is none, and one quick
    scan says so."""
    if not _found_in(body, lambda text: b"\n\n" in text or b"\n\r\n" in text):
        return []
    found: list[int] = []
    with _open(body) as raw:
        for number, line in enumerate(raw, start=1):
            if number > 1 and line in (b"\n", b"\r\n"):
                found.append(number)
    return found


def ndjson_good_lines(body: Path, out: Path) -> Normalised:
    """Copy the lines of an NDJSON body that are JSON objects into ``out``; set the others aside
    with their line number (blank lines are skipped, as DuckDB skips them)."""
    done = Normalised()
    with _open(body) as raw, out.open("wb") as sink:
        for number, line in enumerate(raw, start=1):
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
            if not isinstance(value, dict):
                done.set_aside.append(SetAside(number, "shape", _shown(text), "the line is not a JSON object"))
                continue
            sink.write(text)
            sink.write(b"\n")
    return done
