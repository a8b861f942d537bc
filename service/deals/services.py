"""Platform-negotiated deals: creating them (operators) and pricing offers with them (the
catalog). Services flush; the caller owns the commit."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from time import monotonic
from typing import Any

from sqlalchemy.orm import Session

from service.accounts.models import Plan
from service.db.database import Database
from service.deals.models import Deal
from service.deals.repositories import ELIGIBLE_NOW, DealRepository
from service.deals.schemas import PROVENANCE, DealOut, DealRef
from service.errors import Conflict, FieldError, InvalidInput
from service.money import amount_error, canonical_amount
from service.orgs.models import OrgKind
from service.orgs.repositories import OrgRepository
from service.times import to_utc

__all__ = ["DealRule", "EligibleDeals", "best_deal", "create_deal", "render", "rules"]

_CENT = Decimal("0.01")
_PRODUCT_ID_LENGTH = 40


def create_deal(
    session: Session,
    *,
    name: str,
    supplier: str,
    plans: Sequence[str],
    product_id: str | None = None,
    category: str | None = None,
    discount_percent: Decimal | None = None,
    discount_amount: Decimal | None = None,
    currency: str | None = None,
    valid_from: datetime | None = None,
    valid_to: datetime | None = None,
) -> Deal:
    name = name.strip()
    start = to_utc(valid_from, "valid_from") if valid_from is not None else datetime.now(UTC)
    end = to_utc(valid_to, "valid_to") if valid_to is not None else None
    errors = _terms_errors(name, supplier, product_id, category, discount_percent, discount_amount, currency)
    if not plans or set(plans) - {p.value for p in Plan}:
        errors.append(FieldError("plans", f"give one or more of {', '.join(p.value for p in Plan)}"))
    if end is not None and end <= start:
        errors.append(FieldError("valid_to", "must be after valid_from"))
    if not errors and not _is_supplier(session, supplier.strip()):
        # a deal for a slug no supplier has would be listed to builders and never apply
        errors.append(
            FieldError("supplier", "no supplier organisation has this slug (joist orgs create --kind supplier)")
        )
    if errors:
        raise InvalidInput("; ".join(f"{e.field}: {e.detail}" for e in errors), errors=errors)
    repo = DealRepository(session)
    if repo.by_name(name) is not None:
        raise Conflict(f"a deal named {name!r} already exists")
    return repo.add(
        Deal(
            name=name,
            supplier=supplier.strip(),
            product_id=product_id,
            category=None if category is None else category.strip(),
            discount_percent=discount_percent,
            discount_amount=discount_amount,
            currency=currency,
            valid_from=start,
            valid_to=end,
            created_at=datetime.now(UTC),
        ),
        sorted(set(plans)),
    )


def _is_supplier(session: Session, slug: str) -> bool:
    org = OrgRepository(session).by_slug(slug)
    return org is not None and org.kind == OrgKind.SUPPLIER


def _terms_errors(
    name: str,
    supplier: str,
    product_id: str | None,
    category: str | None,
    discount_percent: Decimal | None,
    discount_amount: Decimal | None,
    currency: str | None,
) -> list[FieldError]:
    """What is wrong with what a deal covers and how much it takes off."""
    errors: list[FieldError] = []
    if not 1 <= len(name) <= 200:
        errors.append(FieldError("name", "must be 1–200 characters"))
    if not supplier.strip() or len(supplier) > 63:
        errors.append(FieldError("supplier", "the supplier's slug, 1–63 characters"))
    if product_id is not None and category is not None:
        errors.append(FieldError("product_id", "give a product or a category, not both"))
    if product_id is not None and not 1 <= len(product_id) <= _PRODUCT_ID_LENGTH:
        errors.append(FieldError("product_id", "a catalog product id, e.g. p_0123456789abcdef"))
    if category is not None and not 1 <= len(category.strip()) <= 300:
        errors.append(FieldError("category", "a category path, e.g. 'Lumber > Dimensional Lumber'"))
    if (discount_percent is None) == (discount_amount is None):
        errors.append(FieldError("discount", "give a percent or an amount off, one of them"))
    if discount_percent is not None and not (Decimal(0) < discount_percent < Decimal(100)):
        errors.append(FieldError("discount_percent", "must be above 0 and below 100"))
    if discount_amount is not None:
        if (bad := amount_error("discount_amount", discount_amount)) or discount_amount <= 0:
            errors.append(bad or FieldError("discount_amount", "must be above 0"))
        if currency is None or len(currency) != 3 or not currency.isupper():
            errors.append(FieldError("currency", "an amount off needs its ISO 4217 currency, e.g. USD"))
    elif currency is not None:
        errors.append(FieldError("currency", "only an amount off takes a currency"))
    return errors


def render(row: Sequence[Any], plans: list[str]) -> DealOut:
    """A row of ``DEAL_COLUMNS`` as the API shows it."""
    deal_id, name, supplier, product_id, category, percent, amount, currency, start, end, created = row
    return DealOut(
        deal_id,
        name,
        supplier,
        product_id,
        category,
        None if percent is None else _plain(Decimal(percent)),
        None if amount is None else canonical_amount(Decimal(amount)),
        currency,
        plans,
        start,
        end,
        PROVENANCE,
        created,
    )


def _plain(value: Decimal) -> Decimal:
    """``7.5000`` as ``7.5``, ``10.0000`` as ``10`` (never ``1E+1``)."""
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()


@dataclass(frozen=True, slots=True)
class DealRule:
    """A current deal as pricing uses it."""

    deal_id: uuid.UUID
    name: str
    supplier: str
    product_id: str | None
    category: str | None
    percent: Decimal | None
    amount: Decimal | None
    currency: str | None

    def matches(self, supplier: str, product_id: str, category: str | None) -> bool:
        if supplier != self.supplier:
            return False
        if self.product_id is not None:
            return product_id == self.product_id
        if self.category is not None:  # the category or one under it, in any case, as the catalog's filter
            if category is None:
                return False
            theirs, ours = category.casefold(), self.category.casefold()
            return theirs == ours or theirs.startswith(ours + " > ")
        return True

    def price(self, unit_price: Decimal, currency: str, price_quantity: Decimal | None = None) -> Decimal | None:
        """What an offer's ``unit_price`` (the price of ``price_quantity`` order units) comes to
        under this deal, to the cent and never below zero; None when the deal's amount is in
        another currency than the offer's."""
        if self.percent is not None:
            off = unit_price * self.percent / 100
        elif self.amount is not None and self.currency == currency:
            # the amount is off each order unit, and unit_price buys price_quantity of them
            off = self.amount * _order_units(price_quantity)
        else:
            return None  # an amount in another currency does not apply
        return max(unit_price - off, Decimal(0)).quantize(_CENT, rounding=ROUND_HALF_UP)

    @property
    def ref(self) -> DealRef:
        return DealRef(
            self.deal_id,
            self.name,
            PROVENANCE,
            None if self.percent is None else _plain(self.percent),
            None if self.amount is None else canonical_amount(self.amount),
        )


