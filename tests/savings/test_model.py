"""Property tests of the pure savings model (meetings_hub.savings): no I/O, no server."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from meetings_hub.savings import model, presence, rounding
from meetings_hub.savings.params import (
    BOUNDS,
    DEFAULTS,
    FIELDS,
    SOURCES,
    Parameters,
    check_km,
    check_values,
    from_json,
    to_json,
    with_changes,
)

HOUR = Decimal("1.5")
km_values = st.decimals(min_value="0.1", max_value="1000", places=1)
persons = st.integers(min_value=1, max_value=60)
seats = st.integers(min_value=1, max_value=9)
params_strategy = st.builds(
    Parameters,
    detour_factor=st.decimals(min_value="1", max_value="3", places=2),
    seats_per_car=seats,
    avg_speed_kmh=st.decimals(min_value="5", max_value="130", places=0),
    rate_per_km=st.decimals(min_value="0.01", max_value="10", places=2),
    staff_hour_cost=st.decimals(min_value="0.01", max_value="1000", places=2),
    per_diem_enabled=st.booleans(),
    per_diem=st.decimals(min_value="0.01", max_value="1000", places=2),
    co2_g_per_km=st.decimals(min_value="1", max_value="1000", places=0),
)


def override(km: Decimal) -> model.Distance:
    return model.distance(None, None, km, DEFAULTS)  # type: ignore[return-value]


def test_every_parameter_has_a_source_and_sane_defaults() -> None:
    assert set(SOURCES) == set(FIELDS)
    assert not check_values(to_json(DEFAULTS))
    assert DEFAULTS.rate_per_km == Decimal("1.15")
    assert DEFAULTS.staff_hour_cost == Decimal(35)
    assert DEFAULTS.per_diem == Decimal(45) and not DEFAULTS.per_diem_enabled
    assert DEFAULTS.co2_g_per_km == Decimal(150)
    assert DEFAULTS.detour_factor == Decimal("1.3")
    assert (DEFAULTS.min_share, DEFAULTS.min_minutes) == (Decimal("0.5"), 30)
    assert from_json(to_json(DEFAULTS)) == DEFAULTS


@given(params_strategy, st.integers(min_value=0, max_value=60), km_values)
def test_zero_for_the_host_library(params: Parameters, n: int, km: Decimal) -> None:
    fig = model.saved(n, override(km), params, HOUR, is_host=True)
    assert (fig.money, fig.co2_kg, fig.hours, fig.cars, fig.km_avoided) == (0, 0, 0, 0, 0)


@given(params_strategy, persons, km_values, km_values)
def test_monotone_in_distance(params: Parameters, n: int, a: Decimal, b: Decimal) -> None:
    near, far = sorted((a, b))
    x = model.saved(n, override(near), params, HOUR)
    y = model.saved(n, override(far), params, HOUR)
    assert x.money <= y.money and x.co2_kg <= y.co2_kg and x.hours <= y.hours


@given(params_strategy, persons, persons, km_values)
def test_monotone_in_persons(params: Parameters, a: int, b: int, km: Decimal) -> None:
    few, many = sorted((a, b))
    x = model.saved(few, override(km), params, HOUR)
    y = model.saved(many, override(km), params, HOUR)
    assert x.money <= y.money and x.co2_kg <= y.co2_kg and x.hours <= y.hours
    assert x.cars <= y.cars


@given(params_strategy, persons, km_values, seats, seats)
def test_carpooling_never_raises_cost(
    params: Parameters, n: int, km: Decimal, s1: int, s2: int
) -> None:
    """More seats per car: never more cars, money or CO2 (the counterfactual trip)."""
    small, big = sorted((s1, s2))
    alone = model.saved(n, override(km), with_changes(params, {"seats_per_car": small}), HOUR)
    shared = model.saved(n, override(km), with_changes(params, {"seats_per_car": big}), HOUR)
    assert shared.cars <= alone.cars
    assert shared.money <= alone.money and shared.co2_kg <= alone.co2_kg


@given(params_strategy, persons, km_values, st.integers(min_value=1, max_value=60))
def test_in_person_carpooling_saves_what_one_car_each_would_cost(
    params: Parameters, n: int, km: Decimal, cars: int
) -> None:
    cars = min(cars, n)
    real = model.in_person(n, cars, override(km), params)
    one_each = model.in_person(n, n, override(km), params)
    assert real.carpool_money >= 0 and real.carpool_co2_kg >= 0
    assert real.real_money <= one_each.real_money
    # Cars used + cars spared = one car per person.
    assert real.real_money + real.carpool_money == one_each.real_money


@given(st.lists(st.tuples(params_strategy, persons, km_values), min_size=0, max_size=12))
def test_totals_equal_the_sum_of_rows(rows: list[tuple[Parameters, int, Decimal]]) -> None:
    figures = [model.saved(n, override(km), p, HOUR) for p, n, km in rows]
    totals = model.total(figures)
    assert totals.money == sum((f.money for f in figures), Decimal(0))
    assert totals.co2_kg == sum((f.co2_kg for f in figures), Decimal(0))
    assert totals.participant_hours == sum((f.hours for f in figures), Decimal(0))
    assert totals.trips_avoided == sum(f.cars for f in figures)


@given(params_strategy, persons, km_values)
def test_rows_are_rounded_once_to_grosze(params: Parameters, n: int, km: Decimal) -> None:
    fig = model.saved(n, override(km), params, HOUR)
    assert fig.money == rounding.money(fig.money)
    assert fig.hours == rounding.hours(fig.hours)
    assert fig.co2_kg == rounding.kg(fig.co2_kg)
    assert fig.money == fig.travel_money + fig.staff_money + fig.per_diem_money


def test_per_diem_rules() -> None:
    assert model.per_diem_share(Decimal("7.99")) == 0
    assert model.per_diem_share(Decimal(8)) == Decimal("0.5")
    assert model.per_diem_share(Decimal(12)) == Decimal("0.5")
    assert model.per_diem_share(Decimal("12.01")) == 1
    on = with_changes(DEFAULTS, {"per_diem_enabled": True})
    # 300 km one way: 12 h on the road + 1.5 h meeting > 12 h: a full per-diem each.
    assert model.saved(2, override(Decimal(300)), on, HOUR).per_diem_money == Decimal(90)
    # 150 km: 6 h + 1.5 h < 8 h: none.
    assert model.saved(2, override(Decimal(150)), on, HOUR).per_diem_money == 0
    # Off by default.
    assert model.saved(2, override(Decimal(300)), DEFAULTS, HOUR).per_diem_money == 0


def test_a_frozen_parameter_set_does_not_follow_new_defaults() -> None:
    frozen = to_json(DEFAULTS)
    changed = with_changes(DEFAULTS, {"rate_per_km": Decimal("0.89")})
    assert from_json(frozen).rate_per_km == Decimal("1.15")
    assert changed.rate_per_km == Decimal("0.89")


def test_validation_names_fields_and_bounds() -> None:
    assert check_values({"rate_per_km": -1}) == {"rate_per_km": "Must be positive."}
    assert "between" in check_values({"detour_factor": 7})["detour_factor"]
    assert check_values({"seats_per_car": 2.5}) == {"seats_per_car": "Must be a whole number."}
    assert check_values({"per_diem_enabled": "yes"})
    assert check_values({"co2_g_per_km": float("nan")})
    assert check_km(1000) is None and check_km(Decimal("1000.1")) and check_km(0)
    for name, (low, high) in BOUNDS.items():
        assert not check_values({name: low}) and not check_values({name: high})


T0 = datetime(2026, 3, 3, 9, 0, tzinfo=UTC)
spans = st.lists(st.tuples(st.integers(-30, 120), st.integers(0, 120)), min_size=1, max_size=8).map(
    lambda xs: [(T0 + timedelta(minutes=a), T0 + timedelta(minutes=a + b)) for a, b in xs]
)


@given(spans)
@settings(max_examples=200)
def test_tabs_and_reconnects_of_one_person_count_once(intervals: list) -> None:  # type: ignore[type-arg]
    start, end = T0, T0 + timedelta(minutes=90)
    once = presence.present_seconds(intervals, start, end)
    twice = presence.present_seconds(intervals + intervals, start, end)
    assert once == twice  # a second tab over the same time adds nothing
    assert 0 <= once <= 90 * 60
    assert (
        once
        <= sum(
            (max(min(b, end) - max(a, start), timedelta(0)).total_seconds() for a, b in intervals),
            0.0,
        )
        + 0.001
    )


def test_threshold_is_the_smaller_of_share_and_minutes() -> None:
    assert presence.threshold_minutes(Decimal(90), DEFAULTS) == 30
    assert presence.threshold_minutes(Decimal(40), DEFAULTS) == 20
    assert presence.travelled(Decimal(20 * 60), Decimal(20))
    assert not presence.travelled(Decimal(20 * 60 - 1), Decimal(20))


def test_guest_origin_rules() -> None:
    town = presence.Place("Kielce", 50.87, 20.63)
    assert presence.guest_origin(7, town, 3, 1) == 7
    assert presence.guest_origin(None, town, 3, 1) == town
    assert presence.guest_origin(None, None, 3, 1) == 3
    assert presence.guest_origin(None, None, None, 1) == 1
    assert presence.guest_origin(None, None, None, None) is None


def test_no_coordinates_no_distance() -> None:
    host = model.Point(50.7468, 20.6176)
    assert model.distance(None, host, None, DEFAULTS) is None
    assert model.distance(host, None, None, DEFAULTS) is None
    by_override = model.distance(None, None, Decimal("21.55"), DEFAULTS)
    assert by_override is not None and by_override.km_one_way == Decimal("21.6")
    assert by_override.from_override
