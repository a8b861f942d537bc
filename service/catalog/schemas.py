"""What the catalog and cost-data endpoints show. Money and quantities are decimal strings."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

import msgspec

from service.deals.schemas import DealRef

__all__ = [
    "CostItemOut",
    "CostItemPage",
    "EstimateIn",
    "EstimateLineIn",
    "EstimateLineOut",
    "EstimateOut",
    "OfferOut",
    "PricePointOut",
    "ProductDetailOut",
    "ProductHitOut",
    "ProductPage",
]


class OfferOut(msgspec.Struct):
    supplier: str
    supplier_sku: str
    price_region: Annotated[str, msgspec.Meta(description="3-digit ZIP area, or * for every region.")]
    unit_price: Annotated[Decimal, msgspec.Meta(description="The list price of price_quantity order units.")]
    currency: str
    order_uom: str
    price_quantity: Decimal
    content_uom: str | None
    content_per_order_uom: Decimal | None
    base_uom: str
    price_per_base_unit: Decimal
    available_qty: Decimal | None
    lead_time_days: int | None
    valid_from: date | None
    valid_to: date | None
    price_comparison_allowed: bool
    deal_price: Annotated[
        Decimal | None,
        msgspec.Meta(description="The price under a platform-negotiated deal your plan is eligible for, if any."),
    ]
    deal: DealRef | None


class ProductHitOut(msgspec.Struct):
    product_id: str
    name: str
    brand: str | None
    manufacturer: str | None
    manufacturer_part_number: str | None
    category: str | None
    score: Annotated[float, msgspec.Meta(description="Text relevance (BM25); 0 without q.")]
    offer_count: Annotated[int, msgspec.Meta(description="Offers matching the filters in this region.")]
    offer: Annotated[
        OfferOut | None,
        msgspec.Meta(
            description="The offer shown: the cheapest matching one per base unit (see the offer order). "
            "null for a product no supplier offers, which its manufacturer sells at list_price; such a "
            "product is left out of a search with in_stock, min_price, max_price or supplier."
        ),
    ]
    list_price: Annotated[Decimal | None, msgspec.Meta(description="The manufacturer's list price, if any.")]
    list_price_currency: str | None
    list_price_uom: Annotated[str | None, msgspec.Meta(description="The unit the list price is for.")]
    manufacturer_lead_time_days: Annotated[
        int | None, msgspec.Meta(description="Days the manufacturer quotes to ship it, from its feed, if any.")
    ]
    discontinued: Annotated[
        bool | None,
        msgspec.Meta(description="Whether its manufacturer has discontinued it (a supplier may still sell it)."),
    ]


class ProductPage(msgspec.Struct):
    data: list[ProductHitOut]
    next_cursor: str | None
    zip_area: str | None
    snapshot: Annotated[str | None, msgspec.Meta(description="The published catalog snapshot that answered.")]


class PricePointOut(msgspec.Struct):
    supplier: str
    supplier_sku: str
    price_region: str
    unit_price: Decimal
    currency: str
    price_quantity: Decimal
    order_uom: str
    base_uom: str
    price_per_base_unit: Decimal
    effective_from: datetime
    effective_to: datetime | None


class ProductDetailOut(msgspec.Struct):
    product_id: str
    name: str
    description: str | None
    brand: str | None
    manufacturer: str | None
    manufacturer_part_number: str | None
    gtin: str | None
    unspsc: str | None
    category: str | None
    base_uom: str | None
    product_line: str | None
    specs: list[dict[str, Any]]
    spec_sheet_url: str | None
    list_price: Annotated[Decimal | None, msgspec.Meta(description="The manufacturer's list price.")]
    list_price_currency: str | None
    list_price_uom: Annotated[
        str | None, msgspec.Meta(description="The unit the list price is for (a code of the units table, e.g. EA).")
    ]
    manufacturer_lead_time_days: Annotated[
        int | None, msgspec.Meta(description="Days the manufacturer quotes to ship it, from its feed, if any.")
    ]
    discontinued: bool | None
    offers: Annotated[list[OfferOut], msgspec.Meta(description="Every supplier's offer, cheapest per base unit first.")]
    price_history: list[PricePointOut]
    zip_area: str | None
    snapshot: str | None


class CostItemOut(msgspec.Struct):
    line_number: Annotated[str, msgspec.Meta(description="MasterFormat line number, e.g. 06 11 10.10 0200.")]
    division: str
    description: str
    unit: str
    crew: str | None
    daily_output: Decimal | None
    labor_hours: Decimal | None
    currency: str
    material: Decimal
    labor: Decimal
    equipment: Decimal
    total: Decimal
    total_incl_op: Decimal
    material_index: Decimal
    installation_index: Decimal
    index_applied: Annotated[
        bool, msgspec.Meta(description="false: no index for the ZIP's area; national average (100) used.")
    ]
    location: str | None


class CostItemPage(msgspec.Struct):
    data: list[CostItemOut]
    next_cursor: str | None
    zip_area: str | None
    snapshot: str | None


ZipCode = Annotated[str, msgspec.Meta(max_length=10, description="A 5-digit ZIP or a 3-digit ZIP area.")]


class EstimateLineIn(msgspec.Struct, forbid_unknown_fields=True):
    item: Annotated[str, msgspec.Meta(min_length=1, max_length=40, description="A cost item's line_number.")]
    quantity: Annotated[
        Decimal,
        msgspec.Meta(
            description="A decimal string in the item's unit (a JSON number is read digit for digit too): "
            "zero to 1,000,000,000, at most 6 decimal places."
        ),
    ]


class EstimateIn(msgspec.Struct, forbid_unknown_fields=True):
    lines: Annotated[list[EstimateLineIn], msgspec.Meta(min_length=1, max_length=1000)]
    zip: ZipCode | None = None


class EstimateLineOut(msgspec.Struct):
    item: CostItemOut
    quantity: Decimal
    material: Decimal
    labor: Decimal
    equipment: Decimal
    total: Decimal
    total_incl_op: Decimal


class EstimateOut(msgspec.Struct):
    zip_area: str | None
    currency: str
    lines: list[EstimateLineOut]
    material: Decimal
    labor: Decimal
    equipment: Decimal
    total: Decimal
    total_incl_op: Decimal
    snapshot: str | None
