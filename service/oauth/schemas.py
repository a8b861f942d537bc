from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

import msgspec
from msgspec import UNSET, UnsetType

from service.http.pagination import Page

__all__ = [
    "AppCreate",
    "AppCreated",
    "AppOut",
    "AppPage",
    "AppSecret",
    "AppUpdate",
    "AuthorizedAppOut",
    "AuthorizedAppPage",
    "ReviewDecision",
    "ReviewIn",
    "ReviewOut",
    "ReviewPage",
]

ClientTypeName = Literal["public", "confidential"]
AppStatusName = Literal["waitlisted", "draft", "submitted", "approved", "changes_requested", "rejected"]
ReviewDecision = Literal["approve", "request_changes", "reject", "admit"]
Name = Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
Description = Annotated[str, msgspec.Meta(max_length=2000)]
Url = Annotated[str, msgspec.Meta(max_length=2000)]
Uris = Annotated[list[Url], msgspec.Meta(min_length=1, max_length=10)]
Scopes = Annotated[list[str], msgspec.Meta(min_length=1, max_length=30)]


class AppCreate(msgspec.Struct, forbid_unknown_fields=True):
    name: Name
    redirect_uris: Uris
    scopes: Scopes
    client_type: ClientTypeName = "confidential"
    description: Description = ""
    logo_url: Url | None = None
    homepage_url: Url | None = None


class AppUpdate(msgspec.Struct, forbid_unknown_fields=True):
    """Only the fields given change; ``null`` clears the logo or homepage."""

    name: Name | UnsetType = UNSET
    redirect_uris: Uris | UnsetType = UNSET
    scopes: Scopes | UnsetType = UNSET
    description: Description | UnsetType = UNSET
    logo_url: Url | UnsetType | None = UNSET
    homepage_url: Url | UnsetType | None = UNSET


class AppOut(msgspec.Struct):
    id: uuid.UUID
    client_id: str
    client_type: str
    name: str
    description: str
    redirect_uris: list[str]
    scopes: list[str]
    logo_url: str | None
    homepage_url: str | None
    status: str
    review_reason: str | None
    client_secret_prefix: str | None
    submitted_at: datetime | None
    reviewed_at: datetime | None
    published_at: datetime | None
    created_at: datetime
    updated_at: datetime


class AppCreated(AppOut):
    client_secret: str | None = None  # confidential clients only; shown once


class AppSecret(msgspec.Struct):
    client_id: str
    client_secret: str
    client_secret_prefix: str


class AppPage(Page[AppOut]):
    data: list[AppOut]  # named again: OpenAPI documents the items


class ReviewIn(msgspec.Struct, forbid_unknown_fields=True):
    decision: ReviewDecision
    reason: Annotated[str, msgspec.Meta(min_length=1, max_length=2000)]


class ReviewOut(msgspec.Struct):
    id: uuid.UUID
    decision: str
    reason: str
    created_at: datetime


class ReviewPage(Page[ReviewOut]):
    data: list[ReviewOut]  # named again: OpenAPI documents the items


class AuthorizedAppOut(msgspec.Struct):
    id: uuid.UUID
    app_id: uuid.UUID
    client_id: str
    name: str
    scopes: list[str]
    created_at: datetime
    updated_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class AuthorizedAppPage(Page[AuthorizedAppOut]):
    data: list[AuthorizedAppOut]  # named again: OpenAPI documents the items
