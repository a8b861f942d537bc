"""Validation: the contracts' rules over a staged submission, as one :class:`ValidationReport`.

Great Expectations validates frames pulled from DuckDB (its SQL path over DuckDB is unreliable),
chunk by chunk so that memory stays bounded; every GX rule is a row-level expectation, so chunk
results add up exactly. Frames stream as DuckDB reads the staged table (a sort of the whole
submission would hold it in memory); each chunk is put in line order, GX names the first bad rows
of each, and a rule keeps the first ones of all. Rules that read the same columns form one suite,
run over a frame of those columns alone. Rules about sets of rows (uniqueness) are SQL over
the whole staged table (``warehouse/sql/validation/<feed>__<rule>.sql``). Structure rules come
from landing.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import duckdb
import pyarrow as pa

from contracts.report import MAX_SAMPLES, RuleResult, ValidationReport
from contracts.rules import NEWEST_OF_SOURCE, Rule, rules_for
from warehouse._sql import execute, sql

__all__ = ["CHUNK_ROWS", "newest_of_source", "validate_staged"]

CHUNK_ROWS = 500_000
_gx_lock = threading.Lock()  # a GX context is not safe to share between threads
_plans: dict[str, _Plan] = {}
_RESULT_FORMAT = {
    "result_format": "SUMMARY",
    "unexpected_index_column_names": ["source_line"],
    "partial_unexpected_count": MAX_SAMPLES,
}


@dataclass(frozen=True, slots=True)
class _Group:
    """Rules that read the same columns, as one GX suite run over a frame of those columns only:
    GX copies the whole frame for each expectation's domain, so a narrow frame costs less."""

    columns: list[str]
    suite: Any


@dataclass(frozen=True, slots=True)
class _Plan:
    batch_definition: Any
    groups: list[_Group]


def _rule_columns(rule: Rule) -> list[str]:
    """``source_line`` and what the rule reads: its column, its row condition, its samples."""
    assert rule.expectation is not None
    names = ["source_line", rule.expectation.kwargs.get("column"), rule.expectation.when_true, *rule.columns]
    return [n for n in dict.fromkeys(names) if isinstance(n, str)]


def _plan(feed: str) -> _Plan:
    from contracts.suites import build_suite, gx_context

    if feed not in _plans:
        context = gx_context()
        try:
            source = context.data_sources.get("joist_staged")
        except (KeyError, ValueError, LookupError):
            source = context.data_sources.add_pandas("joist_staged")
        # The context lives as long as the process: an attempt that failed half-way left its asset
        # and some suites behind, and a retry replaces them rather than failing on their names.
        if feed in source.get_asset_names():
            source.delete_asset(feed)
        asset = source.add_dataframe_asset(name=feed)
        by_columns: dict[tuple[str, ...], list[Rule]] = {}
        for rule in rules_for(feed, "gx"):
            by_columns.setdefault(tuple(_rule_columns(rule)), []).append(rule)
        groups = [
            _Group(list(columns), context.suites.add_or_update(build_suite(feed, f"{feed}__{n}", rules)))
            for n, (columns, rules) in enumerate(by_columns.items())
        ]
        _plans[feed] = _Plan(asset.add_batch_definition_whole_dataframe(f"{feed}_chunk"), groups)
    return _plans[feed]


def _plain(value: Any) -> Any:
    """A sample value as JSON can carry it."""
    if hasattr(value, "item") and not isinstance(value, Decimal):  # numpy scalars
        value = value.item()
    if value is None or isinstance(value, str | int | bool):
        return value
    if isinstance(value, float):
        return None if math.isnan(value) else value
    if isinstance(value, datetime | date) or hasattr(value, "isoformat"):
        return str(value.isoformat())
    return str(value)


def _gx_columns(rules: Sequence[Rule]) -> list[str]:
    """The staged columns the GX rules read (their expectations, row conditions and samples),
    plus ``source_line``; nothing else is read from DuckDB."""
    return list(dict.fromkeys(c for rule in rules for c in _rule_columns(rule)))


def _frames(
    conn: duckdb.DuckDBPyConnection,
    feed: str,
    submission_id: str,
    chunk_rows: int,
    columns: Sequence[str] | None = None,
) -> Iterator[Any]:
    query = sql("validation", f"{feed}__frame")
    if columns is not None:
        listed = ", ".join('"' + c.replace('"', '""') + '"' for c in columns)
        # the names come from contracts.rules, never from a feed; quoted as identifiers all the same
        query = f"SELECT {listed} FROM ({query}) AS frame"  # noqa: S608
    cursor = conn.cursor()
    try:
        cursor.execute(query, {"submission_id": submission_id})
        # Arrow batches become frames of Arrow-backed strings, whose regex and set checks run in
        # Arrow's kernels; decimals become floats, as DuckDB's own frames give them
        for batch in cursor.to_arrow_reader(chunk_rows):
            if batch.num_rows == 0:
                continue
            schema = pa.schema([f.with_type(pa.float64()) if pa.types.is_decimal(f.type) else f for f in batch.schema])
            # in line order within the chunk, so that GX names each chunk's first bad rows
            yield batch.cast(schema).sort_by("source_line").to_pandas()
    finally:
        cursor.close()


def _validate_chunk(plan: _Plan, frame: Any) -> Iterator[Any]:
    """Each group's expectation results over one chunk. The validator is GX's own (what
    ``Batch.validate`` builds), given the frame once: ``get_batch`` then ``validate`` would load,
    and fingerprint, every frame twice."""
    from great_expectations.validator.v1_validator import Validator

    for group in plan.groups:
        validator = Validator(
            batch_definition=plan.batch_definition,
            batch_parameters={"dataframe": frame[group.columns]},
            result_format=_RESULT_FORMAT,
        )
        yield from validator.validate_expectation_suite(group.suite).results


