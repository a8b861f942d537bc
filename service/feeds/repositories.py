from __future__ import annotations

import uuid

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from service.feeds.models import FeedSubmission
from service.http.pagination import ListQuery
from service.orgs.models import Organisation

__all__ = ["LIST_COLUMNS", "ONE_SUBMISSION", "ORG_SOURCE", "SUBMISSION_LIST", "FeedSubmissionRepository"]

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
ORG_SOURCE = select(Organisation.slug, Organisation.terms).where(Organisation.id == bindparam("org_id"))


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
