"""The rules' patterns: what they accept, and that Arrow's regex engine can run them."""

from __future__ import annotations

import itertools
import re
from decimal import Decimal

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from contracts.rules import NUMBER, POSITIVE_NUMBER, RULES


def _positive(text: str) -> bool:
    """The reference: a number as people type it, with no minus sign, above zero."""
    return re.match(NUMBER, text) is not None and not text.startswith("-") and Decimal(text) > 0


def test_positive_number_accepts_exactly_the_numbers_above_zero() -> None:
    texts = ["".join(t) for n in range(7) for t in itertools.product("01.+5-", repeat=n)]
    wrong = [t for t in texts if (re.match(POSITIVE_NUMBER, t) is not None) != _positive(t)]
    assert wrong == []
    examples = ("12", "0.5", ".5", "1.", "+3", "0", "0.00", "-1", "1e3")
    assert {t: bool(re.match(POSITIVE_NUMBER, t)) for t in examples} == {
        "12": True,
        "0.5": True,
        ".5": True,
        "1.": True,
        "+3": True,
        "0": False,
        "0.00": False,
        "-1": False,
        "1e3": False,
    }


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
