from __future__ import annotations

from sqlalchemy import bindparam, select

from service.http.filters import time_clauses
from service.http.pagination import ListQuery
from service.records import ChildQuery
from service.schedules.models import Schedule, ScheduleTask

__all__ = ["LIST_COLUMNS", "ONE_SCHEDULE", "SCHEDULES", "SCHEDULE_LIST", "SCHEDULE_TASKS", "TASK_COLUMNS"]

SCHEDULES = Schedule.__table__.c
TASKS = ScheduleTask.__table__.c
# Rows render by position (see services.render); the id comes first.
LIST_COLUMNS = (
    SCHEDULES.id,
    SCHEDULES.project_id,
    SCHEDULES.name,
    SCHEDULES.version,
    SCHEDULES.created_at,
    SCHEDULES.updated_at,
)
TASK_COLUMNS = (
    TASKS.schedule_id,
    TASKS.position,
    TASKS.key,
    TASKS.name,
    TASKS.start_date,
    TASKS.end_date,
    TASKS.status,
    TASKS.percent_complete,
    TASKS.depends_on,
)

SCHEDULE_LIST = ListQuery(
    LIST_COLUMNS,
    tenant=SCHEDULES.builder_id,
    created_at=SCHEDULES.created_at,
    ident=SCHEDULES.id,
    filters={
        "project_id": SCHEDULES.project_id == bindparam("project_id"),
        **time_clauses(SCHEDULES.created_at, SCHEDULES.updated_at),
    },
)
ONE_SCHEDULE = select(*LIST_COLUMNS).where(
    SCHEDULES.builder_id == bindparam("builder_id"), SCHEDULES.id == bindparam("id")
)
SCHEDULE_TASKS = ChildQuery(TASK_COLUMNS, tenant=TASKS.builder_id, parent=TASKS.schedule_id, order=TASKS.position)
