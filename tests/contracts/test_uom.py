"""Units normalise to base units in one table, so prices compare per base unit."""

from __future__ import annotations

from decimal import Decimal

import pytest

from contracts.uom import BASE_UNITS, UOMS, Dimension, UomError, canonical_uom, normalise


def test_every_measurable_unit_has_a_base_and_a_positive_factor() -> None:
    for uom in UOMS:
        if uom.dimension is Dimension.PACKAGE:
            assert uom.factor is None
        else:
            assert uom.base == BASE_UNITS[uom.dimension]
            assert uom.factor is not None
            assert uom.factor > 0
    assert {u.code for u in UOMS} >= {"EA", "LF", "SF", "SY", "CY", "BF", "MBF", "GAL", "LB", "TON", "BOX", "BDL"}


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("ea", "EA"),
        (" Each ", "EA"),
        ("sq. ft.", "SF"),
        ("SQ  FT", "SF"),
        ("mbf", "MBF"),
        ("Bundle", "BDL"),
        ("lbs", "LB"),
    ],
)
def test_aliases_resolve_to_codes(text: str, code: str) -> None:
    uom = canonical_uom(text)
    assert uom is not None
    assert uom.code == code


def test_unknown_unit_is_none() -> None:
    assert canonical_uom("BUNCH") is None
    assert canonical_uom(None) is None


@pytest.mark.parametrize(
    ("order", "content", "per", "base", "qty"),
    [
        ("TON", None, None, "LB", Decimal(2000)),
        ("SY", None, None, "SF", Decimal(9)),
        ("MBF", None, None, "BF", Decimal(1000)),
        ("SQ", None, None, "SF", Decimal(100)),
        ("BOX", "EA", Decimal(25), "EA", Decimal(25)),
        ("BDL", "SF", Decimal("33.3"), "SF", Decimal("33.3")),
        ("EA", "BF", Decimal("5.333"), "BF", Decimal("5.333")),
        ("PL", "GAL", Decimal("4.5"), "GAL", Decimal("4.5")),
        ("RL", "CLF", Decimal(5), "LF", Decimal(500)),
    ],
)
def test_normalise(order: str, content: str | None, per: Decimal | None, base: str, qty: Decimal) -> None:
    result = normalise(order, content, per)
    assert result.base_uom == base
    assert result.base_qty_per_order_uom == qty


def test_prices_compare_per_base_unit_across_pack_sizes() -> None:
    # 2,000 LB for $60 and a 94 LB bag for $2.82 are the same price per pound
    per_ton = Decimal(60) / normalise("TON").base_qty_per_order_uom
    per_bag = Decimal("2.82") / normalise("BG", "LB", Decimal(94)).base_qty_per_order_uom
    assert per_ton == per_bag == Decimal("0.03")


@pytest.mark.parametrize(
    ("order", "content", "per"),
    [
        ("BOX", None, None),
        ("XYZ", None, None),
        ("BOX", "BOX", Decimal(2)),
        ("BOX", "EA", Decimal(0)),
        ("EA", "ZZ", Decimal(1)),
    ],
)
def test_what_cannot_be_normalised(order: str, content: str | None, per: Decimal | None) -> None:
    with pytest.raises(UomError):
        normalise(order, content, per)
