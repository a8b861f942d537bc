from __future__ import annotations

import functools
from datetime import UTC, datetime
from typing import Annotated, Any

import anyio.to_thread
from litestar import Controller, Request, get
from litestar.datastructures import State
from litestar.params import QueryParameter

from service.db.database import database
from service.deals import services
from service.deals.repositories import deal_page
from service.deals.schemas import DealPage
from service.http.auth import needs, principal_of
from service.http.pagination import Cursor, Limit, PageParams, encode_cursor

__all__ = ["DealController"]


class DealController(Controller):
    path = "/deals"
    tags = ["Catalog"]

    @get(
        "/",
        **needs("read:catalog"),
        operation_id="listDeals",
        summary="List the supplier deals your plan is eligible for, newest first",
        description="Platform-negotiated discounts. Catalog offers they apply to show `deal_price` and `deal`.",
    )
    async def list_deals(
        self,
        request: Request[Any, Any, Any],
        state: State,
        limit: Limit = 25,
        cursor: Cursor = None,
        current: Annotated[
            bool, QueryParameter(description="Only deals valid now (default); false adds past and upcoming ones.")
        ] = True,
        supplier: Annotated[
            str | None, QueryParameter(max_length=63, description="Only this supplier's deals (its slug).")
        ] = None,
    ) -> DealPage:
        plan = principal_of(request).plan
        page = PageParams.of(limit, cursor)
        rows, plans = await anyio.to_thread.run_sync(
            database(state).read_sync,
            functools.partial(
                deal_page,
                plan=plan,
                now=datetime.now(UTC),
                current=current,
                supplier=(supplier or "").strip() or None,  # blank: no filter, as the catalog's filters
                after=page.after,
                limit=page.limit + 1,
            ),
        )
        next_cursor = None
        if len(rows) > page.limit:
            rows = rows[: page.limit]
            next_cursor = encode_cursor(rows[-1][-1], rows[-1][0])
        return DealPage(data=[services.render(r, plans.get(r[0], [])) for r in rows], next_cursor=next_cursor)
