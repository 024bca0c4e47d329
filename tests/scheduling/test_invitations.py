"""Scheduling through the API; the invitations arrive at a real SMTP server (aiosmtpd) and are
read back by icalendar, recurring-ical-events and ical.js (Node)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from email.message import EmailMessage
from email.utils import parseaddr
from typing import Any
from zoneinfo import ZoneInfo

from icalendar import Calendar

from tests.calendars import node_ical
from tests.calendars.expected import iso_utc, python_side
from tests.scheduling.support import Smtp, calendar_part, structure
from tests.support import LEAD, PARTNER, Server

WARSAW = ZoneInfo("Europe/Warsaw")


def _ics(message: EmailMessage) -> bytes:
    content = calendar_part(message).get_content()
    return content.encode() if isinstance(content, str) else content


def _vevents(message: EmailMessage) -> list[Any]:
    return Calendar.from_ical(_ics(message)).walk("VEVENT")


async def _schedule(lead: Any, **extra: Any) -> dict[str, Any]:
    body = {
        "title": "Klub dyskusyjny — Łódź",
        "start": "2027-10-19T10:00:00",
        "duration_minutes": 90,
        "agenda": "Omówienie książek",
        **extra,
    }
    status, meeting = await lead.post("/api/v1/meetings", body)
    assert status == 201, meeting
    return meeting


async def _mails_to(smtp: Smtp, address: str, count: int) -> list[EmailMessage]:
    await smtp.inbox.wait_for(
        lambda msgs: len([m for m in msgs if address in str(m["To"])]) >= count
    )
    return smtp.inbox.to(address)


async def test_request_mime_structure_and_itip_content(
    mail_server: Server, smtp: Smtp, clients: Any
) -> None:
    lead = await clients(LEAD)
    meeting = await _schedule(
        lead,
        guests=[
            {
                "email": "gosc@example.net",
                "name": "Jan Gość",
                "category": "expert",
                "language": "en",
            }
        ],
    )
    msg = (await _mails_to(smtp, PARTNER, 1))[0]
    assert structure(msg) == [
        "multipart/mixed",
        "  multipart/alternative",
        "    text/plain",
        "    text/html",
        "    text/calendar",
        "  application/ics",
    ]
    part = calendar_part(msg)
    assert part.get_param("method") == "REQUEST"
    assert part.get_param("charset") == "utf-8"
    (attachment,) = list(msg.iter_attachments())
    assert attachment.get_filename() == "invite.ics"
    assert attachment.get_content() == _ics(msg)
    cal = Calendar.from_ical(_ics(msg))
    assert cal["METHOD"] == "REQUEST"
    (event,) = cal.walk("VEVENT")
    assert str(event["UID"]) == f"meeting-{meeting['id']}@{mail_server.settings.site_domain}"
    assert int(event["SEQUENCE"]) == 0
    organizer = str(event["ORGANIZER"])
    assert organizer == "mailto:" + LEAD
    assert parseaddr(str(msg["Reply-To"]))[1] == LEAD
    attendees = event["ATTENDEE"]
    assert len(attendees) == 7  # six librarians of the network and the guest
    # The organiser is the accepted chair of her own meeting (as Google and Outlook write
    # it), not one more invitee who has yet to answer; everyone else is asked.
    (chair,) = [a for a in attendees if str(a) == "mailto:" + LEAD]
    assert chair.params["PARTSTAT"] == "ACCEPTED"
    assert chair.params["ROLE"] == "CHAIR" and chair.params["RSVP"] == "FALSE"
    for attendee in attendees:
        if attendee is not chair:
            assert attendee.params["PARTSTAT"] == "NEEDS-ACTION"
            assert attendee.params["RSVP"] == "TRUE"
    assert "mailto:gosc@example.net" in [str(a) for a in attendees]
    assert event["DTSTART"].dt == datetime(2027, 10, 19, 10, tzinfo=WARSAW)
    assert event["DTSTART"].params["TZID"] == "Europe/Warsaw"
    # Polish text for the Polish librarian, with one-click answer links.
    plain = msg.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
    assert "Zapraszamy na spotkanie" in plain and "Wezmę udział: http" in plain
    html = msg.get_body(preferencelist=("html",)).get_content()  # type: ignore[union-attr]
    assert "/rsvp/" in html
    # The guest gets the same invitation in English with her guest link.
    guest = (await _mails_to(smtp, "gosc@example.net", 1))[0]
    guest_plain = guest.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
    assert str(guest["Subject"]).startswith("Invitation: ")
    assert "/guest/" in guest_plain and "I will attend: http" in guest_plain
    assert _vevents(guest)[0]["UID"] == event["UID"]
    # Exactly one link into the meeting, first and prominent: the guest link (a room address
    # would open a sign-in page for someone who has no account).
    urls = re.findall(r"https?://\S+", guest_plain)
    entries = [u for u in urls if "/rsvp/" not in u]
    assert len(entries) == 1 and "/guest/" in entries[0], urls
    assert urls[0] == entries[0]
    assert guest_plain.index("Enter the meeting") < guest_plain.index("When:")
    guest_html = guest.get_body(preferencelist=("html",)).get_content()  # type: ignore[union-attr]
    hrefs = re.findall(r'href="([^"]+)"', guest_html)
    assert [h for h in hrefs if "/rsvp/" not in h] == [entries[0]]
    assert hrefs[0] == entries[0]
    # Librarians keep the room link and the meeting page.
    assert f"/meetings/{meeting['id']}/room" in plain and "Strona spotkania: http" in plain


async def test_change_resends_request_with_higher_sequence_then_cancel(
    mail_server: Server, smtp: Smtp, clients: Any
) -> None:
    lead = await clients(LEAD)
    meeting = await _schedule(lead)
    await _mails_to(smtp, PARTNER, 1)
    body = {
        "title": "Klub dyskusyjny — Łódź",
        "start": "2027-10-19T12:00:00",
        "duration_minutes": 60,
        "network_id": meeting["network_id"],
    }
    status, updated = await lead.request("PUT", f"/api/v1/meetings/{meeting['id']}", json=body)
    assert status == 200, updated
    assert updated["sequence"] == 1
    second = (await _mails_to(smtp, PARTNER, 2))[1]
    (event,) = _vevents(second)
    assert Calendar.from_ical(_ics(second))["METHOD"] == "REQUEST"
    assert int(event["SEQUENCE"]) == 1
    assert event["DTSTART"].dt == datetime(2027, 10, 19, 12, tzinfo=WARSAW)
    assert str(second["Subject"]).startswith("Zmiana: ")
    status, _ = await lead.post(f"/api/v1/meetings/{meeting['id']}/cancel")
    assert status == 204
    third = (await _mails_to(smtp, PARTNER, 3))[2]
    cal = Calendar.from_ical(_ics(third))
    assert cal["METHOD"] == "CANCEL"
    assert calendar_part(third).get_param("method") == "CANCEL"
    (cancelled,) = cal.walk("VEVENT")
    assert cancelled["UID"] == event["UID"]
    assert int(cancelled["SEQUENCE"]) == 2
    assert cancelled["STATUS"] == "CANCELLED"
    status, page = await lead.get(f"/api/v1/meetings/{meeting['id']}")
    assert page["status"] == "cancelled"


async def test_series_across_dst_read_alike_by_ical_js_recurring_ical_events_and_zoneinfo(
    mail_server: Server, smtp: Smtp, clients: Any
) -> None:
    lead = await clients(LEAD)
    # Weekly on Tuesdays and Thursdays across the March change, every week, until 15 April.
    spring = await _schedule(
        lead,
        title="Wiosna",
        start="2027-03-16T10:00:00",
        recurrence={"freq": "WEEKLY", "weekdays": ["TU", "TH"], "until": "2027-04-15"},
    )
    # Monthly on the second Tuesday across the October change.
    autumn = await _schedule(
        lead,
        title="Jesień",
        start="2027-09-14T10:00:00",
        recurrence={"freq": "MONTHLY", "nth": 2, "nth_weekday": "TU", "count": 4},
    )
    mails = await _mails_to(smtp, PARTNER, 2)
    expected = {
        spring["id"]: [date(2027, 3, d) for d in (16, 18, 23, 25, 30)]
        + [date(2027, 4, d) for d in (1, 6, 8, 13, 15)],
        autumn["id"]: [
            date(2027, 9, 14),
            date(2027, 10, 12),
            date(2027, 11, 9),
            date(2027, 12, 14),
        ],
    }
    window = (datetime(2027, 1, 1, tzinfo=UTC), datetime(2028, 6, 1, tzinfo=UTC))
    for msg in mails:
        ics = _ics(msg)
        uid = str(_vevents(msg)[0]["UID"])
        meeting_id = int(uid.split("-")[1].split("@")[0])
        want = [
            iso_utc(datetime.combine(day, datetime.min.time().replace(hour=10), WARSAW))
            for day in expected[meeting_id]
        ]
        python = [o.start_utc for o in python_side(ics, *window)]
        assert python == want
        rows = node_ical.expand(ics, start="2027-01-01T00:00:00Z", end="2028-06-01T00:00:00Z")
        assert [r["start_utc"] for r in rows] == want
        status, listed = await lead.get(
            "/api/v1/occurrences?from=2027-01-01T00:00:00Z&to=2028-01-01T00:00:00Z"
        )
        assert status == 200
        ours = [o["start"] for o in listed if o["meeting_id"] == meeting_id]
        assert [datetime.fromisoformat(s).strftime("%Y-%m-%dT%H:%M:%SZ") for s in ours] == want


async def test_move_and_cancel_one_occurrence(
    mail_server: Server, smtp: Smtp, clients: Any
) -> None:
    lead = await clients(LEAD)
    meeting = await _schedule(
        lead,
        start="2027-10-19T10:00:00",
        recurrence={"freq": "WEEKLY", "weekdays": ["TU"], "count": 4},
    )
    await _mails_to(smtp, PARTNER, 1)
    # 26 October 10:00 CEST = 08:00 UTC: moved to Wednesday 27th 14:00 local.
    status, body = await lead.request(
        "PUT",
        f"/api/v1/meetings/{meeting['id']}/occurrences/20271026T080000Z",
        json={"start": "2027-10-27T14:00:00", "end": "2027-10-27T15:30:00"},
    )
    assert status == 200, body
    moved = (await _mails_to(smtp, PARTNER, 2))[1]
    (event,) = _vevents(moved)
    assert event["RECURRENCE-ID"].dt == datetime(2027, 10, 26, 10, tzinfo=WARSAW)
    assert event["DTSTART"].dt == datetime(2027, 10, 27, 14, tzinfo=WARSAW)
    assert int(event["SEQUENCE"]) == 1
    # 2 November 10:00 CET = 09:00 UTC: deleted.
    status, _ = await lead.request(
        "DELETE", f"/api/v1/meetings/{meeting['id']}/occurrences/20271102T090000Z"
    )
    assert status == 204
    cancel = (await _mails_to(smtp, PARTNER, 3))[2]
    assert Calendar.from_ical(_ics(cancel))["METHOD"] == "CANCEL"
    (gone,) = _vevents(cancel)
    assert gone["RECURRENCE-ID"].dt == datetime(2027, 11, 2, 10, tzinfo=WARSAW)
    status, page = await lead.get(f"/api/v1/meetings/{meeting['id']}")
    starts = [o["start"] for o in page["upcoming"]]
    assert starts == [
        "2027-10-19T08:00:00Z",
        "2027-10-27T12:00:00Z",
        "2027-11-09T09:00:00Z",
    ]
    # Not an occurrence of the series: a field error (an unreadable one is a 404).
    status, body = await lead.request(
        "DELETE", f"/api/v1/meetings/{meeting['id']}/occurrences/20271103T090000Z"
    )
    assert status == 422 and "original_start" in body["error"]["details"]
    status, body = await lead.request(
        "DELETE", f"/api/v1/meetings/{meeting['id']}/occurrences/999999999"
    )
    assert status == 404 and body["error"]["code"] == "no_such_occurrence"


async def test_editing_a_series_keeps_changes_of_dates_it_still_has(
    mail_server: Server, smtp: Smtp, clients: Any
) -> None:
    lead = await clients(LEAD)
    body = {
        "title": "Klub dyskusyjny — Łódź",
        "start": "2027-10-19T10:00:00",
        "duration_minutes": 90,
        "recurrence": {"freq": "WEEKLY", "weekdays": ["TU"], "count": 4},
    }
    status, meeting = await lead.post("/api/v1/meetings", body)
    assert status == 201, meeting
    path = f"/api/v1/meetings/{meeting['id']}"
    moved = {"start": "2027-10-27T14:00:00", "end": "2027-10-27T15:30:00"}
    assert (await lead.request("PUT", f"{path}/occurrences/20271026T080000Z", json=moved))[0] == 200
    assert (await lead.request("DELETE", f"{path}/occurrences/20271102T090000Z"))[0] == 204

    async def upcoming() -> list[str]:
        status, page = await lead.get(path)
        assert status == 200
        return [o["start"] for o in page["upcoming"]]

    # Two more dates: the moved and the cancelled one are still dates of the series, so stay.
    longer = {**body, "recurrence": {"freq": "WEEKLY", "weekdays": ["TU"], "count": 6}}
    status, _ = await lead.request("PUT", path, json=longer)
    assert status == 200
    assert await upcoming() == [
        "2027-10-19T08:00:00Z",
        "2027-10-27T12:00:00Z",
        "2027-11-09T09:00:00Z",
        "2027-11-16T09:00:00Z",
        "2027-11-23T09:00:00Z",
    ]
    # Cut to two dates: the cancelled 2 November is no longer a date; the moved one stays.
    shorter = {**body, "recurrence": {"freq": "WEEKLY", "weekdays": ["TU"], "count": 2}}
    assert (await lead.request("PUT", path, json=shorter))[0] == 200
    assert await upcoming() == ["2027-10-19T08:00:00Z", "2027-10-27T12:00:00Z"]
    async with mail_server.hub.db.read() as reader:
        rows = await reader.fetch_all(
            "SELECT original_start FROM meeting_occurrences WHERE meeting_id = ?",
            (meeting["id"],),
        )
    assert len(rows) == 1
    # A new time of day: no old date is a date of the series any more; the changes go.
    later = {**body, "start": "2027-10-19T11:00:00"}
    assert (await lead.request("PUT", path, json=later))[0] == 200
    assert await upcoming() == [
        "2027-10-19T09:00:00Z",
        "2027-10-26T09:00:00Z",
        "2027-11-02T10:00:00Z",
        "2027-11-09T10:00:00Z",
    ]
