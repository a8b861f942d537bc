from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from service.db.base import Base, DecimalAmount, utcnow

__all__ = ["ChangeOrder"]


class ChangeOrder(Base):
    __tablename__ = "change_orders"
    __table_args__ = (
        CheckConstraint("status IN ('draft', 'submitted', 'approved', 'rejected')", name="status"),
        Index("ix_change_orders_builder_id_created_at", "builder_id", "created_at", "id"),
        Index("ix_change_orders_budget_id", "budget_id"),
        Index("ix_change_orders_project_id", "project_id"),
    )

    builder_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("builders.id", ondelete="CASCADE"))
    project_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("projects.id"))
    budget_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("budgets.id"))
    title: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str | None] = mapped_column(String(2000))
    amount: Mapped[Decimal] = mapped_column(DecimalAmount())
    currency: Mapped[str] = mapped_column(String(3))
    cost_code: Mapped[str | None] = mapped_column(String(24))
    status: Mapped[str] = mapped_column(String(20), default="draft")
    submitted_at: Mapped[datetime | None]
    decided_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    __mapper_args__ = {"version_id_col": version}
