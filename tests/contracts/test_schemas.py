"""The feed schemas match issue #3 field for field, and headers are checked strictly."""

from __future__ import annotations

from contracts.rules import RULES, rules_for
from contracts.schemas import FEEDS, SUPPLIER_CATALOG, check_header

# the issue's list, pasted as written
ISSUE_TEXT = (
    "supplier_sku, name, description, brand, manufacturer, manufacturer_part_number, gtin, unspsc, category, "
    "order_uom, content_uom, content_per_order_uom, price_quantity, unit_price, currency, price_region, "
    "available_qty, lead_time_days, valid_from, valid_to"
)
SUPPLIER_FIELDS = [name.strip() for name in ISSUE_TEXT.split(",")]


def test_supplier_fields_and_required_fields_are_exactly_the_issues() -> None:
    assert list(SUPPLIER_CATALOG.field_names) == SUPPLIER_FIELDS
    assert set(SUPPLIER_CATALOG.required) == {
        "supplier_sku",
        "name",
        "order_uom",
        "unit_price",
        "currency",
        "price_region",
    }


def test_header_check() -> None:
    assert check_header(SUPPLIER_CATALOG, SUPPLIER_FIELDS) is None
    assert (
        check_header(SUPPLIER_CATALOG, ["supplier_sku", "name", "order_uom", "unit_price", "currency", "price_region"])
        is None
    )
    problem = check_header(SUPPLIER_CATALOG, ["supplier_sku", "name", "colour"])
    assert problem is not None
    assert "unit_price" in problem.missing
    assert problem.unknown == ("colour",)
    repeated = check_header(SUPPLIER_CATALOG, [*SUPPLIER_FIELDS, "name"])
    assert repeated is not None
    assert "name (repeated)" in repeated.unknown


def test_rule_names_are_unique_per_feed_and_every_feed_has_rules() -> None:
    for feed in FEEDS:
        names = [r.name for r in RULES[feed]]
        assert len(names) == len(set(names)), feed
        assert rules_for(feed, "gx")
        assert rules_for(feed, "sql")
        for rule in rules_for(feed, "gx"):
            assert rule.expectation is not None
            assert rule.columns
