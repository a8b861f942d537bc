from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Select, bindparam, select, tuple_
from sqlalchemy.orm import Session

from service.deals.models import Deal, DealPlan

__all__ = ["DEAL_COLUMNS", "ELIGIBLE_NOW", "DealRepository", "deal_page"]

DEALS = Deal.__table__.c
PLANS = DealPlan.__table__.c
DEAL_COLUMNS = (
    DEALS.id,
    DEALS.name,
    DEALS.supplier,
    DEALS.product_id,
    DEALS.category,
    DEALS.discount_percent,
    DEALS.discount_amount,
    DEALS.currency,
    DEALS.valid_from,
    DEALS.valid_to,
    DEALS.created_at,
)
_CURRENT = (DEALS.valid_from <= bindparam("now"), (DEALS.valid_to.is_(None)) | (DEALS.valid_to > bindparam("now")))

#: Deals a plan may use right now (the catalog applies them to prices).
ELIGIBLE_NOW = (
    select(*DEAL_COLUMNS)
    .join(DealPlan, DealPlan.deal_id == DEALS.id)
    .where(PLANS.plan == bindparam("plan"), *_CURRENT)
    .order_by(DEALS.created_at, DEALS.id)
)


def _page_statement(*, current: bool, supplier: bool, continued: bool) -> Select[Any]:
    stmt = select(*DEAL_COLUMNS).join(DealPlan, DealPlan.deal_id == DEALS.id).where(PLANS.plan == bindparam("plan"))
    if current:
        stmt = stmt.where(*_CURRENT)
    if supplier:
        stmt = stmt.where(DEALS.supplier == bindparam("supplier"))
    if continued:
        stmt = stmt.where(
            tuple_(DEALS.created_at, DEALS.id)
            < tuple_(
                bindparam("after_created", type_=DEALS.created_at.type), bindparam("after_id", type_=DEALS.id.type)
            )
        )
    return stmt.order_by(DEALS.created_at.desc(), DEALS.id.desc()).limit(bindparam("limit"))


def deal_page(
    conn: Connection,
    *,
    plan: str,
    now: datetime,
    current: bool,
    supplier: str | None,
    after: tuple[datetime, uuid.UUID] | None,
    limit: int,
) -> tuple[Sequence[Any], dict[uuid.UUID, list[str]]]:
    """One page of the deals a plan is eligible for, newest first, with every deal's plans."""
    stmt = _page_statement(current=current, supplier=supplier is not None, continued=after is not None)
    params: dict[str, Any] = {"plan": plan, "limit": limit}
    if current:
        params["now"] = now
    if supplier is not None:
        params["supplier"] = supplier
    if after is not None:
        params["after_created"], params["after_id"] = after
    rows = conn.execute(stmt, params).all()
    plans: dict[uuid.UUID, list[str]] = {}
    if rows:
        found = conn.execute(
            select(PLANS.deal_id, PLANS.plan).where(PLANS.deal_id.in_([r[0] for r in rows])).order_by(PLANS.plan)
        )
        for deal_id, deal_plan in found:
            plans.setdefault(deal_id, []).append(deal_plan)
    return rows, plans


class DealRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, deal: Deal, plans: Sequence[str]) -> Deal:
        self.session.add(deal)
        self.session.flush()
        for plan in plans:
            self.session.add(DealPlan(deal_id=deal.id, plan=plan))
        self.session.flush()
        return deal

    def by_name(self, name: str) -> Deal | None:
        return self.session.scalars(select(Deal).where(Deal.name == name)).first()
