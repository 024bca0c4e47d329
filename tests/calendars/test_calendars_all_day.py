"""All-day events stay all-day, a free time stays free, and HTML descriptions become plain
text with their links (issue 10, item 15): reading the golden Google export, and writing
feeds that ical.js and recurring-ical-events read back as whole days."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
from hypothesis import given
from hypothesis import strategies as st

from calendars.feed import build_feed
from calendars.html_text import html_to_text
from calendars.invite import build_invite
from calendars.model import Attendee, Event, Organizer, Recurrence
from calendars.parse import parse_ics
from tests.calendars import expected, node_ical

DATA = Path(__file__).parent / "data"
WARSAW = ZoneInfo("Europe/Warsaw")
STAMP = datetime(2029, 12, 1, 9, tzinfo=UTC)


def test_google_export_keeps_whole_days_free_time_and_links() -> None:
    result = parse_ics((DATA / "import_google_all_day_html.ics").read_bytes())
    assert result.problems == ()
    by_uid = {event.uid: event for event in result.events}
    open_day = by_uid["7kq1dzien-otwarty@google.com"]
    assert open_day.all_day and open_day.transparent
    assert (open_day.start, open_day.end) == (
        datetime(2030, 1, 8, tzinfo=WARSAW),
        datetime(2030, 1, 9, tzinfo=WARSAW),
    )
    assert open_day.description == (
        "Dzień otwarty biblioteki.\n"
        "Zapisy: formularz (https://example.org/zapisy?dzien=1&klasa=2)\n\n"
        "Szczegóły na stronie https://checiny.example.org."
    )
    duty = by_uid["7kq1dyzur@google.com"]
    assert duty.all_day and duty.transparent and duty.recurrence is not None
    assert duty.description == "Dyżur w czytelni\n• prasa\n• e-booki"
    meeting = by_uid["7kq1spotkanie@google.com"]
    assert not meeting.all_day and not meeting.transparent
    # Plain text that merely holds "<" and ">" is left as it is.
    assert (
        meeting.description
        == "Spotkanie sieci. a < b, c > d\nDołącz: https://meet.example.org/siec"
    )


@given(st.text(alphabet=st.characters(blacklist_characters="<", blacklist_categories=("Cs",))))
def test_text_without_tags_is_left_alone(text: str) -> None:
    assert html_to_text(text) == text


@given(st.lists(st.text(alphabet="abcąęł .,-", min_size=1), min_size=1, max_size=6))
def test_html_becomes_its_text_and_keeps_every_link(words: list[str]) -> None:
    links = [f"https://example.org/{i}" for i in range(len(words))]
    html = "<br>".join(
        f'<a href="{url}">{word}</a>' for word, url in zip(words, links, strict=True)
    )
    text = html_to_text(html)
    assert "<" not in text and ">" not in text
    for url in links:
        assert url in text


def _day(uid: str, start: datetime, end: datetime, **extra: object) -> Event:
    extra.setdefault("title", "Dzień otwarty")
    return Event(
        uid=uid,
        sequence=0,
        start=start,
        end=end,
        last_modified=STAMP,
        created=STAMP,
        all_day=True,
        transparent=True,
        **extra,  # type: ignore[arg-type]
    )


def test_all_day_events_are_written_as_dates_and_read_back_as_whole_days() -> None:
    events = [
        _day(
            "dzien@example.org",
            datetime(2030, 1, 8, tzinfo=WARSAW),
            datetime(2030, 1, 9, tzinfo=WARSAW),
        ),
        # Across the October change: still whole days, never 23:00 the day before.
        _day(
            "dyzur@example.org",
            datetime(2030, 10, 24, tzinfo=WARSAW),
            datetime(2030, 10, 25, tzinfo=WARSAW),
            recurrence=Recurrence("WEEKLY", by_weekday=("TH",), count=3),
        ),
    ]
    ics = build_feed(events, name="Biblioteka")
    vevents = icalendar.Calendar.from_ical(ics).walk("VEVENT")
    for vevent in vevents:
        assert vevent["DTSTART"].params.get("VALUE") == "DATE"
        assert "TZID" not in vevent["DTSTART"].params
        assert str(vevent["TRANSP"]) == "TRANSPARENT"
    assert b"DTSTART;VALUE=DATE:20301024" in ics
    assert b"BEGIN:VTIMEZONE" not in ics, "dates need no time zone"
    want = sorted(o for event in events for o in expected.occurrences(event, ""))
    assert sorted((o.start_utc, o.end_utc) for o in want) == [
        ("2030-01-08", "2030-01-09"),
        ("2030-10-24", "2030-10-25"),
        ("2030-10-31", "2030-11-01"),
        ("2030-11-07", "2030-11-08"),
    ]
    assert (
        expected.python_side(
            ics, datetime(2029, 1, 1, tzinfo=UTC), datetime(2032, 1, 1, tzinfo=UTC)
        )
        == want
    )
    rows = node_ical.expand(ics, start="2029-01-01T00:00:00Z", end="2032-01-01T00:00:00Z")
    assert expected.ical_js_side(rows) == want


def test_names_and_titles_an_old_row_may_hold_never_break_a_file() -> None:
    event = _day(
        "stare@example.org",
        datetime(2030, 1, 8, tzinfo=WARSAW),
        datetime(2030, 1, 9, tzinfo=WARSAW),
        title="Zebranie\ud800",
        organizer=Organizer("org@example.org", "Anna\nNowak"),
        attendees=(Attendee("a@example.org", 'Jan "Janek"\r\nKowal, <x>\udfff'),),
    )
    ics = build_invite(event, method="REQUEST", stamp=STAMP)
    (vevent,) = icalendar.Calendar.from_ical(ics).walk("VEVENT")
    assert str(vevent["SUMMARY"]) == "Zebranie\ufffd"
    assert vevent["ATTENDEE"].params["CN"].endswith("<x>\ufffd")
    assert vevent["ORGANIZER"].params["CN"] == "Anna\nNowak"
