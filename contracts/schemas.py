"""Record schemas of the feeds Joist ingests.

A feed arrives as CSV (a header row naming the fields), NDJSON or ``{"records": [...]}`` JSON.
Field names are exact. A feed may leave out optional fields, but a field Joist does not know, or a
missing required field, rejects the whole submission (``header`` rule).

Types are what the warehouse casts the text to when it stages a feed; a value that does not cast
fails a named rule of the feed's suite (``contracts.suites``) rather than the load.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

__all__ = [
    "COST_ITEMS",
    "FEEDS",
    "LOCATION_INDEX",
    "MANUFACTURER_FEED",
    "NO_PRICE_COMPARISON",
    "SUPPLIER_CATALOG",
    "Feed",
    "FieldSpec",
    "FieldType",
    "HeaderProblem",
    "check_header",
]


class FieldType(StrEnum):
    TEXT = "text"
    DECIMAL = "decimal"  # money and quantities: never binary floating point
    INTEGER = "integer"
    DATE = "date"  # ISO 8601 (YYYY-MM-DD)
    BOOLEAN = "boolean"  # true/false, yes/no, 1/0
    JSON = "json"  # structured value (a JSON array in JSON feeds, JSON text in CSV)


@dataclass(frozen=True, slots=True)
class FieldSpec:
    name: str
    type: FieldType
    required: bool
    description: str
    #: For a number: at most this many digits before the decimal point and after it (leading and
    #: trailing zeros aside), what the warehouse stores exactly. A value beyond either fails the
    #: field's number rule; it is never rounded or cut.
    digits: tuple[int, int] | None = None


@dataclass(frozen=True, slots=True)
class Feed:
    """One feed: its name, fields in header order, and the fields that identify a record."""

    name: str
    fields: tuple[FieldSpec, ...]
    key: tuple[str, ...]

    @property
    def field_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields if f.required)

    def field(self, name: str) -> FieldSpec:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(name)


T, D, INT, DT, B, J = (
    FieldType.TEXT,
    FieldType.DECIMAL,
    FieldType.INTEGER,
    FieldType.DATE,
    FieldType.BOOLEAN,
    FieldType.JSON,
)


def _f(
    name: str, type_: FieldType, required: bool, description: str, digits: tuple[int, int] | None = None
) -> FieldSpec:
    if (type_ in (FieldType.DECIMAL, FieldType.INTEGER)) != (digits is not None):
        raise ValueError(f"{name}: a number field states its digits, and only a number field")
    return FieldSpec(name, type_, required, description, digits)


#: Digit limits of the warehouse's number types: money DECIMAL(18, 4) with room for sums and
#: quotients, quantities DECIMAL(18, 6) and DECIMAL(18, 3), whole numbers INTEGER.
MONEY = (14, 4)
COST = (12, 4)  # a cost line adds three of them and stays within DECIMAL(18, 4)
QUANTITY = (12, 6)
STOCK = (15, 3)
DAYS = (9, 0)
INDEX = (6, 2)


#: Supplier catalog & price/availability. ``price_region`` is a 3-digit ZIP area (``802``) or
#: ``*`` for every region; a region's own row wins over ``*``. The terms a supplier attaches to
#: its prices (e.g. "no competitive price comparison") travel with the submission, not the rows.
SUPPLIER_CATALOG = Feed(
    name="supplier_catalog",
    key=("supplier_sku", "price_region"),
    fields=(
        _f("supplier_sku", T, True, "the supplier's own item number"),
        _f("name", T, True, "short item name as the supplier sells it"),
        _f("description", T, False, "longer description"),
        _f("brand", T, False, "brand shown to buyers"),
        _f("manufacturer", T, False, "manufacturer name"),
        _f("manufacturer_part_number", T, False, "the manufacturer's model or part number"),
        _f("gtin", T, False, "GTIN-8/12/13/14 (UPC, EAN)"),
        _f("unspsc", T, False, "UNSPSC commodity code (8 digits)"),
        _f("category", T, False, "supplier category path, levels separated by ' > '"),
        _f("order_uom", T, True, "the unit the item is ordered in (EA, BOX, LF, TON …)"),
        _f("content_uom", T, False, "unit of what one order unit holds (a BOX of 100 EA: EA)"),
        _f("content_per_order_uom", D, False, "how many content units one order unit holds", QUANTITY),
        _f("price_quantity", D, False, "how many order units unit_price buys (default 1)", QUANTITY),
        _f("unit_price", D, True, "price of price_quantity order units", MONEY),
        _f("currency", T, True, "ISO 4217 code"),
        _f("price_region", T, True, "3-digit ZIP area, or * for every region"),
        _f("available_qty", D, False, "order units in stock for the region", STOCK),
        _f("lead_time_days", INT, False, "days from order to availability", DAYS),
        _f("valid_from", DT, False, "first day the price applies"),
        _f("valid_to", DT, False, "last day the price applies"),
    ),
)

#: Manufacturer product feed: model data, specifications and list prices.
MANUFACTURER_FEED = Feed(
    name="manufacturer_feed",
    key=("model_number",),
    fields=(
        _f("manufacturer", T, True, "manufacturer name"),
        _f("model_number", T, True, "model or part number"),
        _f("name", T, True, "product name"),
        _f("description", T, False, "longer description"),
        _f("product_line", T, False, "product line or series"),
        _f("category", T, False, "category path, levels separated by ' > '"),
        _f("gtin", T, False, "GTIN-8/12/13/14"),
        _f("unspsc", T, False, "UNSPSC commodity code"),
        _f("specs", J, False, 'list of {"name", "value", "unit"} objects'),
        _f("list_price", D, True, "manufacturer's list price per uom", MONEY),
        _f("currency", T, True, "ISO 4217 code"),
        _f("uom", T, False, "unit the list price is for (default EA)"),
        _f("lead_time_days", INT, False, "days from order to shipment", DAYS),
        _f("discontinued", B, False, "true once the model is no longer made"),
        _f("spec_sheet_url", T, False, "https URL of the specification sheet"),
    ),
)

#: Unit cost data in the RSMeans / Craftsman style, one row per MasterFormat line.
COST_ITEMS = Feed(
    name="cost_items",
    key=("line_number",),
    fields=(
        _f("line_number", T, True, "MasterFormat line number, e.g. 06 11 10.10 0200"),
        _f("description", T, True, "what the line installs"),
        _f("unit", T, True, "unit of the costs (a code of contracts.uom)"),
        _f("crew", T, False, "standard crew, e.g. F-2"),
        _f("daily_output", D, False, "units the crew installs per day", COST),
        _f("labor_hours", D, False, "labor hours per unit", COST),
        _f("bare_material", D, True, "bare material cost per unit", COST),
        _f("bare_labor", D, True, "bare labor cost per unit", COST),
        _f("bare_equipment", D, True, "bare equipment cost per unit", COST),
        _f("total_incl_op", D, True, "total per unit including overhead and profit", COST),
        _f("currency", T, False, "ISO 4217 code (default USD)"),
    ),
)

#: City cost index: 3-digit ZIP area → material and installation index per MasterFormat
#: division, 100 being the national average.
LOCATION_INDEX = Feed(
    name="location_index",
    key=("zip_area", "division"),
    fields=(
        _f("zip_area", T, True, "3-digit ZIP area"),
        _f("city", T, False, "city the index was measured in"),
        _f("state", T, False, "2-letter state code"),
        _f("division", T, True, "2-digit MasterFormat division"),
        _f("material_index", D, True, "material cost index (national average 100)", INDEX),
        _f("installation_index", D, True, "labor and equipment cost index (national average 100)", INDEX),
    ),
)

#: The source term (in a submission's ``terms``) that keeps its prices out of comparisons: its
#: offers are listed after the comparable ones and never feed cross-tenant price statistics.
NO_PRICE_COMPARISON = "no-price-comparison"

FEEDS: dict[str, Feed] = {f.name: f for f in (SUPPLIER_CATALOG, MANUFACTURER_FEED, COST_ITEMS, LOCATION_INDEX)}


@dataclass(frozen=True, slots=True)
class HeaderProblem:
    """Why a header cannot be loaded: the fields it lacks, and the ones Joist does not know."""

    missing: tuple[str, ...]
    unknown: tuple[str, ...]

    def message(self) -> str:
        parts = []
        if self.missing:
            parts.append("missing required fields: " + ", ".join(self.missing))
        if self.unknown:
            shown = [repr(n[:40]) if not n.isprintable() else n[:40] for n in self.unknown[:10]]
            more = f" and {len(self.unknown) - 10} more" if len(self.unknown) > 10 else ""
            parts.append("unknown fields: " + ", ".join(shown) + more)
        return "; ".join(parts)


def check_header(feed: Feed, names: list[str] | tuple[str, ...]) -> HeaderProblem | None:
    """None if a feed with these field names can be loaded, else what is wrong with them."""
    present = set(names)
    missing = tuple(n for n in feed.required if n not in present)
    known = set(feed.field_names)
    unknown = tuple(n for n in names if n not in known)
    if missing or unknown or len(present) != len(names):
        dupes = tuple(sorted({n for n in names if list(names).count(n) > 1}))
        return HeaderProblem(missing, unknown + tuple(f"{d} (repeated)" for d in dupes))
    return None
