"""The figures of one held occurrence, per origin (a library or a guest's place).

Inputs are plain values (persons per origin, coordinates, an optional road distance), so every
figure can be redone by hand from what a page shows; see docs/savings.md.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from meetings_hub.savings import rounding
from meetings_hub.savings.geo import haversine_km
from meetings_hub.savings.params import Parameters

ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class Point:
    latitude: float
    longitude: float


@dataclass(frozen=True, slots=True)
class Distance:
    straight_km: Decimal | None  # great-circle, 0.1 km; None from an override
    km_one_way: Decimal  # 0.1 km
    from_override: bool


def distance(
    origin: Point | None, host: Point | None, override_km: Decimal | None, params: Parameters
) -> Distance | None:
    """One-way road distance: the override, else great-circle × detour factor (None: no
    coordinates). The great-circle distance is rounded first, so 'km × factor' redone by hand
    from the page gives the same km."""
    if override_km is not None:
        return Distance(None, rounding.km(override_km), True)
    if origin is None or host is None:
        return None
    straight = rounding.km(
        haversine_km(origin.latitude, origin.longitude, host.latitude, host.longitude)
    )
    return Distance(straight, rounding.km(straight * params.detour_factor), False)


def cars_for(persons: int, seats_per_car: int) -> int:
    return math.ceil(persons / seats_per_car) if persons > 0 else 0


def per_diem_share(trip_hours: Decimal) -> Decimal:
    """Polish domestic per-diem: none under 8 h, half for 8-12 h, full over 12 h."""
    if trip_hours < 8:
        return ZERO
    if trip_hours <= 12:
        return Decimal("0.5")
    return Decimal(1)


@dataclass(frozen=True, slots=True)
class Figures:
    """What one origin's people saved (or, in person, really travelled)."""

    persons: int
    distance: Distance | None
    round_trip_km: Decimal
    cars: int
    hours: Decimal  # person-hours of travel
    travel_money: Decimal  # cars × round trip × rate
    staff_money: Decimal  # hours × staff hour cost
    per_diem_money: Decimal
    co2_kg: Decimal

    @property
    def money(self) -> Decimal:
        return rounding.money(self.travel_money + self.staff_money + self.per_diem_money)

    @property
    def km_avoided(self) -> Decimal:
        return self.cars * self.round_trip_km


def nothing(persons: int, dist: Distance | None = None) -> Figures:
    return Figures(persons, dist, ZERO, 0, ZERO, ZERO, ZERO, ZERO, ZERO)


def saved(
    persons: int,
    dist: Distance | None,
    params: Parameters,
    meeting_hours: Decimal,
    *,
    is_host: bool = False,
) -> Figures:
    """The saving of one origin in an online session: nothing for the host or without a
    distance."""
    if is_host or dist is None or persons <= 0:
        return nothing(persons, dist)
    round_trip = 2 * dist.km_one_way
    cars = cars_for(persons, params.seats_per_car)
    hours = rounding.hours(persons * round_trip / params.avg_speed_kmh)
    per_person_hours = round_trip / params.avg_speed_kmh + meeting_hours
    per_diem = (
        persons * params.per_diem * per_diem_share(per_person_hours)
        if params.per_diem_enabled
        else ZERO
    )
    return Figures(
        persons=persons,
        distance=dist,
        round_trip_km=round_trip,
        cars=cars,
        hours=hours,
        travel_money=rounding.money(cars * round_trip * params.rate_per_km),
        staff_money=rounding.money(hours * params.staff_hour_cost),
        per_diem_money=rounding.money(per_diem),
        co2_kg=rounding.kg(cars * round_trip * params.co2_g_per_km / 1000),
    )


@dataclass(frozen=True, slots=True)
class InPerson:
    """An in-person event's real travel from one library, and what sharing cars saved."""

    persons: int
    distance: Distance | None
    cars: int
    real_km: Decimal
    real_money: Decimal
    real_co2_kg: Decimal
    carpool_money: Decimal  # against one car per person
    carpool_co2_kg: Decimal


def in_person(persons: int, cars: int, dist: Distance | None, params: Parameters) -> InPerson:
    if dist is None:
        return InPerson(persons, None, cars, ZERO, ZERO, ZERO, ZERO, ZERO)
    round_trip = 2 * dist.km_one_way

    def money(n: int) -> Decimal:
        return rounding.money(n * round_trip * params.rate_per_km)

    def co2(n: int) -> Decimal:
        return rounding.kg(n * round_trip * params.co2_g_per_km / 1000)

    # Saved = one car per person minus the cars used, both as shown (never negative).
    one_each = max(persons, cars)
    return InPerson(
        persons=persons,
        distance=dist,
        cars=cars,
        real_km=cars * round_trip,
        real_money=money(cars),
        real_co2_kg=co2(cars),
        carpool_money=money(one_each) - money(cars),
        carpool_co2_kg=co2(one_each) - co2(cars),
    )


@dataclass(frozen=True, slots=True)
class Totals:
    participant_hours: Decimal = ZERO
    km_avoided: Decimal = ZERO
    money: Decimal = ZERO
    co2_kg: Decimal = ZERO
    trips_avoided: int = 0


def total(rows: Iterable[Figures]) -> Totals:
    """Sums of the (already rounded) rows: totals always equal the sum of what rows show."""
    hours = km = money = co2 = ZERO
    trips = 0
    for row in rows:
        hours += row.hours
        km += row.km_avoided
        money += row.money
        co2 += row.co2_kg
        trips += row.cars
    return Totals(hours, km, money, co2, trips)
