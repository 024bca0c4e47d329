"""Her own feed and what she declined: marked "✗ Nie biorę udziału" and free time by default,
or left out when she chooses so on her profile; a single declined date of a series likewise.
Read by ical.js and recurring-ical-events (fetch checks both agree), and the feed changes at
once (no stale 304) when she answers or changes her choice."""

from __future__ import annotations

from datetime import UTC, datetime

import icalendar
import recurring_ical_events

from tests.feeds.helpers import fetch, vevents
from tests.support import LEAD, PARTNER

MARK = "✗ Nie biorę udziału: "


def _dates(ics: bytes, uid_part: str) -> dict[datetime, str]:
    cal = icalendar.Calendar.from_ical(ics)
    found = recurring_ical_events.of(cal).between(datetime(2027, 1, 1), datetime(2028, 12, 31))
    return {
        e["DTSTART"].dt.astimezone(UTC): str(e["SUMMARY"])
        for e in found
        if uid_part in str(e["UID"])
    }


async def test_declined_marked_then_hidden(server, client_factory) -> None:
    lead, partner = await client_factory(LEAD), await client_factory(PARTNER)
    status, series = await lead.post(
        "/api/v1/meetings",
        {
            "title": "Klub",
            "start": "2027-10-19T10:00:00",
            "recurrence": {"freq": "WEEKLY", "weekdays": ["TU"], "count": 3},
        },
    )
    assert status == 201, series
    status, single = await lead.post(
        "/api/v1/meetings", {"title": "Szkolenie", "start": "2027-11-30T10:00:00"}
    )
    assert status == 201, single
    status, feeds = await partner.get("/api/v1/feeds")
    url = next(f["url"] for f in feeds if f["scope"] == "person")

    status, _, before = await fetch(url)
    assert status == 200
    # Not on 26 October (10:00 CEST = 08:00 UTC); not at the training at all.
    path = f"/api/v1/meetings/{series['id']}/occurrences/20271026T080000Z/rsvp"
    assert (await partner.request("PUT", path, json={"answer": "declined"}))[0] == 204
    assert (await partner.post(f"/api/v1/meetings/{single['id']}/rsvp", {"answer": "declined"}))[
        0
    ] == 204

    status, _, marked = await fetch(url)
    assert status == 200 and marked != before
    dates = _dates(marked, f"meeting-{series['id']}@")
    assert dates[datetime(2027, 10, 26, 8, tzinfo=UTC)] == MARK + "Klub"
    assert dates[datetime(2027, 10, 19, 8, tzinfo=UTC)] == "Klub"
    (training,) = [e for e in vevents(marked) if f"meeting-{single['id']}@" in str(e["UID"])]
    assert str(training["SUMMARY"]) == MARK + "Szkolenie"
    assert str(training["TRANSP"]) == "TRANSPARENT"

    # Her choice: leave them out.
    status, me = await partner.request("PATCH", "/api/v1/me", json={"calendar_declined": "hide"})
    assert status == 200 and me["calendar_declined"] == "hide"
    status, _, hidden = await fetch(url)
    assert status == 200
    dates = _dates(hidden, f"meeting-{series['id']}@")
    assert datetime(2027, 10, 26, 8, tzinfo=UTC) not in dates
    assert len(dates) == 2
    assert not [e for e in vevents(hidden) if f"meeting-{single['id']}@" in str(e["UID"])]
    # A bad choice is a 422 naming the field; nothing changes.
    status, body = await partner.request("PATCH", "/api/v1/me", json={"calendar_declined": "maybe"})
    assert status in (400, 422), body
    # The network feed (not hers alone) shows the meetings as they are.
    network = next(f["url"] for f in feeds if f["scope"] == "network")
    status, _, plain = await fetch(network)
    assert MARK not in plain.decode()
