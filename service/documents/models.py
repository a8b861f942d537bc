from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from service.db.base import Base, utcnow

__all__ = ["KINDS", "Document"]

KINDS = ("drawing", "specification", "contract", "permit", "submittal", "photo", "invoice", "report", "other")


class Document(Base):
    __tablename__ = "documents"
    __table_args__ = (
        CheckConstraint(f"kind IN ({', '.join(repr(k) for k in KINDS)})", name="kind"),
        Index("ix_documents_builder_id_created_at", "builder_id", "created_at", "id"),
        Index("ix_documents_project_id", "project_id"),
    )

    builder_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("builders.id", ondelete="CASCADE"))
    project_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("projects.id"))
    name: Mapped[str] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(20))
    content_type: Mapped[str] = mapped_column(String(255))
    # Both null until content is uploaded.
    size_bytes: Mapped[int | None] = mapped_column(BigInteger)
    sha256: Mapped[str | None] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    __mapper_args__ = {"version_id_col": version}
