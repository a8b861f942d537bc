from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from service.db.base import Base, DecimalAmount, JSONDoc, utcnow

__all__ = ["STATUSES", "Project"]

STATUSES = ("planning", "active", "on_hold", "completed", "cancelled")


class Project(Base):
    __tablename__ = "projects"
    __table_args__ = (
        CheckConstraint("status IN ('planning', 'active', 'on_hold', 'completed', 'cancelled')", name="status"),
        CheckConstraint("(contract_value IS NULL) = (currency IS NULL)", name="money_has_currency"),
        Index("ix_projects_builder_id_created_at", "builder_id", "created_at", "id"),
    )

    builder_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("builders.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    code: Mapped[str | None] = mapped_column(String(50))
    status: Mapped[str] = mapped_column(String(20), default="planning")
    address: Mapped[dict[str, Any] | None] = mapped_column(JSONDoc)
    start_date: Mapped[date | None]
    end_date: Mapped[date | None]
    contract_value: Mapped[Decimal | None] = mapped_column(DecimalAmount())
    currency: Mapped[str | None] = mapped_column(String(3))
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    __mapper_args__ = {"version_id_col": version}  # a concurrent update of the same row fails
