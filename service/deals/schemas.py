from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Final, Literal

import msgspec

from service.http.pagination import Page

__all__ = ["PROVENANCE", "DealOut", "DealPage", "DealRef"]

PROVENANCE: Final = "platform-negotiated"


class DealRef(msgspec.Struct):
    """Where a deal price comes from: shown beside the price it discounts."""

    deal_id: uuid.UUID
    name: str
    provenance: Literal["platform-negotiated"]
    discount_percent: Decimal | None
    discount_amount: Decimal | None


class DealOut(msgspec.Struct):
    id: uuid.UUID
    name: str
    supplier: Annotated[str, msgspec.Meta(description="The supplier's slug, as in catalog offers.")]
    product_id: Annotated[str | None, msgspec.Meta(description="The one product it applies to, if any.")]
    category: Annotated[
        str | None, msgspec.Meta(description="The category it applies to, with its sub-categories, if any.")
    ]
    discount_percent: Annotated[Decimal | None, msgspec.Meta(description='Off the list price, e.g. "7.5".')]
    discount_amount: Annotated[
        Decimal | None,
        msgspec.Meta(
            description="Off each order unit, in currency: an offer's unit_price buys price_quantity units, "
            "so its deal price is unit_price - price_quantity × this, never below 0."
        ),
    ]
    currency: str | None
    eligible_plans: list[str]
    valid_from: datetime
    valid_to: datetime | None
    provenance: Literal["platform-negotiated"]
    created_at: datetime


class DealPage(Page[DealOut]):
    data: list[DealOut]  # named again: OpenAPI documents the items