def _gx_results(conn: duckdb.DuckDBPyConnection, feed: str, submission_id: str, chunk_rows: int) -> list[RuleResult]:
    rules = rules_for(feed, "gx")
    results = {
        r.name: RuleResult(rule=r.name, description=r.description, kind=r.kind, blocking=r.blocking, passed=True)
        for r in rules
    }
    by_name: dict[str, Rule] = {r.name: r for r in rules}
    with _gx_lock:
        plan = _plan(feed)
        for frame in _frames(conn, feed, submission_id, chunk_rows, _gx_columns(rules)):
            lookup = None
            for item in _validate_chunk(plan, frame):
                name = str(item.expectation_config.meta["rule"])
                result, rule = results[name], by_name[name]
                info = item.exception_info or {}
                raised = info.get("raised_exception") or any(
                    isinstance(v, dict) and v.get("raised_exception") for v in info.values()
                )
                if raised:
                    result.passed = False
                    result.message = "the expectation could not be evaluated"
                    continue
                stats = item.result or {}
                result.checked += int(stats.get("element_count") or 0)
                failed = int(stats.get("unexpected_count") or 0)
                result.failed += failed
                if not item.success:
                    result.passed = False
                if failed:
                    # this chunk's first bad rows join the first ones so far; the first 20 stay
                    if lookup is None:
                        lookup = frame.set_index("source_line", drop=False)
                    for hit in (stats.get("partial_unexpected_index_list") or [])[:MAX_SAMPLES]:
                        line = int(hit["source_line"])
                        row = lookup.loc[line]
                        values = {c: _plain(row[c]) for c in rule.columns}
                        result.samples.append({"line": line, "values": values})
                    result.samples.sort(key=lambda sample: int(str(sample["line"])))
                    del result.samples[MAX_SAMPLES:]
    # the Arrow memory pool keeps freed chunks for reuse: give them back before the next step
    pa.default_memory_pool().release_unused()
    return [results[r.name] for r in rules]


def _sql_results(
    conn: duckdb.DuckDBPyConnection, feed: str, submission_id: str, rows: int, makes: Sequence[str] | None
) -> list[RuleResult]:
    out = []
    for rule in rules_for(feed, "sql"):
        name = f"{feed}__{rule.name}"
        params: dict[str, Any] = {"submission_id": submission_id, "limit": MAX_SAMPLES}
        if "$makes" in sql("validation", name):
            params["makes"] = None if makes is None else list(makes)
        cursor = execute(conn, "validation", name, params)
        names = [d[0] for d in cursor.description or []]
        found = cursor.fetchall()
        failed = int(found[0][-1]) if found else 0
        samples = []
        for record in found:
            values = dict(zip(names, record, strict=True))
            samples.append(
                {
                    "line": int(values["source_line"]),
                    "values": {c: _plain(values[c]) for c in rule.columns if c in values},
                }
            )
        out.append(
            RuleResult(
                rule=rule.name,
                description=rule.description,
                kind=rule.kind,
                blocking=rule.blocking,
                passed=failed == 0,
                checked=rows,
                failed=failed,
                samples=samples,
            )
        )
    return out


def _iso(at: datetime) -> str:
    return at.isoformat().replace("+00:00", "Z")


def newest_of_source(conn: duckdb.DuckDBPyConnection, *, feed: str, submission_id: str, rows: int) -> RuleResult:
    """The ``newest_of_source`` rule: no submission of the same source received after this one has
    been applied. Checked when validating, and again just before the curated step applies it (a
    newer one may have been applied in between). A re-run of an old submission, or two runs whose
    steps interleave, would otherwise put an older catalog back over a newer one and end price
    history periods before they start."""
    (rule,) = (r for r in rules_for(feed, "submission") if r.name == NEWEST_OF_SOURCE)
    newer = execute(conn, "submission", "newer_applied", {"submission_id": submission_id}).fetchone()
    message = None
    if newer is not None:
        newer_id, newer_at, this_at = newer
        message = (
            f"submission {newer_id} of the same source, received {_iso(newer_at)}, was applied already; this "
            f"one was received {_iso(this_at)} and would put older data back. Push it again to apply it."
        )
    return RuleResult(
        rule=rule.name,
        description=rule.description,
        kind=rule.kind,
        blocking=rule.blocking,
        passed=newer is None,
        checked=rows,
        failed=rows if newer is not None else 0,
        message=message,
    )


def validate_staged(
    conn: duckdb.DuckDBPyConnection,
    *,
    feed: str,
    submission_id: str,
    structure: Sequence[RuleResult] = (),
    rows: int | None = None,
    chunk_rows: int = CHUNK_ROWS,
    makes: Sequence[str] | None = None,
) -> ValidationReport:
    """Run every rule of ``feed`` over a staged submission and report each one.

    ``makes`` are the manufacturer names the pushing organisation may publish under (a
    manufacturer feed's ``manufacturer_of_source``; None: not checked). ``structure`` are the
    landing's results. When the file could not be read at all (no rows
    landed), the report holds those alone: there is nothing for the other rules to look at.
    """
    if rows is None:
        row = execute(conn, "validation", f"{feed}__count", {"submission_id": submission_id}).fetchone()
        rows = int(row[0]) if row else 0
    results = list(structure)
    if rows == 0:
        return ValidationReport(feed=feed, rows=0, rules=results)
    results += _gx_results(conn, feed, submission_id, chunk_rows)
    results += _sql_results(conn, feed, submission_id, rows, makes)
    results.append(newest_of_source(conn, feed=feed, submission_id=submission_id, rows=rows))
    return ValidationReport(feed=feed, rows=rows, rules=results)
