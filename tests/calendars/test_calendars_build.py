"""What feeds and invitations contain: the rules from the product issue, one test each."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import icalendar
import pytest
import samples

from calendars.feed import build_feed
from calendars.invite import build_invite
from calendars.model import Event, Recurrence

LONG_POLISH = (
    "Spotkanie Biblioteki Wiodącej z Bibliotekami Partnerskimi — żółć, gęślą jaźń, Łódź; "
    "notatki\\archiwum\n"
) * 12


def unfolded(ics: bytes) -> list[str]:
    return ics.decode().replace("\r\n ", "").split("\r\n")


def lines_of(ics: bytes, name: str) -> list[str]:
    """The unfolded ``name`` lines outside the VTIMEZONE."""
    found, in_timezone = [], False
    for line in unfolded(ics):
        if line in ("BEGIN:VTIMEZONE", "END:VTIMEZONE"):
            in_timezone = line.startswith("BEGIN")
        elif not in_timezone and line.split(":")[0].split(";")[0] == name:
            found.append(line)
    return found


def test_feed_header() -> None:
    ics = build_feed([samples.SINGLE], name="Sieć, Łódź;\nfilie", refresh="PT2H")
    lines = unfolded(ics)
    assert "NAME:Sieć\\, Łódź\\; filie" in lines
    assert "X-WR-CALNAME:Sieć\\, Łódź\\; filie" in lines
    assert "X-WR-TIMEZONE:Europe/Warsaw" in lines
    assert "REFRESH-INTERVAL;VALUE=DURATION:PT2H" in lines
    assert "X-PUBLISHED-TTL:PT2H" in lines
    assert not lines_of(ics, "METHOD")
    assert lines.count("BEGIN:VTIMEZONE") == 1


def test_feed_leaves_people_out() -> None:
    ics = build_feed([samples.WEEKLY], name="x")
    assert not lines_of(ics, "ATTENDEE") and not lines_of(ics, "ORGANIZER")


def test_stamps_come_from_the_event_not_the_clock() -> None:
    ics = build_feed([samples.SINGLE], name="x")
    assert lines_of(ics, "DTSTAMP") == ["DTSTAMP:20250915T123000Z"]
    assert lines_of(ics, "LAST-MODIFIED") == ["LAST-MODIFIED:20250915T123000Z"]
    assert lines_of(ics, "CREATED") == ["CREATED:20250901T080000Z"]
    assert lines_of(ics, "UID") == ["UID:meeting-101@hub.example.pl"]


def test_event_order_does_not_change_the_feed() -> None:
    assert build_feed(samples.ALL, name="x") == build_feed(reversed(samples.ALL), name="x")


def test_times_use_tzid_and_utc_start_is_kept() -> None:
    event = replace(samples.SINGLE, start=datetime(2025, 10, 14, 8, tzinfo=UTC))
    ics = build_feed([event], name="x")
    assert lines_of(ics, "DTSTART") == ["DTSTART;TZID=Europe/Warsaw:20251014T100000"]


def test_online_event_carries_the_join_link_everywhere() -> None:
    ics = build_feed([samples.SINGLE], name="x")
    link = samples.SINGLE.conference_url
    assert lines_of(ics, "LOCATION") == [f"LOCATION:{link}"]
    assert lines_of(ics, "URL") == [f"URL:{link}"]
    assert lines_of(ics, "CONFERENCE") == [
        f"CONFERENCE;FEATURE=CHAT;LABEL=Dołącz do spotkania;VALUE=URI:{link}"
    ]
    description = icalendar.Calendar.from_ical(ics).walk("VEVENT")[0]["DESCRIPTION"]
    assert description.endswith(
        f"Dołącz do spotkania: {link}\n\nStrona spotkania: {samples.SINGLE.url}"
    )


def test_in_person_event_has_the_address_as_location() -> None:
    vevent = icalendar.Calendar.from_ical(build_feed([samples.MONTHLY], name="x")).walk("VEVENT")[0]
    assert vevent["LOCATION"] == samples.MONTHLY.location
    assert "CONFERENCE" not in vevent and "URL" not in vevent


def test_cancelled_event_is_marked_three_ways() -> None:
    ics = build_feed([samples.CANCELLED], name="x")
    assert lines_of(ics, "STATUS") == ["STATUS:CANCELLED"]
    assert lines_of(ics, "TRANSP") == ["TRANSP:TRANSPARENT"]
    assert lines_of(ics, "SUMMARY") == ["SUMMARY:ODWOŁANE: Spotkanie autorskie"]
    assert lines_of(ics, "SEQUENCE") == ["SEQUENCE:2"]


def test_prefix_is_not_doubled() -> None:
    event = replace(samples.CANCELLED, title="ODWOŁANE: Spotkanie autorskie")
    assert lines_of(build_feed([event], name="x"), "SUMMARY") == [
        "SUMMARY:ODWOŁANE: Spotkanie autorskie"
    ]


def test_confirmed_event_is_opaque() -> None:
    assert lines_of(build_feed([samples.SINGLE], name="x"), "TRANSP") == ["TRANSP:OPAQUE"]


def test_weekly_rule_exdate_and_override() -> None:
    ics = build_feed([samples.WEEKLY], name="x")
    assert lines_of(ics, "RRULE") == ["RRULE:FREQ=WEEKLY;UNTIL=20251130T225959Z;BYDAY=TU,TH"]
    assert lines_of(ics, "EXDATE") == ["EXDATE;TZID=Europe/Warsaw:20251028T100000"]
    assert lines_of(ics, "RECURRENCE-ID") == ["RECURRENCE-ID;TZID=Europe/Warsaw:20251030T100000"]
    assert lines_of(ics, "UID") == ["UID:meeting-102@hub.example.pl"] * 2
    override = icalendar.Calendar.from_ical(ics).walk("VEVENT")[1]
    for name in ("DTSTAMP", "SEQUENCE", "SUMMARY", "DTEND", "LOCATION", "STATUS", "TRANSP"):
        assert name in override


def test_monthly_rule_uses_byday_ordinal_not_bysetpos() -> None:
    ics = build_feed([samples.MONTHLY], name="x")
    assert lines_of(ics, "RRULE") == ["RRULE:FREQ=MONTHLY;COUNT=12;BYDAY=2TU"]


def test_weekly_rule_spells_out_the_weekday_and_interval() -> None:
    event = replace(samples.MONTHLY, recurrence=Recurrence("WEEKLY", interval=2, count=5))
    assert lines_of(build_feed([event], name="x"), "RRULE") == [
        "RRULE:FREQ=WEEKLY;COUNT=5;INTERVAL=2;BYDAY=TU"
    ]


def test_vtimezone_covers_until_and_overrides() -> None:
    event = replace(
        samples.WEEKLY, recurrence=Recurrence("WEEKLY", until=datetime(2031, 1, 1, tzinfo=UTC))
    )
    vtimezone = icalendar.Calendar.from_ical(build_feed([event], name="x")).walk("VTIMEZONE")[0]
    starts = [component["DTSTART"].dt.year for component in vtimezone.subcomponents]
    assert min(starts) <= 2024  # 2025 - 1, scanned from a year earlier


def test_invitation_request() -> None:
    ics = build_invite(samples.SINGLE, method="REQUEST")
    assert lines_of(ics, "METHOD") == ["METHOD:REQUEST"]
    assert lines_of(ics, "ORGANIZER") == [
        'ORGANIZER;CN="Wojewódzka Biblioteka Publiczna w Łodzi":mailto:koordynacja@wbp.lodz.pl'
    ]
    assert lines_of(ics, "ATTENDEE") == [
        'ATTENDEE;CN="Biblioteka w Zgierzu, Filia nr 2";CUTYPE=INDIVIDUAL;PARTSTAT=NEEDS-ACTION;'
        "ROLE=REQ-PARTICIPANT;RSVP=TRUE:mailto:filia.zgierz@example.pl",
        'ATTENDEE;CN="Miejska Biblioteka; Pabianice";CUTYPE=INDIVIDUAL;PARTSTAT=NEEDS-ACTION;'
        "ROLE=OPT-PARTICIPANT;RSVP=TRUE:mailto:pabianice@example.pl",
    ]
    assert lines_of(ics, "STATUS") == ["STATUS:CONFIRMED"]


def test_invitation_cancel_keeps_uid_and_given_sequence() -> None:
    ics = build_invite(replace(samples.WEEKLY, sequence=4), method="CANCEL")
    assert lines_of(ics, "METHOD") == ["METHOD:CANCEL"]
    assert lines_of(ics, "UID") == [f"UID:{samples.WEEKLY.uid}"]
    assert lines_of(ics, "SEQUENCE") == ["SEQUENCE:4"]
    assert lines_of(ics, "STATUS") == ["STATUS:CANCELLED"]
    assert not lines_of(ics, "RECURRENCE-ID")


def test_invitation_needs_an_organizer() -> None:
    with pytest.raises(ValueError, match="organizer"):
        build_invite(samples.MONTHLY, method="REQUEST")


def test_polish_text_is_escaped_and_folded_on_character_boundaries() -> None:
    event = replace(
        samples.SINGLE, title=LONG_POLISH, description=LONG_POLISH, location=LONG_POLISH
    )
    for ics in (build_feed([event], name=LONG_POLISH), build_invite(event, method="REQUEST")):
        assert ics.endswith(b"\r\n")
        for line in ics.split(b"\r\n"):
            assert len(line) <= 75
            line.decode("utf-8")  # a split character would not decode
        vevent = icalendar.Calendar.from_ical(ics).walk("VEVENT")[0]
        assert vevent["SUMMARY"] == LONG_POLISH
        assert vevent["LOCATION"] == LONG_POLISH
        assert vevent["DESCRIPTION"].startswith(LONG_POLISH)
        raw = "".join(unfolded(ics))
        assert "Łódź\\; notatki\\\\archiwum\\n" in raw
        assert "żółć\\, gęślą" in raw


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"start": datetime(2025, 1, 1, 10)}, "aware"),
        ({"end": samples.warsaw(2025, 10, 14, 9)}, "ends before"),
        ({"exdates": (samples.warsaw(2025, 10, 21),)}, "need a recurrence"),
        ({"uid": ""}, "uid"),
        ({"recurrence": Recurrence("WEEKLY", by_weekday=("MO",))}, "does not start on a day"),
        ({"recurrence": Recurrence("MONTHLY", by_set_weekday=(1, "TU"))}, "does not start"),
    ],
)
def test_model_rejects_bad_events(change: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        replace(samples.SINGLE, **change)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"freq": "DAILY"}, "frequency"),
        ({"freq": "MONTHLY", "by_set_weekday": (-1, "FR")}, "1..4"),
        ({"freq": "MONTHLY", "by_set_weekday": (5, "FR")}, "1..4"),
        ({"freq": "WEEKLY", "by_weekday": ("XX",)}, "by_weekday"),
        ({"freq": "WEEKLY", "count": 2, "until": datetime(2026, 1, 1, tzinfo=UTC)}, "not both"),
        ({"freq": "WEEKLY", "interval": 0}, "interval"),
    ],
)
def test_model_rejects_bad_recurrences(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Recurrence(**kwargs)  # type: ignore[arg-type]


def test_override_must_share_the_uid() -> None:
    stray = replace(samples.WEEKLY.overrides[0], uid="other@hub.example.pl")
    with pytest.raises(ValueError, match="uid"):
        replace(samples.WEEKLY, overrides=(stray,))


def test_event_is_frozen() -> None:
    with pytest.raises(AttributeError):
        samples.SINGLE.title = "x"  # type: ignore[misc]


def test_type_of_overrides_is_event() -> None:
    assert all(isinstance(item, Event) for item in samples.WEEKLY.overrides)
