"""Subscription feeds (webcal://): every meeting of a library, read-only for the subscriber."""

from __future__ import annotations

from collections.abc import Iterable

import icalendar

from calendars.document import DEFAULT_PRODID, new_calendar, to_ical
from calendars.model import Event
from calendars.vevent import text


def build_feed(
    events: Iterable[Event],
    *,
    name: str,
    tzid: str = "Europe/Warsaw",
    refresh: str = "PT1H",
    prodid: str = DEFAULT_PRODID,
) -> bytes:
    """A published calendar (no METHOD). Identical input gives identical bytes.

    Attendees and organizer are left out: a feed may be public, and clients that see
    ATTENDEE lines in a subscription offer to answer invitations nobody sent.
    """
    # A calendar's name is one line; icalendar would refuse a raw newline in NAME.
    name = text(" ".join(name.split()))
    calendar = new_calendar(prodid)
    # icalendar does not know NAME and X-WR-CALNAME are TEXT and would not escape them.
    calendar.add("name", icalendar.vText(name))
    calendar.add("x-wr-calname", icalendar.vText(name))
    calendar.add("x-wr-timezone", tzid)
    # REFRESH-INTERVAL is RFC 7986; Outlook and Google still read X-PUBLISHED-TTL only.
    interval = icalendar.vDuration.from_ical(refresh)
    calendar.add("refresh-interval", interval, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", icalendar.vDuration(interval).to_ical().decode("ascii"))
    return to_ical(calendar, events, with_people=False)
