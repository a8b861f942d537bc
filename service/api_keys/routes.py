from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Annotated, Any

from litestar import Controller, Request, Response, delete, get, post
from litestar.datastructures import State
from litestar.params import FromPath, JSONBody, QueryParameter

from service.accounts.models import Builder
from service.api_keys import services
from service.api_keys.repositories import BUILDER_KEYS, KeyQueries
from service.api_keys.schemas import ApiKeyCreate, ApiKeyCreated, ApiKeyOut, ApiKeyPage
from service.api_keys.services import Grantor
from service.db.database import database
from service.errors import NotFound
from service.http.auth import needs, principal_of
from service.http.filters import CreatedAfter, CreatedBefore, CreatedRange
from service.http.pagination import Cursor, Limit, PageParams, paginate

__all__ = ["ApiKeyController", "IsActive", "key_page", "one_key"]

IsActive = Annotated[bool | None, QueryParameter(description="Only active (true) or revoked (false) keys.")]
Render = Callable[[Sequence[Any]], ApiKeyOut]


async def key_page(
    state: State,
    keys: KeyQueries,
    account_id: uuid.UUID,
    render: Render,
    *,
    limit: int,
    cursor: str | None,
    created_after: datetime | None,
    created_before: datetime | None,
    is_active: bool | None,
) -> ApiKeyPage:
    """One page of an account's keys (a builder's or an organisation's), newest first."""
    created = CreatedRange.of(created_after, created_before)
    return await paginate(
        database(state),
        keys.listing,
        account_id,
        PageParams.of(limit, cursor),
        render,
        ApiKeyPage,
        is_active=is_active,
        created_after=created.after,
        created_before=created.before,
    )


async def one_key(
    state: State, keys: KeyQueries, account_id: uuid.UUID, key_id: uuid.UUID, render: Render
) -> ApiKeyOut:
    """One of the account's keys; another account's is a 404, as is one that never existed."""
    row = await database(state).fetch_one(keys.one, {keys.tenant: account_id, "key_id": key_id})
    if row is None:
        raise NotFound(f"no API key {key_id}")
    return render(row)


class ApiKeyController(Controller):
    path = "/api-keys"
    tags = ["API keys"]

    @get("/", **needs("read:api_keys"), operation_id="listApiKeys", summary="List the builder's API keys")
    async def list_keys(
        self,
        request: Request[Any, Any, Any],
        state: State,
        limit: Limit = 25,
        cursor: Cursor = None,
        created_after: CreatedAfter = None,
        created_before: CreatedBefore = None,
        is_active: IsActive = None,
    ) -> ApiKeyPage:
        principal = principal_of(request)
        return await key_page(
            state,
            BUILDER_KEYS,
            principal.builder_id,
            lambda row: services.render(row, principal.plan),
            limit=limit,
            cursor=cursor,
            created_after=created_after,
            created_before=created_before,
            is_active=is_active,
        )

    @post(
        "/",
        **needs("write:api_keys"),
        operation_id="createApiKey",
        status_code=201,
        summary="Create an API key",
        description="The key is in this response only; Joist stores a SHA-256 hash of it.",
    )
    async def create_key(
        self, request: Request[Any, Any, Any], state: State, data: JSONBody[ApiKeyCreate]
    ) -> Response[ApiKeyCreated]:
        principal = principal_of(request)

        def work(session: Any) -> ApiKeyCreated:
            builder = session.get_one(Builder, principal.builder_id)
            row, key = services.issue_key(
                session,
                builder,
                name=data.name,
                scopes=data.scopes,
                expires_at=data.expires_at,
                rate_limit=data.rate_limit,
                grantor=Grantor(principal.scopes, principal.rate_limit, principal.expires_at),
            )
            return services.render_created(row, builder.plan, key)

        created = await database(state).write(work)
        return Response(
            created,
            status_code=201,
            headers={"Location": f"/api/v1/api-keys/{created.id}", "Cache-Control": "no-store"},
        )

    @get("/{key_id:uuid}", **needs("read:api_keys"), operation_id="getApiKey", summary="Get an API key")
    async def get_key(self, request: Request[Any, Any, Any], state: State, key_id: FromPath[uuid.UUID]) -> ApiKeyOut:
        principal = principal_of(request)
        return await one_key(
            state, BUILDER_KEYS, principal.builder_id, key_id, lambda row: services.render(row, principal.plan)
        )

    @delete(
        "/{key_id:uuid}",
        **needs("write:api_keys"),
        operation_id="revokeApiKey",
        status_code=204,
        summary="Revoke an API key",
        description="The key stops working at once. Revoking a revoked key changes nothing.",
    )
    async def revoke_key(self, request: Request[Any, Any, Any], state: State, key_id: FromPath[uuid.UUID]) -> None:
        principal = principal_of(request)
        await database(state).write(lambda session: services.revoke_key(session, principal.builder_id, key_id))
