"""Turning an event into deliveries, inside the transaction that records the event.

Every subscription of the builder that is enabled and selects the event's type gets one
pending delivery, due at once. A ``webhook.*`` notice tells of one subscription, so only the
builder's own subscriptions and those of the same app hear of it: an app never learns the
address of a webhook it cannot see. Because the deliveries commit with the event (and the event with
the change), a committed change is never without its deliveries, and the worker needs no
separate pass over the outbox in commit order.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from service.db.base import new_id
from service.events.catalogue import matches
from service.webhooks.models import WebhookDelivery, WebhookSubscription

__all__ = ["fan_out", "new_delivery"]

SUBS = WebhookSubscription.__table__.c


def new_delivery(
    *,
    builder_id: uuid.UUID,
    subscription_id: uuid.UUID,
    event_id: uuid.UUID,
    event_type: str,
    now: datetime,
    **extra: Any,
) -> dict[str, Any]:
    return {
        "id": new_id(),
        "builder_id": builder_id,
        "subscription_id": subscription_id,
        "event_id": event_id,
        "event_type": event_type,
        "state": "pending",
        "attempt_count": 0,
        "round_attempts": 0,
        "next_attempt_at": now,
        "created_at": now,
        "updated_at": now,
        **extra,
    }


def fan_out(
    session: Session,
    *,
    builder_id: uuid.UUID,
    event_id: uuid.UUID,
    event_type: str,
    now: datetime,
    only: uuid.UUID | None = None,
    notice_app: uuid.UUID | None = None,
) -> int:
    """Queue the event for every matching subscription (or just ``only``, whatever it selects);
    a ``webhook.*`` notice about a webhook of ``notice_app`` (None: the builder's own) for the
    builder's own subscriptions and that app's."""
    if only is not None:
        targets = [only]
    else:
        rows = session.execute(
            select(SUBS.id, SUBS.event_types, SUBS.app_id).where(SUBS.builder_id == builder_id, SUBS.enabled.is_(True))
        ).all()
        notice = event_type.startswith("webhook.")
        targets = [
            sid
            for sid, selectors, app_id in rows
            if (not notice or app_id is None or app_id == notice_app) and any(matches(s, event_type) for s in selectors)
        ]
    if targets:
        session.execute(
            insert(WebhookDelivery),
            [
                new_delivery(
                    builder_id=builder_id, subscription_id=sid, event_id=event_id, event_type=event_type, now=now
                )
                for sid in targets
            ],
        )
    return len(targets)
