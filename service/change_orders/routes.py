from __future__ import annotations

import uuid
from typing import Annotated, Any

from litestar import Controller, Request, Response, delete, get, patch, post
from litestar.datastructures import State
from litestar.params import FromPath, JSONBody, QueryParameter

from service.change_orders import services
from service.change_orders.models import ChangeOrder
from service.change_orders.repositories import CHANGE_ORDER_LIST, ONE_CHANGE_ORDER
from service.change_orders.schemas import ChangeOrderCreate, ChangeOrderOut, ChangeOrderPage, ChangeOrderUpdate, Status
from service.db.database import database
from service.errors import NotFound
from service.http.auth import needs, principal_of
from service.http.conditional import conditional, read_response
from service.http.filters import CreatedAfter, CreatedBefore, ProjectFilter, UpdatedAfter, time_filters
from service.http.pagination import Cursor, Limit, PageParams, paginate
from service.records import Guarded, created

__all__ = ["ChangeOrderController"]

CHANGE_ORDERS = Guarded(ChangeOrder, "change order")

OrderId = FromPath[uuid.UUID]


async def _act(
    request: Request[Any, Any, Any], state: State, order_id: uuid.UUID, action: str
) -> Response[ChangeOrderOut]:
    return await CHANGE_ORDERS.answer(
        request,
        state,
        order_id,
        lambda session, builder_id: services.render_change_order(services.act(session, builder_id, order_id, action)),
    )


class ChangeOrderController(Controller):
    path = "/change-orders"
    tags = ["Change orders"]

    @get(
        "/", **needs("read:change_orders"), operation_id="listChangeOrders", summary="List change orders, newest first"
    )
    async def list_change_orders(
        self,
        request: Request[Any, Any, Any],
        state: State,
        limit: Limit = 25,
        cursor: Cursor = None,
        created_after: CreatedAfter = None,
        created_before: CreatedBefore = None,
        updated_after: UpdatedAfter = None,
        project_id: ProjectFilter = None,
        budget_id: Annotated[uuid.UUID | None, QueryParameter(description="Only those against this budget.")] = None,
        status: Annotated[Status | None, QueryParameter(description="Only change orders in this status.")] = None,
    ) -> ChangeOrderPage:
        return await paginate(
            database(state),
            CHANGE_ORDER_LIST,
            principal_of(request).builder_id,
            PageParams.of(limit, cursor),
            services.render,
            ChangeOrderPage,
            project_id=project_id,
            budget_id=budget_id,
            status=status,
            **time_filters(created_after, created_before, updated_after),
        )

    @post(
        "/",
        **needs("write:change_orders"),
        **conditional("create"),
        operation_id="createChangeOrder",
        status_code=201,
        summary="Draft a change order",
        description="Against a budget of the same project; it takes the budget's currency. "
        "The amount may be negative (a credit).",
    )
    async def create_change_order(
        self, request: Request[Any, Any, Any], state: State, data: JSONBody[ChangeOrderCreate]
    ) -> Response[ChangeOrderOut]:
        builder_id = principal_of(request).builder_id
        out = await database(state).write(
            lambda session: services.render_change_order(services.create_change_order(session, builder_id, data))
        )
        return created(out, "change-orders", out.id)

    @get(
        "/{order_id:uuid}",
        **needs("read:change_orders"),
        **conditional("read"),
        operation_id="getChangeOrder",
        summary="Get a change order",
    )
    async def get_change_order(
        self, request: Request[Any, Any, Any], state: State, order_id: OrderId
    ) -> Response[ChangeOrderOut]:
        params = {"builder_id": principal_of(request).builder_id, "id": order_id}
        row = await database(state).fetch_one(ONE_CHANGE_ORDER, params)
        if row is None:
            raise NotFound(f"no change order {order_id}")
        return read_response(request, services.render(row))

    @patch(
        "/{order_id:uuid}",
        **needs("write:change_orders"),
        **conditional("write"),
        operation_id="updateChangeOrder",
        summary="Change a draft change order",
        description="Send only the fields to change; null clears an optional field. Once submitted: 409.",
    )
    async def update_change_order(
        self, request: Request[Any, Any, Any], state: State, order_id: OrderId, data: JSONBody[ChangeOrderUpdate]
    ) -> Response[ChangeOrderOut]:
        return await CHANGE_ORDERS.answer(
            request,
            state,
            order_id,
            lambda session, builder_id: services.render_change_order(
                services.update_change_order(session, builder_id, order_id, data)
            ),
        )

    @delete(
        "/{order_id:uuid}",
        **needs("write:change_orders"),
        **conditional("write"),
        operation_id="deleteChangeOrder",
        summary="Delete a change order",
        description="An approved change order cannot be deleted (409).",
    )
    async def delete_change_order(self, request: Request[Any, Any, Any], state: State, order_id: OrderId) -> None:
        await CHANGE_ORDERS.write(
            request,
            state,
            order_id,
            lambda session, builder_id: services.delete_change_order(session, builder_id, order_id),
        )

    @post(
        "/{order_id:uuid}/submit",
        **needs("write:change_orders"),
        **conditional("write"),
        operation_id="submitChangeOrder",
        status_code=200,
        summary="Submit a draft change order for approval",
    )
    async def submit(
        self, request: Request[Any, Any, Any], state: State, order_id: OrderId
    ) -> Response[ChangeOrderOut]:
        return await _act(request, state, order_id, "submit")

    @post(
        "/{order_id:uuid}/approve",
        **needs("write:change_orders"),
        **conditional("write"),
        operation_id="approveChangeOrder",
        status_code=200,
        summary="Approve a submitted change order",
        description="Adds the amount to the budget's approved_changes in the same transaction "
        "(events change_order.approved and budget.updated).",
    )
    async def approve(
        self, request: Request[Any, Any, Any], state: State, order_id: OrderId
    ) -> Response[ChangeOrderOut]:
        return await _act(request, state, order_id, "approve")

    @post(
        "/{order_id:uuid}/reject",
        **needs("write:change_orders"),
        **conditional("write"),
        operation_id="rejectChangeOrder",
        status_code=200,
        summary="Reject a submitted change order",
    )
    async def reject(
        self, request: Request[Any, Any, Any], state: State, order_id: OrderId
    ) -> Response[ChangeOrderOut]:
        return await _act(request, state, order_id, "reject")