def _order_units(price_quantity: Decimal | None) -> Decimal:
    """How many order units a price buys: 1 when the offer does not say (as the catalog shows
    it), or says something that is not a positive number (the feed rules refuse those)."""
    if price_quantity is None or not price_quantity.is_finite() or price_quantity <= 0:
        return Decimal(1)
    return price_quantity


def rules(rows: Sequence[Sequence[Any]]) -> list[DealRule]:
    """Rows of ``ELIGIBLE_NOW`` as pricing rules."""
    return [
        DealRule(
            r[0],
            r[1],
            r[2],
            r[3],
            r[4],
            None if r[5] is None else Decimal(r[5]),
            None if r[6] is None else Decimal(r[6]),
            r[7],
        )
        for r in rows
    ]


def best_deal(
    deals: Sequence[DealRule],
    *,
    supplier: str,
    product_id: str,
    category: str | None,
    unit_price: Decimal,
    currency: str,
    price_quantity: Decimal | None,
) -> tuple[Decimal, DealRule] | None:
    """The lowest price any applicable deal gives this offer, with that deal (None: no deal).

    ``unit_price`` is the offer's price of ``price_quantity`` order units (None: 1), so an
    amount off each order unit comes off ``price_quantity`` times; the result is the deal
    price of that same quantity, comparable with ``unit_price``.
    """
    best: tuple[Decimal, DealRule] | None = None
    for deal in deals:
        if not deal.matches(supplier, product_id, category):
            continue
        price = deal.price(unit_price, currency, price_quantity)
        if price is not None and (best is None or price < best[0]):
            best = (price, deal)
    return best


class EligibleDeals:
    """The deals each plan may use now, as the catalog prices offers with them: read once per
    ``seconds`` per plan in each process (every search and product read needs them, and deals
    change rarely), so a new, changed or ended deal reaches a process's prices within that time.
    ``seconds`` 0 reads them for every request."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._cached: dict[str, tuple[float, list[DealRule]]] = {}

    async def of(self, db: Database, plan: str) -> list[DealRule]:
        if self.seconds > 0 and (hit := self._cached.get(plan)) is not None and monotonic() - hit[0] < self.seconds:
            return hit[1]
        read_at = monotonic()
        found = rules(await db.fetch_all(ELIGIBLE_NOW, {"plan": plan, "now": datetime.now(UTC)}))
        if self.seconds > 0:
            self._cached[plan] = (read_at, found)
        return found
