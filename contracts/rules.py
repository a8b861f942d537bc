"""The named data-quality rules of each feed, as plain data.

A rule is checked either by Great Expectations on staged frames (``kind="gx"``; the expectation is
described here by its GX type and arguments and built by :mod:`contracts.suites`), by a SQL query
over the whole staged table (``kind="sql"``: rules about sets of rows, such as uniqueness, which a
chunked frame cannot see), or when the file is read (``kind="structure"``: encoding, header, row
shape). A failing *blocking* rule rejects the submission; a non-blocking one is reported only.

Rules run against the **staged** frame, whose columns follow one convention: a text field keeps its
name (trimmed, empty → null); a typed field ``x`` comes as ``x_text`` (the text as sent) and ``x``
(the typed value, null when the text does not cast); a unit field holds the canonical code of
:mod:`contracts.uom`, or the upper-cased text when the unit is unknown. Every staged row carries
``source_line``, its line in the source file (a CSV header is line 1).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from contracts.schemas import COST_ITEMS, LOCATION_INDEX, MANUFACTURER_FEED, SUPPLIER_CATALOG, Feed, FieldType
from contracts.uom import UOMS, Dimension

__all__ = [
    "NEWEST_OF_SOURCE",
    "RULES",
    "STRUCTURE_RULES",
    "SUBMISSION_RULES",
    "Expectation",
    "Rule",
    "rules_for",
]

RuleKind = Literal["gx", "sql", "structure", "submission"]

Sign = Literal["any", "non_negative", "positive"]


def number_pattern(digits: tuple[int, int], sign: Sign = "any") -> str:
    """A number as people type it (``12``, ``0.5``, ``.5``, ``1.``, ``+3``; no exponent, no
    thousands separator) with at most ``digits`` = (before, after) digits around the decimal point,
    leading and trailing zeros aside, so that it is stored exactly. ``sign``: any (so that
    "negative" and "not a number" can be two rules), zero or more, or above zero (a non-zero digit
    in the whole part, or else among the first decimals). No decimal point when ``after`` is 0."""
    whole, scale = digits
    prefix = "[+-]?" if sign == "any" else r"\+?"
    frac = rf"(?:\.\d{{0,{scale}}}0*)?" if scale else ""
    if sign == "positive":
        alts = [rf"[1-9]\d{{0,{whole - 1}}}{frac}"]
        if scale:
            alts.append(rf"\.\d{{0,{scale - 1}}}[1-9]0*")
    else:
        alts = [rf"\d{{1,{whole}}}{frac}"]
        if scale:
            alts.append(rf"\.\d{{1,{scale}}}0*")
    return rf"^{prefix}0*(?:{'|'.join(alts)})$"


ISO_DATE = r"^\d{4}-\d{2}-\d{2}$"
# Patterns use non-capturing groups only: pandas warns about capturing groups in str.contains.
# And no look-arounds: Arrow's regex engine (RE2) has none, so pandas would match such a pattern
# with Python's re, one value at a time.

UNIT_CODES: tuple[str, ...] = tuple(u.code for u in UOMS)
MEASURABLE_UNIT_CODES: tuple[str, ...] = tuple(u.code for u in UOMS if u.dimension is not Dimension.PACKAGE)


@dataclass(frozen=True, slots=True)
class Expectation:
    """A GX expectation by class name and keyword arguments (``row_condition``: column is true)."""

    type: str
    kwargs: dict[str, Any]
    when_true: str | None = None


@dataclass(frozen=True, slots=True)
class Rule:
    name: str
    description: str
    kind: RuleKind
    blocking: bool = True
    expectation: Expectation | None = None
    #: Columns shown beside the line number in a failing row's sample.
    columns: tuple[str, ...] = field(default=())


def _gx(
    name: str,
    description: str,
    type_: str,
    columns: tuple[str, ...],
    *,
    blocking: bool = True,
    when_true: str | None = None,
    **kwargs: Any,
) -> Rule:
    return Rule(name, description, "gx", blocking, Expectation(type_, kwargs, when_true), columns)


def _regex(name: str, description: str, column: str, regex: str, *, blocking: bool = True) -> Rule:
    return _gx(
        name, description, "ExpectColumnValuesToMatchRegex", (column,), blocking=blocking, column=column, regex=regex
    )


def _number(feed: Feed, field_name: str, sign: Sign, name: str | None = None) -> Rule:
    """The rule that a number field is a number of ``sign`` that the warehouse stores exactly."""
    spec = feed.field(field_name)
    if spec.digits is None:
        raise ValueError(f"{feed.name}.{field_name} is not a number field")
    whole, scale = spec.digits
    kind = "a whole number" if scale == 0 else "a number"
    what = {"any": kind, "non_negative": f"{kind}, zero or more", "positive": f"{kind} above zero"}[sign]
    limit = f"at most {whole} digits" + (f" before the decimal point and {scale} after" if scale else "")
    default = {"any": "numeric", "non_negative": "valid", "positive": "positive"}[sign]
    return _regex(
        name or f"{field_name}_{default}",
        f"{field_name} is {what} ({limit})",
        f"{field_name}_text",
        number_pattern(spec.digits, sign),
    )


def _required(feed: Feed) -> list[Rule]:
    rules = []
    for spec in feed.fields:
        if spec.required:
            column = spec.name if spec.type is FieldType.TEXT else f"{spec.name}_text"
            rules.append(
                _gx(
                    f"required_{spec.name}",
                    f"{spec.name} is present",
                    "ExpectColumnValuesToNotBeNull",
                    (column,),
                    column=column,
                )
            )
    return rules


def _sql(name: str, description: str, columns: tuple[str, ...], *, blocking: bool = True) -> Rule:
    return Rule(name, description, "sql", blocking, None, columns)


#: Rules checked while the file is read; every feed has them.
STRUCTURE_RULES: tuple[Rule, ...] = (
    Rule("readable", "the body is a readable, complete file in the declared format and encoding", "structure"),
    Rule("header", "the fields are the feed's fields: every required one, no unknown one", "structure"),
    Rule(
        "row_shape",
        "every row has as many values as the header has fields (CSV), every record is a JSON object (JSON)",
        "structure",
    ),
    Rule("not_empty", "the feed has at least one record", "structure"),
)

#: The name of the rule that a submission is not older than one of its source already applied.
NEWEST_OF_SOURCE = "newest_of_source"
#: Rules about the submission as a whole, against what the warehouse has applied; every feed has them.
SUBMISSION_RULES: tuple[Rule, ...] = (
    Rule(
        NEWEST_OF_SOURCE,
        "no submission of the same source received after this one has been applied (this one would put older "
        "data back)",
        "submission",
    ),
)

_NO_NUL = "no text field holds a NUL character (U+0000)"

_SUPPLIER = (
    *_required(SUPPLIER_CATALOG),
    _number(SUPPLIER_CATALOG, "unit_price", "any"),
    _gx(
        "unit_price_positive",
        "unit_price is above zero",
        "ExpectColumnValuesToBeBetween",
        ("unit_price_text",),
        column="unit_price",
        min_value=0,
        strict_min=True,
    ),
    _number(SUPPLIER_CATALOG, "price_quantity", "positive"),
    _number(SUPPLIER_CATALOG, "content_per_order_uom", "positive"),
    _gx(
        "order_uom_known",
        "order_uom is a unit of contracts.uom",
        "ExpectColumnValuesToBeInSet",
        ("order_uom",),
        column="order_uom",
        value_set=list(UNIT_CODES),
    ),
    _gx(
        "content_uom_known",
        "content_uom is a measurable unit of contracts.uom",
        "ExpectColumnValuesToBeInSet",
        ("content_uom",),
        column="content_uom",
        value_set=list(MEASURABLE_UNIT_CODES),
    ),
    _gx(
        "normalisable",
        "the row converts to a base unit: a package order unit (BOX, BDL …) states its content",
        "ExpectColumnValuesToNotBeNull",
        ("order_uom", "content_uom", "content_per_order_uom_text"),
        when_true="units_known",
        column="base_uom",
    ),
    _regex("currency_code", "currency is an ISO 4217 code", "currency", r"^[A-Z]{3}$"),
    _regex("price_region_format", "price_region is a 3-digit ZIP area or *", "price_region", r"^(?:\d{3}|\*)$"),
    _number(SUPPLIER_CATALOG, "available_qty", "non_negative"),
    _number(SUPPLIER_CATALOG, "lead_time_days", "non_negative"),
    _regex("valid_from_date", "valid_from is a date (YYYY-MM-DD)", "valid_from_text", ISO_DATE),
    _regex("valid_to_date", "valid_to is a date (YYYY-MM-DD)", "valid_to_text", ISO_DATE),
    _gx(
        "validity_range",
        "valid_to is not before valid_from",
        "ExpectColumnValuesToBeBetween",
        ("valid_from_text", "valid_to_text"),
        column="validity_days",
        min_value=0,
    ),
    _regex("gtin_format", "gtin has 8, 12, 13 or 14 digits", "gtin", r"^(?:\d{8}|\d{12,14})$", blocking=False),
    _regex("unspsc_format", "unspsc has 8 digits", "unspsc", r"^\d{8}$", blocking=False),
    _sql(
        "dates_exist",
        "valid_from and valid_to are days of the calendar (not 2026-02-30)",
        ("valid_from_text", "valid_to_text"),
    ),
    _sql(
        "price_per_base_unit_fits",
        "the price per base unit (unit_price ÷ price_quantity ÷ base units per order unit) is under 10^16",
        ("unit_price_text", "price_quantity_text", "content_per_order_uom_text"),
    ),
    _sql(
        "unique_sku_per_region",
        "one row per supplier_sku and price_region at a time: rows whose validity windows overlap "
        "conflict (exact repeats are dropped); windows that do not meet are a price change sent ahead",
        ("supplier_sku", "price_region", "unit_price_text"),
    ),
    _sql("text_without_nul", _NO_NUL, ("supplier_sku", "field")),
)

_MANUFACTURER = (
    *_required(MANUFACTURER_FEED),
    _number(MANUFACTURER_FEED, "list_price", "any"),
    _gx(
        "list_price_positive",
        "list_price is above zero",
        "ExpectColumnValuesToBeBetween",
        ("list_price_text",),
        column="list_price",
        min_value=0,
        strict_min=True,
    ),
    _regex("currency_code", "currency is an ISO 4217 code", "currency", r"^[A-Z]{3}$"),
    _gx(
        "uom_known",
        "uom is a unit of contracts.uom",
        "ExpectColumnValuesToBeInSet",
        ("uom",),
        column="uom",
        value_set=list(UNIT_CODES),
    ),
    _number(MANUFACTURER_FEED, "lead_time_days", "non_negative"),
    _gx(
        "discontinued_boolean",
        "discontinued is true/false, yes/no or 1/0",
        "ExpectColumnValuesToNotBeNull",
        ("discontinued_text",),
        when_true="discontinued_given",
        column="discontinued",
    ),
    _gx(
        "specs_valid",
        'specs is a JSON list of {"name", "value", "unit"} objects',
        "ExpectColumnValuesToBeInSet",
        ("specs_text",),
        column="specs_valid",
        value_set=[True],
    ),
    _regex(
        "spec_sheet_url_format", "spec_sheet_url is an http(s) URL", "spec_sheet_url", r"^https?://\S+$", blocking=False
    ),
    _regex("gtin_format", "gtin has 8, 12, 13 or 14 digits", "gtin", r"^(?:\d{8}|\d{12,14})$", blocking=False),
    _sql(
        "unique_model_number",
        "one row per manufacturer and model_number (compared without case, spaces or punctuation)",
        ("manufacturer", "model_number"),
    ),
    _sql(
        "manufacturer_of_source",
        "manufacturer is a name the organisation is registered to publish for (compared without case, spaces "
        "or punctuation)",
        ("manufacturer", "model_number"),
    ),
    _sql(
        "model_of_other_source",
        "no row names a model that another organisation's manufacturer feed publishes",
        ("manufacturer", "model_number"),
    ),
    _sql("text_without_nul", _NO_NUL, ("model_number", "field")),
)

_COST_ITEMS = (
    *_required(COST_ITEMS),
    _regex(
        "line_number_format",
        "line_number is a MasterFormat line number (e.g. 06 11 10.10 0200)",
        "line_number",
        r"^\d{2} \d{2} \d{2}(?:\.\d{2})? \d{4}$",
    ),
    _gx(
        "unit_known",
        "unit is a unit of contracts.uom",
        "ExpectColumnValuesToBeInSet",
        ("unit",),
        column="unit",
        value_set=list(UNIT_CODES),
    ),
    *(
        _number(COST_ITEMS, c, "non_negative")
        for c in ("bare_material", "bare_labor", "bare_equipment", "total_incl_op", "daily_output", "labor_hours")
    ),
    _gx(
        "total_covers_bare",
        "total_incl_op is at least the sum of the bare costs",
        "ExpectColumnValuesToBeBetween",
        ("bare_material_text", "bare_labor_text", "bare_equipment_text", "total_incl_op_text"),
        column="op_margin",
        min_value=0,
    ),
    _regex("currency_code", "currency is an ISO 4217 code", "currency", r"^[A-Z]{3}$"),
    _sql("unique_line_number", "one row per line_number", ("line_number", "description")),
)

_LOCATION_INDEX = (
    *_required(LOCATION_INDEX),
    _regex("zip_area_format", "zip_area is a 3-digit ZIP area", "zip_area", r"^\d{3}$"),
    _regex("division_format", "division is a 2-digit MasterFormat division", "division", r"^\d{2}$"),
    _number(LOCATION_INDEX, "material_index", "positive"),
    _number(LOCATION_INDEX, "installation_index", "positive"),
    *(
        _gx(
            f"{c}_plausible",
            f"{c} lies between 30 and 300 (100 = national average)",
            "ExpectColumnValuesToBeBetween",
            (f"{c}_text",),
            blocking=False,
            column=c,
            min_value=30,
            max_value=300,
        )
        for c in ("material_index", "installation_index")
    ),
    _sql("unique_zip_division", "one row per zip_area and division", ("zip_area", "division")),
)

RULES: dict[str, tuple[Rule, ...]] = {
    SUPPLIER_CATALOG.name: (*STRUCTURE_RULES, *_SUPPLIER, *SUBMISSION_RULES),
    MANUFACTURER_FEED.name: (*STRUCTURE_RULES, *_MANUFACTURER, *SUBMISSION_RULES),
    COST_ITEMS.name: (*STRUCTURE_RULES, *_COST_ITEMS, *SUBMISSION_RULES),
    LOCATION_INDEX.name: (*STRUCTURE_RULES, *_LOCATION_INDEX, *SUBMISSION_RULES),
}


def rules_for(feed: str, kind: RuleKind | None = None) -> tuple[Rule, ...]:
    """The rules of a feed, optionally only those of one kind."""
    return tuple(r for r in RULES[feed] if kind is None or r.kind == kind)
