from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

import msgspec

from service.http.pagination import Page

__all__ = ["ApiKeyCreate", "ApiKeyCreated", "ApiKeyOut", "ApiKeyPage"]

UTC_TIME = Annotated[datetime, msgspec.Meta(tz=True, description="RFC 3339 time with an offset; stored as UTC.")]


class ApiKeyCreate(msgspec.Struct, forbid_unknown_fields=True):
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
    scopes: Annotated[list[str], msgspec.Meta(min_length=1, max_length=64)]
    expires_at: UTC_TIME | None = None
    rate_limit: Annotated[int, msgspec.Meta(ge=1, le=1_000_000)] | None = None


class ApiKeyOut(msgspec.Struct):
    id: uuid.UUID
    name: str
    prefix: Annotated[str, msgspec.Meta(description="The 8 characters after jst_live_ that identify the key.")]
    scopes: list[str]
    rate_limit: Annotated[int, msgspec.Meta(description="Requests per minute allowed to this key.")]
    is_active: bool
    created_at: datetime
    last_used_at: datetime | None
    expires_at: datetime | None
    revoked_at: datetime | None


class ApiKeyCreated(ApiKeyOut):
    key: Annotated[str, msgspec.Meta(description="The key itself. Shown only in this response; store it now.")]


class ApiKeyPage(Page[ApiKeyOut]):
    data: list[ApiKeyOut]  # named again: OpenAPI documents the items
