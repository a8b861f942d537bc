"""The body of a webhook message: ``{"id", "type", "timestamp", "sequence", "data"}``.

``id`` is the event's stable id (also sent as ``webhook-id``, so receivers de-duplicate retries
and replays by it); ``sequence`` increases with every change to the same entity, so a receiver
can drop an update older than one it already applied.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import msgspec

__all__ = ["Message", "body", "message"]


class Message(msgspec.Struct):
    id: str
    type: str
    timestamp: str
    sequence: int
    data: dict[str, Any]


_encode = msgspec.json.Encoder().encode


def message(event_id: uuid.UUID, event_type: str, created_at: datetime, sequence: int, data: dict[str, Any]) -> Message:
    stamp = created_at.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")
    return Message(str(event_id), event_type, stamp, sequence, data)


def body(event_id: uuid.UUID, event_type: str, created_at: datetime, sequence: int, data: dict[str, Any]) -> bytes:
    return _encode(message(event_id, event_type, created_at, sequence, data))
