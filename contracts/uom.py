"""Units of measure: the one table that turns any feed's units into base units.

Every price that Joist compares is a price per *base unit*. Each measurable unit belongs to a
dimension and converts to that dimension's base unit by a fixed factor (``TON`` → 2,000 ``LB``,
``SY`` → 9 ``SF``, ``MBF`` → 1,000 ``BF``). Packaging units (``BOX``, ``BDL``, ``CS``, ``PL`` …)
have no fixed size: a row sold by the box says what is in it through ``content_uom`` and
``content_per_order_uom`` (a box of 100 ``EA``), and the content is what gets normalised.

The warehouse loads :data:`UOMS` into DuckDB (``ref_uom``) so that SQL and Python share it;
nothing else in Joist knows a conversion factor.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

__all__ = [
    "BASE_UNITS",
    "UOMS",
    "Dimension",
    "Normalised",
    "Uom",
    "UomError",
    "canonical_uom",
    "normalise",
]


class Dimension(StrEnum):
    """What a unit measures; prices compare only within one dimension."""

    COUNT = "count"
    LENGTH = "length"
    AREA = "area"
    VOLUME = "volume"
    BOARD = "board"  # lumber's board feet: a volume, but priced and quoted on its own scale
    LIQUID = "liquid"
    WEIGHT = "weight"
    PACKAGE = "package"  # a container whose content the row states


BASE_UNITS: dict[Dimension, str] = {
    Dimension.COUNT: "EA",
    Dimension.LENGTH: "LF",
    Dimension.AREA: "SF",
    Dimension.VOLUME: "CY",
    Dimension.BOARD: "BF",
    Dimension.LIQUID: "GAL",
    Dimension.WEIGHT: "LB",
}


@dataclass(frozen=True, slots=True)
class Uom:
    """A unit: its code, name, dimension, base-unit factor (None for packages) and aliases."""

    code: str
    name: str
    dimension: Dimension
    factor: Decimal | None
    aliases: tuple[str, ...] = ()

    @property
    def base(self) -> str | None:
        return BASE_UNITS.get(self.dimension)


def _u(code: str, name: str, dimension: Dimension, factor: str | None, *aliases: str) -> Uom:
    return Uom(code, name, dimension, None if factor is None else Decimal(factor), aliases)


_C, _L, _A, _V, _B, _Q, _W, _P = (
    Dimension.COUNT,
    Dimension.LENGTH,
    Dimension.AREA,
    Dimension.VOLUME,
    Dimension.BOARD,
    Dimension.LIQUID,
    Dimension.WEIGHT,
    Dimension.PACKAGE,
)

#: Every unit Joist accepts. Factors convert one unit into the dimension's base unit.
UOMS: tuple[Uom, ...] = (
    _u("EA", "each", _C, "1", "EACH", "PC", "PCS", "PIECE", "UN", "UNIT"),
    _u("PR", "pair", _C, "2", "PAIR"),
    _u("DZ", "dozen", _C, "12", "DOZ", "DOZEN"),
    _u("C", "hundred", _C, "100", "CT", "HUNDRED"),
    _u("M", "thousand", _C, "1000", "MT", "THOUSAND"),
    _u("LF", "linear foot", _L, "1", "FT", "FOOT", "FEET", "LIN FT"),
    _u("IN", "inch", _L, "0.0833333333", "INCH"),
    _u("YD", "yard", _L, "3", "YARD"),
    _u("CLF", "hundred linear feet", _L, "100"),
    _u("MLF", "thousand linear feet", _L, "1000"),
    _u("MTR", "metre", _L, "3.2808398950", "METER", "METRE"),
    _u("SF", "square foot", _A, "1", "SQFT", "SQ FT", "FT2"),
    _u("SY", "square yard", _A, "9", "SQYD", "SQ YD", "YD2"),
    _u("SQ", "roofing square (100 SF)", _A, "100", "SQUARE"),
    _u("CSF", "hundred square feet", _A, "100"),
    _u("MSF", "thousand square feet", _A, "1000"),
    _u("M2", "square metre", _A, "10.7639104167", "SQM"),
    _u("CY", "cubic yard", _V, "1", "YD3", "CU YD"),
    _u("CF", "cubic foot", _V, "0.0370370370", "CUFT", "CU FT", "FT3"),
    _u("M3", "cubic metre", _V, "1.3079506193", "CBM"),
    _u("BF", "board foot", _B, "1", "FBM"),
    _u("MBF", "thousand board feet", _B, "1000", "MFBM"),
    _u("GAL", "US gallon", _Q, "1", "GALLON", "GL"),
    _u("QT", "US quart", _Q, "0.25", "QUART"),
    _u("L", "litre", _Q, "0.2641720524", "LTR", "LITER", "LITRE"),
    _u("FLOZ", "US fluid ounce", _Q, "0.0078125", "FL OZ", "FZ"),
    _u("LB", "pound", _W, "1", "LBS", "POUND"),
    _u("CWT", "hundredweight (100 LB)", _W, "100"),
    _u("TON", "short ton (2,000 LB)", _W, "2000", "TN"),
    _u("KG", "kilogram", _W, "2.2046226218"),
    _u("BOX", "box", _P, None, "BX"),
    _u("BDL", "bundle", _P, None, "BUNDLE", "BD"),
    _u("CS", "case", _P, None, "CASE", "CA"),
    _u("PK", "pack", _P, None, "PACK", "PKG"),
    _u("CTN", "carton", _P, None, "CARTON"),
    _u("RL", "roll", _P, None, "ROLL"),
    _u("BG", "bag", _P, None, "BAG"),
    _u("PL", "pail", _P, None, "PAIL"),
    _u("CN", "can", _P, None, "CAN"),
    _u("TB", "tube", _P, None, "TUBE"),
    _u("SHT", "sheet", _P, None, "SHEET"),
    _u("PLT", "pallet", _P, None, "PALLET"),
    _u("SET", "set", _P, None, "KIT"),
)

_BY_NAME: dict[str, Uom] = {}
for _uom in UOMS:
    for _name in (_uom.code, *_uom.aliases):
        if _name in _BY_NAME:  # pragma: no cover - a table error, caught on import
            raise RuntimeError(f"UOM name {_name!r} is defined twice")
        _BY_NAME[_name] = _uom


class UomError(ValueError):
    """A unit or a pack size that cannot be normalised."""


def canonical_uom(text: str | None) -> Uom | None:
    """The unit a feed's text names (case, dots and repeated spaces ignored), or None."""
    if text is None:
        return None
    key = " ".join(text.replace(".", " ").upper().split())
    return _BY_NAME.get(key)


