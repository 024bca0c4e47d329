"""Property tests: any weekly or monthly series stays at 10:00 Warsaw time across DST."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from expected import local_starts, python_side
from hypothesis import given, settings
from hypothesis import strategies as st

from calendars.feed import build_feed
from calendars.model import WEEKDAYS, Event, Recurrence

WARSAW = ZoneInfo("Europe/Warsaw")
STAMP = datetime(2025, 1, 1, tzinfo=UTC)

weekly = st.builds(
    lambda interval, days, count: Recurrence(
        "WEEKLY", interval=interval, by_weekday=tuple(sorted(days, key=WEEKDAYS.index)), count=count
    ),
    st.integers(1, 4),
    st.sets(st.sampled_from(WEEKDAYS), min_size=1, max_size=3),
    st.integers(1, 60),
)
monthly = st.builds(
    lambda interval, nth, day, count: Recurrence(
        "MONTHLY", interval=interval, by_set_weekday=(nth, day), count=count
    ),
    st.integers(1, 3),
    st.integers(1, 4),
    st.sampled_from(WEEKDAYS),
    st.integers(1, 24),
)


@settings(max_examples=60, deadline=None)
@given(
    first_day=st.dates(date(2025, 1, 1), date(2026, 12, 31)),
    recurrence=st.one_of(weekly, monthly),
)
def test_series_stay_at_ten_local(first_day: date, recurrence: Recurrence) -> None:
    start = datetime.combine(first_day, datetime.min.time(), tzinfo=WARSAW).replace(hour=10)
    # A series starts on one of its own days (the model enforces it).
    while not recurrence.matches(start, "Europe/Warsaw"):
        start = (start + timedelta(days=1)).replace(hour=10)
    event = Event(
        uid="prop@hub.example.pl",
        sequence=0,
        title="t",
        start=start,
        end=start + timedelta(hours=1),
        last_modified=STAMP,
        created=STAMP,
        recurrence=recurrence,
    )
    window_end = start + timedelta(days=2 * 366)
    seen = [
        item.start_utc for item in python_side(build_feed([event], name="p"), start, window_end)
    ]
    expected = [
        moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        for moment in local_starts(event)
        if moment < window_end
    ]
    assert seen == expected
    for moment in local_starts(event):
        assert moment.hour == 10 and moment.tzinfo == WARSAW
