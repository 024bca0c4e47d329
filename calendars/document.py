"""The VCALENDAR around the events: header and one VTIMEZONE per zone used.

Feeds of a thousand meetings are rebuilt whenever one of them changes, and icalendar takes
about a millisecond per event to write one. So each VTIMEZONE and each event's VEVENTs are
written once and kept (by value: an ``Event`` is frozen, and equal events give equal bytes);
a rebuild only writes the events that changed and joins the rest.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from functools import lru_cache

import icalendar

from calendars.model import Event
from calendars.vevent import moments, vevents
from calendars.vtimezone import build_vtimezone

DEFAULT_PRODID = "-//meetings_hub//PL"
_END = b"END:VCALENDAR\r\n"


def new_calendar(prodid: str) -> icalendar.Calendar:
    calendar = icalendar.Calendar()
    calendar.add("prodid", prodid)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    return calendar


@lru_cache(maxsize=64)
def _vtimezone(tzid: str, first_year: int, last_year: int) -> bytes:
    return build_vtimezone(tzid, first_year, last_year).to_ical()


@lru_cache(maxsize=8192)
def _event_lines(event: Event, with_people: bool) -> bytes:
    return b"".join(v.to_ical() for v in vevents(event, with_people=with_people))


def to_ical(calendar: icalendar.Calendar, events: Iterable[Event], *, with_people: bool) -> bytes:
    """The calendar (its properties, no components yet) with the VTIMEZONEs the events need,
    then the events, in a stable order; the same bytes icalendar would write for it."""
    ordered = sorted(events, key=lambda event: (event.start, event.uid))
    years: dict[str, list[int]] = {}
    for event in ordered:
        for item in (event, *event.overrides):
            if item.all_day:  # dates carry no zone
                continue
            years.setdefault(item.tzid, []).extend(m.year for m in moments(item))
    head = calendar.to_ical()
    assert head.endswith(_END)
    parts = [head[: -len(_END)]]
    for tzid in sorted(years):
        # A year of margin on each side: clients expand a little around what they show.
        parts.append(_vtimezone(tzid, min(years[tzid]) - 1, max(years[tzid]) + 1))
    for event in ordered:
        written = _event_lines.cache_info().misses
        parts.append(_event_lines(event, with_people))
        if _event_lines.cache_info().misses != written:
            # Feeds are built in a thread; writing a thousand new events holds the GIL for a
            # second or more. Letting go of it after each one lets the event loop (every
            # other request) take its turn at once, not after a switch interval per step.
            time.sleep(0)
    parts.append(_END)
    return b"".join(parts)