@dataclass(frozen=True, slots=True)
class Normalised:
    """How many base units one order unit holds, and which base unit that is."""

    base_uom: str
    base_qty_per_order_uom: Decimal


def normalise(
    order_uom: str, content_uom: str | None = None, content_per_order_uom: Decimal | None = None
) -> Normalised:
    """Base unit and quantity for one order unit.

    With a pack size (``content_uom`` + ``content_per_order_uom``) the content decides: a ``BOX``
    of 100 ``EA`` is 100 ``EA``, a ``PC`` of lumber with 5.333 ``BF`` is 5.333 ``BF``. Without
    one, the order unit must be measurable itself (``TON`` → 2,000 ``LB``). The SQL in
    ``warehouse/sql/supplier_catalog/stage.sql`` applies the same rule over ``ref_uom``.
    """
    order = canonical_uom(order_uom)
    if order is None:
        raise UomError(f"unknown unit {order_uom!r}")
    if content_uom is not None and content_per_order_uom is not None:
        content = canonical_uom(content_uom)
        if content is None:
            raise UomError(f"unknown unit {content_uom!r}")
        if content.factor is None or content.base is None:
            raise UomError(f"pack content must be measurable, not {content.code}")
        if content_per_order_uom <= 0:
            raise UomError("content_per_order_uom must be positive")
        return Normalised(content.base, content_per_order_uom * content.factor)
    if order.factor is None or order.base is None:
        raise UomError(f"{order.code} is a package: content_uom and content_per_order_uom are required")
    return Normalised(order.base, order.factor)
