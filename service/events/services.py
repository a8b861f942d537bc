"""Recording events. Call ``record`` in the same session as the change it describes, so the
change, its event and the event's webhook deliveries commit (or roll back) together."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import msgspec
from sqlalchemy.orm import Session

from service.events.models import Event
from service.events.schemas import EventOut
from service.webhooks.fanout import fan_out

__all__ = ["record", "render"]


def record(
    session: Session,
    *,
    builder_id: uuid.UUID,
    type: str,
    entity_id: uuid.UUID,
    sequence: int,
    data: msgspec.Struct,
    only_subscription: uuid.UUID | None = None,
    notice_app: uuid.UUID | None = None,
) -> Event:
    """Record a change's event and queue its deliveries (``service.webhooks.fanout``).
    ``notice_app``: for a ``webhook.*`` notice, the app whose webhook it tells of (None: one of
    the builder's own)."""
    now = datetime.now(UTC)
    event = Event(
        builder_id=builder_id,
        type=type,
        entity_type=type.rsplit(".", 1)[0],
        entity_id=entity_id,
        sequence=sequence,
        data=msgspec.to_builtins(data),
        created_at=now,
    )
    session.add(event)
    session.flush()
    fan_out(
        session,
        builder_id=builder_id,
        event_id=event.id,
        event_type=type,
        now=now,
        only=only_subscription,
        notice_app=notice_app,
    )
    return event


def render(row: Sequence[Any]) -> EventOut:
    """A row of ``LIST_COLUMNS`` (id, type, created_at, entity_id, sequence, data)."""
    event_id, event_type, created_at, entity_id, sequence, data = row
    return EventOut(event_id, event_type, created_at, entity_id, sequence, data)
