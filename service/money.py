"""Money is a decimal with a currency, never a float (ARCHITECTURE.md)."""

from __future__ import annotations

from decimal import Decimal

from service.errors import FieldError

__all__ = ["MAX_AMOUNT", "STORAGE_SCALE", "amount_error", "canonical_amount"]

STORAGE_SCALE = Decimal("0.0001")  # NUMERIC(18, 4)
MAX_AMOUNT = Decimal("99999999999999.9999")
_CENTS = Decimal("0.01")


def canonical_amount(value: Decimal) -> Decimal:
    """One spelling per amount on every database: at least two decimals, at most four, no
    trailing zeros beyond the cents (``1250000.5000`` and ``1250000.5`` are ``1250000.50``)."""
    trimmed = value.quantize(STORAGE_SCALE).normalize()
    if trimmed.is_zero():
        trimmed = trimmed.copy_abs()  # never "-0.00"
    exponent = trimmed.as_tuple().exponent
    return trimmed.quantize(_CENTS) if isinstance(exponent, int) and exponent > -2 else trimmed


def amount_error(field: str, value: Decimal | None, *, signed: bool = False) -> FieldError | None:
    """Why ``value`` cannot be stored as an amount (``NUMERIC(18, 4)``), or None when it can.

    Amounts are finite, at most 4 decimals, and no larger than ``MAX_AMOUNT`` in size; they are
    non-negative unless ``signed``."""
    if value is None:
        return None
    exponent = value.as_tuple().exponent
    floor = -MAX_AMOUNT if signed else Decimal(0)
    if isinstance(exponent, int) and exponent >= -4 and floor <= value <= MAX_AMOUNT:
        return None
    span = "from -99,999,999,999,999 to 99,999,999,999,999" if signed else "from 0 to 99,999,999,999,999"
    return FieldError(field, f"an amount {span} with at most 4 decimals")
