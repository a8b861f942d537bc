"""Schedules and their tasks. A task's ``depends_on`` names other tasks of the same schedule by
key (finish-to-start): they must exist, must not form a cycle, and must end before it starts."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session, selectinload

from service.errors import FieldError
from service.projects.models import Project
from service.records import as_row, blank, changes_of, emit, fail_on, owned, referenced, remove, save_change
from service.schedules.models import Schedule, ScheduleTask
from service.schedules.repositories import LIST_COLUMNS, TASK_COLUMNS
from service.schedules.schemas import ScheduleCreate, ScheduleOut, ScheduleUpdate, TaskIn, TaskOut

__all__ = ["create_schedule", "delete_schedule", "find_cycle", "render", "render_schedule", "update_schedule"]

CATEGORY = "schedule"


def _task_errors(i: int, task: TaskIn, index: dict[str, int]) -> list[FieldError | None]:
    at = f"tasks[{i}]"
    errors: list[FieldError | None] = [blank(f"{at}.name", task.name)]
    if index[task.key] != i:
        errors.append(FieldError(f"{at}.key", f"task {index[task.key]} has the key {task.key!r} already"))
    if task.end_date < task.start_date:
        errors.append(FieldError(f"{at}.end_date", "must not be before start_date"))
    if task.status == "done" and task.percent_complete != 100:
        errors.append(FieldError(f"{at}.percent_complete", "a done task is 100 percent complete"))
    if len(set(task.depends_on)) != len(task.depends_on):
        errors.append(FieldError(f"{at}.depends_on", "names a task more than once"))
    errors += [
        FieldError(f"{at}.depends_on", f"no task {key!r} in this schedule")
        for key in task.depends_on
        if key not in index
    ]
    return errors


def _order_errors(i: int, task: TaskIn, index: dict[str, int], tasks: list[TaskIn]) -> list[FieldError]:
    """A task starts no earlier than the tasks it depends on end (once there is no cycle)."""
    return [
        FieldError(f"tasks[{i}].start_date", f"is before {key!r}, which it depends on, ends ({end.isoformat()})")
        for key in task.depends_on
        if (end := tasks[index[key]].end_date) > task.start_date
    ]


def find_cycle(depends_on: dict[str, list[str]]) -> list[str] | None:
    """A dependency cycle as the keys along it, the first repeated at the end (``a → b → a``:
    a depends on b, which depends on a), or None. Depth first, without recursion."""
    done: set[str] = set()
    for root, first in depends_on.items():
        if root in done:
            continue
        path, on_path = [root], {root}
        stack = [iter(first)]
        while stack:
            step = next(stack[-1], None)
            if step is None:
                stack.pop()
                finished = path.pop()
                on_path.discard(finished)
                done.add(finished)
            elif step in on_path:
                return [*path[path.index(step) :], step]
            elif step not in done:
                path.append(step)
                on_path.add(step)
                stack.append(iter(depends_on[step]))
    return None


def _tasks(builder_id: uuid.UUID, tasks: list[TaskIn]) -> list[ScheduleTask]:
    index: dict[str, int] = {}
    for i, task in enumerate(tasks):
        index.setdefault(task.key, i)
    fail_on([error for i, task in enumerate(tasks) for error in _task_errors(i, task, index)])
    cycle = find_cycle({task.key: task.depends_on for task in tasks})
    if cycle is not None:
        fail_on([FieldError(f"tasks[{index[cycle[0]]}].depends_on", "dependency cycle: " + " → ".join(cycle))])
    fail_on([error for i, task in enumerate(tasks) for error in _order_errors(i, task, index, tasks)])
    return [
        ScheduleTask(
            builder_id=builder_id,
            position=i,
            key=task.key,
            name=task.name.strip(),
            start_date=task.start_date,
            end_date=task.end_date,
            status=task.status,
            percent_complete=task.percent_complete,
            depends_on=list(task.depends_on),
        )
        for i, task in enumerate(tasks)
    ]


def _key(tasks: Sequence[ScheduleTask]) -> list[list[Any]]:
    return [as_row(task, TASK_COLUMNS[2:]) for task in tasks]


def create_schedule(session: Session, builder_id: uuid.UUID, data: ScheduleCreate) -> Schedule:
    fail_on([blank("name", data.name)])
    referenced(session, Project, builder_id, data.project_id, "project_id", "project")
    now = datetime.now(UTC)
    schedule = Schedule(
        builder_id=builder_id,
        project_id=data.project_id,
        name=data.name.strip(),
        tasks=_tasks(builder_id, data.tasks),
        created_at=now,
        updated_at=now,
    )
    session.add(schedule)
    session.flush()
    emit(session, CATEGORY, schedule, "created", render_schedule(schedule))
    return schedule


def get_schedule(session: Session, builder_id: uuid.UUID, schedule_id: uuid.UUID) -> Schedule:
    return owned(session, Schedule, builder_id, schedule_id, "schedule", selectinload(Schedule.tasks))


def update_schedule(session: Session, builder_id: uuid.UUID, schedule_id: uuid.UUID, data: ScheduleUpdate) -> Schedule:
    schedule = get_schedule(session, builder_id, schedule_id)
    changes = changes_of(data)
    if "name" in changes:
        fail_on([blank("name", changes["name"])])
        schedule.name = changes["name"].strip()
    if "tasks" in changes:
        tasks = _tasks(builder_id, changes["tasks"])
        if _key(tasks) != _key(schedule.tasks):
            schedule.tasks = tasks
    if save_change(session, schedule):
        emit(session, CATEGORY, schedule, "updated", render_schedule(schedule))
    return schedule


def delete_schedule(session: Session, builder_id: uuid.UUID, schedule_id: uuid.UUID) -> None:
    schedule = get_schedule(session, builder_id, schedule_id)
    last = render_schedule(schedule)
    remove(session, schedule, "schedule", "dependent records")
    emit(session, CATEGORY, schedule, "deleted", last, deleted=True)


def render(row: Sequence[Any], tasks: Sequence[Sequence[Any]]) -> ScheduleOut:
    """A row of ``LIST_COLUMNS`` and its rows of ``TASK_COLUMNS`` as the API shows them."""
    (sid, project_id, name, version, created, updated) = row
    return ScheduleOut(sid, project_id, name, [TaskOut(*task[2:]) for task in tasks], version, created, updated)


def render_schedule(schedule: Schedule) -> ScheduleOut:
    return render(as_row(schedule, LIST_COLUMNS), [as_row(task, TASK_COLUMNS) for task in schedule.tasks])
