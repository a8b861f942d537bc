from __future__ import annotations

from sqlalchemy import bindparam, select

from service.budgets.models import Budget, BudgetLine
from service.http.filters import time_clauses
from service.http.pagination import ListQuery
from service.records import ChildQuery

__all__ = ["BUDGETS", "BUDGET_LINES", "BUDGET_LIST", "LINE_COLUMNS", "LIST_COLUMNS", "ONE_BUDGET"]

BUDGETS = Budget.__table__.c
LINES = BudgetLine.__table__.c
# Rows render by position (see services.render); the id comes first.
LIST_COLUMNS = (
    BUDGETS.id,
    BUDGETS.project_id,
    BUDGETS.name,
    BUDGETS.currency,
    BUDGETS.original_total,
    BUDGETS.approved_changes,
    BUDGETS.version,
    BUDGETS.created_at,
    BUDGETS.updated_at,
)
LINE_COLUMNS = (LINES.budget_id, LINES.position, LINES.cost_code, LINES.description, LINES.amount)

BUDGET_LIST = ListQuery(
    LIST_COLUMNS,
    tenant=BUDGETS.builder_id,
    created_at=BUDGETS.created_at,
    ident=BUDGETS.id,
    filters={
        "project_id": BUDGETS.project_id == bindparam("project_id"),
        "currency": BUDGETS.currency == bindparam("currency"),
        **time_clauses(BUDGETS.created_at, BUDGETS.updated_at),
    },
)
ONE_BUDGET = select(*LIST_COLUMNS).where(BUDGETS.builder_id == bindparam("builder_id"), BUDGETS.id == bindparam("id"))
BUDGET_LINES = ChildQuery(LINE_COLUMNS, tenant=LINES.builder_id, parent=LINES.budget_id, order=LINES.position)
