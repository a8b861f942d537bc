from __future__ import annotations

import re
import uuid
from typing import Annotated, Any

from litestar import Controller, Request, get
from litestar.datastructures import State
from litestar.params import QueryParameter

from service.db.database import database
from service.errors import InvalidInput
from service.events import services
from service.events.repositories import EVENT_LIST
from service.events.schemas import EventPage
from service.http.auth import needs, principal_of
from service.http.filters import CreatedAfter, CreatedBefore, CreatedRange
from service.http.pagination import Cursor, Limit, PageParams, paginate

__all__ = ["EventController"]

_TYPE = re.compile(r"[a-z_]+\.(?:[a-z_]+|\*)")


class EventController(Controller):
    path = "/events"
    tags = ["Events"]

    @get(
        "/",
        **needs("read:events"),
        operation_id="listEvents",
        summary="List events, newest first",
        description="For polling clients (Zapier, Make, n8n): every change to the builder's records, "
        "with stable ids and per-entity sequence numbers.",
    )
    async def list_events(
        self,
        request: Request[Any, Any, Any],
        state: State,
        limit: Limit = 25,
        cursor: Cursor = None,
        created_after: CreatedAfter = None,
        created_before: CreatedBefore = None,
        type: Annotated[
            str | None, QueryParameter(description="An event type (project.created) or a category (project.*).")
        ] = None,
        entity_id: Annotated[uuid.UUID | None, QueryParameter(description="Only this entity's events.")] = None,
    ) -> EventPage:
        principal = principal_of(request)
        page = PageParams.of(limit, cursor)
        created = CreatedRange.of(created_after, created_before)
        exact, category = None, None
        if type is not None:
            if not _TYPE.fullmatch(type):
                raise InvalidInput.field("type", "use <category>.<action> or <category>.*, e.g. project.created")
            category, _, action = type.partition(".")
            exact = None if action == "*" else type
            category = category if action == "*" else None
        return await paginate(
            database(state),
            EVENT_LIST,
            principal.builder_id,
            page,
            services.render,
            EventPage,
            type=exact,
            category=category,
            entity_id=entity_id,
            created_after=created.after,
            created_before=created.before,
        )
