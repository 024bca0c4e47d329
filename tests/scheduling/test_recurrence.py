"""The pure recurrence module: dateutil rrule over wall-clock time, checked against zoneinfo."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from meetings_hub.scheduling.recurrence import (
    WEEKDAYS,
    Change,
    Rule,
    RuleError,
    check_rule,
    expand,
    is_occurrence,
    span,
)

TZ = "Europe/Warsaw"
WARSAW = ZoneInfo(TZ)


def _at_ten(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 10, tzinfo=WARSAW)


def test_weekly_across_october_change_keeps_ten_local() -> None:
    start = _at_ten(date(2027, 10, 19))
    rule = Rule("WEEKLY", 1, ("TU",), count=4)
    got = expand(start, start + timedelta(minutes=90), TZ, rule)
    assert [o.start for o in got] == [
        datetime(2027, 10, 19, 8, tzinfo=UTC),
        datetime(2027, 10, 26, 8, tzinfo=UTC),
        datetime(2027, 11, 2, 9, tzinfo=UTC),
        datetime(2027, 11, 9, 9, tzinfo=UTC),
    ]
    assert all(o.end - o.start == timedelta(minutes=90) for o in got)


def test_every_two_weeks_on_two_days_across_march_change() -> None:
    start = _at_ten(date(2027, 3, 16))
    rule = Rule("WEEKLY", 2, ("TU", "TH"), until=datetime(2027, 4, 30, 21, 59, tzinfo=UTC))
    got = [o.start.astimezone(WARSAW) for o in expand(start, start + timedelta(hours=1), TZ, rule)]
    assert [d.date() for d in got] == [
        date(2027, 3, 16),
        date(2027, 3, 18),
        date(2027, 3, 30),
        date(2027, 4, 1),
        date(2027, 4, 13),
        date(2027, 4, 15),
        date(2027, 4, 27),
        date(2027, 4, 29),
    ]
    assert {(d.hour, d.minute) for d in got} == {(10, 0)}
    assert {d.utcoffset() for d in got} == {timedelta(hours=1), timedelta(hours=2)}


def test_monthly_second_tuesday() -> None:
    start = _at_ten(date(2027, 1, 12))
    rule = Rule("MONTHLY", nth=2, nth_weekday="TU", count=12)
    check_rule(rule, start, TZ)
    got = [o.start.astimezone(WARSAW) for o in expand(start, start + timedelta(hours=1), TZ, rule)]
    assert all(d.weekday() == 1 and 8 <= d.day <= 14 and d.hour == 10 for d in got)
    assert len(got) == 12


def test_changes_override_and_exception_and_window() -> None:
    start = _at_ten(date(2027, 10, 19))
    rule = Rule("WEEKLY", 1, ("TU",), count=4)
    second = datetime(2027, 10, 26, 8, tzinfo=UTC)
    third = datetime(2027, 11, 2, 9, tzinfo=UTC)
    changes = [
        Change(
            second,
            "override",
            start=second + timedelta(days=1),
            end=second + timedelta(days=1, hours=1),
        ),
        Change(third, "exception"),
    ]
    got = expand(start, start + timedelta(hours=1), TZ, rule, changes)
    assert [o.original_start for o in got] == [
        start.astimezone(UTC),
        second,
        datetime(2027, 11, 9, 9, tzinfo=UTC),
    ]
    assert got[1].overridden and got[1].start == second + timedelta(days=1)
    window = expand(
        start,
        start + timedelta(hours=1),
        TZ,
        rule,
        changes,
        window_start=datetime(2027, 10, 27, tzinfo=UTC),
        window_end=datetime(2027, 11, 5, tzinfo=UTC),
    )
    assert [o.original_start for o in window] == [second]
    assert span(start, start + timedelta(hours=1), TZ, rule, changes)[1] == datetime(
        2027, 11, 9, 10, tzinfo=UTC
    )
    assert is_occurrence(rule, start, TZ, third) and not is_occurrence(
        rule, start, TZ, third + timedelta(days=1)
    )


@pytest.mark.parametrize(
    ("rule", "field"),
    [
        (Rule("WEEKLY", 1, ("WE",), count=3), "recurrence.weekdays"),
        (Rule("WEEKLY", 1, (), count=3), "recurrence.weekdays"),
        (Rule("WEEKLY", 0, ("TU",), count=3), "recurrence.interval"),
        (Rule("WEEKLY", 1, ("TU",)), "recurrence.until"),
        (
            Rule("WEEKLY", 1, ("TU",), count=3, until=datetime(2028, 1, 1, tzinfo=UTC)),
            "recurrence.until",
        ),
        (Rule("WEEKLY", 1, ("TU",), until=datetime(2030, 1, 1, tzinfo=UTC)), "recurrence.until"),
        (Rule("WEEKLY", 1, ("TU",), until=datetime(2027, 1, 1, tzinfo=UTC)), "recurrence.until"),
        (Rule("WEEKLY", 1, ("TU",), count=150), "recurrence.until"),
        (Rule("MONTHLY", nth=3, nth_weekday="TU", count=3), "recurrence.nth"),
        (Rule("MONTHLY", nth=5, nth_weekday="TU", count=3), "recurrence.nth"),
        (Rule("MONTHLY", 2, count=3), "recurrence.interval"),
    ],
)
def test_rules_we_refuse(rule: Rule, field: str) -> None:
    with pytest.raises(RuleError) as caught:
        check_rule(rule, _at_ten(date(2027, 10, 12)), TZ)
    assert caught.value.field == field


@settings(max_examples=60, deadline=None)
@given(
    first=st.dates(min_value=date(2026, 1, 1), max_value=date(2030, 12, 31)),
    interval=st.integers(1, 4),
    extra_days=st.sets(st.sampled_from(WEEKDAYS), max_size=3),
    count=st.integers(1, 60),
)
def test_weekly_series_stay_at_ten_local_and_match_zoneinfo(
    first: date, interval: int, extra_days: set[str], count: int
) -> None:
    start = _at_ten(first)
    days = tuple(sorted({WEEKDAYS[first.weekday()], *extra_days}, key=WEEKDAYS.index))
    assume(count * interval <= 100)  # the two-year limit, tested above
    rule = Rule("WEEKLY", interval, days, count=count)
    check_rule(rule, start, TZ)
    got = expand(start, start + timedelta(minutes=90), TZ, rule)
    assert len(got) == count
    monday = first - timedelta(days=first.weekday())
    for o in got:
        local = o.start.astimezone(WARSAW)
        assert (local.hour, local.minute) == (10, 0)
        assert o.start == datetime.combine(local.date(), local.time(), WARSAW).astimezone(UTC)
        assert WEEKDAYS[local.weekday()] in days
        assert ((local.date() - monday).days // 7) % interval == 0
    assert [o.start for o in got] == sorted(o.start for o in got)
