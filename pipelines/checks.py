"""The adapter from a validation report to Dagster asset checks (no maintained one exists).

Every rule of a feed (``contracts.rules``) is one check on the feed's ``validated`` asset, blocking
when the rule is: a failing blocking rule is an ERROR result, which stops the run before the
curated tables; a failing non-blocking rule is a WARN result. Each result carries the rule's row
counts and up to 20 sample rows with their source line.
"""

from __future__ import annotations

import warnings
from collections.abc import Collection, Iterator
from typing import Any

import dagster as dg

from contracts.report import RuleResult, ValidationReport
from contracts.rules import rules_for

__all__ = ["check_evaluation", "check_results", "check_specs", "report_metadata"]

_MD_CELL = 80


def check_specs(
    feed: str, asset_key: dg.AssetKey, partitions: dg.PartitionsDefinition | None = None
) -> list[dg.AssetCheckSpec]:
    """One check per rule of ``feed``, on ``asset_key``; with ``partitions``, each result is recorded
    against the run's partition (the submission), so a check's history in the Dagster UI lists the
    submissions it passed or failed on."""
    with warnings.catch_warnings():
        # partitioned checks are marked "preview" in Dagster 1.13; the API is the documented one
        warnings.simplefilter("ignore", dg.PreviewWarning)
        return [
            dg.AssetCheckSpec(
                rule.name,
                asset=asset_key,
                description=rule.description,
                blocking=rule.blocking,
                metadata={"rule_kind": rule.kind, "blocking": rule.blocking},
                partitions_def=partitions,
            )
            for rule in rules_for(feed)
        ]


def _cell(value: Any) -> str:
    text = "" if value is None else str(value)
    text = text.replace("|", "\\|").replace("\n", " ")
    return text if len(text) <= _MD_CELL else text[: _MD_CELL - 1] + "…"


def _samples_markdown(samples: list[dict[str, Any]]) -> str:
    columns: list[str] = []
    for sample in samples:
        for column in sample.get("values") or {}:
            if column not in columns:
                columns.append(column)
    extra = ["error"] if any("error" in s for s in samples) else []
    head = ["line", *columns, *extra]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for sample in samples:
        values = sample.get("values") or {}
        cells = [sample.get("line"), *(values.get(c) for c in columns), *(sample.get(c) for c in extra)]
        lines.append("| " + " | ".join(_cell(v) for v in cells) + " |")
    return "\n".join(lines)


def _metadata(result: RuleResult) -> dict[str, Any]:
    metadata: dict[str, Any] = {
        "status": result.status,
        "rule_kind": result.kind,
        "blocking": result.blocking,
        "rows_checked": dg.MetadataValue.int(result.checked),
        "rows_failed": dg.MetadataValue.int(result.failed),
    }
    if result.message:
        metadata["message"] = result.message
    if result.samples:
        metadata["samples"] = dg.MetadataValue.json(result.samples)
        metadata["sample_rows"] = dg.MetadataValue.md(_samples_markdown(result.samples))
    return metadata


def _severity(result: RuleResult) -> dg.AssetCheckSeverity:
    return dg.AssetCheckSeverity.ERROR if result.blocking else dg.AssetCheckSeverity.WARN


def _result(asset_key: dg.AssetKey, result: RuleResult) -> dg.AssetCheckResult:
    return dg.AssetCheckResult(
        asset_key=asset_key,
        check_name=result.rule,
        passed=result.passed,
        severity=_severity(result),
        description=result.message or result.description,
        metadata=_metadata(result),
    )


def check_evaluation(asset_key: dg.AssetKey, result: RuleResult, partition: str) -> dg.AssetCheckEvaluation:
    """A rule's result as a check evaluation that a later step of the run logs (``context.log_event``):
    ``curated`` finding ``newest_of_source`` failing just before it would apply a submission."""
    return dg.AssetCheckEvaluation(
        asset_key=asset_key,
        check_name=result.rule,
        passed=result.passed,
        severity=_severity(result),
        description=result.message or result.description,
        metadata=_metadata(result),
        blocking=result.blocking,
        partition=partition,
    )


def check_results(
    report: ValidationReport, asset_key: dg.AssetKey, selected: Collection[dg.AssetCheckKey] | None = None
) -> Iterator[dg.AssetCheckResult]:
    """A result for every rule the report holds (and ``selected`` names, when given).

    A report leaves rules out only when the file could not be read at all: those checks get no
    result in the run, which is what the UI shows for a check that did not execute.
    """
    for result in report.rules:
        if selected is None or dg.AssetCheckKey(asset_key, result.rule) in selected:
            yield _result(asset_key, result)


def report_metadata(report: ValidationReport) -> dict[str, Any]:
    """What the ``validated`` materialization shows: the verdict, counts and the whole report."""
    failed = report.failed_rules
    return {
        "accepted": report.accepted,
        "dagster/row_count": dg.MetadataValue.int(report.rows),
        "rules": dg.MetadataValue.int(len(report.rules)),
        "failed_rules": dg.MetadataValue.json(
            [{"rule": r.rule, "status": r.status, "failed": r.failed} for r in failed]
        ),
        "report": dg.MetadataValue.json(report.to_dict()),
    }
