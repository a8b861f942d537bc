"""The rules' patterns: what they accept, and that Arrow's regex engine can run them."""

from __future__ import annotations

import itertools
import re
from decimal import Decimal

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from contracts.rules import RULES, Sign, number_pattern
from contracts.schemas import FEEDS, FieldType

_TYPED = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$")  # a number as people type it, any size


def _reference(text: str, digits: tuple[int, int], sign: Sign) -> bool:
    """What ``number_pattern`` must accept: a typed number of that sign whose value has at most
    ``digits`` digits before and after the point (no point at all for whole numbers)."""
    whole, scale = digits
    if not _TYPED.match(text) or (scale == 0 and "." in text):
        return False
    value = Decimal(text)
    if sign != "any" and text.startswith("-"):
        return False
    if sign == "positive" and value <= 0:
        return False
    fits_after = value == value.quantize(Decimal(1).scaleb(-scale))
    return fits_after and abs(value) < Decimal(10) ** whole


@pytest.mark.parametrize("sign", ["any", "non_negative", "positive"])
@pytest.mark.parametrize("digits", [(2, 1), (1, 2), (3, 0)])
def test_number_pattern_accepts_exactly_the_numbers_that_fit(digits: tuple[int, int], sign: Sign) -> None:
    pattern = re.compile(number_pattern(digits, sign))
    texts = ["".join(t) for n in range(7) for t in itertools.product("0.+5-", repeat=n)]
    texts += ["".join(t) for n in range(1, 5) for t in itertools.product("019.", repeat=n)]
    wrong = [t for t in texts if (pattern.match(t) is not None) != _reference(t, digits, sign)]
    assert wrong == []


def test_the_price_rule_names_its_limits() -> None:
    rule = next(r for r in RULES["supplier_catalog"] if r.name == "unit_price_numeric")
    assert rule.description == "unit_price is a number (at most 14 digits before the decimal point and 4 after)"
    pattern = re.compile(rule.expectation.kwargs["regex"])  # type: ignore[union-attr]
    examples = ("12.50", "0.0013", "1.50000", "-3", "99999999999999.9999", "100000000000000000", "0.00125", "1e3")
    assert {t: bool(pattern.match(t)) for t in examples} == {
        "12.50": True,
        "0.0013": True,
        "1.50000": True,
        "-3": True,  # a number; unit_price_positive says what is wrong with it
        "99999999999999.9999": True,
        "100000000000000000": False,
        "0.00125": False,
        "1e3": False,
    }


def test_every_number_field_has_a_rule_of_its_digits() -> None:
    for feed in FEEDS.values():
        patterns = {
            r.expectation.kwargs["column"]: r.expectation.kwargs["regex"]
            for r in RULES[feed.name]
            if r.expectation is not None and "regex" in r.expectation.kwargs
        }
        for spec in feed.fields:
            if spec.type in (FieldType.DECIMAL, FieldType.INTEGER):
                assert spec.digits is not None
                assert patterns.get(f"{spec.name}_text", "").startswith("^"), f"{feed.name}.{spec.name}"
                assert f"{{1,{spec.digits[0]}}}" in patterns[f"{spec.name}_text"] or (
                    f"{{0,{spec.digits[0] - 1}}}" in patterns[f"{spec.name}_text"]
                )


@pytest.mark.parametrize(
    "rule",
    [r for rules in RULES.values() for r in rules if r.expectation is not None and "regex" in r.expectation.kwargs],
    ids=lambda r: r.name,
)
def test_every_pattern_runs_in_arrows_regex_engine(rule: object) -> None:
    # a pattern RE2 cannot compile (a look-around) makes pandas match it in Python, row by row
    pattern = rule.expectation.kwargs["regex"]  # type: ignore[attr-defined]
    matched = pc.match_substring_regex(pa.array(["12", "x"]), pattern)
    assert matched.to_pylist() == [re.search(pattern, "12") is not None, re.search(pattern, "x") is not None]
