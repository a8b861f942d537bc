from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from service.db.base import Base, JSONDoc, utcnow

__all__ = ["Event"]


class Event(Base):
    """One change to one entity, as receivers see it: ``<category>.<action>`` plus the object."""

    __tablename__ = "events"
    __table_args__ = (
        UniqueConstraint("entity_type", "entity_id", "sequence"),
        Index("ix_events_builder_id_created_at", "builder_id", "created_at", "id"),
    )

    builder_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("builders.id", ondelete="CASCADE"))
    type: Mapped[str] = mapped_column(String(100))
    entity_type: Mapped[str] = mapped_column(String(50))
    entity_id: Mapped[uuid.UUID]
    sequence: Mapped[int]
    data: Mapped[dict[str, Any]] = mapped_column(JSONDoc)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
