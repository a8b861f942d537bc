"""The validation report of a feed submission: per rule, pass or fail, counts and sample rows.

It is plain data so that every layer can carry it: the warehouse builds it, the pipelines attach
it to asset checks, and the service shows it under ``GET /api/v1/feed-submissions/{id}``
(``to_dict`` / ``from_dict`` round-trip through JSON).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

__all__ = ["MAX_SAMPLES", "RuleResult", "ValidationReport"]

#: Rows shown per failing rule.
MAX_SAMPLES = 20


@dataclass(slots=True)
class RuleResult:
    """One rule's outcome. ``samples`` are ``{"line": n, "values": {column: text}}``."""

    rule: str
    description: str
    kind: str
    blocking: bool
    passed: bool
    checked: int = 0
    failed: int = 0
    samples: list[dict[str, Any]] = field(default_factory=list)
    message: str | None = None

    @property
    def status(self) -> str:
        if self.passed:
            return "pass"
        return "fail" if self.blocking else "warn"


@dataclass(slots=True)
class ValidationReport:
    """Every rule of one feed submission; ``accepted`` when no blocking rule failed."""

    feed: str
    rows: int
    rules: list[RuleResult]

    @property
    def accepted(self) -> bool:
        return all(r.passed or not r.blocking for r in self.rules)

    @property
    def verdict(self) -> str:
        """``accepted`` or ``rejected``, the status a validated submission takes."""
        return "accepted" if self.accepted else "rejected"

    @property
    def failed_rules(self) -> list[RuleResult]:
        return [r for r in self.rules if not r.passed]

    def rule(self, name: str) -> RuleResult:
        for r in self.rules:
            if r.rule == name:
                return r
        raise KeyError(name)

    def with_result(self, result: RuleResult) -> ValidationReport:
        """The report with ``result`` in place of its rule's result (added if it had none)."""
        rules = [result if r.rule == result.rule else r for r in self.rules]
        if not any(r.rule == result.rule for r in self.rules):
            rules.append(result)
        return ValidationReport(feed=self.feed, rows=self.rows, rules=rules)

    def to_dict(self) -> dict[str, Any]:
        return {
            "feed": self.feed,
            "rows": self.rows,
            "accepted": self.accepted,
            "rules": [{**asdict(r), "status": r.status} for r in self.rules],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ValidationReport:
        fields = set(RuleResult.__dataclass_fields__)
        rules = [RuleResult(**{k: v for k, v in r.items() if k in fields}) for r in data["rules"]]
        return cls(feed=data["feed"], rows=data["rows"], rules=rules)
