"""The read API over serving snapshots that the catalog and cost-data endpoints call.

One :class:`CatalogReader` per service process (it holds the warm snapshot connections); every
method is safe to call from worker threads and runs on its own cursor.

Errors: :class:`InvalidQuery` (a bad ZIP, cursor or estimate line — a 400), :class:`UnknownCostItems`
(an estimate names line numbers the cost book lacks — a 422), :class:`MixedCurrencies` (its lines
are priced in several currencies — a 422), and
:class:`~warehouse.snapshots.SnapshotUnavailable` (nothing published yet — a 503).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from warehouse._sql import execute
from warehouse.search import Cut, ProductIndex, SearchQuery
from warehouse.snapshots import SnapshotGone, SnapshotReader

__all__ = [
    "MAX_QUANTITY",
    "QUANTITY_PLACES",
    "CatalogReader",
    "CostItem",
    "CostItemPage",
    "Estimate",
    "EstimateLine",
    "InvalidQuery",
    "MixedCurrencies",
    "Offer",
    "PriceCut",
    "PricePoint",
    "ProductDetail",
    "ProductHit",
    "SearchPage",
    "UnknownCostItems",
    "quantity_problem",
    "zip_area",
]

# ASCII: \d alone also takes other scripts' digits (fullwidth ８０２), which no ZIP has
_ZIP = re.compile(r"(\d{3})(?:\d{2}(?:-?\d{4})?)?", re.ASCII)
_CENT = Decimal("0.01")
#: An estimate line's quantity: a billion units at most, to the millionth (money stays exact).
MAX_QUANTITY = Decimal(1_000_000_000)
QUANTITY_PLACES = 6
MAX_LIMIT = 100


class InvalidQuery(ValueError):
    """A parameter the reader cannot use; the message says which and why."""


class UnknownCostItems(LookupError):
    """An estimate line names a cost item that the current cost book does not have."""

    def __init__(self, line_numbers: Sequence[str]) -> None:
        super().__init__("unknown cost items: " + ", ".join(line_numbers))
        self.line_numbers = list(line_numbers)


class MixedCurrencies(ValueError):
    """An estimate's lines name cost items priced in more than one currency (they cannot be summed)."""

    def __init__(self, currencies: Sequence[str]) -> None:
        super().__init__("the lines are priced in more than one currency: " + ", ".join(sorted(set(currencies))))
        #: each line's currency, in the order of the lines
        self.currencies = list(currencies)


def zip_area(zip_code: str | None) -> str | None:
    """The 3-digit ZIP area of a ZIP (``80202``, ``80202-1234``) or area (``802``); None for None."""
    if zip_code is None:
        return None
    match = _ZIP.fullmatch(zip_code.strip())
    if match is None:
        raise InvalidQuery(f"zip must be a 5-digit ZIP code or a 3-digit ZIP area, not {zip_code!r}")
    return match.group(1)


