"""Recording pushed feeds and following what the pipelines report about them. Services flush;
the caller owns the commit."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import msgspec
from sqlalchemy.orm import Session

from contracts.report import MAX_SAMPLES, ValidationReport
from service.feeds.landing import Landing, Received, StatusFile
from service.feeds.models import FeedSubmission
from service.feeds.repositories import LIST_COLUMNS, FeedSubmissionRepository
from service.feeds.schemas import FailureOut, FeedSubmissionOut, ReportOut

__all__ = [
    "TERMINAL",
    "apply_statuses",
    "is_news",
    "manifest",
    "record_submission",
    "render",
    "render_submission",
]

log = logging.getLogger("joist.feeds")

#: Statuses that no later report changes.
TERMINAL = frozenset({"rejected", "published"})
# Where a submission may go from each status, by what the pipelines write (a failed run marks it
# failed before it is accepted; a run of it again starts over from validating).
_NEXT: dict[str, frozenset[str]] = {
    "received": frozenset({"validating", "accepted", "rejected", "published", "failed"}),
    "validating": frozenset({"accepted", "rejected", "published", "failed"}),
    "accepted": frozenset({"published"}),
    "failed": frozenset({"validating", "accepted", "rejected", "published"}),
}


def manifest(submission: FeedSubmission, makes: Sequence[str] | None = None) -> dict[str, Any]:
    """``submission.json`` (docs/pipelines.md), the contract with the sensor; ``makes``: the
    manufacturer names a manufacturer organisation's feed may use."""
    return {
        "submission_id": str(submission.id),
        "feed": submission.feed,
        "source": submission.source,
        "received_at": submission.received_at.astimezone(UTC).isoformat().replace("+00:00", "Z"),
        "body": submission.body_name,
        "mode": submission.mode,
        "terms": list(submission.terms),
        "size_bytes": submission.size_bytes,
        "sha256": submission.sha256,
        **({} if makes is None else {"makes": list(makes)}),
    }


def record_submission(
    session: Session,
    landing: Landing,
    received: Received,
    *,
    org_id: uuid.UUID,
    feed: str,
    source: str,
    terms: Sequence[str],
    mode: str,
    makes: Sequence[str] | None = None,
) -> FeedSubmissionOut:
    """Record a received body and hand it to the pipelines (its folder appears in ``landing/``).

    The folder is installed after the row is flushed and before the caller commits; if that
    commit fails the caller removes the folder (``Landing.discard``).
    """
    now = datetime.now(UTC)
    submission = FeedSubmissionRepository(session).add(
        FeedSubmission(
            id=uuid.UUID(received.submission_id),
            org_id=org_id,
            feed=feed,
            source=source,
            mode=mode,
            terms=list(terms),
            content_type=received.kind.content_type,
            content_encoding="gzip" if received.kind.gzip else None,
            body_name=received.kind.body_name,
            size_bytes=received.size,
            sha256=received.sha256,
            status="received",
            received_at=now,
            status_changed_at=now,
            created_at=now,
        )
    )
    landing.install(received, manifest(submission, makes))
    return render_submission(submission)


def _report(raw: dict[str, Any] | None) -> dict[str, Any] | None:
    """A report as ``contracts.report`` defines it, samples capped; None if it is not one."""
    if raw is None:
        return None
    try:
        report = ValidationReport.from_dict(raw).to_dict()
    except (KeyError, TypeError, ValueError):
        log.warning("ignoring a validation report that does not follow contracts.report")
        return None
    for rule in report["rules"]:
        rule["samples"] = list(rule.get("samples") or [])[:MAX_SAMPLES]
    return report


def is_news(status: str, has_report: bool, failure: dict[str, Any] | None, reported: StatusFile) -> bool:
    """Whether ``status.json`` may say more than a row in ``status`` (with or without a report,
    with its ``failure``): a step forward, the report of the step it is at, or another failed
    run. Cheap, to skip the write when nothing is new; ``apply_statuses`` decides under the write."""
    if reported.status in _NEXT.get(status, frozenset()):
        return True
    if reported.status != status:
        return False
    return (reported.report is not None and not has_report) or _failed_again(status, failure, reported)


def _failed_again(status: str, failure: dict[str, Any] | None, reported: StatusFile) -> bool:
    """A failed submission run again that failed again (another run's failure)."""
    return status == "failed" and reported.failure is not None and _failure(reported.failure) != failure


def _failure(raw: dict[str, Any] | None) -> dict[str, Any] | None:
    """A failure as ``FailureOut`` reads it; None if it is not one."""
    if raw is None:
        return None
    try:
        return msgspec.to_builtins(msgspec.convert(raw, FailureOut))  # type: ignore[no-any-return]
    except msgspec.ValidationError:
        log.warning("ignoring a failure in status.json that does not follow FailureOut")
        return None


def apply_statuses(
    session: Session, org_id: uuid.UUID, reported: Mapping[uuid.UUID, StatusFile]
) -> dict[uuid.UUID, FeedSubmissionOut]:
    """Move each of the organisation's submissions to what the pipelines reported for it, when
    that is a step forward (or the report of its step); each as it is then (ids it does not have
    are left out).

    Each update is conditional on the status it was decided from, so two requests syncing the
    same submission at once (a list and a GET) cannot move it back: the later one finds it
    moved and leaves it.
    """
    repo = FeedSubmissionRepository(session)
    now = datetime.now(UTC)
    found = {}
    for submission in repo.many(org_id, list(reported)):
        status = reported[submission.id]
        report = _report(status.report)
        forward = status.status in _NEXT.get(submission.status, frozenset())
        fuller = status.status == submission.status and report is not None and submission.report != report
        again = _failed_again(submission.status, submission.failure, status)
        if forward or fuller or again:
            values: dict[str, Any] = {"status": status.status, "failure": _failure(status.failure)}
            if status.rows is not None:
                values["rows"] = status.rows
            if report is not None:
                values["report"] = report
            if forward:
                values["status_changed_at"] = _changed_at(status, now)
            repo.advance(submission, values)
        found[submission.id] = render_submission(submission)
    return found


def _changed_at(status: StatusFile, now: datetime) -> datetime:
    """When the pipelines wrote the status (``updated_at``), not when the service first read it;
    ``now`` when the file gives no time, or one to come."""
    try:
        at = datetime.fromisoformat(status.updated_at or "")
    except ValueError:
        return now
    return at if at.tzinfo is not None and at <= now else now


def render(row: Sequence[Any]) -> FeedSubmissionOut:
    """A row of ``LIST_COLUMNS`` as the API shows it (by position; same order as the output)."""
    (sid, feed, source, status, mode, ctype, encoding, size, sha, rows, report, failure, received, changed, _) = row
    return FeedSubmissionOut(
        sid,
        feed,
        source,
        status,
        mode,
        ctype,
        encoding,
        size,
        sha,
        rows,
        None if report is None else msgspec.convert(report, ReportOut),
        None if failure is None else msgspec.convert(failure, FailureOut),
        received,
        changed,
    )


def render_submission(submission: FeedSubmission) -> FeedSubmissionOut:
    return render([getattr(submission, column.key) for column in LIST_COLUMNS])
