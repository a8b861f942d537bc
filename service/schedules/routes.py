from __future__ import annotations

import uuid
from typing import Any

from litestar import Controller, Request, Response, delete, get, patch, post
from litestar.datastructures import State
from litestar.params import FromPath, JSONBody

from service.db.database import database
from service.http.auth import needs, principal_of
from service.http.conditional import conditional, read_response
from service.http.filters import CreatedAfter, CreatedBefore, ProjectFilter, UpdatedAfter, time_filters
from service.http.pagination import Cursor, Limit, PageParams
from service.records import Guarded, created, fetch_with_children, page_with_children
from service.schedules import services
from service.schedules.models import Schedule
from service.schedules.repositories import ONE_SCHEDULE, SCHEDULE_LIST, SCHEDULE_TASKS
from service.schedules.schemas import ScheduleCreate, ScheduleOut, SchedulePage, ScheduleUpdate

__all__ = ["ScheduleController"]

SCHEDULES = Guarded(Schedule, "schedule")

ScheduleId = FromPath[uuid.UUID]


class ScheduleController(Controller):
    path = "/schedules"
    tags = ["Schedules"]

    @get("/", **needs("read:schedules"), operation_id="listSchedules", summary="List schedules, newest first")
    async def list_schedules(
        self,
        request: Request[Any, Any, Any],
        state: State,
        limit: Limit = 25,
        cursor: Cursor = None,
        created_after: CreatedAfter = None,
        created_before: CreatedBefore = None,
        updated_after: UpdatedAfter = None,
        project_id: ProjectFilter = None,
    ) -> SchedulePage:
        return await page_with_children(
            database(state),
            SCHEDULE_LIST,
            SCHEDULE_TASKS,
            principal_of(request).builder_id,
            PageParams.of(limit, cursor),
            services.render,
            SchedulePage,
            project_id=project_id,
            **time_filters(created_after, created_before, updated_after),
        )

    @post(
        "/",
        **needs("write:schedules"),
        **conditional("create"),
        operation_id="createSchedule",
        status_code=201,
        summary="Create a schedule",
        description="Tasks name their dependencies by key: each must be a task of the same schedule that "
        "ends no later than the dependent task starts, and there must be no cycle (400 naming it).",
    )
    async def create_schedule(
        self, request: Request[Any, Any, Any], state: State, data: JSONBody[ScheduleCreate]
    ) -> Response[ScheduleOut]:
        builder_id = principal_of(request).builder_id
        out = await database(state).write(
            lambda session: services.render_schedule(services.create_schedule(session, builder_id, data))
        )
        return created(out, "schedules", out.id)

    @get(
        "/{schedule_id:uuid}",
        **needs("read:schedules"),
        **conditional("read"),
        operation_id="getSchedule",
        summary="Get a schedule",
    )
    async def get_schedule(
        self, request: Request[Any, Any, Any], state: State, schedule_id: ScheduleId
    ) -> Response[ScheduleOut]:
        params = {"builder_id": principal_of(request).builder_id, "id": schedule_id}
        out = await fetch_with_children(
            database(state), ONE_SCHEDULE, SCHEDULE_TASKS, params, services.render, f"no schedule {schedule_id}"
        )
        return read_response(request, out)

    @patch(
        "/{schedule_id:uuid}",
        **needs("write:schedules"),
        **conditional("write"),
        operation_id="updateSchedule",
        summary="Change a schedule",
        description="Send only the fields to change; `tasks` replaces all the tasks.",
    )
    async def update_schedule(
        self, request: Request[Any, Any, Any], state: State, schedule_id: ScheduleId, data: JSONBody[ScheduleUpdate]
    ) -> Response[ScheduleOut]:
        return await SCHEDULES.answer(
            request,
            state,
            schedule_id,
            lambda session, builder_id: services.render_schedule(
                services.update_schedule(session, builder_id, schedule_id, data)
            ),
        )

    @delete(
        "/{schedule_id:uuid}",
        **needs("write:schedules"),
        **conditional("write"),
        operation_id="deleteSchedule",
        summary="Delete a schedule",
    )
    async def delete_schedule(self, request: Request[Any, Any, Any], state: State, schedule_id: ScheduleId) -> None:
        await SCHEDULES.write(
            request,
            state,
            schedule_id,
            lambda session, builder_id: services.delete_schedule(session, builder_id, schedule_id),
        )
