"""The catalog, pricing and cost-data reads: published snapshots through the process's one
``CatalogReader`` (DuckDB, blocking, so each call runs in a worker thread), turned into API
objects, with the deals the caller's plan is eligible for applied to offer prices.

The reader's errors become problems here, once: ``InvalidQuery`` → 400 naming the parameter,
``UnknownCostItems`` → 422 naming the items, ``MixedCurrencies`` → 422 naming the lines,
``SnapshotUnavailable`` → 503 with Retry-After.
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from decimal import Decimal
from typing import Any, TypeVar

import anyio.to_thread

from service.catalog.schemas import (
    CostItemOut,
    CostItemPage,
    EstimateLineOut,
    EstimateOut,
    OfferOut,
    PricePointOut,
    ProductDetailOut,
    ProductHitOut,
    ProductPage,
)
from service.deals.services import DealRule, best_deal
from service.errors import FieldError, InvalidInput, JoistError, ServiceUnavailable
from service.http.background import every
from warehouse.catalog import (
    CatalogReader,
    CostItem,
    Estimate,
    InvalidQuery,
    MixedCurrencies,
    Offer,
    PriceCut,
    ProductDetail,
    SearchPage,
    UnknownCostItems,
    zip_area,
)
from warehouse.catalog import (
    CostItemPage as ReaderCostPage,
)
from warehouse.snapshots import SnapshotUnavailable

__all__ = [
    "RETRY_AFTER_SECONDS",
    "UnknownItems",
    "call_reader",
    "price_cuts",
    "render_cost_page",
    "render_estimate",
    "render_product",
    "render_search",
    "snapshots_kept_warm",
]

T = TypeVar("T")

#: How long a client should wait when nothing is published yet (a pipeline run takes about this).
RETRY_AFTER_SECONDS = 60
# Parameters the reader's messages start with, as the API names them.
_PARAMS = ("zip", "cursor", "limit", "min_price", "max_price", "masterformat", "q", "category", "supplier", "quantity")


class UnknownItems(JoistError):
    status = 422
    slug = "unknown-cost-items"
    title = "The estimate names cost items the cost book does not have"


class MixedCurrencyLines(JoistError):
    status = 422
    slug = "mixed-currencies"
    title = "The estimate's lines are priced in more than one currency"


def _field_of(message: str) -> str:
    first = message.split(" ", 1)[0]
    return first if first in _PARAMS else "query"


async def call_reader(fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
    """Run one blocking reader call in a worker thread, its errors as problems."""
    try:
        return await anyio.to_thread.run_sync(functools.partial(fn, *args, **kwargs))
    except InvalidQuery as exc:
        raise InvalidInput(str(exc), errors=[FieldError(_field_of(str(exc)), str(exc))]) from None
    except UnknownCostItems as exc:
        raise UnknownItems(
            f"unknown cost items: {', '.join(exc.line_numbers)}",
            extensions={"unknown_items": exc.line_numbers},
        ) from None
    except MixedCurrencies as exc:
        # the lines of every currency but the most common one are named: those are the ones to move
        lines = exc.currencies
        counts = Counter(lines)
        main = max(counts, key=lambda c: (counts[c], c == lines[0]))
        raise MixedCurrencyLines(
            f"{exc}; an estimate sums lines of one currency: estimate the {main} lines apart from the others",
            errors=[
                FieldError(f"lines[{i}].item", f"priced in {c}; the estimate's other lines are in {main}")
                for i, c in enumerate(lines)
                if c != main
            ],
        ) from None
    except SnapshotUnavailable as exc:
        raise ServiceUnavailable(
            f"{exc}; the data is being prepared, try again shortly",
            slug="snapshot-unavailable",
            title="No published data yet",
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        ) from None


def check_zip(value: str | None) -> str | None:
    """The ZIP area of ``zip`` (400 if it is not a ZIP), checked before a thread is spent."""
    try:
        return zip_area(value)
    except InvalidQuery as exc:
        raise InvalidInput.field("zip", str(exc)) from None


def plain(value: Decimal | None) -> Decimal | None:
    """A quantity, index or rate without storage padding: ``10.000`` → ``10``, ``1.500000`` → ``1.5``,
    ``104.70`` → ``104.7`` (money keeps its cents: ``money``)."""
    if value is None:
        return None
    if value == value.to_integral_value():
        return value.quantize(Decimal(1))
    return value.normalize()


def money(value: Decimal) -> Decimal:
    """At least cents: ``27.5000`` → ``27.50``, ``0.03250000`` → ``0.0325``."""
    normal = value.normalize()
    exponent = normal.as_tuple().exponent
    return value.quantize(Decimal("0.01")) if isinstance(exponent, int) and exponent > -2 else normal


def _offer(offer: Offer, product_id: str, category: str | None, deals: Sequence[DealRule]) -> OfferOut:
    found = best_deal(
        deals,
        supplier=offer.supplier,
        product_id=product_id,
        category=category,
        unit_price=offer.unit_price,
        currency=offer.currency,
        price_quantity=offer.price_quantity,
    )
    return OfferOut(
        supplier=offer.supplier,
        supplier_sku=offer.supplier_sku,
        price_region=offer.price_region,
        unit_price=money(offer.unit_price),
        currency=offer.currency,
        order_uom=offer.order_uom,
        price_quantity=plain(offer.price_quantity) or Decimal(1),
        content_uom=offer.content_uom,
        content_per_order_uom=plain(offer.content_per_order_uom),
        base_uom=offer.base_uom,
        price_per_base_unit=money(offer.price_per_base_unit),
        available_qty=plain(offer.available_qty),
        lead_time_days=offer.lead_time_days,
        valid_from=offer.valid_from,
        valid_to=offer.valid_to,
        price_comparison_allowed=offer.price_comparison_allowed,
        deal_price=None if found is None else found[0],
        deal=None if found is None else found[1].ref,
    )


def price_cuts(deals: Sequence[DealRule]) -> list[PriceCut]:
    """The caller's deals as the search weighs offers with them."""
    return [PriceCut(d.supplier, d.product_id, d.category, d.percent, d.amount, d.currency) for d in deals]


