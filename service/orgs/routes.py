"""An organisation's own API keys, for the organisation itself (its keys, never a builder's):
list, read and revoke. Keys are issued by operators (``joist api-keys create --org``), so no key
can mint another."""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Controller, Request, delete, get
from litestar.datastructures import State
from litestar.params import FromPath

from service.api_keys.routes import IsActive, key_page, one_key
from service.api_keys.schemas import ApiKeyOut, ApiKeyPage
from service.db.database import database
from service.http.auth import needs, principal_of
from service.http.filters import CreatedAfter, CreatedBefore
from service.http.pagination import Cursor, Limit
from service.orgs.repositories import ORG_KEYS
from service.orgs.services import render_org_key, revoke_org_key

__all__ = ["OrgApiKeyController"]


class OrgApiKeyController(Controller):
    path = "/org/api-keys"
    tags = ["API keys"]

    @get(
        "/",
        **needs("read:api_keys", account="org"),
        operation_id="listOrgApiKeys",
        summary="List this organisation's API keys, newest first",
    )
    async def list_org_keys(
        self,
        request: Request[Any, Any, Any],
        state: State,
        limit: Limit = 25,
        cursor: Cursor = None,
        created_after: CreatedAfter = None,
        created_before: CreatedBefore = None,
        is_active: IsActive = None,
    ) -> ApiKeyPage:
        return await key_page(
            state,
            ORG_KEYS,
            principal_of(request).org_id,
            render_org_key,
            limit=limit,
            cursor=cursor,
            created_after=created_after,
            created_before=created_before,
            is_active=is_active,
        )

    @get(
        "/{key_id:uuid}",
        **needs("read:api_keys", account="org"),
        operation_id="getOrgApiKey",
        summary="Get one of this organisation's API keys",
    )
    async def get_org_key(
        self, request: Request[Any, Any, Any], state: State, key_id: FromPath[uuid.UUID]
    ) -> ApiKeyOut:
        return await one_key(state, ORG_KEYS, principal_of(request).org_id, key_id, render_org_key)

    @delete(
        "/{key_id:uuid}",
        **needs("write:api_keys", account="org"),
        operation_id="revokeOrgApiKey",
        status_code=204,
        summary="Revoke one of this organisation's API keys",
        description="The key stops working at once. Revoking a revoked key changes nothing.",
    )
    async def revoke_org_key(self, request: Request[Any, Any, Any], state: State, key_id: FromPath[uuid.UUID]) -> None:
        org_id = principal_of(request).org_id
        await database(state).write(lambda session: revoke_org_key(session, org_id, key_id))
