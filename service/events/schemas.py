from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

import msgspec

from service.http.pagination import Page

__all__ = ["EventOut", "EventPage"]


class EventOut(msgspec.Struct):
    id: Annotated[uuid.UUID, msgspec.Meta(description="Stable: the same event always has this id.")]
    type: Annotated[str, msgspec.Meta(examples=["project.created"])]
    timestamp: datetime
    entity_id: uuid.UUID
    sequence: Annotated[
        int, msgspec.Meta(description="Per entity, increasing; a receiver can drop an update older than one it has.")
    ]
    data: dict[str, Any]


class EventPage(Page[EventOut]):
    data: list[EventOut]  # named again: OpenAPI documents the items
