from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column, relationship

from service.db.base import Base, DecimalAmount, utcnow

__all__ = ["Budget", "BudgetLine"]


class Budget(Base):
    __tablename__ = "budgets"
    __table_args__ = (
        Index("ix_budgets_builder_id_created_at", "builder_id", "created_at", "id"),
        Index("ix_budgets_project_id", "project_id"),
    )

    # Foreign keys are typed explicitly (here and in the other core records): untyped, a key's
    # type stays NULL until the table it refers to is imported, and the list statements built at
    # import time would then bind UUIDs untyped (SQLite refuses them).
    builder_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("builders.id", ondelete="CASCADE"))
    project_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("projects.id"))  # restrict: no silent loss
    name: Mapped[str] = mapped_column(String(200))
    currency: Mapped[str] = mapped_column(String(3))
    # Kept with every change of the lines, so lists read totals from the row itself.
    original_total: Mapped[Decimal] = mapped_column(DecimalAmount())
    approved_changes: Mapped[Decimal] = mapped_column(DecimalAmount())
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    line_items: Mapped[list[BudgetLine]] = relationship(
        order_by="BudgetLine.position", cascade="all, delete-orphan", passive_deletes=True, lazy="raise"
    )

    __mapper_args__ = {"version_id_col": version}


class BudgetLine(Base):
    __tablename__ = "budget_line_items"
    __table_args__ = (Index("ix_budget_line_items_budget_id_position", "budget_id", "position"),)

    builder_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("builders.id", ondelete="CASCADE"))
    budget_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("budgets.id", ondelete="CASCADE"))
    position: Mapped[int]
    cost_code: Mapped[str] = mapped_column(String(24))
    description: Mapped[str] = mapped_column(String(500))
    amount: Mapped[Decimal] = mapped_column(DecimalAmount())
