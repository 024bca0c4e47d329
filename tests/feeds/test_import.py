"""Importing an .ics file as sessions: preview, create, re-import, broken files, who may."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import icalendar
import pytest
import recurring_ical_events

from calendars.parse import PROBLEM_CODES
from meetings_hub.actions import scheduling
from meetings_hub.actions.scheduling import ScheduleInput
from meetings_hub.domain import Actor
from meetings_hub.storage import people
from meetings_hub.storage import scheduling as store
from tests.feeds.helpers import (
    WARSAW,
    check_interop,
    dst_series_start,
    event_of,
    fetch,
    network_named,
    uids,
)
from tests.support import LEAD, PARTNER, REPO, Client


def _stamp(moment: datetime) -> str:
    return moment.astimezone(WARSAW).strftime("%Y%m%dT%H%M%S")


def library_calendar() -> bytes:
    """What a library's own calendar export might hold, written by hand (CRLF, folded)."""
    first = dst_series_start()
    until = (first + timedelta(weeks=40)).astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    skipped = first + timedelta(weeks=6)
    moved = first + timedelta(weeks=2)
    soon = datetime.now(WARSAW).replace(hour=17, minute=0, second=0, microsecond=0)
    soon += timedelta(days=9)
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Biblioteka Publiczna w Chęcinach//Kalendarz//PL",
        "BEGIN:VEVENT",
        "UID:klub-czytelniczy@checiny.example.org",
        "DTSTAMP:20250101T000000Z",
        f"DTSTART;TZID=Europe/Warsaw:{_stamp(first)}",
        f"DTEND;TZID=Europe/Warsaw:{_stamp(first + timedelta(minutes=90))}",
        f"RRULE:FREQ=WEEKLY;BYDAY=TU;UNTIL={until}",
        f"EXDATE;TZID=Europe/Warsaw:{_stamp(skipped)}",
        "SUMMARY:Dyskusyjny Klub Książki",
        "DESCRIPTION:Spotkania klubu\\, lektury na wiosnę.",
        "LOCATION:https://meet.example.org/klub",
        "END:VEVENT",
        "BEGIN:VEVENT",
        "UID:klub-czytelniczy@checiny.example.org",
        "DTSTAMP:20250101T000000Z",
        f"RECURRENCE-ID;TZID=Europe/Warsaw:{_stamp(moved)}",
        f"DTSTART;TZID=Europe/Warsaw:{_stamp(moved + timedelta(days=1))}",
        f"DTEND;TZID=Europe/Warsaw:{_stamp(moved + timedelta(days=1, minutes=90))}",
        "SUMMARY:Dyskusyjny Klub Książki (w środę)",
        "END:VEVENT",
        "BEGIN:VEVENT",
        "UID:noc@checiny.example.org",
        "DTSTAMP:20250101T000000Z",
        f"DTSTART;TZID=Europe/Warsaw:{_stamp(soon)}",
        f"DTEND;TZID=Europe/Warsaw:{_stamp(soon + timedelta(hours=5))}",
        "SUMMARY:Noc w bibliotece",
        "LOCATION:ul. Długa 5\\, 26-060 Chęciny",
        "END:VEVENT",
        "BEGIN:VEVENT",
        "UID:codziennie@checiny.example.org",
        "DTSTAMP:20250101T000000Z",
        f"DTSTART;TZID=Europe/Warsaw:{_stamp(soon + timedelta(days=1))}",
        f"DTEND;TZID=Europe/Warsaw:{_stamp(soon + timedelta(days=1, hours=1))}",
        "RRULE:FREQ=DAILY;COUNT=5",
        "SUMMARY:Ferie w bibliotece",
        "END:VEVENT",
        "BEGIN:VEVENT",
        "UID:dawno@checiny.example.org",
        "DTSTAMP:20250101T000000Z",
        "DTSTART:20190301T090000Z",
        "DTEND:20190301T100000Z",
        "SUMMARY:Dawne spotkanie",
        "END:VEVENT",
        "BEGIN:VEVENT",
        "UID:odwolane@checiny.example.org",
        "DTSTAMP:20250101T000000Z",
        f"DTSTART;TZID=Europe/Warsaw:{_stamp(soon + timedelta(days=3))}",
        f"DTEND;TZID=Europe/Warsaw:{_stamp(soon + timedelta(days=3, hours=1))}",
        "STATUS:CANCELLED",
        "SUMMARY:Odwołany wernisaż",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return ("\r\n".join(lines) + "\r\n").encode()


async def _post(client: Client, path: str, data: bytes, content_type: str = "text/calendar"):
    return await client.request("POST", path, data=data, headers={"Content-Type": content_type})


