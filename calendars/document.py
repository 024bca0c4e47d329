"""The VCALENDAR around the events: header and one VTIMEZONE per zone used."""

from __future__ import annotations

from collections.abc import Iterable

import icalendar

from calendars.model import Event
from calendars.vevent import moments, vevents
from calendars.vtimezone import build_vtimezone

DEFAULT_PRODID = "-//meetings_hub//PL"


def new_calendar(prodid: str) -> icalendar.Calendar:
    calendar = icalendar.Calendar()
    calendar.add("prodid", prodid)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    return calendar


def add_events(calendar: icalendar.Calendar, events: Iterable[Event], *, with_people: bool) -> None:
    """Add the VTIMEZONEs the events need, then the events, in a stable order."""
    ordered = sorted(events, key=lambda event: (event.start, event.uid))
    years: dict[str, list[int]] = {}
    for event in ordered:
        for item in (event, *event.overrides):
            if item.all_day:  # dates carry no zone
                continue
            years.setdefault(item.tzid, []).extend(m.year for m in moments(item))
    for tzid in sorted(years):
        # A year of margin on each side: clients expand a little around what they show.
        calendar.add_component(build_vtimezone(tzid, min(years[tzid]) - 1, max(years[tzid]) + 1))
    for event in ordered:
        for vevent in vevents(event, with_people=with_people):
            calendar.add_component(vevent)
