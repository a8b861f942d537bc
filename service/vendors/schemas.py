from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

import msgspec
from msgspec import UNSET, UnsetType

from service.http.pagination import Page
from service.projects.schemas import Address

__all__ = ["Status", "Trade", "VendorCreate", "VendorOut", "VendorPage", "VendorUpdate"]

Status = Literal["active", "inactive"]
Name = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
Trade = Annotated[
    str,
    msgspec.Meta(
        pattern=r"^[a-z][a-z0-9_]{0,49}$", description="Lower case, e.g. plumbing, electrical, concrete, hvac."
    ),
]
Email = Annotated[str, msgspec.Meta(max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")]
Phone = Annotated[
    str, msgspec.Meta(max_length=40, pattern=r"^\+?[0-9][0-9 ().\-]{2,29}(?: ?(?:x|ext\.?) ?[0-9]{1,6})?$")
]
TaxId = Annotated[str, msgspec.Meta(min_length=1, max_length=50, description="E.g. an EIN; shown only to the builder.")]


class VendorCreate(msgspec.Struct, forbid_unknown_fields=True):
    name: Name
    trade: Trade | None = None
    contact_email: Email | None = None
    contact_phone: Phone | None = None
    address: Address | None = None
    tax_id: TaxId | None = None
    status: Status = "active"


class VendorUpdate(msgspec.Struct, forbid_unknown_fields=True):
    """Only the fields given change; ``null`` clears an optional field."""

    name: Name | UnsetType = UNSET
    trade: Trade | UnsetType | None = UNSET
    contact_email: Email | UnsetType | None = UNSET
    contact_phone: Phone | UnsetType | None = UNSET
    address: Address | UnsetType | None = UNSET
    tax_id: TaxId | UnsetType | None = UNSET
    status: Status | UnsetType = UNSET


class VendorOut(msgspec.Struct):
    id: uuid.UUID
    name: str
    trade: str | None
    contact_email: str | None
    contact_phone: str | None
    address: Address | None
    tax_id: str | None
    status: Status
    version: int
    created_at: datetime
    updated_at: datetime


class VendorPage(Page[VendorOut]):
    data: list[VendorOut]  # named again: OpenAPI documents the items
