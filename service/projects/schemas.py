from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

import msgspec
from msgspec import UNSET, UnsetType

from service.http.pagination import Page

__all__ = ["Address", "ProjectCreate", "ProjectOut", "ProjectPage", "ProjectUpdate", "Status"]

Status = Literal["planning", "active", "on_hold", "completed", "cancelled"]
Name = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
Code = Annotated[str, msgspec.Meta(min_length=1, max_length=50, description="The builder's own job number.")]
Currency = Annotated[str, msgspec.Meta(pattern=r"^[A-Z]{3}$", description="ISO 4217 code, e.g. USD.")]
# Range and precision are checked by the service (msgspec bounds take no Decimal).
Money = Annotated[Decimal, msgspec.Meta(description='A non-negative decimal string, e.g. "1250000.00".')]
Line = Annotated[str, msgspec.Meta(max_length=200)]


class Address(msgspec.Struct, forbid_unknown_fields=True, omit_defaults=True):
    line1: Line | None = None
    line2: Line | None = None
    city: Line | None = None
    region: Annotated[str, msgspec.Meta(max_length=100)] | None = None
    postal_code: Annotated[str, msgspec.Meta(max_length=20)] | None = None
    country: Annotated[str, msgspec.Meta(pattern=r"^[A-Z]{2}$")] | None = None


class ProjectCreate(msgspec.Struct, forbid_unknown_fields=True):
    name: Name
    code: Code | None = None
    status: Status = "planning"
    address: Address | None = None
    start_date: date | None = None
    end_date: date | None = None
    contract_value: Money | None = None
    currency: Currency | None = None


class ProjectUpdate(msgspec.Struct, forbid_unknown_fields=True):
    """Only the fields given change; ``null`` clears an optional field."""

    name: Name | UnsetType = UNSET
    code: Code | UnsetType | None = UNSET
    status: Status | UnsetType = UNSET
    address: Address | UnsetType | None = UNSET
    start_date: date | UnsetType | None = UNSET
    end_date: date | UnsetType | None = UNSET
    contract_value: Money | UnsetType | None = UNSET
    currency: Currency | UnsetType | None = UNSET


class ProjectOut(msgspec.Struct):
    id: uuid.UUID
    name: str
    code: str | None
    status: Status
    address: Address | None
    start_date: date | None
    end_date: date | None
    contract_value: Decimal | None
    currency: str | None
    version: Annotated[int, msgspec.Meta(description="Increases with every change; events carry it as sequence.")]
    created_at: datetime
    updated_at: datetime


class ProjectPage(Page[ProjectOut]):
    data: list[ProjectOut]  # named again: OpenAPI documents the items