async def test_preview_then_create_then_reimport(server, client_factory) -> None:
    net = await network_named(server, "Morawic")
    lead = await client_factory(LEAD)
    ics = library_calendar()
    status, preview = await _post(lead, f"/api/v1/networks/{net.id}/ics-import/preview", ics)
    assert status == 200, preview
    by_uid = {(e["uid"], e["recurrence_id"] is not None): e for e in preview["events"]}
    series = by_uid[("klub-czytelniczy@checiny.example.org", False)]
    assert series["status"] == "new" and series["kind"] == "online"
    assert series["repeats"].startswith("co tydzień (Wt)")
    assert series["location"] == "https://meet.example.org/klub"
    assert by_uid[("klub-czytelniczy@checiny.example.org", True)]["status"] == "new"
    night = by_uid[("noc@checiny.example.org", False)]
    assert (night["kind"], night["location"]) == ("in_person", "ul. Długa 5, 26-060 Chęciny")
    daily = by_uid[("codziennie@checiny.example.org", False)]
    assert daily["status"] == "new" and daily["repeats"] == ""
    assert any("FREQ=DAILY" in note for note in daily["notes"])
    assert by_uid[("dawno@checiny.example.org", False)]["status"] == "past"
    assert preview["new"] == 4
    assert any(p["code"] == "cancelled" for p in preview["problems"])
    assert all(
        p["message"] and not p["message"].startswith("calendar.") for p in preview["problems"]
    )
    async with server.hub.db.read() as reader:
        assert await reader.fetch_all("SELECT id FROM meetings") == [], "preview creates nothing"

    status, done = await _post(lead, f"/api/v1/networks/{net.id}/ics-import", ics)
    assert status == 201, done
    assert len(done["created"]) == 4 and done["skipped"] == 1
    ids = {
        c["uid"] + ("*" if "w środę" in c["title"] else ""): c["meeting_id"]
        for c in done["created"]
    }
    series_id = ids["klub-czytelniczy@checiny.example.org"]
    async with server.hub.db.read() as reader:
        meeting = await store.get(reader, series_id)
    assert meeting is not None and meeting.rule is not None
    assert [c.kind for c in meeting.changes] == ["exception", "exception"], (
        "the EXDATE and the moved occurrence are taken out of the series"
    )
    # The imported sessions are in the network's feed, and both parsers read them right.
    status, feeds_list = await lead.get("/api/v1/feeds")
    url = next(f["url"] for f in feeds_list if f["scope"] == "network" and f["scope_id"] == net.id)
    _, _, feed = await fetch(url)
    domain = server.settings.site_domain
    assert {f"meeting-{i}@{domain}" for i in ids.values()} <= uids(feed)
    check_interop(feed, [await event_of(server, i) for i in sorted(ids.values())])

    status, again = await _post(lead, f"/api/v1/networks/{net.id}/ics-import", ics)
    assert status == 201 and again["created"] == []
    assert {e["status"] for e in again["events"]} == {"imported", "past"}


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "empty"),
        (b"this is not a calendar", "not_icalendar"),
        (b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nSUMMARY:x\r\n", "incomplete"),
        (
            b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:a\r\nSUMMARY:Bez daty\r\n"
            b"END:VEVENT\r\nEND:VCALENDAR\r\n",
            "no_start",
        ),
    ],
)
async def test_a_broken_file_gets_422_with_its_problems(server, client_factory, data, code) -> None:
    net = await network_named(server, "Morawic")
    lead = await client_factory(LEAD)
    for path in ("/ics-import/preview", "/ics-import"):
        status, body = await _post(lead, f"/api/v1/networks/{net.id}{path}", data)
        assert status == 422, body
        error = body["error"]
        assert error["code"] == "ics_invalid"
        assert error["message"] == "W pliku nie ma spotkań, które można zaimportować."
        assert code in [p["code"] for p in error["details"]["problems"]]
        assert all(p["message"] for p in error["details"]["problems"])


async def test_who_may_import(server, client_factory) -> None:
    morawica = await network_named(server, "Morawic")
    korsze = await network_named(server, "Korsz")
    ics = library_calendar()
    partner = await client_factory(PARTNER)
    status, body = await _post(partner, f"/api/v1/networks/{morawica.id}/ics-import/preview", ics)
    assert status == 403, body
    lead = await client_factory(LEAD)
    status, body = await _post(lead, f"/api/v1/networks/{korsze.id}/ics-import", ics)
    assert status == 404, body
    status, body = await _post(lead, "/api/v1/networks/999999/ics-import/preview", ics)
    assert status == 404
    status, body = await _post(
        lead, f"/api/v1/networks/{morawica.id}/ics-import", b'{"a": 1}', "application/json"
    )
    assert status == 422 and body["error"]["code"] == "validation_failed"
    status, body = await _post(lead, f"/api/v1/networks/{morawica.id}/ics-import", ics, "image/png")
    assert status == 400 and body["error"]["code"] == "unsupported_media_type"
    # The JSON form carries the same file as text.
    status, body = await lead.post(
        f"/api/v1/networks/{morawica.id}/ics-import/preview", {"ics": ics.decode()}
    )
    assert status == 200 and body["new"] == 4
    anonymous = await client_factory()
    status, body = await _post(anonymous, f"/api/v1/networks/{morawica.id}/ics-import", ics)
    assert status == 401
    too_big = b"BEGIN:VCALENDAR\r\n" + b"X-PAD:" + b"a" * 1_100_000 + b"\r\nEND:VCALENDAR\r\n"
    status, body = await _post(lead, f"/api/v1/networks/{morawica.id}/ics-import/preview", too_big)
    assert status == 413 and body["error"]["code"] == "too_large"


