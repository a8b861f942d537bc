"""Applications, their reviews, and what the authorization server issues.

Every credential (client secret, authorization code, access and refresh token) is stored as the
SHA-256 of its text, with a short prefix to recognise it in lists; the text is shown once.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from service.db.base import Base, StringList, utcnow

__all__ = [
    "AppReview",
    "AppStatus",
    "AuthorizationCode",
    "ClientType",
    "OAuthApplication",
    "OAuthAuthorization",
    "OAuthGrant",
    "OAuthToken",
]


class ClientType(StrEnum):
    PUBLIC = "public"
    CONFIDENTIAL = "confidential"


class AppStatus(StrEnum):
    WAITLISTED = "waitlisted"  # held by the registration waitlist; staff admit it to draft
    DRAFT = "draft"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    CHANGES_REQUESTED = "changes_requested"
    REJECTED = "rejected"


class OAuthApplication(Base):
    """A developer's app (the spec's ``oauth_applications``)."""

    __tablename__ = "oauth_applications"
    __table_args__ = (
        CheckConstraint("client_type IN ('public', 'confidential')", name="client_type"),
        CheckConstraint(
            "status IN ('waitlisted', 'draft', 'submitted', 'approved', 'changes_requested', 'rejected')",
            name="status",
        ),
        Index("ix_oauth_applications_developer_id_created_at", "developer_id", "created_at", "id"),
    )

    developer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    client_id: Mapped[str] = mapped_column(String(64), unique=True)
    client_type: Mapped[str] = mapped_column(String(20))
    client_secret_hash: Mapped[str | None] = mapped_column(String(64))
    client_secret_prefix: Mapped[str | None] = mapped_column(String(8))
    name: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(Text, default="")
    redirect_uris: Mapped[list[str]] = mapped_column(StringList())
    scopes: Mapped[list[str]] = mapped_column(StringList())
    logo_url: Mapped[str | None] = mapped_column(String(2000))
    homepage_url: Mapped[str | None] = mapped_column(String(2000))
    status: Mapped[str] = mapped_column(String(20), default=AppStatus.DRAFT.value)
    review_reason: Mapped[str | None] = mapped_column(Text)
    submitted_at: Mapped[datetime | None]
    reviewed_at: Mapped[datetime | None]
    published_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class AppReview(Base):
    """One decision by staff on a submitted app, with its reason (the review history)."""

    __tablename__ = "oauth_app_reviews"

    app_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("oauth_applications.id", ondelete="CASCADE"), index=True)
    reviewer_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decision: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class OAuthAuthorization(Base):
    """A builder's standing authorization of one app: what the builder sees as an authorized app.
    Revoking it ends every grant (and so every token) issued under it."""

    __tablename__ = "oauth_authorizations"
    __table_args__ = (
        UniqueConstraint("builder_id", "app_id"),
        Index("ix_oauth_authorizations_builder_id_created_at", "builder_id", "created_at", "id"),
    )

    builder_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("builders.id", ondelete="CASCADE"))
    app_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("oauth_applications.id", ondelete="CASCADE"))
    user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    scopes: Mapped[list[str]] = mapped_column(StringList())
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]


class AuthorizationCode(Base):
    """A single-use code, bound to its client, redirect URI and PKCE challenge."""

    __tablename__ = "oauth_codes"

    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    authorization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("oauth_authorizations.id", ondelete="CASCADE"), index=True
    )
    app_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("oauth_applications.id", ondelete="CASCADE"))
    user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    redirect_uri: Mapped[str] = mapped_column(String(2000))
    scopes: Mapped[list[str]] = mapped_column(StringList())
    code_challenge: Mapped[str] = mapped_column(String(128))
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    grant_id: Mapped[uuid.UUID | None]  # the grant its exchange created: revoked if the code is replayed
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class OAuthGrant(Base):
    """One chain of tokens from one code exchange; refresh rotation stays inside it, and a replayed
    refresh token or code revokes all of it."""

    __tablename__ = "oauth_grants"

    authorization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("oauth_authorizations.id", ondelete="CASCADE"), index=True
    )
    app_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("oauth_applications.id", ondelete="CASCADE"))
    builder_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("builders.id", ondelete="CASCADE"), index=True)
    scopes: Mapped[list[str]] = mapped_column(StringList())
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]
    revoked_reason: Mapped[str | None] = mapped_column(String(50))


class OAuthToken(Base):
    """An access (``jst_at_…``) or refresh (``jst_rt_…``) token of a grant."""

    __tablename__ = "oauth_tokens"
    __table_args__ = (CheckConstraint("kind IN ('access', 'refresh')", name="kind"),)

    grant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("oauth_grants.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    token_prefix: Mapped[str] = mapped_column(String(8))
    scopes: Mapped[list[str]] = mapped_column(StringList())
    expires_at: Mapped[datetime]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    used_at: Mapped[datetime | None]  # a refresh token's rotation
    revoked_at: Mapped[datetime | None]
