"""Creating, changing and deleting budgets; approved change orders move ``approved_changes``
through ``apply_change``. Each change writes its event in the same transaction."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from service.budgets.models import Budget, BudgetLine
from service.budgets.repositories import LINE_COLUMNS, LIST_COLUMNS
from service.budgets.schemas import BudgetCreate, BudgetLineIn, BudgetLineOut, BudgetOut, BudgetUpdate
from service.change_orders.models import ChangeOrder
from service.errors import Conflict, FieldError
from service.money import amount_error, canonical_amount
from service.projects.models import Project
from service.records import as_row, blank, changes_of, emit, fail_on, owned, referenced, remove, save_change

__all__ = [
    "apply_change",
    "create_budget",
    "delete_budget",
    "get_budget",
    "render",
    "render_budget",
    "update_budget",
]

CATEGORY = "budget"


def _lines(builder_id: uuid.UUID, lines: list[BudgetLineIn]) -> list[BudgetLine]:
    errors: list[FieldError | None] = []
    for i, line in enumerate(lines):
        errors += [
            blank(f"line_items[{i}].description", line.description),
            amount_error(f"line_items[{i}].amount", line.amount),
        ]
    fail_on(errors)
    built = [
        BudgetLine(
            builder_id=builder_id,
            position=i,
            cost_code=line.cost_code.strip(),
            description=line.description.strip(),
            amount=line.amount,
        )
        for i, line in enumerate(lines)
    ]
    fail_on([amount_error("line_items", _total(built))])
    return built


def _total(lines: Sequence[BudgetLine]) -> Decimal:
    return sum((line.amount for line in lines), Decimal(0))


def _same(a: Sequence[BudgetLine], b: Sequence[BudgetLine]) -> bool:
    return [(x.cost_code, x.description, x.amount) for x in a] == [(y.cost_code, y.description, y.amount) for y in b]


def create_budget(session: Session, builder_id: uuid.UUID, data: BudgetCreate) -> Budget:
    fail_on([blank("name", data.name)])
    referenced(session, Project, builder_id, data.project_id, "project_id", "project")
    lines = _lines(builder_id, data.line_items)
    now = datetime.now(UTC)
    budget = Budget(
        builder_id=builder_id,
        project_id=data.project_id,
        name=data.name.strip(),
        currency=data.currency,
        original_total=_total(lines),
        approved_changes=Decimal(0),
        line_items=lines,
        created_at=now,
        updated_at=now,
    )
    session.add(budget)
    session.flush()
    emit(session, CATEGORY, budget, "created", render_budget(budget))
    return budget


def get_budget(session: Session, builder_id: uuid.UUID, budget_id: uuid.UUID) -> Budget:
    return owned(session, Budget, builder_id, budget_id, "budget", selectinload(Budget.line_items))


def update_budget(session: Session, builder_id: uuid.UUID, budget_id: uuid.UUID, data: BudgetUpdate) -> Budget:
    budget = get_budget(session, builder_id, budget_id)
    changes = changes_of(data)
    if "name" in changes:
        fail_on([blank("name", changes["name"])])
        changes["name"] = changes["name"].strip()
    if changes.get("currency", budget.currency) != budget.currency:
        _check_no_booked_changes(session, budget, changes["currency"])
    if "line_items" in changes:
        lines = _lines(builder_id, changes.pop("line_items"))
        if not _same(lines, budget.line_items):
            budget.line_items = lines
            budget.original_total = _total(lines)
    for field, value in changes.items():
        setattr(budget, field, value)
    if save_change(session, budget):
        emit(session, CATEGORY, budget, "updated", render_budget(budget))
    return budget


def _check_no_booked_changes(session: Session, budget: Budget, currency: str) -> None:
    """A budget's currency may be corrected until change orders are booked against it: approved
    ones are money in the old currency (in approved_changes), pending ones would be approved in it."""
    booked = session.scalar(
        select(func.count())
        .select_from(ChangeOrder)
        .where(ChangeOrder.budget_id == budget.id, ChangeOrder.status.in_(("submitted", "approved")))
    )
    if booked:
        raise Conflict(
            f"the budget has {booked} submitted or approved change order(s) in {budget.currency}; "
            f"its currency cannot change to {currency}"
        )


def apply_change(session: Session, budget: Budget, amount: Decimal) -> None:
    """Add an approved change order's amount to ``approved_changes`` (a new version and a
    ``budget.updated`` event, in the caller's transaction)."""
    total = budget.approved_changes + amount
    if amount_error("approved_changes", total, signed=True):
        raise Conflict(f"approving would take the budget's approved changes to {total}, out of range")
    budget.approved_changes = total
    if save_change(session, budget):
        emit(session, CATEGORY, budget, "updated", render_budget(budget))


def delete_budget(session: Session, builder_id: uuid.UUID, budget_id: uuid.UUID) -> None:
    budget = get_budget(session, builder_id, budget_id)
    last = render_budget(budget)
    remove(session, budget, "budget", "change orders")
    emit(session, CATEGORY, budget, "deleted", last, deleted=True)


def render(row: Sequence[Any], lines: Sequence[Sequence[Any]]) -> BudgetOut:
    """A row of ``LIST_COLUMNS`` and its rows of ``LINE_COLUMNS`` as the API shows them."""
    (bid, project_id, name, currency, original, approved, version, created, updated) = row
    return BudgetOut(
        bid,
        project_id,
        name,
        currency,
        [BudgetLineOut(code, description, canonical_amount(amount)) for (_, _, code, description, amount) in lines],
        canonical_amount(original),
        canonical_amount(approved),
        canonical_amount(original + approved),
        version,
        created,
        updated,
    )


def render_budget(budget: Budget) -> BudgetOut:
    return render(as_row(budget, LIST_COLUMNS), [as_row(line, LINE_COLUMNS) for line in budget.line_items])
