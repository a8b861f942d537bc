from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from service.db.base import Base, utcnow

__all__ = ["Builder", "Plan", "User", "UserRole"]


class Plan(StrEnum):
    STARTER = "starter"
    PROFESSIONAL = "professional"
    BUSINESS = "business"
    ENTERPRISE = "enterprise"


class UserRole(StrEnum):
    OWNER = "owner"
    ADMIN = "admin"
    MEMBER = "member"


class Builder(Base):
    """A general contractor: the tenant every operational row is scoped by."""

    __tablename__ = "builders"
    __table_args__ = (CheckConstraint("plan IN ('starter', 'professional', 'business', 'enterprise')", name="plan"),)

    slug: Mapped[str] = mapped_column(String(63), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    plan: Mapped[str] = mapped_column(String(20), default=Plan.STARTER.value)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class User(Base):
    __tablename__ = "users"
    __table_args__ = (CheckConstraint("role IN ('owner', 'admin', 'member')", name="role"),)

    builder_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("builders.id", ondelete="CASCADE"), index=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    role: Mapped[str] = mapped_column(String(20), default=UserRole.MEMBER.value)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
