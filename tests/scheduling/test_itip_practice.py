"""iTIP as calendars expect it (issue 10, item 16): a per-date CANCEL is stamped when it is
made, and the organiser is neither asked to answer nor mailed her own invitation."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from icalendar import Calendar

from tests.scheduling.support import Smtp, calendar_part
from tests.support import LEAD, PARTNER, Server

WARSAW = ZoneInfo("Europe/Warsaw")


def _calendar(message: Any) -> Any:
    content = calendar_part(message).get_content()
    return Calendar.from_ical(content.encode() if isinstance(content, str) else content)


async def test_a_cancelled_date_is_stamped_now_and_the_organiser_gets_no_invitation(
    mail_server: Server, smtp: Smtp, clients: Any
) -> None:
    lead = await clients(LEAD)
    body = {
        "title": "Klub dyskusyjny",
        "start": "2027-10-19T10:00:00",
        "duration_minutes": 90,
        "recurrence": {"freq": "WEEKLY", "weekdays": ["TU"], "count": 6},
    }
    status, meeting = await lead.post("/api/v1/meetings", body)
    assert status == 201, meeting
    await smtp.inbox.wait_for(lambda msgs: len(smtp.inbox.to(PARTNER)) >= 1)
    (request,) = smtp.inbox.to(PARTNER)
    (series,) = _calendar(request).walk("VEVENT")
    await asyncio.sleep(1.1)  # DTSTAMP has whole seconds
    before = datetime.now(UTC).replace(microsecond=0)
    second = datetime(2027, 10, 26, 10, tzinfo=WARSAW).astimezone(UTC)
    path = f"/api/v1/meetings/{meeting['id']}/occurrences/{second:%Y-%m-%dT%H:%M:%SZ}"
    status, _ = await lead.request("DELETE", path)
    assert status in (200, 204)
    await smtp.inbox.wait_for(lambda msgs: len(smtp.inbox.to(PARTNER)) >= 2)
    cancel = smtp.inbox.to(PARTNER)[1]
    calendar = _calendar(cancel)
    assert calendar["METHOD"] == "CANCEL"
    (event,) = calendar.walk("VEVENT")
    assert event["RECURRENCE-ID"].dt == second.astimezone(WARSAW)
    assert int(event["SEQUENCE"]) > int(series["SEQUENCE"])
    # RFC 5546: DTSTAMP is when this message was made, not the series' last change.
    assert event["DTSTAMP"].dt >= before > series["DTSTAMP"].dt
    # The organiser is the accepted chair in every message, and is mailed none of them.
    (chair,) = [a for a in event["ATTENDEE"] if str(a) == "mailto:" + LEAD]
    assert chair.params["PARTSTAT"] == "ACCEPTED"
    await asyncio.sleep(0.5)
    assert smtp.inbox.to(LEAD) == []
    assert all(str(m["To"]).lower().find(LEAD) < 0 for m in smtp.inbox.messages)
    assert timedelta(0) <= event["DTSTAMP"].dt - before < timedelta(minutes=5)
