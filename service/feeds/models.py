"""Feed submissions: one row per pushed catalog or manufacturer feed, in the operational DB.

The body itself lives in the landing area (``<data_dir>/landing/<id>/``, docs/pipelines.md);
``status``, ``rows``, ``report`` and ``failure`` mirror what the pipelines write back there (``status.json``).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from service.db.base import Base, JSONDoc, StringList, utcnow

__all__ = ["STATUSES", "FeedSubmission"]

STATUSES = ("received", "validating", "accepted", "rejected", "published", "failed")


class FeedSubmission(Base):
    __tablename__ = "feed_submissions"
    __table_args__ = (
        CheckConstraint(
            "status IN ('received', 'validating', 'accepted', 'rejected', 'published', 'failed')", name="status"
        ),
        CheckConstraint("feed IN ('supplier_catalog', 'manufacturer_feed')", name="feed"),
        CheckConstraint("mode IN ('full', 'delta')", name="mode"),
        Index("ix_feed_submissions_org_id_created_at", "org_id", "created_at", "id"),
    )

    org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    feed: Mapped[str] = mapped_column(String(40))
    source: Mapped[str] = mapped_column(String(63))  # the organisation's slug when it pushed
    mode: Mapped[str] = mapped_column(String(10), default="full")
    terms: Mapped[list[str]] = mapped_column(StringList())
    content_type: Mapped[str] = mapped_column(String(40))
    content_encoding: Mapped[str | None] = mapped_column(String(20))
    body_name: Mapped[str] = mapped_column(String(40))
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(20), default="received")
    rows: Mapped[int | None] = mapped_column(BigInteger)
    report: Mapped[dict[str, Any] | None] = mapped_column(JSONDoc)
    # status failed: the steps that failed, the run that did, when (status.json's "failure")
    failure: Mapped[dict[str, Any] | None] = mapped_column(JSONDoc)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    status_changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
