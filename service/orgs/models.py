"""Supplier and manufacturer organisations: the accounts that push feeds, and their API keys.

They are not tenants: an organisation never sees a builder's data, and builder endpoints refuse
its keys (``service.http.auth``). Their keys live in their own table so that no builder-scoped
query can ever meet one.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from service.db.base import Base, StringList, utcnow

__all__ = ["OrgApiKey", "OrgKind", "Organisation"]


class OrgKind(StrEnum):
    SUPPLIER = "supplier"
    MANUFACTURER = "manufacturer"


class Organisation(Base):
    __tablename__ = "organisations"
    __table_args__ = (CheckConstraint("kind IN ('supplier', 'manufacturer')", name="kind"),)

    slug: Mapped[str] = mapped_column(String(63), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    # The source terms its feeds carry into the warehouse (e.g. "no-price-comparison").
    terms: Mapped[list[str]] = mapped_column(StringList())
    # A manufacturer's: the manufacturer names its feeds may publish products under (its own name
    # unless an operator says otherwise); NULL for a supplier, and for a manufacturer created before
    # the column, which then publishes under its name.
    makes: Mapped[list[str] | None] = mapped_column(StringList(), nullable=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class OrgApiKey(Base):
    """An organisation's API key: same format, hashing and prefix as a builder's."""

    __tablename__ = "org_api_keys"
    __table_args__ = (Index("ix_org_api_keys_org_id_created_at", "org_id", "created_at", "id"),)

    org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    key_prefix: Mapped[str] = mapped_column(String(8))
    scopes: Mapped[list[str]] = mapped_column(StringList())
    rate_limit: Mapped[int | None]
    last_used_at: Mapped[datetime | None]
    expires_at: Mapped[datetime | None]
    is_active: Mapped[bool] = mapped_column(default=True)
    revoked_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
