from __future__ import annotations

import uuid
from typing import Annotated, Any

from litestar import Controller, Request, Response, delete, get, patch, post
from litestar.datastructures import State
from litestar.params import FromPath, JSONBody, QueryParameter

from service.budgets import services
from service.budgets.models import Budget
from service.budgets.repositories import BUDGET_LINES, BUDGET_LIST, ONE_BUDGET
from service.budgets.schemas import BudgetCreate, BudgetOut, BudgetPage, BudgetUpdate
from service.db.database import database
from service.fields import Currency
from service.http.auth import needs, principal_of
from service.http.conditional import conditional, read_response
from service.http.filters import CreatedAfter, CreatedBefore, ProjectFilter, UpdatedAfter, time_filters
from service.http.pagination import Cursor, Limit, PageParams
from service.records import Guarded, created, fetch_with_children, page_with_children

__all__ = ["BudgetController"]

BUDGETS = Guarded(Budget, "budget")


class BudgetController(Controller):
    path = "/budgets"
    tags = ["Budgets"]

    @get("/", **needs("read:budgets"), operation_id="listBudgets", summary="List budgets, newest first")
    async def list_budgets(
        self,
        request: Request[Any, Any, Any],
        state: State,
        limit: Limit = 25,
        cursor: Cursor = None,
        created_after: CreatedAfter = None,
        created_before: CreatedBefore = None,
        updated_after: UpdatedAfter = None,
        project_id: ProjectFilter = None,
        currency: Annotated[Currency | None, QueryParameter(description="Only budgets in this currency.")] = None,
    ) -> BudgetPage:
        return await page_with_children(
            database(state),
            BUDGET_LIST,
            BUDGET_LINES,
            principal_of(request).builder_id,
            PageParams.of(limit, cursor),
            services.render,
            BudgetPage,
            project_id=project_id,
            currency=currency,
            **time_filters(created_after, created_before, updated_after),
        )

    @post(
        "/",
        **needs("write:budgets"),
        **conditional("create"),
        operation_id="createBudget",
        status_code=201,
        summary="Create a budget",
        description="The project must be one of the builder's. Totals are computed from the line items.",
    )
    async def create_budget(
        self, request: Request[Any, Any, Any], state: State, data: JSONBody[BudgetCreate]
    ) -> Response[BudgetOut]:
        builder_id = principal_of(request).builder_id
        out = await database(state).write(
            lambda session: services.render_budget(services.create_budget(session, builder_id, data))
        )
        return created(out, "budgets", out.id)

    @get(
        "/{budget_id:uuid}",
        **needs("read:budgets"),
        **conditional("read"),
        operation_id="getBudget",
        summary="Get a budget",
    )
    async def get_budget(
        self, request: Request[Any, Any, Any], state: State, budget_id: FromPath[uuid.UUID]
    ) -> Response[BudgetOut]:
        params = {"builder_id": principal_of(request).builder_id, "id": budget_id}
        out = await fetch_with_children(
            database(state), ONE_BUDGET, BUDGET_LINES, params, services.render, f"no budget {budget_id}"
        )
        return read_response(request, out)

    @patch(
        "/{budget_id:uuid}",
        **needs("write:budgets"),
        **conditional("write"),
        operation_id="updateBudget",
        summary="Change a budget",
        description="Send only the fields to change; `line_items` replaces all the lines.",
    )
    async def update_budget(
        self,
        request: Request[Any, Any, Any],
        state: State,
        budget_id: FromPath[uuid.UUID],
        data: JSONBody[BudgetUpdate],
    ) -> Response[BudgetOut]:
        return await BUDGETS.answer(
            request,
            state,
            budget_id,
            lambda session, builder_id: services.render_budget(
                services.update_budget(session, builder_id, budget_id, data)
            ),
        )

    @delete(
        "/{budget_id:uuid}",
        **needs("write:budgets"),
        **conditional("write"),
        operation_id="deleteBudget",
        summary="Delete a budget",
        description="A budget that change orders refer to cannot be deleted (409).",
    )
    async def delete_budget(
        self, request: Request[Any, Any, Any], state: State, budget_id: FromPath[uuid.UUID]
    ) -> None:
        await BUDGETS.write(
            request,
            state,
            budget_id,
            lambda session, builder_id: services.delete_budget(session, builder_id, budget_id),
        )
