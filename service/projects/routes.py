from __future__ import annotations

import uuid
from typing import Annotated, Any

from litestar import Controller, Request, Response, delete, get, patch, post
from litestar.datastructures import State
from litestar.params import FromPath, JSONBody, QueryParameter

from service.db.database import database
from service.errors import NotFound
from service.http.auth import needs, principal_of
from service.http.conditional import conditional, read_response, tagged
from service.http.filters import CreatedAfter, CreatedBefore, CreatedRange, UpdatedAfter, time_filter
from service.http.pagination import Cursor, Limit, PageParams, paginate
from service.projects import services
from service.projects.models import Project
from service.projects.repositories import ONE_PROJECT, PROJECT_LIST
from service.projects.schemas import ProjectCreate, ProjectOut, ProjectPage, ProjectUpdate, Status
from service.records import Guarded

__all__ = ["ProjectController"]

PROJECTS = Guarded(Project, "project")


class ProjectController(Controller):
    path = "/projects"
    tags = ["Projects"]

    @get("/", **needs("read:projects"), operation_id="listProjects", summary="List projects, newest first")
    async def list_projects(
        self,
        request: Request[Any, Any, Any],
        state: State,
        limit: Limit = 25,
        cursor: Cursor = None,
        created_after: CreatedAfter = None,
        created_before: CreatedBefore = None,
        updated_after: UpdatedAfter = None,
        status: Annotated[Status | None, QueryParameter(description="Only projects in this status.")] = None,
        code: Annotated[str | None, QueryParameter(description="Only the project with this job number.")] = None,
    ) -> ProjectPage:
        principal = principal_of(request)
        page = PageParams.of(limit, cursor)
        created = CreatedRange.of(created_after, created_before)
        changed = time_filter(updated_after, "updated_after")
        return await paginate(
            database(state),
            PROJECT_LIST,
            principal.builder_id,
            page,
            services.render,
            ProjectPage,
            status=status,
            code=code,
            created_after=created.after,
            created_before=created.before,
            updated_after=changed,
        )

    @post(
        "/",
        **needs("write:projects"),
        **conditional("create"),
        operation_id="createProject",
        status_code=201,
        summary="Create a project",
    )
    async def create_project(
        self, request: Request[Any, Any, Any], state: State, data: JSONBody[ProjectCreate]
    ) -> Response[ProjectOut]:
        principal = principal_of(request)
        created = await database(state).write(
            lambda session: services.render_project(services.create_project(session, principal.builder_id, data))
        )
        return tagged(created, 201, {"Location": f"/api/v1/projects/{created.id}"})

    @get(
        "/{project_id:uuid}",
        **needs("read:projects"),
        **conditional("read"),
        operation_id="getProject",
        summary="Get a project",
    )
    async def get_project(
        self, request: Request[Any, Any, Any], state: State, project_id: FromPath[uuid.UUID]
    ) -> Response[ProjectOut]:
        principal = principal_of(request)
        row = await database(state).fetch_one(
            ONE_PROJECT, {"builder_id": principal.builder_id, "project_id": project_id}
        )
        if row is None:
            raise NotFound(f"no project {project_id}")
        return read_response(request, services.render(row))

    @patch(
        "/{project_id:uuid}",
        **needs("write:projects"),
        **conditional("write"),
        operation_id="updateProject",
        summary="Change a project",
        description="Send only the fields to change; null clears an optional field.",
    )
    async def update_project(
        self,
        request: Request[Any, Any, Any],
        state: State,
        project_id: FromPath[uuid.UUID],
        data: JSONBody[ProjectUpdate],
    ) -> Response[ProjectOut]:
        return await PROJECTS.answer(
            request,
            state,
            project_id,
            lambda session, builder_id: services.render_project(
                services.update_project(session, builder_id, project_id, data)
            ),
        )

    @delete(
        "/{project_id:uuid}",
        **needs("write:projects"),
        **conditional("write"),
        operation_id="deleteProject",
        summary="Delete a project",
    )
    async def delete_project(
        self, request: Request[Any, Any, Any], state: State, project_id: FromPath[uuid.UUID]
    ) -> None:
        await PROJECTS.write(
            request,
            state,
            project_id,
            lambda session, builder_id: services.delete_project(session, builder_id, project_id),
        )
