"""Money is a decimal with a currency, never a float (ARCHITECTURE.md)."""

from __future__ import annotations

from decimal import Decimal

__all__ = ["STORAGE_SCALE", "canonical_amount"]

STORAGE_SCALE = Decimal("0.0001")  # NUMERIC(18, 4)
_CENTS = Decimal("0.01")


def canonical_amount(value: Decimal) -> Decimal:
    """One spelling per amount on every database: at least two decimals, at most four, no
    trailing zeros beyond the cents (``1250000.5000`` and ``1250000.5`` are ``1250000.50``)."""
    trimmed = value.quantize(STORAGE_SCALE).normalize()
    if trimmed.is_zero():
        trimmed = trimmed.copy_abs()  # never "-0.00"
    exponent = trimmed.as_tuple().exponent
    return trimmed.quantize(_CENTS) if isinstance(exponent, int) and exponent > -2 else trimmed
