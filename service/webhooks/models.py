"""Subscriptions, one delivery per (subscription, event) and the log of every attempt.

A delivery is claimable when ``state`` is ``pending`` or ``delivering`` and ``next_attempt_at``
has come. Claiming sets ``delivering`` and moves ``next_attempt_at`` to the end of a lease, so a
worker that dies mid-attempt (``kill -9``) leaves a delivery that another worker takes up once
the lease runs out, and a live attempt is never made twice at once (the lease outlasts the
15 s attempt timeout). Terminal deliveries (``succeeded``, ``failed``) have no
``next_attempt_at``, which keeps them out of the claim index.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Index, LargeBinary, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from service.db.base import Base, JSONDoc, StringList, utcnow

__all__ = ["DELIVERY_STATES", "WebhookAttempt", "WebhookDelivery", "WebhookSubscription"]

DELIVERY_STATES = ("pending", "delivering", "succeeded", "failed")


class WebhookSubscription(Base):
    __tablename__ = "webhook_subscriptions"
    __table_args__ = (
        Index("ix_webhook_subscriptions_builder_id_created_at", "builder_id", "created_at", "id"),
        Index("ix_webhook_subscriptions_app_id", "app_id"),
    )

    builder_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("builders.id", ondelete="CASCADE"))
    # The OAuth app that subscribed for the builder (None: the builder's own key). Such a
    # subscription is the app's: only the app and the builder's own keys see it, and it ends when
    # the builder withdraws the app's authorization.
    app_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("oauth_applications.id", ondelete="CASCADE"))
    url: Mapped[str] = mapped_column(String(2048))
    description: Mapped[str | None] = mapped_column(String(500))
    event_types: Mapped[list[str]] = mapped_column(StringList())
    # whsec_ secrets sealed with the instance key (HMAC needs the secret itself, see crypto.Sealer).
    secret: Mapped[bytes] = mapped_column(LargeBinary)
    previous_secret: Mapped[bytes | None] = mapped_column(LargeBinary)
    previous_secret_expires_at: Mapped[datetime | None]
    enabled: Mapped[bool] = mapped_column(default=True)
    disabled_reason: Mapped[str | None] = mapped_column(String(200))
    disabled_at: Mapped[datetime | None]
    consecutive_failures: Mapped[int] = mapped_column(default=0)
    notices: Mapped[int] = mapped_column(default=0)  # sequence of this subscription's webhook.* events
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    __mapper_args__ = {"version_id_col": version}


class WebhookDelivery(Base):
    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        CheckConstraint("state IN ('pending', 'delivering', 'succeeded', 'failed')", name="state"),
        CheckConstraint("(next_attempt_at IS NULL) = (state IN ('succeeded', 'failed'))", name="due_only_while_open"),
        Index("ix_webhook_deliveries_subscription_id_created_at", "subscription_id", "created_at", "id"),
        Index(
            "ix_webhook_deliveries_next_attempt_at",
            "next_attempt_at",
            sqlite_where=text("next_attempt_at IS NOT NULL"),
            postgresql_where=text("next_attempt_at IS NOT NULL"),
        ),
        Index("ix_webhook_deliveries_event_id", "event_id"),
    )

    builder_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("builders.id", ondelete="CASCADE"))
    subscription_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("webhook_subscriptions.id", ondelete="CASCADE"))
    event_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    event_type: Mapped[str] = mapped_column(String(100))
    state: Mapped[str] = mapped_column(String(20), default="pending")
    attempt_count: Mapped[int] = mapped_column(default=0)
    # Attempts in the current round: a replay or recovery starts the retry schedule again.
    round_attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime | None]
    lease_owner: Mapped[str | None] = mapped_column(String(100))
    last_status: Mapped[int | None]
    last_error: Mapped[str | None] = mapped_column(String(500))
    replay_of: Mapped[uuid.UUID | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class WebhookAttempt(Base):
    __tablename__ = "webhook_attempts"
    __table_args__ = (Index("ix_webhook_attempts_delivery_id_number", "delivery_id", "number"),)

    delivery_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("webhook_deliveries.id", ondelete="CASCADE"))
    number: Mapped[int]
    started_at: Mapped[datetime]
    duration_ms: Mapped[int]
    url: Mapped[str] = mapped_column(String(2048))
    request_headers: Mapped[dict[str, Any]] = mapped_column(JSONDoc)
    status: Mapped[int | None]
    response_headers: Mapped[dict[str, Any] | None] = mapped_column(JSONDoc)
    response_body: Mapped[str | None] = mapped_column(Text)
    error: Mapped[str | None] = mapped_column(String(500))
    worker: Mapped[str] = mapped_column(String(100))
