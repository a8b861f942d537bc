from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Literal

import msgspec
from msgspec import UNSET, UnsetType

from service.fields import CostCode, Name, SignedAmount
from service.http.pagination import Page

__all__ = ["ChangeOrderCreate", "ChangeOrderOut", "ChangeOrderPage", "ChangeOrderUpdate", "Status"]

Status = Literal["draft", "submitted", "approved", "rejected"]
Reason = Annotated[str, msgspec.Meta(max_length=2000)]


class ChangeOrderCreate(msgspec.Struct, forbid_unknown_fields=True):
    project_id: uuid.UUID
    budget_id: Annotated[uuid.UUID, msgspec.Meta(description="A budget of the same project.")]
    title: Name
    amount: SignedAmount
    reason: Reason | None = None
    cost_code: CostCode | None = None


class ChangeOrderUpdate(msgspec.Struct, forbid_unknown_fields=True):
    """Only while draft. Only the fields given change; ``null`` clears an optional field."""

    title: Name | UnsetType = UNSET
    amount: SignedAmount | UnsetType = UNSET
    reason: Reason | UnsetType | None = UNSET
    cost_code: CostCode | UnsetType | None = UNSET


class ChangeOrderOut(msgspec.Struct):
    id: uuid.UUID
    project_id: uuid.UUID
    budget_id: uuid.UUID
    title: str
    reason: str | None
    amount: Decimal
    currency: Annotated[str, msgspec.Meta(description="The budget's currency.")]
    cost_code: str | None
    status: Status
    submitted_at: datetime | None
    decided_at: Annotated[datetime | None, msgspec.Meta(description="When it was approved or rejected.")]
    version: int
    created_at: datetime
    updated_at: datetime


class ChangeOrderPage(Page[ChangeOrderOut]):
    data: list[ChangeOrderOut]  # named again: OpenAPI documents the items
