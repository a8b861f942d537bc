"""Platform-negotiated supplier deals: a discount on a supplier's product, category or whole
catalog, for builders on eligible plans, within a validity window."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from service.db.base import Base, DecimalAmount, utcnow

__all__ = ["Deal", "DealPlan"]


class Deal(Base):
    __tablename__ = "deals"
    __table_args__ = (
        CheckConstraint("(discount_percent IS NULL) <> (discount_amount IS NULL)", name="one_discount"),
        CheckConstraint("(discount_amount IS NULL) = (currency IS NULL)", name="amount_has_currency"),
        CheckConstraint("product_id IS NULL OR category IS NULL", name="product_or_category"),
        CheckConstraint("valid_to IS NULL OR valid_to > valid_from", name="valid_window"),
        Index("ix_deals_created_at", "created_at", "id"),
    )

    name: Mapped[str] = mapped_column(String(200))
    supplier: Mapped[str] = mapped_column(String(63), index=True)  # the supplier's slug in the catalog
    product_id: Mapped[str | None] = mapped_column(String(40))
    category: Mapped[str | None] = mapped_column(String(300))  # a category path; its sub-categories too
    discount_percent: Mapped[Decimal | None] = mapped_column(DecimalAmount())
    discount_amount: Mapped[Decimal | None] = mapped_column(DecimalAmount())  # off each order unit
    currency: Mapped[str | None] = mapped_column(String(3))
    valid_from: Mapped[datetime]
    valid_to: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class DealPlan(Base):
    """A plan eligible for a deal (one row per plan, so eligibility is a plain join)."""

    __tablename__ = "deal_plans"
    __table_args__ = (
        CheckConstraint("plan IN ('starter', 'professional', 'business', 'enterprise')", name="plan"),
        Index("ix_deal_plans_plan_deal_id", "plan", "deal_id", unique=True),
    )

    deal_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("deals.id", ondelete="CASCADE"))
    plan: Mapped[str] = mapped_column(String(20))
