"""Every rounding of the model, in one place.

Distances are rounded to 0.1 km before anything is computed from them, so the km a page shows
is the km the figures used. Money (zł), hours and kg are kept exact while computing and rounded
once per row here (grosze, 0.01 h, 0.1 kg); totals add the rounded rows, so a CSV sums to the
totals a page shows.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

KM = Decimal("0.1")
MONEY = Decimal("0.01")
HOURS = Decimal("0.01")
KG = Decimal("0.1")


def km(value: Decimal | float) -> Decimal:
    return Decimal(str(value)).quantize(KM, rounding=ROUND_HALF_UP)


def money(value: Decimal) -> Decimal:
    return value.quantize(MONEY, rounding=ROUND_HALF_UP)


def hours(value: Decimal) -> Decimal:
    return value.quantize(HOURS, rounding=ROUND_HALF_UP)


def kg(value: Decimal) -> Decimal:
    return value.quantize(KG, rounding=ROUND_HALF_UP)
