"""A Google export imported end to end (issue 10, item 15): all-day events stay whole days
(VALUE=DATE) and free (TRANSP) from the import to the store, the feed, the invitations and the
calendar page; HTML descriptions arrive as plain text with their links."""

from __future__ import annotations

import re
from datetime import date, timedelta
from email import message_from_bytes, policy
from pathlib import Path

import icalendar

from tests.feeds.helpers import check_interop, event_of, fetch, network_named
from tests.support import LEAD

DATA = Path(__file__).parent.parent / "calendars" / "data" / "import_google_all_day_html.ics"


def _shifted(ics: bytes) -> tuple[bytes, date]:
    """The golden export moved by whole weeks (weekdays kept) to start two to three weeks
    from today, inside every feed's window; returns it and the open day's new date."""
    first = date(2030, 1, 8)
    target = date.today() + timedelta(days=14)
    shift = timedelta(weeks=-((first - target).days // 7))

    def move(match: re.Match[bytes]) -> bytes:
        day = date(int(match[1]), int(match[2]), int(match[3])) + shift
        return day.strftime("%Y%m%d").encode()

    # Only the event dates: DTSTART/DTEND lines (CREATED/DTSTAMP may stay in the past).
    lines = [
        re.sub(rb"(\d{4})(\d{2})(\d{2})", move, line)
        if line.startswith((b"DTSTART", b"DTEND"))
        else line
        for line in ics.split(b"\r\n")
    ]
    return b"\r\n".join(lines), first + shift


async def test_google_all_day_and_html_import_end_to_end(server, client_factory) -> None:
    net = await network_named(server, "Morawic")
    lead = await client_factory(LEAD)
    ics, open_day = _shifted(DATA.read_bytes())
    path = f"/api/v1/networks/{net.id}/ics-import"
    status, preview = await lead.request(
        "POST", path + "/preview", data=ics, headers={"Content-Type": "text/calendar"}
    )
    assert status == 200, preview
    whens = {e["uid"]: e["when"] for e in preview["events"]}
    assert whens["7kq1dzien-otwarty@google.com"].endswith("cały dzień")
    status, done = await lead.request(
        "POST", path, data=ics, headers={"Content-Type": "text/calendar"}
    )
    assert status == 201, done
    ids = {c["uid"]: c["meeting_id"] for c in done["created"]}
    assert len(ids) == 3

    status, feeds_list = await lead.get("/api/v1/feeds")
    url = next(f["url"] for f in feeds_list if f["scope"] == "network" and f["scope_id"] == net.id)
    status, _, feed = await fetch(url)  # also read by ical.js and recurring-ical-events
    assert status == 200
    domain = server.settings.site_domain
    by_uid = {str(v["UID"]): v for v in icalendar.Calendar.from_ical(feed).walk("VEVENT")}
    day = by_uid[f"meeting-{ids['7kq1dzien-otwarty@google.com']}@{domain}"]
    assert day["DTSTART"].params.get("VALUE") == "DATE"
    assert (day["DTSTART"].dt, day["DTEND"].dt) == (open_day, open_day + timedelta(days=1))
    assert str(day["TRANSP"]) == "TRANSPARENT"
    description = str(day["DESCRIPTION"])
    assert (
        "<" not in description
        and "formularz (https://example.org/zapisy?dzien=1&klasa=2)" in description
    )
    duty = by_uid[f"meeting-{ids['7kq1dyzur@google.com']}@{domain}"]
    assert duty["DTSTART"].params.get("VALUE") == "DATE" and "RRULE" in duty
    assert str(duty["TRANSP"]) == "TRANSPARENT"
    timed = by_uid[f"meeting-{ids['7kq1spotkanie@google.com']}@{domain}"]
    assert "VALUE" not in timed["DTSTART"].params and str(timed["TRANSP"]) == "OPAQUE"
    check_interop(feed, [await event_of(server, i) for i in sorted(ids.values())])

    # The invitations carry the same whole day.
    async with server.hub.db.read() as reader:
        rows = await reader.fetch_all(
            "SELECT raw, subject FROM outbox WHERE kind = 'meeting_request'"
        )
    parts = [
        part.get_payload(decode=True)
        for row in rows
        for part in message_from_bytes(row["raw"], policy=policy.default).walk()
        if part.get_content_type() == "text/calendar"
    ]
    assert any(b"DTSTART;VALUE=DATE:" + open_day.strftime("%Y%m%d").encode() in p for p in parts)
    subjects = [r["subject"] for r in rows]
    assert any(s.startswith("Zaproszenie") and "cały dzień" in s for s in subjects), subjects
    assert not any("00:00" in s for s in subjects)

    # And the calendar page says "cały dzień" instead of 00:00–00:00.
    status, page = await lead.get(
        f"/calendar?view=list&month={open_day:%Y-%m}&show=network:{net.id}"
    )
    assert status == 200
    assert "cały dzień" in page and "00:00–00:00" not in page
