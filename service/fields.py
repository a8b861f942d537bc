"""Field types the core records' request and response bodies share (msgspec annotations)."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

import msgspec

__all__ = ["Amount", "CostCode", "Currency", "Description", "Name", "SignedAmount"]

Name = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
Description = Annotated[str, msgspec.Meta(min_length=1, max_length=500)]
Currency = Annotated[str, msgspec.Meta(pattern=r"^[A-Z]{3}$", description="ISO 4217 code, e.g. USD.")]
CostCode = Annotated[
    str,
    msgspec.Meta(
        pattern=r"^[0-9A-Za-z][0-9A-Za-z .\-/]{0,23}$",
        description='The builder\'s cost code, e.g. a CSI MasterFormat number: "03 30 00".',
        examples=["03 30 00"],
    ),
]
# Range and precision are checked by the services (service.money.amount_error): msgspec bounds
# take no Decimal.
Amount = Annotated[Decimal, msgspec.Meta(description='A non-negative decimal string, e.g. "1250.00".')]
SignedAmount = Annotated[Decimal, msgspec.Meta(description='A decimal string, negative for a credit, e.g. "-850.00".')]
