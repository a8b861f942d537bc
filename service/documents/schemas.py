from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

import msgspec
from msgspec import UNSET, UnsetType

from service.http.pagination import Page

__all__ = ["DocumentCreate", "DocumentOut", "DocumentPage", "DocumentUpdate", "Kind"]

Kind = Literal["drawing", "specification", "contract", "permit", "submittal", "photo", "invoice", "report", "other"]
FileName = Annotated[
    str,
    msgspec.Meta(
        min_length=1,
        max_length=255,
        pattern=r"^[^\x00-\x1f\x7f/\\]+$",
        description="Shown to people and used as the download's file name.",
        examples=["A-101 Floor plan.pdf"],
    ),
]
ContentType = Annotated[
    str,
    msgspec.Meta(
        max_length=255,
        pattern=r"^[A-Za-z0-9][A-Za-z0-9!#$&^_.+\-]*/[A-Za-z0-9][A-Za-z0-9!#$&^_.+\-]*"
        r'(?: *; *[A-Za-z0-9!#$&^_.+\-]+=(?:[A-Za-z0-9!#$&^_.+\-]+|"[^"\\\x00-\x1f]*"))*$',
        description="The media type the content is served with.",
        examples=["application/pdf"],
    ),
]


class DocumentCreate(msgspec.Struct, forbid_unknown_fields=True):
    name: FileName
    kind: Kind = "other"
    content_type: ContentType = "application/octet-stream"
    project_id: uuid.UUID | None = None


class DocumentUpdate(msgspec.Struct, forbid_unknown_fields=True):
    """Only the fields given change; ``null`` clears the project."""

    name: FileName | UnsetType = UNSET
    kind: Kind | UnsetType = UNSET
    content_type: ContentType | UnsetType = UNSET
    project_id: uuid.UUID | UnsetType | None = UNSET


class DocumentOut(msgspec.Struct):
    id: uuid.UUID
    project_id: uuid.UUID | None
    name: str
    kind: Kind
    content_type: str
    size_bytes: Annotated[int | None, msgspec.Meta(description="Null until content is uploaded.")]
    sha256: Annotated[str | None, msgspec.Meta(description="Hex SHA-256 of the content; null until uploaded.")]
    version: int
    created_at: datetime
    updated_at: datetime


class DocumentPage(Page[DocumentOut]):
    data: list[DocumentOut]  # named again: OpenAPI documents the items
