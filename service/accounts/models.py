from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, String, true
from sqlalchemy.orm import Mapped, mapped_column

from service.db.base import Base, StringList, utcnow

__all__ = ["Builder", "Plan", "User", "UserKey", "UserKind", "UserRole", "WebSession"]


class Plan(StrEnum):
    STARTER = "starter"
    PROFESSIONAL = "professional"
    BUSINESS = "business"
    ENTERPRISE = "enterprise"


class UserRole(StrEnum):
    OWNER = "owner"
    ADMIN = "admin"
    MEMBER = "member"


class UserKind(StrEnum):
    """Who a person is to Joist: a builder's user, a third-party developer, or platform staff."""

    BUILDER = "builder"
    DEVELOPER = "developer"
    STAFF = "staff"


class Builder(Base):
    """A general contractor: the tenant every operational row is scoped by."""

    __tablename__ = "builders"
    __table_args__ = (CheckConstraint("plan IN ('starter', 'professional', 'business', 'enterprise')", name="plan"),)

    slug: Mapped[str] = mapped_column(String(63), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    plan: Mapped[str] = mapped_column(String(20), default=Plan.STARTER.value)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class User(Base):
    """A person who signs in. Builder users belong to one builder (``role`` applies to them);
    developers and staff belong to none."""

    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint("role IN ('owner', 'admin', 'member')", name="role"),
        CheckConstraint("kind IN ('builder', 'developer', 'staff')", name="kind"),
    )

    builder_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("builders.id", ondelete="CASCADE"), index=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    role: Mapped[str] = mapped_column(String(20), default=UserRole.MEMBER.value)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    kind: Mapped[str] = mapped_column(String(20), default=UserKind.BUILDER.value, server_default="builder")
    password_hash: Mapped[str | None] = mapped_column(String(200))  # argon2id; None: cannot sign in
    is_active: Mapped[bool] = mapped_column(default=True, server_default=true())


class UserKey(Base):
    """A developer's or staff member's API key (``jst_dev_…`` / ``jst_stf_…``), stored as SHA-256.

    Not a builder key: it reaches the developer portal (or staff review) API, never a tenant's data.
    """

    __tablename__ = "user_keys"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    key_prefix: Mapped[str] = mapped_column(String(8))
    scopes: Mapped[list[str]] = mapped_column(StringList())
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]


class WebSession(Base):
    """A signed-in browser: the cookie holds a random token, the table its SHA-256."""

    __tablename__ = "web_sessions"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(index=True)
