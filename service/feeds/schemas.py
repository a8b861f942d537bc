from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

import msgspec

from service.http.pagination import Page

__all__ = [
    "FailureOut",
    "FeedName",
    "FeedSubmissionOut",
    "FeedSubmissionPage",
    "Mode",
    "ReportOut",
    "RuleOut",
    "Status",
]

Status = Literal["received", "validating", "accepted", "rejected", "published", "failed"]
FeedName = Literal["supplier_catalog", "manufacturer_feed"]
Mode = Literal["full", "delta"]


class RuleOut(msgspec.Struct):
    rule: str
    description: str
    kind: str
    blocking: bool
    status: Annotated[Literal["pass", "fail", "warn"], msgspec.Meta(description="warn: a non-blocking rule failed.")]
    checked: int
    failed: int
    samples: Annotated[
        list[dict[str, Any]],
        msgspec.Meta(description='Up to 20 bad rows: {"line": <file line, header = 1>, "values": {...}}.'),
    ]
    message: str | None = None


class ReportOut(msgspec.Struct):
    """The validation report: every rule with its outcome, counts and sample rows."""

    feed: str
    rows: int
    accepted: bool
    rules: list[RuleOut]


class FailureOut(msgspec.Struct):
    """Why a submission is ``failed``: processing stopped on an error of Joist's, not a rule."""

    steps: Annotated[list[str], msgspec.Meta(description="The pipeline steps that failed.")]
    run_id: Annotated[str, msgspec.Meta(description="The pipeline run that failed: quote it to Joist's operators.")]
    failed_at: datetime


class FeedSubmissionOut(msgspec.Struct):
    id: uuid.UUID
    feed: FeedName
    source: Annotated[str, msgspec.Meta(description="The pushing organisation's slug.")]
    status: Annotated[
        Status,
        msgspec.Meta(
            description="received → validating → accepted | rejected; accepted → published. failed: "
            "processing stopped on an error of Joist's before the submission was accepted (see `failure`); "
            "nothing of it was published, and it moves on when Joist's operators run it again."
        ),
    ]
    mode: Mode
    content_type: str
    content_encoding: str | None
    size_bytes: int
    sha256: Annotated[str, msgspec.Meta(description="Of the body as sent (compressed if it was).")]
    rows: int | None
    report: ReportOut | None
    failure: Annotated[FailureOut | None, msgspec.Meta(description="Set while the status is failed; null otherwise.")]
    received_at: datetime
    status_changed_at: datetime


class FeedSubmissionPage(Page[FeedSubmissionOut]):
    data: list[FeedSubmissionOut]  # named again: OpenAPI documents the items
