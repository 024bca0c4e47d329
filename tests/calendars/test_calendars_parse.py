"""parse_ics: events or problems, never an exception."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import pytest
import recurring_ical_events
import samples

from calendars.feed import build_feed
from calendars.model import Recurrence
from calendars.parse import PROBLEM_CODES, ImportResult, parse_ics

WARSAW = ZoneInfo("Europe/Warsaw")


def ics(*lines: str, newline: str = "\r\n") -> bytes:
    body = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//t//t", *lines, "END:VCALENDAR"]
    return (newline.join(body) + newline).encode()


def vevent(*lines: str) -> list[str]:
    return ["BEGIN:VEVENT", "UID:e1@example.pl", "SUMMARY:Zajęcia", *lines, "END:VEVENT"]


def messages(result: ImportResult) -> str:
    return " | ".join(problem.message for problem in result.problems)


def package_ics_files() -> list[Path]:
    roots = [Path(icalendar.__file__).parent, Path(recurring_ical_events.__file__).parent]
    return sorted(path for root in roots for path in root.rglob("*.ics"))


def test_the_installed_packages_ship_test_calendars() -> None:
    assert len(package_ics_files()) > 100


@pytest.mark.parametrize(
    "path", package_ics_files(), ids=lambda path: f"{path.parent.name}/{path.name}"
)
def test_never_raises_on_library_test_files(path: Path) -> None:
    result = parse_ics(path.read_bytes())
    assert isinstance(result, ImportResult)
    assert {problem.code for problem in result.problems} <= PROBLEM_CODES
    assert result.events or result.problems or b"VEVENT" not in path.read_bytes().upper()
    for event in result.events:
        assert event.start.tzinfo is not None and event.end.tzinfo is not None
        assert event.end >= event.start


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        (b"", "not an iCalendar file"),
        (b"\x00\xff\xfe garbage \x80", "not an iCalendar file"),
        (b"hello world", "not an iCalendar file"),
        (b"BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:a\nDTSTART:20240701T100000\n", "incomplete"),
        (b"BEGIN:VCALENDAR\r\nthis is : not ; right\r\nEND:VCALENDAR\r\n", ""),
    ],
)
def test_bad_files_give_problems(data: bytes, fragment: str) -> None:
    result = parse_ics(data)
    assert result.events == ()
    assert fragment in messages(result)


def test_bom_lf_and_polish_text() -> None:
    data = b"\xef\xbb\xbf" + ics(
        *vevent(
            "DTSTART;TZID=Europe/Warsaw:20250401T100000", "DTEND;TZID=Europe/Warsaw:20250401T110000"
        ),
        newline="\n",
    )
    (event,) = parse_ics(data).events
    assert event.title == "Zajęcia"
    assert event.start == datetime(2025, 4, 1, 8, tzinfo=UTC)
    assert event.end - event.start == timedelta(hours=1)
    assert not event.all_day


def test_missing_dtstart_skips_the_event() -> None:
    result = parse_ics(ics(*vevent("DTEND:20250401T110000Z")))
    assert result.events == ()
    assert result.problems[0].uid == "e1@example.pl"
    assert result.problems[0].line == 4
    assert "no readable DTSTART" in messages(result)


def test_end_before_start_skips_the_event() -> None:
    result = parse_ics(ics(*vevent("DTSTART:20250401T110000Z", "DTEND:20250401T100000Z")))
    assert result.events == ()
    assert "ends before it starts" in messages(result)


def test_unknown_tzid_falls_back_to_the_default_zone_with_one_problem() -> None:
    result = parse_ics(
        ics(
            *vevent(
                "DTSTART;TZID=Mars/Olympus:20250701T100000",
                "DTEND;TZID=Mars/Olympus:20250701T110000",
            )
        )
    )
    (event,) = result.events
    assert event.start == datetime(2025, 7, 1, 10, tzinfo=WARSAW)
    assert len(result.problems) == 1 and "Mars/Olympus" in messages(result)


def test_windows_tzid_is_understood() -> None:
    result = parse_ics(ics(*vevent("DTSTART;TZID=Central European Standard Time:20250701T100000")))
    assert result.events[0].start == datetime(2025, 7, 1, 8, tzinfo=UTC)


def test_floating_time_is_read_in_the_default_zone() -> None:
    result = parse_ics(ics(*vevent("DTSTART:20250701T100000")), default_tz="Europe/London")
    assert result.events[0].start == datetime(2025, 7, 1, 9, tzinfo=UTC)
    assert result.problems == ()


def test_all_day_event() -> None:
    (event,) = parse_ics(
        ics(*vevent("DTSTART;VALUE=DATE:20251111", "DTEND;VALUE=DATE:20251112"))
    ).events
    assert event.all_day
    assert event.start == datetime(2025, 11, 11, tzinfo=WARSAW)
    assert event.end == datetime(2025, 11, 12, tzinfo=WARSAW)


def test_duration_instead_of_dtend() -> None:
    (event,) = parse_ics(ics(*vevent("DTSTART:20251111T100000Z", "DURATION:PT1H30M"))).events
    assert event.end - event.start == timedelta(minutes=90)


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        ("FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,TH", Recurrence("WEEKLY", 2, ("TU", "TH"))),
        ("FREQ=WEEKLY", Recurrence("WEEKLY", by_weekday=("TU",))),
        (
            "FREQ=MONTHLY;BYDAY=2TU;COUNT=5",
            Recurrence("MONTHLY", by_set_weekday=(2, "TU"), count=5),
        ),
        ("FREQ=MONTHLY", Recurrence("MONTHLY")),
        (
            "FREQ=WEEKLY;BYDAY=TU;UNTIL=20251231T230000Z",
            Recurrence("WEEKLY", by_weekday=("TU",), until=datetime(2025, 12, 31, 23, tzinfo=UTC)),
        ),
    ],
)
def test_supported_rules(rule: str, expected: Recurrence) -> None:
    result = parse_ics(ics(*vevent("DTSTART:20251007T100000Z", f"RRULE:{rule}")))
    assert result.problems == ()
    assert result.events[0].recurrence == expected


@pytest.mark.parametrize(
    "rule",
    [
        "FREQ=DAILY",
        "FREQ=YEARLY",
        "FREQ=MONTHLY;BYDAY=TU;BYSETPOS=2",
        "FREQ=MONTHLY;BYDAY=-1FR",
        "FREQ=MONTHLY;BYDAY=5TU",
        "FREQ=WEEKLY;BYDAY=1TU",
        "FREQ=SOMETIMES",
    ],
)
def test_unsupported_rules_import_a_single_event(rule: str) -> None:
    result = parse_ics(ics(*vevent("DTSTART:20251007T100000Z", f"RRULE:{rule}")))
    (event,) = result.events
    assert event.recurrence is None
    assert "single event" in messages(result)


def test_cap_on_the_number_of_events() -> None:
    events = []
    for index in range(7):
        events += ["BEGIN:VEVENT", f"UID:e{index}", "DTSTART:20251007T100000Z", "END:VEVENT"]
    result = parse_ics(ics(*events), max_events=5)
    assert len(result.events) == 5
    assert "only the first 5" in messages(result)


def test_cancelled_event_is_skipped() -> None:
    result = parse_ics(ics(*vevent("DTSTART:20251007T100000Z", "STATUS:CANCELLED")))
    assert result.events == () and "cancelled" in messages(result)


def test_our_own_feed_reads_back() -> None:
    result = parse_ics(build_feed(samples.ALL, name="x"))
    assert "is cancelled" in messages(result)  # samples.CANCELLED
    by_title = {event.title: event for event in result.events}
    weekly = by_title["Dyżur konsultacyjny"]
    assert weekly.recurrence == samples.WEEKLY.recurrence
    assert weekly.rrule_text == "FREQ=WEEKLY;UNTIL=20251130T225959Z;BYDAY=TU,TH"
    # The EXDATE and the overridden occurrence both leave the series.
    assert set(weekly.exdates) == {samples.warsaw(2025, 10, 28), samples.warsaw(2025, 10, 30)}
    moved = by_title["Dyżur konsultacyjny (przesunięty)"]
    assert moved.recurrence_id == samples.warsaw(2025, 10, 30)
    assert moved.start == samples.warsaw(2025, 10, 30, 12)
    monthly = by_title["Rada bibliotek partnerskich"]
    assert monthly.recurrence == samples.MONTHLY.recurrence
    assert monthly.location == samples.MONTHLY.location
