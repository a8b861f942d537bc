from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

import msgspec
from msgspec import UNSET, UnsetType

from service.fields import Amount, Currency, Description
from service.http.pagination import Page

__all__ = ["InvoiceCreate", "InvoiceLineIn", "InvoiceLineOut", "InvoiceOut", "InvoicePage", "InvoiceUpdate", "Status"]

Status = Literal["draft", "submitted", "approved", "paid"]
Number = Annotated[str, msgspec.Meta(min_length=1, max_length=50, description="The vendor's invoice number.")]
Quantity = Annotated[Decimal, msgspec.Meta(description='A positive decimal string, at most 4 decimals, e.g. "12.5".')]


class InvoiceLineIn(msgspec.Struct, forbid_unknown_fields=True):
    description: Description
    quantity: Quantity
    unit_price: Amount


Lines = Annotated[list[InvoiceLineIn], msgspec.Meta(max_length=1000)]


class InvoiceCreate(msgspec.Struct, forbid_unknown_fields=True):
    project_id: uuid.UUID
    number: Number
    currency: Currency
    vendor_id: uuid.UUID | None = None
    due_date: date | None = None
    line_items: Lines = []


class InvoiceUpdate(msgspec.Struct, forbid_unknown_fields=True):
    """Only the fields given change; ``line_items`` replaces every line. Lines, currency and
    vendor change only while draft; nothing changes once paid. The project is fixed."""

    number: Number | UnsetType = UNSET
    currency: Currency | UnsetType = UNSET
    vendor_id: uuid.UUID | UnsetType | None = UNSET
    due_date: date | UnsetType | None = UNSET
    line_items: Lines | UnsetType = UNSET


class InvoiceLineOut(msgspec.Struct):
    description: str
    quantity: Decimal
    unit_price: Decimal
    amount: Annotated[Decimal, msgspec.Meta(description="quantity × unit_price, rounded half up to 4 decimals.")]


class InvoiceOut(msgspec.Struct):
    id: uuid.UUID
    project_id: uuid.UUID
    vendor_id: uuid.UUID | None
    number: str
    currency: str
    due_date: date | None
    line_items: list[InvoiceLineOut]
    total: Annotated[Decimal, msgspec.Meta(description="The sum of the line amounts.")]
    status: Status
    submitted_at: datetime | None
    approved_at: datetime | None
    paid_at: datetime | None
    version: int
    created_at: datetime
    updated_at: datetime


class InvoicePage(Page[InvoiceOut]):
    data: list[InvoiceOut]  # named again: OpenAPI documents the items
