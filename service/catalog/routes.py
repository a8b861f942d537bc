from __future__ import annotations

import re
from decimal import Decimal
from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.datastructures import State
from litestar.params import FromPath, JSONBody, QueryParameter

from service.catalog import services
from service.catalog.schemas import CostItemPage, EstimateIn, EstimateOut, ProductDetailOut, ProductPage
from service.db.database import database
from service.deals.services import DealRule, EligibleDeals
from service.errors import FieldError, InvalidInput, NotFound
from service.http.auth import needs, principal_of
from service.http.openapi import PROBLEMS_OPT
from service.http.pagination import Limit
from warehouse.catalog import quantity_problem

__all__ = ["CatalogController", "CostDataController"]

_PRODUCT_ID = re.compile(r"^p_[0-9a-f]{16}$")

Zip = Annotated[
    str | None,
    QueryParameter(name="zip", description="5-digit ZIP or 3-digit ZIP area: prices and costs for that area."),
]
ReaderCursor = Annotated[str | None, QueryParameter(description="The previous page's next_cursor, unchanged.")]
Price = Annotated[
    Decimal | None,
    QueryParameter(
        description="On the offer's unit price, e.g. 12.50: its deal price where a deal for your plan covers it."
    ),
]
Text = Annotated[str | None, QueryParameter(max_length=200)]


# What these routes answer beyond the conventions, for the OpenAPI document (services.call_reader
# raises them).
_SNAPSHOT_UNAVAILABLE: dict[str, Any] = {
    "description": "`snapshot-unavailable`: nothing has been published yet; try again after `Retry-After` seconds.",
    "headers": {
        "Retry-After": {
            "description": f"Seconds to wait ({services.RETRY_AFTER_SECONDS}).",
            "schema": {"type": "integer"},
        }
    },
}
_UNKNOWN_COST_ITEMS: dict[str, Any] = {
    "description": "`unknown-cost-items`: `unknown_items` lists each line number the cost book lacks, once, "
    "in the order the lines name them; `errors[].field` names each such line (`lines[i].item`). "
    "`mixed-currencies`: the lines name items priced in more than one currency, which one estimate cannot sum; "
    "`errors[]` names each line not in the currency most lines share (`lines[i].item`).",
}


def _reads_snapshots(problems: dict[str, dict[str, Any]] | None = None) -> dict[str, Any]:
    """Route arguments of a read over the published snapshots (scope ``read:catalog``), with the
    problems it answers besides 503 ``snapshot-unavailable``, by status."""
    route = needs("read:catalog")
    route["opt"][PROBLEMS_OPT] = {"503": _SNAPSHOT_UNAVAILABLE, **(problems or {})}
    return route


async def _deals(request: Request[Any, Any, Any], state: State) -> list[DealRule]:
    eligible: EligibleDeals = state.eligible_deals
    return await eligible.of(database(state), principal_of(request).plan)


def _price(value: Decimal | None, name: str) -> Decimal | None:
    if value is not None and (not value.is_finite() or value < 0):
        raise InvalidInput.field(name, "a decimal amount, zero or more")
    return value


