from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import bindparam, or_, select, update
from sqlalchemy.orm import Session

from service.feeds.models import FeedSubmission
from service.http.pagination import ListQuery
from service.orgs.models import Organisation

__all__ = [
    "LIST_COLUMNS",
    "ONE_SUBMISSION",
    "ORG_SOURCE",
    "PENDING",
    "PENDING_SUBMISSIONS",
    "SUBMISSION_LIST",
    "FeedSubmissionRepository",
]

#: Statuses the pipelines may still move a submission on from (a failed one, when run again).
PENDING = ("received", "validating", "accepted", "failed")

SUBMISSIONS = FeedSubmission.__table__.c
# In FeedSubmissionOut's field order: rows render by position.
LIST_COLUMNS = (
    SUBMISSIONS.id,
    SUBMISSIONS.feed,
    SUBMISSIONS.source,
    SUBMISSIONS.status,
    SUBMISSIONS.mode,
    SUBMISSIONS.content_type,
    SUBMISSIONS.content_encoding,
    SUBMISSIONS.size_bytes,
    SUBMISSIONS.sha256,
    SUBMISSIONS.rows,
    SUBMISSIONS.report,
    SUBMISSIONS.failure,
    SUBMISSIONS.received_at,
    SUBMISSIONS.status_changed_at,
    SUBMISSIONS.created_at,
)

SUBMISSION_LIST = ListQuery(
    LIST_COLUMNS,
    tenant=SUBMISSIONS.org_id,
    created_at=SUBMISSIONS.created_at,
    ident=SUBMISSIONS.id,
    filters={
        "status": SUBMISSIONS.status == bindparam("status"),
        "feed": SUBMISSIONS.feed == bindparam("feed"),
    },
)
ONE_SUBMISSION = select(*LIST_COLUMNS).where(
    SUBMISSIONS.org_id == bindparam("org_id"), SUBMISSIONS.id == bindparam("submission_id")
)
#: The organisation's submissions whose ``status.json`` may say more than their row: (id, status,
#: whether the row has a report, its failure). Equalities, not IN: statements run precompiled (Database).
PENDING_SUBMISSIONS = select(
    SUBMISSIONS.id, SUBMISSIONS.status, SUBMISSIONS.report.is_not(None), SUBMISSIONS.failure
).where(SUBMISSIONS.org_id == bindparam("org_id"), or_(*(SUBMISSIONS.status == status for status in PENDING)))
ORG_SOURCE = select(Organisation.slug, Organisation.terms, Organisation.name, Organisation.makes).where(
    Organisation.id == bindparam("org_id")
)


class FeedSubmissionRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, submission: FeedSubmission) -> FeedSubmission:
        self.session.add(submission)
        self.session.flush()
        return submission

    def get(self, org_id: uuid.UUID, submission_id: uuid.UUID) -> FeedSubmission | None:
        return self.session.scalars(
            select(FeedSubmission).where(FeedSubmission.org_id == org_id, FeedSubmission.id == submission_id)
        ).first()

    def many(self, org_id: uuid.UUID, submission_ids: Sequence[uuid.UUID]) -> list[FeedSubmission]:
        if not submission_ids:
            return []
        return list(
            self.session.scalars(
                select(FeedSubmission).where(FeedSubmission.org_id == org_id, FeedSubmission.id.in_(submission_ids))
            )
        )

    def advance(self, submission: FeedSubmission, values: dict[str, Any]) -> bool:
        """Set ``values`` on the submission's row if its status is still the one ``submission``
        was read with (False: another request moved it first); ``submission`` is then re-read."""
        result = self.session.execute(
            update(FeedSubmission)
            .where(FeedSubmission.id == submission.id, FeedSubmission.status == submission.status)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        self.session.refresh(submission)
        return bool(result.rowcount)  # type: ignore[attr-defined]