def _query_key(*values: object) -> str:
    """What a cursor is bound to: the query's filters as the reader understood them."""
    text = json.dumps(values, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def _encode_cursor(score: float, key: str, query: str, snapshot: str | None) -> str:
    """``snapshot``: the snapshot a ranked list's next pages are read from (scores change with a
    publish, so a ranking is only walked through on the snapshot it was taken from); None for a
    list in key order, which any later snapshot continues."""
    values: list[object] = [score, key, query] if snapshot is None else [score, key, query, snapshot]
    payload = json.dumps(values, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(payload).decode().rstrip("=")


@dataclass(frozen=True, slots=True)
class _Cursor:
    score: float
    key: str
    snapshot: str | None


def _decode_cursor(token: str, query: str) -> _Cursor:
    """A cursor this module issued for the same query; anything else is an InvalidQuery (a cursor
    of another query would page through a ranking it was not taken from)."""
    try:
        payload = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise InvalidQuery("cursor is not one this API issued") from None
    if (
        not isinstance(payload, list)
        or len(payload) not in (3, 4)
        or isinstance(payload[0], bool)
        or not isinstance(payload[0], int | float)
        or not all(isinstance(v, str) for v in payload[1:])
    ):
        raise InvalidQuery("cursor is not one this API issued")
    try:
        score = float(payload[0])
    except OverflowError:  # an integer beyond any float: no score this API gives
        raise InvalidQuery("cursor is not one this API issued") from None
    if payload[2] != query:
        raise InvalidQuery(
            "cursor belongs to a query with other parameters; repeat that query's parameters, or drop it"
        )
    return _Cursor(score, payload[1], payload[3] if len(payload) == 4 else None)


@contextmanager
def _reading(reader: SnapshotReader, after: _Cursor | None) -> Iterator[tuple[Any, Any]]:
    """``reader.session`` on the snapshot a ranked list's cursor is pinned to (else the current
    one); a snapshot no longer served is an InvalidQuery naming the cursor."""
    with ExitStack() as stack:
        try:
            opened = stack.enter_context(reader.session(after.snapshot if after is not None else None))
        except SnapshotGone as exc:
            raise InvalidQuery(
                f"cursor belongs to a ranking of snapshot {exc.snapshot_id}, which a newer publish replaced "
                "longer ago than a ranking's next pages are kept; start the list again without cursor"
            ) from None
        yield opened


def _cuts(cur: Any, index: ProductIndex, cuts: Sequence[PriceCut]) -> tuple[Cut, ...]:
    """The deals in the index's numbers, leaving out those that cover nothing in this snapshot
    (the products deals name are looked up in one query)."""
    named = sorted({c.product_id for c in cuts if c.product_id is not None})
    product_nos: dict[str, int] = {}
    if named:
        found = execute(cur, "search", "product_numbers", {"product_ids": named}).fetchall()
        product_nos = {str(product_id): int(no) for product_id, no in found}
    weighed = []
    for cut in cuts:
        supplier_no = index.suppliers.get(cut.supplier)
        currency_no = index.currencies.get(cut.currency) if cut.currency is not None else None
        if supplier_no is None or (cut.percent is None and (cut.amount is None or currency_no is None)):
            continue
        product_no = product_nos.get(cut.product_id) if cut.product_id is not None else None
        if cut.product_id is not None and product_no is None:
            continue
        categories = None
        if cut.category is not None:
            categories = tuple(index.category_numbers(cut.category))
            if not categories:
                continue
        percent = None if cut.percent is None else float(cut.percent)
        amount = None if cut.amount is None else float(cut.amount)
        weighed.append(Cut(supplier_no, product_no, categories, percent, amount, currency_no))
    return tuple(weighed)


def _limit(limit: int) -> int:
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidQuery(f"limit must be between 1 and {MAX_LIMIT}")
    return limit


def _text(value: str | None, name: str, max_len: int = 200) -> str | None:
    if value is None:
        return None
    value = value.strip()
    if not value:
        return None
    if len(value) > max_len or "\x00" in value:
        raise InvalidQuery(f"{name} is too long or holds a NUL character")
    return value


@dataclass(frozen=True, slots=True)
class Offer:
    """One supplier's price for a product in a region (``*`` = every region)."""

    supplier: str
    supplier_sku: str
    price_region: str
    unit_price: Decimal
    currency: str
    order_uom: str
    price_quantity: Decimal
    content_uom: str | None
    content_per_order_uom: Decimal | None
    base_uom: str
    price_per_base_unit: Decimal
    available_qty: Decimal | None
    lead_time_days: int | None
    valid_from: date | None
    valid_to: date | None
    price_comparison_allowed: bool


_OFFER_FIELDS = tuple(Offer.__dataclass_fields__)


def _offer(values: dict[str, Any]) -> Offer:
    return Offer(**{k: values[k] for k in _OFFER_FIELDS})


@dataclass(frozen=True, slots=True)
class PriceCut:
    """A deal the caller is eligible for, as the search weighs offers with it: a supplier's offers
    (of one product, of a category and those under it, or all of them) at ``percent`` off, or at
    ``amount`` off each order unit of its offers in ``currency``."""

    supplier: str
    product_id: str | None = None
    category: str | None = None
    percent: Decimal | None = None
    amount: Decimal | None = None
    currency: str | None = None


@dataclass(frozen=True, slots=True)
class ProductHit:
    product_id: str
    name: str
    brand: str | None
    manufacturer: str | None
    manufacturer_part_number: str | None
    category: str | None
    score: float
    offer: Offer | None  # None: no supplier offers it; its manufacturer's list price is its price
    offer_count: int
    list_price: Decimal | None = None
    list_price_currency: str | None = None
    list_price_uom: str | None = None
    manufacturer_lead_time_days: int | None = None
    discontinued: bool | None = None


@dataclass(frozen=True, slots=True)
class SearchPage:
    items: list[ProductHit]
    next_cursor: str | None
    snapshot: str | None


@dataclass(frozen=True, slots=True)
class PricePoint:
    supplier: str
    supplier_sku: str
    price_region: str
    unit_price: Decimal
    currency: str
    price_quantity: Decimal
    order_uom: str
    base_uom: str
    price_per_base_unit: Decimal
    effective_from: datetime
    effective_to: datetime | None


@dataclass(frozen=True, slots=True)
class ProductDetail:
    product_id: str
    name: str
    description: str | None
    brand: str | None
    manufacturer: str | None
    manufacturer_part_number: str | None
    gtin: str | None
    unspsc: str | None
    category: str | None
    base_uom: str | None
    product_line: str | None
    specs: list[dict[str, Any]]
    spec_sheet_url: str | None
    list_price: Decimal | None
    list_price_currency: str | None
    list_price_uom: str | None
    manufacturer_lead_time_days: int | None
    discontinued: bool | None
    offers: list[Offer]
    price_history: list[PricePoint]
    snapshot: str | None


@dataclass(frozen=True, slots=True)
class CostItem:
    """A unit cost line, adjusted to the ZIP area's division index when one applies."""

    line_number: str
    division: str
    description: str
    unit: str
    crew: str | None
    daily_output: Decimal | None
    labor_hours: Decimal | None
    currency: str
    material: Decimal
    labor: Decimal
    equipment: Decimal
    total: Decimal
    total_incl_op: Decimal
    material_index: Decimal
    installation_index: Decimal
    index_applied: bool
    location: str | None


@dataclass(frozen=True, slots=True)
class CostItemPage:
    items: list[CostItem]
    next_cursor: str | None
    zip_area: str | None
    snapshot: str | None


@dataclass(frozen=True, slots=True)
class EstimateLine:
    item: CostItem
    quantity: Decimal
    material: Decimal
    labor: Decimal
    equipment: Decimal
    total: Decimal
    total_incl_op: Decimal


@dataclass(frozen=True, slots=True)
class Estimate:
    zip_area: str | None
    currency: str
    lines: list[EstimateLine] = field(default_factory=list)
    material: Decimal = Decimal("0.00")
    labor: Decimal = Decimal("0.00")
    equipment: Decimal = Decimal("0.00")
    total: Decimal = Decimal("0.00")
    total_incl_op: Decimal = Decimal("0.00")
    snapshot: str | None = None


def quantity_problem(quantity: object) -> str | None:
    """Why an estimate line's quantity is refused, or None."""
    if not isinstance(quantity, Decimal) or not quantity.is_finite() or quantity < 0:
        return "a decimal number, zero or more"
    if quantity > MAX_QUANTITY:
        return f"at most {MAX_QUANTITY:,}"
    if quantity != quantity.quantize(Decimal(1).scaleb(-QUANTITY_PLACES), rounding=ROUND_HALF_UP):
        return f"at most {QUANTITY_PLACES} decimal places"
    return None


def _plain(quantity: Decimal) -> Decimal:
    """The same number written without an exponent (``1E+3`` → ``1000``)."""
    return Decimal(format(quantity, "f"))


def _money(value: Decimal) -> Decimal:
    return value.quantize(_CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True, slots=True)
class _UnitCosts:
    """A cost line's unit costs adjusted to the area's index, unrounded: what amounts are priced from."""

    material: Decimal
    labor: Decimal
    equipment: Decimal
    total_incl_op: Decimal

    @classmethod
    def of(cls, values: dict[str, Any]) -> _UnitCosts:
        mi, ii = Decimal(values["material_index"]), Decimal(values["installation_index"])
        bm, bl, be = Decimal(values["bare_material"]), Decimal(values["bare_labor"]), Decimal(values["bare_equipment"])
        material, labor, equipment = bm * mi / 100, bl * ii / 100, be * ii / 100
        bare = bm + bl + be
        blend = (material + labor + equipment) / bare if bare else Decimal(1)
        return cls(material, labor, equipment, Decimal(values["total_incl_op"]) * blend)

    def amounts(self, quantity: Decimal) -> tuple[Decimal, Decimal, Decimal, Decimal, Decimal]:
        """Material, labor, equipment, total and total incl. O&P for ``quantity`` units, to the cent.

        Each part is the quantity times the unrounded unit cost, rounded once (half up); the total
        is the sum of the rounded parts, so the figures shown always add up, and one unit's
        amounts are the cost item's own figures."""
        material, labor = _money(self.material * quantity), _money(self.labor * quantity)
        equipment = _money(self.equipment * quantity)
        return material, labor, equipment, material + labor + equipment, _money(self.total_incl_op * quantity)


def _cost_item(values: dict[str, Any], unit: _UnitCosts) -> CostItem:
    material, labor, equipment, total, total_incl_op = unit.amounts(Decimal(1))
    location = f"{values['city']}, {values['state']}" if values.get("city") else None
    return CostItem(
        line_number=values["line_number"],
        division=values["division"],
        description=values["description"],
        unit=values["unit"],
        crew=values["crew"],
        daily_output=values["daily_output"],
        labor_hours=values["labor_hours"],
        currency=values["currency"],
        material=material,
        labor=labor,
        equipment=equipment,
        total=total,
        total_incl_op=total_incl_op,
        material_index=Decimal(values["material_index"]),
        installation_index=Decimal(values["installation_index"]),
        index_applied=bool(values["index_applied"]),
        location=location,
    )


def _line_key(line_number: object) -> str:
    """A MasterFormat line number as the estimate looks it up: without any whitespace (spaces, tabs),
    so ``06 11 10.10 0200``, ``061110.100200`` and the same with a tab between its parts are one item."""
    return "".join(str(line_number).split())


class CatalogReader:
    """Queries over the ``catalog`` and ``cost_data`` snapshots of a data directory."""

    def __init__(self, data_dir: str | Path, *, switch_in_background: bool = False) -> None:
        """``switch_in_background``: only ``warm`` moves to a newly published snapshot (the
        service calls it in the background), never a query (see ``SnapshotReader``)."""
        background = switch_in_background
        self.catalog = SnapshotReader(data_dir, "catalog", prepare=ProductIndex, switch_in_background=background)
        self.cost_data = SnapshotReader(data_dir, "cost_data", switch_in_background=background)

    def close(self) -> None:
        self.catalog.close()
        self.cost_data.close()

    def warm(self) -> None:
        """Open each data product's current snapshot ahead of the requests (``SnapshotReader.warm``)."""
        self.catalog.warm()
        self.cost_data.warm()

    def search_products(
        self,
        *,
        q: str | None = None,
        category: str | None = None,
        supplier: str | None = None,
        zip_code: str | None = None,
        in_stock: bool = False,
        min_price: Decimal | None = None,
        max_price: Decimal | None = None,
        limit: int = 25,
        cursor: str | None = None,
        cuts: Sequence[PriceCut] = (),
    ) -> SearchPage:
        """Products matching the filters, best match first, each with its cheapest offer per base
        unit for the ZIP's area (an area's own price wins over the supplier's ``*`` price). With
        ``cuts`` (the caller's deals), offers compare, and ``min_price``/``max_price`` filter, at
        the price the caller pays.

        ``q`` matches products that have every one of its words (after stemming, stop words
        aside), ranked by BM25; without ``q``, products come in ``product_id`` order. See
        :mod:`warehouse.search`."""
        if min_price is not None and max_price is not None and min_price > max_price:
            raise InvalidQuery("min_price is above max_price")
        text, category, supplier = _text(q, "q"), _text(category, "category"), _text(supplier, "supplier")
        if supplier is not None:  # a slug is lower case: FRONT-RANGE-SUPPLY names front-range-supply
            supplier = supplier.lower()
        area = zip_area(zip_code)
        limit = _limit(limit)
        query = _query_key("products", text, category, supplier, area, bool(in_stock), min_price, max_price)
        after = _decode_cursor(cursor, query) if cursor is not None else None
        after_score = after.score if after is not None else None
        after_id = after.key if after is not None else None
        with _reading(self.catalog, after) as (cur, index):
            words = index.words(text) if text is not None else []
            has_words = text is not None  # a q of only stop words or punctuation matches nothing
            after_no = None
            if after_id is not None:
                found = execute(cur, "search", "product_after", {"product_id": after_id}).fetchone()
                assert found is not None
                after_no = int(found[0]) + (1 if found[1] else 0)
            categories = tuple(index.category_numbers(category)) if category is not None else None
            weighed = _cuts(cur, index, cuts)
            hits = index.search(
                cur,
                SearchQuery(
                    words=tuple(words),
                    has_words=has_words,
                    categories=categories,
                    supplier=supplier,
                    area=int(area) if area is not None else None,
                    in_stock=bool(in_stock),
                    min_price=float(min_price) if min_price is not None else None,
                    max_price=float(max_price) if max_price is not None else None,
                    after_score=after_score,
                    after_product_no=after_no,
                    limit=limit,
                    cuts=weighed,
                ),
            )
            page = hits[:limit]
            products = _rows_by_key(
                execute(cur, "search", "hit_products", {"product_nos": [h.product_no for h in page]})
            )
            offers = _rows_by_key(execute(cur, "search", "hit_offers", {"offer_nos": [h.offer_no for h in page]}))
        items = []
        for h in page:
            p = products[h.product_no]
            items.append(
                ProductHit(
                    product_id=p["product_id"],
                    name=p["name"],
                    brand=p["brand"],
                    manufacturer=p["manufacturer"],
                    manufacturer_part_number=p["manufacturer_part_number"],
                    category=p["category"],
                    score=h.score,
                    offer=_offer(offers[h.offer_no]) if h.offer_no >= 0 else None,
                    offer_count=h.offer_count,
                    list_price=p.get("list_price"),
                    list_price_currency=p.get("list_price_currency"),
                    list_price_uom=p.get("list_price_uom"),
                    manufacturer_lead_time_days=p.get("manufacturer_lead_time_days"),
                    discontinued=p.get("discontinued"),
                )
            )
        ranked = text is not None  # without q, product_id order: any later snapshot continues it
        next_cursor = None
        if len(hits) > limit:
            pin = index.snapshot_id if ranked else None
            next_cursor = _encode_cursor(items[-1].score, items[-1].product_id, query, pin)
        return SearchPage(items, next_cursor, index.snapshot_id)

    def get_product(self, product_id: str, *, zip_code: str | None = None) -> ProductDetail | None:
        """A product with every supplier's offer (cheapest per base unit first) and price history."""
        area = zip_area(zip_code)
        with self.catalog.cursor() as cur:
            snapshot = _snapshot_id(cur)
            found = execute(cur, "catalog", "product", {"product_id": product_id})
            names = [d[0] for d in found.description or []]
            row = found.fetchone()
            if row is None:
                return None
            product = dict(zip(names, row, strict=True))
            result = execute(cur, "catalog", "product_offers", {"product_id": product_id, "zip_area": area})
            offer_names = [d[0] for d in result.description or []]
            offers = [_offer(dict(zip(offer_names, r, strict=True))) for r in result.fetchall()]
            history = [
                PricePoint(*r)
                for r in execute(
                    cur, "catalog", "product_history", {"product_id": product_id, "zip_area": area}
                ).fetchall()
            ]
        specs = json.loads(product["specs"]) if product["specs"] else []
        return ProductDetail(
            product_id=product["product_id"],
            name=product["name"],
            description=product["description"],
            brand=product["brand"],
            manufacturer=product["manufacturer"],
            manufacturer_part_number=product["manufacturer_part_number"],
            gtin=product["gtin"],
            unspsc=product["unspsc"],
            category=product["category"],
            base_uom=product["base_uom"],
            product_line=product["product_line"],
            specs=specs,
            spec_sheet_url=product["spec_sheet_url"],
            list_price=product["list_price"],
            list_price_currency=product["list_price_currency"],
            list_price_uom=product.get("list_price_uom"),
            manufacturer_lead_time_days=product.get("manufacturer_lead_time_days"),
            discontinued=product["discontinued"],
            offers=offers,
            price_history=history,
            snapshot=snapshot,
        )

    def _cost_rows(
        self, params: dict[str, Any], after: _Cursor | None = None
    ) -> tuple[list[dict[str, Any]], str | None]:
        with _reading(self.cost_data, after) as (cur, _):
            snapshot = _snapshot_id(cur)
            result = execute(cur, "catalog", "cost_items", params)
            names = [d[0] for d in result.description or []]
            return [dict(zip(names, r, strict=True)) for r in result.fetchall()], snapshot

    def list_cost_items(
        self,
        *,
        masterformat: str | None = None,
        q: str | None = None,
        zip_code: str | None = None,
        limit: int = 50,
        cursor: str | None = None,
    ) -> CostItemPage:
        """Cost lines (by MasterFormat prefix such as ``06 11`` and/or text), adjusted to the ZIP's area."""
        area = zip_area(zip_code)
        prefix = _text(masterformat, "masterformat", 40)
        if prefix is not None:
            prefix = prefix.replace(" ", "")
            if not re.fullmatch(r"\d{1,10}(?:\.\d{0,2})?\d{0,4}", prefix, re.ASCII):
                raise InvalidQuery("masterformat must be a MasterFormat number or prefix, e.g. 06 11 10")
        text = _text(q, "q")
        query = _query_key("cost_items", text, prefix, area)
        after = _decode_cursor(cursor, query) if cursor is not None else None
        params = {
            "q": text,
            "masterformat": prefix,
            "line_keys": None,
            "zip_area": area,
            "after_score": after.score if after is not None else None,
            "after_line": after.key if after is not None else None,
            "limit": _limit(limit) + 1,
        }
        rows, snapshot = self._cost_rows(params, after)
        items = [_cost_item(r, _UnitCosts.of(r)) for r in rows[:limit]]
        next_cursor = None
        if len(rows) > limit:  # ranked by q: pinned to this snapshot; else line order, any snapshot
            pin = snapshot if text is not None else None
            next_cursor = _encode_cursor(float(rows[limit - 1]["score"]), items[-1].line_number, query, pin)
        return CostItemPage(items, next_cursor, area, snapshot)

    def estimate(self, lines: Sequence[tuple[str, Decimal]], *, zip_code: str | None = None) -> Estimate:
        """Material, labor, equipment and totals for (line number, quantity) lines in a ZIP's area."""
        if not lines:
            raise InvalidQuery("an estimate needs at least one line")
        if len(lines) > 1000:
            raise InvalidQuery("an estimate takes at most 1000 lines")
        for line_number, quantity in lines:
            if problem := quantity_problem(quantity):
                raise InvalidQuery(f"quantity for {line_number!r}: {problem}")
        area = zip_area(zip_code)
        keys = sorted({_line_key(n) for n, _ in lines})
        rows, snapshot = self._cost_rows(
            {
                "q": None,
                "masterformat": None,
                "line_keys": keys,
                "zip_area": area,
                "after_score": None,
                "after_line": None,
                "limit": len(keys) + 1,
            }
        )
        costs = {_line_key(r["line_number"]): (_cost_item(r, unit := _UnitCosts.of(r)), unit) for r in rows}
        # each unknown item once, as first spelled, in the order the lines name them
        missing = dict.fromkeys(n for n, _ in lines if _line_key(n) not in costs)
        if missing:
            raise UnknownCostItems(list(missing))
        out: list[EstimateLine] = []
        for line_number, quantity in lines:
            item, unit = costs[_line_key(line_number)]
            # from the unrounded unit costs: a rounded one times a large quantity is off by dollars
            material, labor, equipment, total, total_incl_op = unit.amounts(quantity)
            out.append(
                EstimateLine(
                    item=item,
                    quantity=_plain(quantity),
                    material=material,
                    labor=labor,
                    equipment=equipment,
                    total=total,
                    total_incl_op=total_incl_op,
                )
            )
        currencies = {line.item.currency for line in out}
        if len(currencies) > 1:
            raise MixedCurrencies([line.item.currency for line in out])
        return Estimate(
            zip_area=area,
            currency=currencies.pop(),
            lines=out,
            material=sum((x.material for x in out), Decimal("0.00")),
            labor=sum((x.labor for x in out), Decimal("0.00")),
            equipment=sum((x.equipment for x in out), Decimal("0.00")),
            total=sum((x.total for x in out), Decimal("0.00")),
            total_incl_op=sum((x.total_incl_op for x in out), Decimal("0.00")),
            snapshot=snapshot,
        )


def _rows_by_key(result: Any) -> dict[Any, dict[str, Any]]:
    """A query's rows as dicts, keyed by their first column."""
    names = [d[0] for d in result.description or []]
    return {r[0]: dict(zip(names, r, strict=True)) for r in result.fetchall()}


def _snapshot_id(cur: Any) -> str | None:
    row = execute(cur, "catalog", "snapshot_id").fetchone()
    return None if row is None else str(row[0])
