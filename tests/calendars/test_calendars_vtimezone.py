"""Our VTIMEZONE against zoneinfo, as icalendar and as ical.js read it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import node_ical
import pytest

from calendars.transitions import Transition, find_transitions
from calendars.vtimezone import build_vtimezone

ONE_SECOND = timedelta(seconds=1)
ZONES = ["Europe/Warsaw", "America/New_York", "Australia/Sydney", "Europe/Moscow", "Asia/Tokyo"]


def transitions(tzid: str, first_year: int, last_year: int) -> tuple[Transition, ...]:
    return find_transitions(
        tzid, datetime(first_year, 1, 1, tzinfo=UTC), datetime(last_year + 1, 1, 1, tzinfo=UTC)
    )


def calendar_file(tmp_path: Path, vtimezone: icalendar.Timezone) -> Path:
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//meetings_hub tests//PL")
    calendar.add("version", "2.0")
    calendar.add_component(vtimezone)
    path = tmp_path / "zone.ics"
    path.write_bytes(calendar.to_ical())
    return path


def test_warsaw_is_two_yearly_rules() -> None:
    text = build_vtimezone("Europe/Warsaw", 1997, 2037).to_ical().decode()
    assert text.count("BEGIN:DAYLIGHT") == 1
    assert text.count("BEGIN:STANDARD") == 1
    assert "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3" in text
    assert "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10" in text
    assert "DTSTART:19960331T020000" in text  # 02:00 CET -> 03:00 CEST
    assert "DTSTART:19961027T030000" in text  # 03:00 CEST -> 02:00 CET
    assert "RDATE" not in text


def test_warsaw_transitions_found_by_zoneinfo_are_the_eu_rule() -> None:
    found = transitions("Europe/Warsaw", 1997, 2037)
    assert len(found) == 2 * 41
    for change in found:
        assert change.at.weekday() == 6 and change.at.day > 24  # last Sunday
        assert change.at.hour == 1 and change.at.minute == 0  # 01:00 UTC across the EU
        assert change.at.month == (3 if change.is_dst else 10)


@pytest.mark.parametrize("tzid", ZONES)
def test_icalendar_reads_our_vtimezone_like_zoneinfo(tzid: str) -> None:
    zone = ZoneInfo(tzid)
    ours = build_vtimezone(tzid, 1997, 2037).to_tz()
    instants = [datetime(year, 7, 1, tzinfo=UTC) for year in range(1997, 2038)]
    instants += [datetime(year, 1, 15, tzinfo=UTC) for year in range(1997, 2038)]
    for change in transitions(tzid, 1997, 2037):
        instants += [change.at - ONE_SECOND, change.at, change.at + ONE_SECOND]
    for instant in instants:
        assert instant.astimezone(ours).utcoffset() == instant.astimezone(zone).utcoffset(), (
            f"{tzid} at {instant}"
        )


def _unambiguous_wall_clocks(change: Transition) -> list[tuple[str, timedelta]]:
    """Local times around a change that exist exactly once, with their correct offset.

    A wall-clock time inside the autumn overlap names two instants, so around a backward
    change we step out of the overlap; around a forward change the gap has no times at all.
    """
    jump = abs(change.offset_to - change.offset_from)
    before = (
        change.at - ONE_SECOND - (jump if change.offset_to < change.offset_from else timedelta())
    )
    after = (
        change.at + ONE_SECOND + (jump if change.offset_to < change.offset_from else timedelta())
    )
    return [
        ((before + change.offset_from).strftime("%Y-%m-%dT%H:%M:%S"), change.offset_from),
        ((after + change.offset_to).strftime("%Y-%m-%dT%H:%M:%S"), change.offset_to),
    ]


@pytest.mark.node
@pytest.mark.parametrize("tzid", ZONES)
def test_ical_js_reads_our_vtimezone_like_zoneinfo(tzid: str, tmp_path: Path) -> None:
    path = calendar_file(tmp_path, build_vtimezone(tzid, 1997, 2037))
    checks: list[tuple[str, timedelta]] = []
    zone = ZoneInfo(tzid)
    for year in range(1997, 2038):
        for month in (1, 7):
            moment = datetime(year, month, 15, 12, tzinfo=zone)
            checks.append((moment.strftime("%Y-%m-%dT%H:%M:%S"), moment.utcoffset()))  # type: ignore[arg-type]
    for change in transitions(tzid, 1997, 2037):
        checks += _unambiguous_wall_clocks(change)
    offsets = node_ical.local_offsets(path, tzid, [wall for wall, _ in checks])
    wrong = [
        (wall, expected, got)
        for (wall, expected), got in zip(checks, offsets, strict=True)
        if timedelta(seconds=got) != expected
    ]
    assert not wrong, f"ical.js disagrees with zoneinfo in {tzid}: {wrong[:5]}"


@pytest.mark.node
def test_icalendar_rdate_vtimezone_puts_events_an_hour_off_in_ical_js(tmp_path: Path) -> None:
    """Why we build our own VTIMEZONE: ical.js reads only the first value of each RDATE
    line and skips DTSTART when RDATE is present, so icalendar's VTIMEZONE loses the
    summer-time rule.

    If this starts failing, ical.js or icalendar changed; docs/calendars-format.md says why
    this test exists.
    """
    zone = ZoneInfo("Europe/Warsaw")
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//meetings_hub tests//PL")
    calendar.add("version", "2.0")
    event = icalendar.Event()
    event.add("uid", "rdate-demo@hub.example.pl")
    event.add("dtstamp", datetime(2025, 1, 1, tzinfo=UTC))
    event.add("dtstart", datetime(2025, 1, 7, 10, tzinfo=zone))
    event.add("dtend", datetime(2025, 1, 7, 11, tzinfo=zone))
    event.add("summary", "weekly at 10:00 Warsaw time")
    event.add("rrule", {"freq": "WEEKLY", "count": 52})
    calendar.add_component(event)
    calendar.add_missing_timezones()
    ics = calendar.to_ical()
    assert b"RDATE:" in ics

    seen = {row["start_utc"] for row in node_ical.expand(ics)}
    summer = datetime(2025, 7, 1, 10, tzinfo=zone)  # a Tuesday in CEST: 08:00 UTC
    assert summer.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") not in seen
    assert "2025-07-01T09:00:00Z" in seen  # ical.js: still +01:00, one hour late

    ours = build_vtimezone("Europe/Warsaw", 2024, 2026)
    fixed = icalendar.Calendar.from_ical(ics)
    fixed.subcomponents = [ours, *fixed.walk("VEVENT")]
    seen_ours = {row["start_utc"] for row in node_ical.expand(fixed.to_ical())}
    assert "2025-07-01T08:00:00Z" in seen_ours


def test_a_span_without_changes_gets_one_fixed_observance() -> None:
    text = build_vtimezone("Asia/Tokyo", 2020, 2022).to_ical().decode()
    assert text.count("BEGIN:STANDARD") == 1
    assert "TZOFFSETFROM:+0900" in text and "TZOFFSETTO:+0900" in text
    assert "RRULE" not in text


def test_a_rule_that_ended_gets_until_in_utc() -> None:
    text = build_vtimezone("America/New_York", 2005, 2010).to_ical().decode()
    assert "RRULE:FREQ=YEARLY;UNTIL=20060402T070000Z;BYDAY=1SU;BYMONTH=4" in text
    assert "RRULE:FREQ=YEARLY;BYDAY=2SU;BYMONTH=3" in text


def test_years_must_be_ordered() -> None:
    with pytest.raises(ValueError, match="last_year"):
        build_vtimezone("Europe/Warsaw", 2030, 2020)
