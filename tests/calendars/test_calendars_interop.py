"""Every golden feed and invitation, expanded by ical.js and by recurring-ical-events, gives
the occurrences zoneinfo expects, across the March and October DST changes."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import node_ical
import pytest
import samples
from expected import Occurrence, ical_js_side, occurrences, python_side

from calendars.model import Event

WINDOW = (datetime(2024, 1, 1, tzinfo=UTC), datetime(2028, 1, 1, tzinfo=UTC))

# Which events each golden file holds; an invitation to cancel carries the cancelled event.
CONTENTS: dict[str, tuple[Event, ...]] = {
    "feed_single.ics": (samples.SINGLE,),
    "feed_weekly.ics": (samples.WEEKLY,),
    "feed_monthly.ics": (samples.MONTHLY,),
    "feed_cancelled.ics": (samples.CANCELLED,),
    "feed_all.ics": samples.ALL,
    "feed_all_day.ics": (samples.ALL_DAY,),
    "invite_request.ics": (samples.SINGLE,),
    "invite_request_series.ics": (samples.WEEKLY,),
    "invite_cancel.ics": (replace(samples.SINGLE, status="CANCELLED"),),
}


def expected(name: str) -> list[Occurrence]:
    return sorted(item for event in CONTENTS[name] for item in occurrences(event, ""))


def test_every_golden_file_is_checked() -> None:
    assert sorted(CONTENTS) == sorted(samples.golden_files())


@pytest.mark.parametrize("name", sorted(CONTENTS))
def test_recurring_ical_events_agrees_with_zoneinfo(name: str) -> None:
    ics = samples.golden_files()[name]
    assert python_side(ics, *WINDOW) == expected(name)


@pytest.mark.node
@pytest.mark.parametrize("name", sorted(CONTENTS))
def test_ical_js_agrees_with_zoneinfo(name: str) -> None:
    ics = samples.golden_files()[name]
    rows = node_ical.expand(ics, start="2024-01-01T00:00:00Z", end="2028-01-01T00:00:00Z")
    assert ical_js_side(rows) == expected(name)


def test_weekly_series_crosses_the_october_change_at_ten_local() -> None:
    starts = [item.start_utc for item in expected("feed_weekly.ics")]
    assert "2025-10-23T08:00:00Z" in starts  # CEST, UTC+2
    assert "2025-11-04T09:00:00Z" in starts  # CET, UTC+1
    assert "2025-10-28T09:00:00Z" not in starts  # EXDATE
    assert "2025-10-30T11:00:00Z" in starts  # the override, 12:00 CET


def test_monthly_series_crosses_the_march_change_at_ten_local() -> None:
    starts = [item.start_utc for item in expected("feed_monthly.ics")]
    assert starts[:4] == [
        "2026-01-13T09:00:00Z",
        "2026-02-10T09:00:00Z",
        "2026-03-10T09:00:00Z",
        "2026-04-14T08:00:00Z",
    ]
    assert len(starts) == 12


@pytest.mark.node
def test_ical_js_sees_the_override_title_and_the_cancelled_status() -> None:
    rows = node_ical.expand(samples.golden_files()["feed_all.ics"])
    moved = [row for row in rows if row["start_utc"] == "2025-10-30T11:00:00Z"]
    assert [row["summary"] for row in moved] == ["Dyżur konsultacyjny (przesunięty)"]
    cancelled = [row for row in rows if row["uid"] == samples.CANCELLED.uid]
    assert [(row["summary"], row["status"]) for row in cancelled] == [
        ("ODWOŁANE: Spotkanie autorskie", "CANCELLED")
    ]