def _offer_rank(offer: Offer, shown: OfferOut, base_uom: str | None) -> tuple[Any, ...]:
    """Where an offer stands among its product's (warehouse/sql/catalog/product_offers.sql's order)
    at the price the caller pays: a deal's price per base unit in place of the list price's."""
    per_base_unit = offer.price_per_base_unit
    if shown.deal_price is not None and offer.unit_price > 0:
        per_base_unit = per_base_unit * shown.deal_price / offer.unit_price
    return (
        not offer.price_comparison_allowed,
        offer.currency != "USD",
        offer.base_uom != base_uom,
        per_base_unit,
        offer.supplier,
        offer.supplier_sku,
    )


def render_search(page: SearchPage, area: str | None, deals: Sequence[DealRule]) -> ProductPage:
    return ProductPage(
        data=[
            ProductHitOut(
                product_id=hit.product_id,
                name=hit.name,
                brand=hit.brand,
                manufacturer=hit.manufacturer,
                manufacturer_part_number=hit.manufacturer_part_number,
                category=hit.category,
                score=round(hit.score, 6),
                offer_count=hit.offer_count,
                offer=None if hit.offer is None else _offer(hit.offer, hit.product_id, hit.category, deals),
                list_price=None if hit.list_price is None else money(hit.list_price),
                list_price_currency=hit.list_price_currency,
                list_price_uom=hit.list_price_uom,
                manufacturer_lead_time_days=hit.manufacturer_lead_time_days,
                discontinued=hit.discontinued,
            )
            for hit in page.items
        ],
        next_cursor=page.next_cursor,
        zip_area=area,
        snapshot=page.snapshot,
    )


