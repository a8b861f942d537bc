from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column, relationship

from service.db.base import Base, DecimalAmount, utcnow

__all__ = ["Invoice", "InvoiceLine"]


class Invoice(Base):
    __tablename__ = "invoices"
    __table_args__ = (
        CheckConstraint("status IN ('draft', 'submitted', 'approved', 'paid')", name="status"),
        Index("ix_invoices_builder_id_created_at", "builder_id", "created_at", "id"),
        Index("ix_invoices_project_id", "project_id"),
        Index("ix_invoices_vendor_id", "vendor_id"),
    )

    builder_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("builders.id", ondelete="CASCADE"))
    project_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("projects.id"))
    vendor_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("vendors.id"))
    number: Mapped[str] = mapped_column(String(50))
    currency: Mapped[str] = mapped_column(String(3))
    due_date: Mapped[date | None]
    total: Mapped[Decimal] = mapped_column(DecimalAmount())  # kept with every change of the lines
    status: Mapped[str] = mapped_column(String(20), default="draft")
    submitted_at: Mapped[datetime | None]
    approved_at: Mapped[datetime | None]
    paid_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    line_items: Mapped[list[InvoiceLine]] = relationship(
        order_by="InvoiceLine.position", cascade="all, delete-orphan", passive_deletes=True, lazy="raise"
    )

    __mapper_args__ = {"version_id_col": version}


class InvoiceLine(Base):
    __tablename__ = "invoice_line_items"
    __table_args__ = (Index("ix_invoice_line_items_invoice_id_position", "invoice_id", "position"),)

    builder_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("builders.id", ondelete="CASCADE"))
    invoice_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("invoices.id", ondelete="CASCADE"))
    position: Mapped[int]
    description: Mapped[str] = mapped_column(String(500))
    quantity: Mapped[Decimal] = mapped_column(DecimalAmount())
    unit_price: Mapped[Decimal] = mapped_column(DecimalAmount())
    amount: Mapped[Decimal] = mapped_column(DecimalAmount())