class CatalogController(Controller):
    path = "/catalog"
    tags = ["Catalog"]

    @get(
        "/products",
        **_reads_snapshots(),
        operation_id="searchProducts",
        summary="Search products: best match first, each with its cheapest offer for the ZIP",
        description="Ranked full-text search over name, description, brand, manufacturer, part number and "
        "category. For a ZIP, a supplier's price for the ZIP's area wins over its national (*) price. "
        "Offers a platform-negotiated deal covers for your plan carry `deal_price` and `deal`.",
    )
    async def search_products(
        self,
        request: Request[Any, Any, Any],
        state: State,
        q: Text = None,
        category: Annotated[
            str | None,
            QueryParameter(max_length=200, description="A category path, in any case; sub-categories included."),
        ] = None,
        supplier: Annotated[str | None, QueryParameter(max_length=63, description="A supplier's slug.")] = None,
        zip_code: Zip = None,
        in_stock: Annotated[bool, QueryParameter(description="Only offers with stock available.")] = False,
        min_price: Price = None,
        max_price: Price = None,
        limit: Limit = 25,
        cursor: ReaderCursor = None,
    ) -> ProductPage:
        area = services.check_zip(zip_code)
        deals = await _deals(request, state)
        page = await services.call_reader(
            services.reader_of(state).search_products,
            q=q,
            category=category,
            supplier=supplier,
            zip_code=zip_code,
            in_stock=in_stock,
            min_price=_price(min_price, "min_price"),
            max_price=_price(max_price, "max_price"),
            limit=limit,
            cursor=cursor,
            cuts=services.price_cuts(deals),
        )
        return services.render_search(page, area, deals)

    @get(
        "/products/{product_id:str}",
        **_reads_snapshots(),
        operation_id="getProduct",
        summary="Get a product: every supplier's offer, cheapest per base unit first, and price history",
    )
    async def get_product(
        self, request: Request[Any, Any, Any], state: State, product_id: FromPath[str], zip_code: Zip = None
    ) -> ProductDetailOut:
        area = services.check_zip(zip_code)
        if not _PRODUCT_ID.match(product_id):
            raise NotFound(f"no product {product_id}")
        detail = await services.call_reader(services.reader_of(state).get_product, product_id, zip_code=zip_code)
        if detail is None:
            raise NotFound(f"no product {product_id}")
        return services.render_product(detail, area, await _deals(request, state))


class CostDataController(Controller):
    path = "/cost-data"
    tags = ["Cost data"]

    @get(
        "/items",
        **_reads_snapshots(),
        operation_id="listCostItems",
        summary="Unit costs, adjusted to the ZIP's area",
        description="By MasterFormat number or prefix (`06 11`) and/or text. For a ZIP, material costs are "
        "scaled by the material index of the ZIP area's division, labor and equipment by its installation "
        "index (100 = national average); `index_applied` is false where the area has no index. Each part is "
        "rounded to the cent (half up) and `total` is the sum of the parts as shown.",
    )
    async def list_cost_items(
        self,
        state: State,
        masterformat: Annotated[
            str | None, QueryParameter(max_length=40, description="A MasterFormat number or prefix, e.g. 06 11 10.")
        ] = None,
        q: Text = None,
        zip_code: Zip = None,
        limit: Limit = 25,
        cursor: ReaderCursor = None,
    ) -> CostItemPage:
        services.check_zip(zip_code)
        page = await services.call_reader(
            services.reader_of(state).list_cost_items,
            masterformat=masterformat,
            q=q,
            zip_code=zip_code,
            limit=limit,
            cursor=cursor,
        )
        return services.render_cost_page(page)

    @post(
        "/estimate",
        **_reads_snapshots({"422": _UNKNOWN_COST_ITEMS}),
        operation_id="estimateCosts",
        status_code=200,
        summary="Estimate: lines of (cost item, quantity) → material, labor, equipment and totals for a ZIP",
        description="Each line's parts are its quantity times the item's unrounded unit costs, rounded to the cent "
        "(half up); a line's `total` is the sum of its parts, the estimate's figures the sums of its lines'. "
        "Unknown cost items are a 422 `unknown-cost-items` naming each once (`unknown_items`); lines priced in "
        "more than one currency are a 422 `mixed-currencies` naming the lines apart from the main currency.",
    )
    async def estimate(self, state: State, data: JSONBody[EstimateIn]) -> EstimateOut:
        errors = [
            FieldError(f"lines[{i}].quantity", problem)
            for i, line in enumerate(data.lines)
            if (problem := quantity_problem(line.quantity))
        ]
        if errors:
            raise InvalidInput("; ".join(f"{e.field}: {e.detail}" for e in errors), errors=errors)
        services.check_zip(data.zip)
        try:
            estimate = await services.call_reader(
                services.reader_of(state).estimate,
                [(line.item, line.quantity) for line in data.lines],
                zip_code=data.zip,
            )
        except services.UnknownItems as exc:
            unknown = set(exc.extensions.get("unknown_items", []))  # type: ignore[call-overload]
            exc.errors = [
                FieldError(f"lines[{i}].item", f"no cost item {line.item!r} in the cost book")
                for i, line in enumerate(data.lines)
                if line.item in unknown
            ]
            raise
        return services.render_estimate(estimate)
