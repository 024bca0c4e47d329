"""The fixed events behind the golden files (tests/calendars/data/*.ics)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from zoneinfo import ZoneInfo

from calendars.feed import build_feed
from calendars.invite import build_invite
from calendars.model import Attendee, Event, Organizer, Recurrence

WARSAW = ZoneInfo("Europe/Warsaw")
UTC = ZoneInfo("UTC")
CREATED = datetime(2025, 9, 1, 8, 0, tzinfo=UTC)
CHANGED = datetime(2025, 9, 15, 12, 30, tzinfo=UTC)
ORGANIZER = Organizer("koordynacja@wbp.lodz.pl", "Wojewódzka Biblioteka Publiczna w Łodzi")
ATTENDEES = (
    Attendee("filia.zgierz@example.pl", "Biblioteka w Zgierzu, Filia nr 2"),
    Attendee("pabianice@example.pl", "Miejska Biblioteka; Pabianice", role="OPT-PARTICIPANT"),
)


def warsaw(year: int, month: int, day: int, hour: int = 10, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=WARSAW)


SINGLE = Event(
    uid="meeting-101@hub.example.pl",
    sequence=0,
    title="Szkolenie: katalog centralny",
    start=warsaw(2025, 10, 14),
    end=warsaw(2025, 10, 14, 11, 30),
    last_modified=CHANGED,
    created=CREATED,
    description="Agenda:\n1. Import rekordów, MARC21\n2. Pytania; wnioski",
    url="https://hub.example.pl/meetings/101",
    conference_url="https://meet.example.pl/wbp-katalog",
    organizer=ORGANIZER,
    attendees=ATTENDEES,
    categories=("szkolenie", "online"),
)

WEEKLY = Event(
    uid="meeting-102@hub.example.pl",
    sequence=3,
    title="Dyżur konsultacyjny",
    start=warsaw(2025, 10, 7),
    end=warsaw(2025, 10, 7, 11),
    last_modified=CHANGED,
    created=CREATED,
    conference_url="https://meet.example.pl/dyzur",
    recurrence=Recurrence(
        "WEEKLY", by_weekday=("TU", "TH"), until=datetime(2025, 11, 30, 22, 59, 59, tzinfo=UTC)
    ),
    exdates=(warsaw(2025, 10, 28),),
    overrides=(
        Event(
            uid="meeting-102@hub.example.pl",
            sequence=3,
            title="Dyżur konsultacyjny (przesunięty)",
            start=warsaw(2025, 10, 30, 12),
            end=warsaw(2025, 10, 30, 13),
            last_modified=CHANGED,
            created=CREATED,
            conference_url="https://meet.example.pl/dyzur",
            recurrence_id=warsaw(2025, 10, 30),
        ),
    ),
    organizer=ORGANIZER,
    attendees=ATTENDEES,
)

MONTHLY = Event(
    uid="meeting-103@hub.example.pl",
    sequence=0,
    title="Rada bibliotek partnerskich",
    start=warsaw(2026, 1, 13),
    end=warsaw(2026, 1, 13, 12),
    last_modified=CHANGED,
    created=CREATED,
    location="Sala konferencyjna, ul. Gdańska 8, 90-508 Łódź",
    recurrence=Recurrence("MONTHLY", by_set_weekday=(2, "TU"), count=12),
)

CANCELLED = Event(
    uid="meeting-104@hub.example.pl",
    sequence=2,
    title="Spotkanie autorskie",
    start=warsaw(2025, 11, 5, 17),
    end=warsaw(2025, 11, 5, 19),
    last_modified=CHANGED,
    created=CREATED,
    description="Sala na parterze, wejście od podwórza.",
    location="Biblioteka Miejska, ul. Piotrkowska 102, 90-004 Łódź",
    status="CANCELLED",
)

ALL = (SINGLE, WEEKLY, MONTHLY, CANCELLED)

# An imported all-day, free event (a Google "Dzień otwarty"): dates, no zone, TRANSPARENT,
# weekly across the October change.
ALL_DAY = Event(
    uid="dzien-otwarty@example.org",
    sequence=0,
    title="Dzień otwarty",
    start=datetime(2025, 10, 23, tzinfo=WARSAW),
    end=datetime(2025, 10, 24, tzinfo=WARSAW),
    last_modified=CHANGED,
    created=CREATED,
    description="Zapisy: formularz (https://example.org/zapisy)",
    recurrence=Recurrence("WEEKLY", by_weekday=("TH",), count=3),
    all_day=True,
    transparent=True,
)


def golden_files() -> dict[str, bytes]:
    """File name -> the bytes the builders produce now."""
    name = "Sieć bibliotek: Łódź"
    return {
        "feed_single.ics": build_feed([SINGLE], name=name),
        "feed_weekly.ics": build_feed([WEEKLY], name=name),
        "feed_monthly.ics": build_feed([MONTHLY], name=name),
        "feed_cancelled.ics": build_feed([CANCELLED], name=name),
        "feed_all.ics": build_feed(ALL, name=name),
        "feed_all_day.ics": build_feed([ALL_DAY], name=name),
        "invite_request.ics": build_invite(SINGLE, method="REQUEST"),
        "invite_request_series.ics": build_invite(WEEKLY, method="REQUEST"),
        "invite_cancel.ics": build_invite(replace(SINGLE, sequence=1), method="CANCEL"),
    }
