from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from service.db.base import Base, JSONDoc, utcnow

__all__ = ["Vendor"]


class Vendor(Base):
    __tablename__ = "vendors"
    __table_args__ = (
        CheckConstraint("status IN ('active', 'inactive')", name="status"),
        Index("ix_vendors_builder_id_created_at", "builder_id", "created_at", "id"),
    )

    builder_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("builders.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    trade: Mapped[str | None] = mapped_column(String(50))
    contact_email: Mapped[str | None] = mapped_column(String(254))
    contact_phone: Mapped[str | None] = mapped_column(String(40))
    address: Mapped[dict[str, Any] | None] = mapped_column(JSONDoc)
    tax_id: Mapped[str | None] = mapped_column(String(50))
    status: Mapped[str] = mapped_column(String(20), default="active")
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    __mapper_args__ = {"version_id_col": version}
