from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column, relationship

from service.db.base import Base, StringList, utcnow

__all__ = ["Schedule", "ScheduleTask"]


class Schedule(Base):
    __tablename__ = "schedules"
    __table_args__ = (
        Index("ix_schedules_builder_id_created_at", "builder_id", "created_at", "id"),
        Index("ix_schedules_project_id", "project_id"),
    )

    builder_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("builders.id", ondelete="CASCADE"))
    project_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("projects.id"))
    name: Mapped[str] = mapped_column(String(200))
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    tasks: Mapped[list[ScheduleTask]] = relationship(
        order_by="ScheduleTask.position", cascade="all, delete-orphan", passive_deletes=True, lazy="raise"
    )

    __mapper_args__ = {"version_id_col": version}


class ScheduleTask(Base):
    __tablename__ = "schedule_tasks"
    __table_args__ = (
        CheckConstraint("status IN ('not_started', 'in_progress', 'done', 'blocked')", name="status"),
        CheckConstraint("percent_complete BETWEEN 0 AND 100", name="percent_complete"),
        Index("ix_schedule_tasks_schedule_id_position", "schedule_id", "position"),
    )

    builder_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("builders.id", ondelete="CASCADE"))
    schedule_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("schedules.id", ondelete="CASCADE"))
    position: Mapped[int]
    key: Mapped[str] = mapped_column(String(50))
    name: Mapped[str] = mapped_column(String(200))
    start_date: Mapped[date]
    end_date: Mapped[date]
    status: Mapped[str] = mapped_column(String(20))
    percent_complete: Mapped[int]
    depends_on: Mapped[list[str]] = mapped_column(StringList())
