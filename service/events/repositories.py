from __future__ import annotations

from sqlalchemy import bindparam

from service.events.models import Event
from service.http.pagination import ListQuery

__all__ = ["EVENTS", "EVENT_LIST"]

EVENTS = Event.__table__.c
LIST_COLUMNS = (EVENTS.id, EVENTS.type, EVENTS.created_at, EVENTS.entity_id, EVENTS.sequence, EVENTS.data)

EVENT_LIST = ListQuery(
    LIST_COLUMNS,
    tenant=EVENTS.builder_id,
    created_at=EVENTS.created_at,
    ident=EVENTS.id,
    filters={
        "type": EVENTS.type == bindparam("type"),
        "category": EVENTS.entity_type == bindparam("category"),
        "entity_id": EVENTS.entity_id == bindparam("entity_id"),
        "created_after": EVENTS.created_at > bindparam("created_after"),
        "created_before": EVENTS.created_at < bindparam("created_before"),
    },
)
