"""Change orders: draft → submitted → approved | rejected. Approving adds the amount to the
budget's ``approved_changes`` in the same transaction, with both records' events."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from service.budgets.models import Budget
from service.budgets.services import apply_change, get_budget
from service.change_orders.models import ChangeOrder
from service.change_orders.repositories import LIST_COLUMNS
from service.change_orders.schemas import ChangeOrderCreate, ChangeOrderOut, ChangeOrderUpdate
from service.errors import Conflict, InvalidInput
from service.money import amount_error, canonical_amount
from service.projects.models import Project
from service.records import (
    Transition,
    as_row,
    blank,
    changes_of,
    emit,
    fail_on,
    frozen_unless,
    illegal,
    owned,
    referenced,
    remove,
    save_change,
    transition,
)

__all__ = ["ACTIONS", "act", "create_change_order", "delete_change_order", "render", "update_change_order"]

CATEGORY = "change_order"
NOUN = "change order"
RULES = {
    "submit": Transition(("draft",), "submitted"),
    "approve": Transition(("submitted",), "approved"),
    "reject": Transition(("submitted",), "rejected"),
}
ACTIONS = {"submit": "submitted", "approve": "approved", "reject": "rejected"}  # action → event


def create_change_order(session: Session, builder_id: uuid.UUID, data: ChangeOrderCreate) -> ChangeOrder:
    fail_on([blank("title", data.title), amount_error("amount", data.amount, signed=True)])
    referenced(session, Project, builder_id, data.project_id, "project_id", "project")
    budget = referenced(session, Budget, builder_id, data.budget_id, "budget_id", "budget")
    if budget.project_id != data.project_id:
        raise InvalidInput.field("budget_id", f"budget {budget.id} belongs to another project")
    now = datetime.now(UTC)
    order = ChangeOrder(
        builder_id=builder_id,
        project_id=data.project_id,
        budget_id=data.budget_id,
        title=data.title.strip(),
        reason=data.reason,
        amount=data.amount,
        currency=budget.currency,
        cost_code=data.cost_code,
        created_at=now,
        updated_at=now,
    )
    session.add(order)
    session.flush()
    emit(session, CATEGORY, order, "created", render_change_order(order))
    return order


def update_change_order(
    session: Session, builder_id: uuid.UUID, order_id: uuid.UUID, data: ChangeOrderUpdate
) -> ChangeOrder:
    order = owned(session, ChangeOrder, builder_id, order_id, NOUN)
    changes = changes_of(data)
    if "title" in changes:
        changes["title"] = changes["title"].strip()
    frozen_unless(order, NOUN, ("draft",), [f for f, value in changes.items() if getattr(order, f) != value])
    fail_on([blank("title", changes.get("title")), amount_error("amount", changes.get("amount"), signed=True)])
    for field, value in changes.items():
        setattr(order, field, value)
    if save_change(session, order):
        emit(session, CATEGORY, order, "updated", render_change_order(order))
    return order


def act(session: Session, builder_id: uuid.UUID, order_id: uuid.UUID, action: str) -> ChangeOrder:
    """``submit``, ``approve`` or ``reject`` (409 from any other state than the rule's)."""
    order = owned(session, ChangeOrder, builder_id, order_id, NOUN)
    transition(order, NOUN, action, RULES)
    now = datetime.now(UTC)
    if action == "submit":
        order.submitted_at = now
    else:
        order.decided_at = now
    if action == "approve":
        budget = get_budget(session, builder_id, order.budget_id)
        if budget.currency != order.currency:
            raise Conflict(f"the budget is now in {budget.currency}, the change order in {order.currency}")
        apply_change(session, budget, order.amount)
    save_change(session, order)
    emit(session, CATEGORY, order, ACTIONS[action], render_change_order(order))
    return order


def delete_change_order(session: Session, builder_id: uuid.UUID, order_id: uuid.UUID) -> None:
    order = owned(session, ChangeOrder, builder_id, order_id, NOUN)
    if order.status == "approved":
        raise illegal(order, "an approved change order is part of its budget's history and cannot be deleted")
    last = render_change_order(order)
    remove(session, order, NOUN, "dependent records")
    emit(session, CATEGORY, order, "deleted", last, deleted=True)


def render(row: Sequence[Any]) -> ChangeOrderOut:
    """A row of ``LIST_COLUMNS`` (ChangeOrderOut's field order) as the API shows it."""
    values = list(row)
    values[5] = canonical_amount(values[5])  # amount
    return ChangeOrderOut(*values)


def render_change_order(order: ChangeOrder) -> ChangeOrderOut:
    return render(as_row(order, LIST_COLUMNS))
