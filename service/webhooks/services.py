"""Subscriptions and what a builder can do with their deliveries: test, replay, recover,
enable, rotate the secret. The worker (``service.webhooks.worker``) does the sending; it calls
``disable`` when an endpoint has failed for good. Services flush; the caller owns the commit.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.orm import Session

from service.crypto import Sealer
from service.errors import Conflict, InsufficientScope, InvalidInput, NotFound
from service.events.catalogue import EVENT_TYPES, WebhookNotice, matches, unknown_selectors
from service.events.models import Event
from service.events.services import record
from service.scopes import grants
from service.webhooks import signing
from service.webhooks.fanout import new_delivery
from service.webhooks.models import WebhookDelivery, WebhookSubscription
from service.webhooks.repositories import SUBSCRIPTION_COLUMNS
from service.webhooks.schemas import RecoverOut, RotatedSecret, WebhookCreated, WebhookIn, WebhookOut

__all__ = [
    "MAX_RECOVER_WINDOW",
    "MAX_SUBSCRIPTIONS",
    "SECRET_PURPOSE",
    "Owner",
    "check_readable",
    "check_selection",
    "create_subscription",
    "delete_subscription",
    "disable",
    "enable",
    "end_app_subscriptions",
    "recover",
    "render",
    "render_subscription",
    "replace_subscription",
    "replay",
    "rotate_secret",
    "send_test",
]

SECRET_PURPOSE = "webhook-secrets"  # noqa: S105 (an HKDF label, not a secret)
MAX_SUBSCRIPTIONS = 100  # per builder
MAX_RECOVER_WINDOW = timedelta(days=31)
DELIVERIES = WebhookDelivery.__table__.c
#: reads every event, so it may receive any of them
ALL_EVENTS_SCOPE = "read:events"


@dataclass(frozen=True, slots=True)
class Owner:
    """Whose webhooks a caller works with. The builder's own keys see all of the builder's; an
    OAuth app acting for the builder sees and manages only the ones it made, which are its own."""

    builder_id: uuid.UUID
    app_id: uuid.UUID | None = None


def check_selection(event_types: list[str]) -> list[str]:
    selection = list(dict.fromkeys(s.strip() for s in event_types))
    if unknown := unknown_selectors(selection):
        raise InvalidInput.field(
            "event_types",
            f"unknown event type {', '.join(unknown)}; GET /api/v1/webhooks/event-types lists them",
        )
    return selection


def check_readable(event_types: Iterable[str], held: Iterable[str]) -> None:
    """A webhook carries its events' data, so selecting a type needs the scope that reads that
    data: ``invoice.*`` needs ``read:invoices`` (or ``read:events``, which reads every event)."""
    held = frozenset(held)
    if grants(held, ALL_EVENTS_SCOPE):
        return
    for selector in event_types:
        for event_type in EVENT_TYPES.values():
            if matches(selector, event_type.name) and not grants(held, event_type.scope):
                raise InsufficientScope(
                    event_type.scope,
                    f"selecting {selector} needs the scope {event_type.scope!r} (or {ALL_EVENTS_SCOPE!r}): "
                    f"its events carry that data",
                )


def get_subscription(session: Session, owner: Owner, subscription_id: uuid.UUID) -> WebhookSubscription:
    query = select(WebhookSubscription).where(
        WebhookSubscription.builder_id == owner.builder_id, WebhookSubscription.id == subscription_id
    )
    if owner.app_id is not None:
        query = query.where(WebhookSubscription.app_id == owner.app_id)
    sub = session.scalars(query).first()
    if sub is None:
        raise NotFound(f"no webhook {subscription_id}")
    return sub


def create_subscription(session: Session, owner: Owner, data: WebhookIn, sealer: Sealer) -> WebhookCreated:
    count = session.scalar(
        select(func.count()).select_from(WebhookSubscription).where(WebhookSubscription.builder_id == owner.builder_id)
    )
    if (count or 0) >= MAX_SUBSCRIPTIONS:
        raise Conflict(f"a builder can have at most {MAX_SUBSCRIPTIONS} webhooks; delete one first")
    secret = signing.new_secret()
    now = datetime.now(UTC)
    sub = WebhookSubscription(
        builder_id=owner.builder_id,
        app_id=owner.app_id,
        url=data.url,
        description=data.description,
        event_types=check_selection(data.event_types),
        secret=sealer.seal(secret.encode()),
        created_at=now,
        updated_at=now,
    )
    session.add(sub)
    session.flush()
    shown = render_subscription(sub)
    return WebhookCreated(**{f: getattr(shown, f) for f in shown.__struct_fields__}, secret=secret)


def replace_subscription(
    session: Session, owner: Owner, subscription_id: uuid.UUID, data: WebhookIn
) -> WebhookSubscription:
    sub = get_subscription(session, owner, subscription_id)
    sub.url = data.url
    sub.description = data.description
    sub.event_types = check_selection(data.event_types)
    if session.is_modified(sub):
        sub.updated_at = datetime.now(UTC)
        session.flush()
    return sub


def delete_subscription(session: Session, owner: Owner, subscription_id: uuid.UUID) -> None:
    session.delete(get_subscription(session, owner, subscription_id))
    session.flush()


def end_app_subscriptions(session: Session, builder_id: uuid.UUID, app_id: uuid.UUID) -> int:
    """The builder withdrew the app: its subscriptions for the builder go, with their queued
    deliveries (an attempt in flight finishes, and its result has nowhere to land)."""
    ended: int = session.execute(  # type: ignore[attr-defined]
        delete(WebhookSubscription)
        .where(WebhookSubscription.builder_id == builder_id, WebhookSubscription.app_id == app_id)
        .execution_options(synchronize_session=False)
    ).rowcount
    return ended


def rotate_secret(
    session: Session, owner: Owner, subscription_id: uuid.UUID, overlap_seconds: int, sealer: Sealer
) -> RotatedSecret:
    """A new secret at once; the old one keeps signing too (a second signature) for the overlap."""
    sub = get_subscription(session, owner, subscription_id)
    secret = signing.new_secret()
    now = datetime.now(UTC)
    sub.previous_secret = sub.secret if overlap_seconds else None
    sub.previous_secret_expires_at = now + timedelta(seconds=overlap_seconds) if overlap_seconds else None
    sub.secret = sealer.seal(secret.encode())
    sub.updated_at = now
    session.flush()
    return RotatedSecret(secret=secret, previous_secret_expires_at=sub.previous_secret_expires_at)


def enable(session: Session, owner: Owner, subscription_id: uuid.UUID) -> WebhookSubscription:
    sub = get_subscription(session, owner, subscription_id)
    if not sub.enabled:
        sub.enabled = True
        sub.disabled_reason = None
        sub.disabled_at = None
        sub.consecutive_failures = 0
        sub.updated_at = datetime.now(UTC)
        session.flush()
    return sub


def disable(session: Session, subscription_id: uuid.UUID, reason: str, now: datetime) -> bool:
    """Turn an endpoint off (the worker's call): its queued deliveries fail, and a
    ``webhook.disabled`` event tells the builder's other subscriptions. False if already off."""
    sub = session.get(WebhookSubscription, subscription_id)
    if sub is None or not sub.enabled:
        return False
    sub.enabled = False
    sub.disabled_reason = reason
    sub.disabled_at = now
    sub.updated_at = now
    session.flush()
    session.execute(
        update(WebhookDelivery)
        .where(DELIVERIES.subscription_id == subscription_id, DELIVERIES.state == "pending")
        .values(state="failed", next_attempt_at=None, last_error="the webhook was disabled", updated_at=now)
    )
    _notice(session, sub, "webhook.disabled", reason=reason)
    return True


def _notice(session: Session, sub: WebhookSubscription, event_type: str, *, reason: str | None = None) -> Event:
    """A ``webhook.*`` event about ``sub``; its own counter gives it a sequence."""
    sequence = session.execute(
        update(WebhookSubscription)
        .where(WebhookSubscription.id == sub.id)
        .values(notices=WebhookSubscription.notices + 1)
        .returning(WebhookSubscription.notices)
        .execution_options(synchronize_session=False)
    ).scalar_one()
    return record(
        session,
        builder_id=sub.builder_id,
        type=event_type,
        entity_id=sub.id,
        sequence=sequence,
        data=WebhookNotice(subscription_id=str(sub.id), url=sub.url, reason=reason),
        only_subscription=sub.id if event_type == "webhook.test" else None,
        notice_app=sub.app_id,
    )


def send_test(session: Session, owner: Owner, subscription_id: uuid.UUID) -> uuid.UUID:
    """A ``webhook.test`` event queued for this endpoint alone, whatever it selects; the delivery id."""
    sub = get_subscription(session, owner, subscription_id)
    event = _notice(session, sub, "webhook.test")
    delivery_id: uuid.UUID = session.execute(select(DELIVERIES.id).where(DELIVERIES.event_id == event.id)).scalar_one()
    return delivery_id


def replay(session: Session, owner: Owner, subscription_id: uuid.UUID, delivery_id: uuid.UUID) -> uuid.UUID:
    """Send a finished delivery's event again, as a new delivery with its own log."""
    sub = get_subscription(session, owner, subscription_id)
    original = session.execute(
        select(DELIVERIES.event_id, DELIVERIES.event_type, DELIVERIES.state).where(
            DELIVERIES.id == delivery_id, DELIVERIES.subscription_id == sub.id
        )
    ).first()
    if original is None:
        raise NotFound(f"no delivery {delivery_id} for webhook {subscription_id}")
    if original.state not in ("succeeded", "failed"):
        raise Conflict(f"delivery {delivery_id} is still {original.state}; replay it once it has finished")
    row = new_delivery(
        builder_id=sub.builder_id,
        subscription_id=sub.id,
        event_id=original.event_id,
        event_type=original.event_type,
        now=datetime.now(UTC),
        replay_of=delivery_id,
    )
    session.execute(insert(WebhookDelivery), [row])
    new: uuid.UUID = row["id"]
    return new


def recover(
    session: Session, owner: Owner, subscription_id: uuid.UUID, since: datetime, until: datetime | None
) -> RecoverOut:
    """Queue again what failed since ``since``, and queue events this endpoint never got
    (while it was disabled, say) that it selects now."""
    sub = get_subscription(session, owner, subscription_id)
    now = datetime.now(UTC)
    until = until or now
    if until <= since:
        raise InvalidInput.field("until", "must be after since")
    if until - since > MAX_RECOVER_WINDOW:
        raise InvalidInput.field("since", f"recover at most {MAX_RECOVER_WINDOW.days} days at a time")
    requeued: int = session.execute(  # type: ignore[attr-defined]
        update(WebhookDelivery)
        .where(
            DELIVERIES.subscription_id == sub.id,
            DELIVERIES.state == "failed",
            DELIVERIES.created_at >= since,
            DELIVERIES.created_at < until,
        )
        .values(state="pending", next_attempt_at=now, round_attempts=0, lease_owner=None, updated_at=now)
    ).rowcount
    events = session.execute(
        select(Event.id, Event.type).where(
            Event.builder_id == sub.builder_id,
            Event.created_at >= since,
            Event.created_at < until,
            Event.type != "webhook.test",
            ~select(DELIVERIES.id)
            .where(DELIVERIES.subscription_id == sub.id, DELIVERIES.event_id == Event.id)
            .exists(),
        )
    ).all()
    missing = [
        new_delivery(builder_id=sub.builder_id, subscription_id=sub.id, event_id=eid, event_type=etype, now=now)
        for eid, etype in events
        if any(matches(s, etype) for s in sub.event_types)
    ]
    if missing:
        session.execute(insert(WebhookDelivery), missing)
    return RecoverOut(requeued=requeued or 0, created=len(missing))


def render(row: Sequence[Any]) -> WebhookOut:
    """A row of ``SUBSCRIPTION_COLUMNS``, in WebhookOut's field order."""
    return WebhookOut(*row)


def render_subscription(sub: WebhookSubscription) -> WebhookOut:
    return render([getattr(sub, column.key) for column in SUBSCRIPTION_COLUMNS])
