from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Annotated

import msgspec
from msgspec import UNSET, UnsetType

from service.fields import Amount, CostCode, Currency, Description, Name
from service.http.pagination import Page

__all__ = ["BudgetCreate", "BudgetLineIn", "BudgetLineOut", "BudgetOut", "BudgetPage", "BudgetUpdate"]


class BudgetLineIn(msgspec.Struct, forbid_unknown_fields=True):
    cost_code: CostCode
    description: Description
    amount: Amount


Lines = Annotated[list[BudgetLineIn], msgspec.Meta(max_length=1000)]


class BudgetCreate(msgspec.Struct, forbid_unknown_fields=True):
    project_id: uuid.UUID
    name: Name
    currency: Currency
    line_items: Lines = []


class BudgetUpdate(msgspec.Struct, forbid_unknown_fields=True):
    """Only the fields given change; ``line_items`` replaces every line. The project is fixed."""

    name: Name | UnsetType = UNSET
    currency: Currency | UnsetType = UNSET
    line_items: Lines | UnsetType = UNSET


class BudgetLineOut(msgspec.Struct):
    cost_code: str
    description: str
    amount: Decimal


class BudgetOut(msgspec.Struct):
    id: uuid.UUID
    project_id: uuid.UUID
    name: str
    currency: str
    line_items: list[BudgetLineOut]
    original_total: Annotated[Decimal, msgspec.Meta(description="The sum of the line items.")]
    approved_changes: Annotated[Decimal, msgspec.Meta(description="The sum of the approved change orders.")]
    revised_total: Annotated[Decimal, msgspec.Meta(description="original_total + approved_changes.")]
    version: int
    created_at: datetime
    updated_at: datetime


class BudgetPage(Page[BudgetOut]):
    data: list[BudgetOut]  # named again: OpenAPI documents the items