def _package_files() -> list[Path]:
    roots = [Path(icalendar.__file__).parent, Path(recurring_ical_events.__file__).parent]
    return sorted(path for root in roots for path in root.rglob("*.ics"))


async def test_every_ics_shipped_with_icalendar_and_recurring_ical_events_imports_or_explains(
    server, client_factory
) -> None:
    """The "must not crash" test: sessions or a clear error, never a 500."""
    net = await network_named(server, "Radzy")
    coordinator = await client_factory("koordynator@example.org")
    files = _package_files()
    assert len(files) > 200
    outcomes: dict[int, int] = {}
    for path in files:
        status, body = await _post(
            coordinator, f"/api/v1/networks/{net.id}/ics-import", path.read_bytes()
        )
        outcomes[status] = outcomes.get(status, 0) + 1
        assert status in (201, 413, 422), (path, status, body)
        if status == 201:
            assert isinstance(body["created"], list) and body["events"], path
        else:
            assert body["error"]["code"] in ("ics_invalid", "too_large"), path
            assert body["error"]["message"], path
            if status == 422:
                assert body["error"]["details"]["problems"] or body["error"]["details"]["events"]
    print("import outcomes by HTTP status:", outcomes)
    assert outcomes.get(201, 0) > 50, outcomes


def test_every_problem_code_is_translated() -> None:
    table = json.loads((REPO / "web" / "i18n" / "calendar.json").read_text("utf-8"))
    app_codes = {
        "empty", "no_events", "too_long", "clipped_series", "clipped_count", "bad_series",
        "title_shortened", "rejected",
    }  # fmt: skip
    for code in PROBLEM_CODES | app_codes:
        texts = table.get(f"calendar.problem.{code}")
        assert texts and texts["pl"] and texts["en"], code


async def test_an_import_note_is_saved_with_its_session_or_not_at_all(server) -> None:
    # The import notes where a session came from inside the session's own transaction: when
    # anything in it fails (here the note itself), neither the session nor its invitations
    # stay, so the next import of the file creates it once, not a second time.
    async with server.hub.db.read() as reader:
        lead = await people.get_by_email(reader, LEAD)
    assert lead is not None

    async def failing_note(tx, meeting_id: int) -> None:
        raise RuntimeError("the process died here")

    before = await _counts(server)
    data = ScheduleInput(title="Z pliku", start=datetime(2027, 3, 2, 10), duration_minutes=60)
    with pytest.raises(RuntimeError):
        await scheduling.schedule(server.hub, Actor(person=lead), data, also=failing_note)
    assert await _counts(server) == before


async def _counts(server) -> tuple[int, int, int]:
    row = await server.hub.db.fetch_one(
        "SELECT (SELECT count(*) FROM meetings), (SELECT count(*) FROM outbox),"
        " (SELECT count(*) FROM meeting_invitees)"
    )
    assert row is not None
    return tuple(row)


async def test_imported_text_follows_the_text_rule(server, client_factory) -> None:
    """A title or place over several lines (escaped \\n, as Outlook writes addresses) and
    control characters in a description are cleaned, not refused: the event is created."""
    net = await network_named(server, "Morawic")
    lead = await client_factory(LEAD)
    start = datetime.now(WARSAW).replace(hour=10, minute=0, second=0, microsecond=0)
    start += timedelta(days=12)
    ics = "\r\n".join(
        [
            "BEGIN:VCALENDAR",
            "VERSION:2.0",
            "PRODID:-//test//PL",
            "BEGIN:VEVENT",
            "UID:wiele-wierszy@checiny.example.org",
            "DTSTAMP:20250101T000000Z",
            f"DTSTART;TZID=Europe/Warsaw:{_stamp(start)}",
            f"DTEND;TZID=Europe/Warsaw:{_stamp(start + timedelta(minutes=60))}",
            "SUMMARY:Spotkanie\\nw\tbibliotece",
            "LOCATION:ul. Długa 5\\n26-060 Chęciny",
            "DESCRIPTION:Plan:\\n1. powitanie\u0085\u202e",
            "END:VEVENT",
            "END:VCALENDAR",
            "",
        ]
    ).encode()
    status, done = await _post(lead, f"/api/v1/networks/{net.id}/ics-import", ics)
    assert status == 201, done
    assert [c["title"] for c in done["created"]] == ["Spotkanie w bibliotece"]
    async with server.hub.db.read() as reader:
        meeting = await store.get(reader, done["created"][0]["meeting_id"])
    assert meeting is not None
    assert (meeting.address, meeting.agenda) == (
        "ul. Długa 5 26-060 Chęciny",
        "Plan:\n1. powitanie\u202e",
    )