def render_product(detail: ProductDetail, area: str | None, deals: Sequence[DealRule]) -> ProductDetailOut:
    return ProductDetailOut(
        product_id=detail.product_id,
        name=detail.name,
        description=detail.description,
        brand=detail.brand,
        manufacturer=detail.manufacturer,
        manufacturer_part_number=detail.manufacturer_part_number,
        gtin=detail.gtin,
        unspsc=detail.unspsc,
        category=detail.category,
        base_uom=detail.base_uom,
        product_line=detail.product_line,
        specs=detail.specs,
        spec_sheet_url=detail.spec_sheet_url,
        list_price=None if detail.list_price is None else money(detail.list_price),
        list_price_currency=detail.list_price_currency,
        list_price_uom=detail.list_price_uom,
        manufacturer_lead_time_days=detail.manufacturer_lead_time_days,
        discontinued=detail.discontinued,
        offers=[
            shown
            for _, shown in sorted(
                ((o, _offer(o, detail.product_id, detail.category, deals)) for o in detail.offers),
                key=lambda pair: _offer_rank(pair[0], pair[1], detail.base_uom),
            )
        ],
        price_history=[
            PricePointOut(
                supplier=p.supplier,
                supplier_sku=p.supplier_sku,
                price_region=p.price_region,
                unit_price=money(p.unit_price),
                currency=p.currency,
                price_quantity=plain(p.price_quantity) or Decimal(1),
                order_uom=p.order_uom,
                base_uom=p.base_uom,
                price_per_base_unit=money(p.price_per_base_unit),
                effective_from=p.effective_from,
                effective_to=p.effective_to,
            )
            for p in detail.price_history
        ],
        zip_area=area,
        snapshot=detail.snapshot,
    )


def _cost_item(item: CostItem) -> CostItemOut:
    return CostItemOut(
        line_number=item.line_number,
        division=item.division,
        description=item.description,
        unit=item.unit,
        crew=item.crew,
        daily_output=plain(item.daily_output),
        labor_hours=plain(item.labor_hours),
        currency=item.currency,
        material=money(item.material),
        labor=money(item.labor),
        equipment=money(item.equipment),
        total=money(item.total),
        total_incl_op=money(item.total_incl_op),
        material_index=plain(item.material_index) or Decimal(100),
        installation_index=plain(item.installation_index) or Decimal(100),
        index_applied=item.index_applied,
        location=item.location,
    )


def render_cost_page(page: ReaderCostPage) -> CostItemPage:
    return CostItemPage(
        data=[_cost_item(i) for i in page.items],
        next_cursor=page.next_cursor,
        zip_area=page.zip_area,
        snapshot=page.snapshot,
    )


def render_estimate(estimate: Estimate) -> EstimateOut:
    return EstimateOut(
        zip_area=estimate.zip_area,
        currency=estimate.currency,
        lines=[
            EstimateLineOut(
                item=_cost_item(line.item),
                quantity=plain(line.quantity) or Decimal(0),
                material=money(line.material),
                labor=money(line.labor),
                equipment=money(line.equipment),
                total=money(line.total),
                total_incl_op=money(line.total_incl_op),
            )
            for line in estimate.lines
        ],
        material=money(estimate.material),
        labor=money(estimate.labor),
        equipment=money(estimate.equipment),
        total=money(estimate.total),
        total_incl_op=money(estimate.total_incl_op),
        snapshot=estimate.snapshot,
    )


def reader_of(state: Any) -> CatalogReader:
    """The process's reader (kept in the application state, closed on shutdown)."""
    reader: CatalogReader = state.catalog_reader
    return reader


#: How often the process looks for a newly published snapshot (one ``stat`` of each ``CURRENT``).
WARM_EVERY_SECONDS = 0.25


@asynccontextmanager
async def snapshots_kept_warm(reader: CatalogReader, every_seconds: float = WARM_EVERY_SECONDS) -> AsyncIterator[None]:
    """While the app runs, open each snapshot as soon as it is published (``CatalogReader.warm``):
    the reader's queries keep reading the snapshot open before until then, so none waits for a
    snapshot to load; at the end, once the last look has returned, close the reader's connections."""
    try:
        async with every(every_seconds, reader.warm, what="opening the current snapshots"):
            yield
    finally:
        reader.close()
