from __future__ import annotations

from sqlalchemy import bindparam, select

from service.change_orders.models import ChangeOrder
from service.http.filters import time_clauses
from service.http.pagination import ListQuery

__all__ = ["CHANGE_ORDERS", "CHANGE_ORDER_LIST", "LIST_COLUMNS", "ONE_CHANGE_ORDER"]

CHANGE_ORDERS = ChangeOrder.__table__.c
# In ChangeOrderOut's field order: rows render by position.
LIST_COLUMNS = (
    CHANGE_ORDERS.id,
    CHANGE_ORDERS.project_id,
    CHANGE_ORDERS.budget_id,
    CHANGE_ORDERS.title,
    CHANGE_ORDERS.reason,
    CHANGE_ORDERS.amount,
    CHANGE_ORDERS.currency,
    CHANGE_ORDERS.cost_code,
    CHANGE_ORDERS.status,
    CHANGE_ORDERS.submitted_at,
    CHANGE_ORDERS.decided_at,
    CHANGE_ORDERS.version,
    CHANGE_ORDERS.created_at,
    CHANGE_ORDERS.updated_at,
)

CHANGE_ORDER_LIST = ListQuery(
    LIST_COLUMNS,
    tenant=CHANGE_ORDERS.builder_id,
    created_at=CHANGE_ORDERS.created_at,
    ident=CHANGE_ORDERS.id,
    filters={
        "project_id": CHANGE_ORDERS.project_id == bindparam("project_id"),
        "budget_id": CHANGE_ORDERS.budget_id == bindparam("budget_id"),
        "status": CHANGE_ORDERS.status == bindparam("status"),
        **time_clauses(CHANGE_ORDERS.created_at, CHANGE_ORDERS.updated_at),
    },
)
ONE_CHANGE_ORDER = select(*LIST_COLUMNS).where(
    CHANGE_ORDERS.builder_id == bindparam("builder_id"), CHANGE_ORDERS.id == bindparam("id")
)
