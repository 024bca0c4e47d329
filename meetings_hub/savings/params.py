"""The model's parameters: every default with where it comes from, and the sane bounds."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any


@dataclass(frozen=True, slots=True)
class Parameters:
    # Who travelled: present at least min(min_share × scheduled length, min_minutes).
    min_share: Decimal = Decimal("0.5")
    min_minutes: int = 30
    # Road distance = great-circle distance × detour_factor (unless overridden per pair).
    detour_factor: Decimal = Decimal("1.3")
    seats_per_car: int = 4
    avg_speed_kmh: Decimal = Decimal("50")
    rate_per_km: Decimal = Decimal("1.15")  # zł per km
    staff_hour_cost: Decimal = Decimal("35")  # zł per hour of a librarian's time
    per_diem_enabled: bool = False
    per_diem: Decimal = Decimal("45")  # zł, a full per-diem (dieta)
    co2_g_per_km: Decimal = Decimal("150")  # grams of CO2 per car-km


DEFAULTS = Parameters()
FIELDS: tuple[str, ...] = tuple(f.name for f in dataclasses.fields(Parameters))
INT_FIELDS = frozenset({"min_minutes", "seats_per_car"})
BOOL_FIELDS = frozenset({"per_diem_enabled"})

# Where each default comes from (docs/savings.md says more).
SOURCES: dict[str, str] = {
    "min_share": "Programme rule: present at least half of the scheduled length.",
    "min_minutes": "Programme rule: or at least 30 minutes, whichever is smaller.",
    "detour_factor": (
        "Typical ratio of road to straight-line distance (circuity factor) for European road"
        " networks, about 1.3: Ballou, Rahardja & Sakai (2002), 'Selected country circuity"
        " factors for road travel distance estimation', Transportation Research Part A 36(9)."
        " A coordinator can enter the real road distance for any pair of libraries."
    ),
    "seats_per_car": "Librarians of one library share a car: four people per car.",
    "avg_speed_kmh": "Average speed on regional roads: an estimate.",
    "rate_per_km": (
        "Polish ceiling for a private car over 900 cm³ used for the employer (regulation of the"
        " Minister of Infrastructure, as amended in force since 17 January 2023); 0.89 zł/km up"
        " to 900 cm³."
    ),
    "staff_hour_cost": "An estimate of a librarian's hourly cost to the employer.",
    "per_diem_enabled": "Per-diem is off by default: short regional trips rarely qualify.",
    "per_diem": (
        "Polish domestic per-diem (dieta) of 45 zł: half for a trip of 8-12 hours, full over"
        " 12 hours, none under 8 hours."
    ),
    "co2_g_per_km": (
        "Estimate for the real Polish passenger-car fleet; the EU average of new cars"
        " registered in 2023 (106.6 g/km, EEA) is the lower bound."
    ),
}

# Sane bounds (inclusive) for every number; everything must be positive.
BOUNDS: dict[str, tuple[Decimal, Decimal]] = {
    "min_share": (Decimal("0.01"), Decimal("1")),
    "min_minutes": (Decimal("1"), Decimal("600")),
    "detour_factor": (Decimal("1"), Decimal("3")),
    "seats_per_car": (Decimal("1"), Decimal("9")),
    "avg_speed_kmh": (Decimal("5"), Decimal("130")),
    "rate_per_km": (Decimal("0.01"), Decimal("10")),
    "staff_hour_cost": (Decimal("0.01"), Decimal("1000")),
    "per_diem": (Decimal("0.01"), Decimal("1000")),
    "co2_g_per_km": (Decimal("1"), Decimal("1000")),
}

# A road distance override (one way) may not exceed this many km.
MAX_KM = Decimal("1000")


def _as_decimal(value: Any) -> Decimal | None:
    if isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def check_value(name: str, value: Any, bounds: tuple[Decimal, Decimal] | None = None) -> str | None:
    """The message for a bad value of one field, or None when it is fine."""
    if name not in FIELDS:
        return "Unknown parameter."
    if name in BOOL_FIELDS:
        return None if isinstance(value, bool) else "Must be true or false."
    number = _as_decimal(value)
    if number is None:
        return "Must be a number."
    if name in INT_FIELDS and number != number.to_integral_value():
        return "Must be a whole number."
    low, high = bounds or BOUNDS[name]
    if number <= 0:
        return "Must be positive."
    if not low <= number <= high:
        return f"Must be between {low} and {high}."
    return None


def check_values(
    values: Mapping[str, Any], bounds: Mapping[str, tuple[Decimal, Decimal]] | None = None
) -> dict[str, str]:
    """field -> message for every bad value (empty when all are fine)."""
    errors = {}
    for name, value in values.items():
        message = check_value(name, value, (bounds or {}).get(name))
        if message is not None:
            errors[name] = message
    return errors


def check_km(km: Any) -> str | None:
    number = _as_decimal(km)
    if number is None:
        return "Must be a number."
    if number <= 0:
        return "Must be positive."
    if number > MAX_KM:
        return f"Must be at most {MAX_KM} km."
    return None


def _coerce(name: str, value: Any) -> Any:
    if name in BOOL_FIELDS:
        return bool(value)
    if name in INT_FIELDS:
        return int(Decimal(str(value)))
    return Decimal(str(value))


def with_changes(base: Parameters, changes: Mapping[str, Any]) -> Parameters:
    """``base`` with some fields replaced (values already checked)."""
    known = {k: _coerce(k, v) for k, v in changes.items() if v is not None and k in FIELDS}
    return dataclasses.replace(base, **known)


def to_json(params: Parameters) -> dict[str, Any]:
    """Exact values, decimals as strings, so a frozen record keeps them without float error."""
    out: dict[str, Any] = {}
    for name in FIELDS:
        value = getattr(params, name)
        out[name] = str(value) if isinstance(value, Decimal) else value
    return out


def from_json(data: Mapping[str, Any]) -> Parameters:
    return with_changes(DEFAULTS, data)
