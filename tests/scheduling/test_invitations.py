"""Scheduling through the API; the invitations arrive at a real SMTP server."""

from __future__ import annotations

from typing import Any

from icalendar import Calendar

from tests.scheduling.support import Smtp, calendar_part, structure
from tests.support import LEAD, PARTNER, Server


async def test_schedule_sends_itip_request(mail_server: Server, smtp: Smtp, clients: Any) -> None:
    lead = await clients(LEAD)
    status, body = await lead.request("GET", "/api/v1/meetings/defaults")
    assert status == 200, body
    status, meeting = await lead.post(
        "/api/v1/meetings",
        {
            "title": "Klub dyskusyjny — Łódź",
            "start": "2026-10-20T10:00:00",
            "duration_minutes": 90,
            "agenda": "Omówienie książek",
            "guests": [{"email": "gosc@example.net", "name": "Gość", "category": "expert"}],
        },
    )
    assert status == 201, meeting
    inbox = smtp.inbox
    await inbox.wait_for(lambda msgs: any(PARTNER in str(m["To"]) for m in msgs))
    msg = inbox.to(PARTNER)[0]
    assert structure(msg) == [
        "multipart/mixed",
        "  multipart/alternative",
        "    text/plain",
        "    text/html",
        "    text/calendar",
        "  application/ics",
    ], structure(msg)
    part = calendar_part(msg)
    assert part.get_param("method") == "REQUEST"
    cal = Calendar.from_ical(part.get_content())
    assert cal["METHOD"] == "REQUEST"
    event = cal.walk("VEVENT")[0]
    print(part.get_content())
    assert str(event["UID"]) == f"meeting-{meeting['id']}@{mail_server.settings.site_domain}"
