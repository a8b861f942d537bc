from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Literal

import msgspec
from msgspec import UNSET, UnsetType

from service.fields import Name
from service.http.pagination import Page

__all__ = ["ScheduleCreate", "ScheduleOut", "SchedulePage", "ScheduleUpdate", "TaskIn", "TaskOut", "TaskStatus"]

TaskStatus = Literal["not_started", "in_progress", "done", "blocked"]
Key = Annotated[
    str,
    msgspec.Meta(
        pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,49}$",
        description="The task's name within its schedule, unique there; dependencies refer to it.",
        examples=["framing"],
    ),
]
Percent = Annotated[int, msgspec.Meta(ge=0, le=100)]


class TaskIn(msgspec.Struct, forbid_unknown_fields=True):
    key: Key
    name: Name
    start_date: date
    end_date: date
    status: TaskStatus = "not_started"
    percent_complete: Percent = 0
    depends_on: Annotated[
        list[Key], msgspec.Meta(max_length=100, description="Keys of tasks of this schedule that must finish first.")
    ] = []


Tasks = Annotated[list[TaskIn], msgspec.Meta(max_length=1000)]


class ScheduleCreate(msgspec.Struct, forbid_unknown_fields=True):
    project_id: uuid.UUID
    name: Name
    tasks: Tasks = []


class ScheduleUpdate(msgspec.Struct, forbid_unknown_fields=True):
    """Only the fields given change; ``tasks`` replaces every task. The project is fixed."""

    name: Name | UnsetType = UNSET
    tasks: Tasks | UnsetType = UNSET


class TaskOut(msgspec.Struct):
    key: str
    name: str
    start_date: date
    end_date: date
    status: TaskStatus
    percent_complete: int
    depends_on: list[str]


class ScheduleOut(msgspec.Struct):
    id: uuid.UUID
    project_id: uuid.UUID
    name: str
    tasks: list[TaskOut]
    version: int
    created_at: datetime
    updated_at: datetime


class SchedulePage(Page[ScheduleOut]):
    data: list[ScheduleOut]  # named again: OpenAPI documents the items
