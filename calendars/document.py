"""The VCALENDAR around the events: header and one VTIMEZONE per zone used.

Feeds of a thousand meetings are rebuilt whenever one of them changes, and icalendar takes
about a millisecond per event to write one. So each VTIMEZONE and each event's VEVENTs are
written once and kept (by value: an ``Event`` is frozen, and equal events give equal bytes);
a rebuild only writes the events that changed and joins the rest.

What is kept in memory is gone after a restart. ``event_key`` names an event's lines by
everything they are made from, so that a caller can store them (the app keeps them in its
database) and hand them back with ``keep_lines`` instead of having them written again.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import OrderedDict
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import msgspec

from calendars import vevent as _writer
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


# The lines are a function of the event and of the code that writes them: a release that
# changes calendars/vevent.py or icalendar gives every event a new key without anyone having
# to remember to bump a number.
_WRITER = hashlib.sha256(
    icalendar.__version__.encode() + b"\0" + Path(_writer.__file__).read_bytes()
).digest()
_ENCODER = msgspec.json.Encoder()


def event_key(event: Event, *, with_people: bool) -> str:
    """A name for the event's VEVENT lines that changes whenever the lines could.

    The event is written out whole: every field of it and of its overrides, recurrence and
    people (a field added later is in it too), each moment as its instant and offset. The
    lines also show local times, which come from the zone data of the day: the offset of
    each moment in the event's zone is in the key, so a tzdata release that moves a clock
    change gives a new key as well. JSON by msgspec: a thousand keys in a few milliseconds
    (a repr takes five times as long)."""
    try:
        whole = _ENCODER.encode(event)
    except UnicodeEncodeError:  # a lone surrogate (the writer replaces it): rare, slower
        whole = repr(event).encode("ascii", "backslashreplace")
    offsets = b",".join(_offsets(item) for item in (event, *event.overrides))
    found = hashlib.sha256(_WRITER)
    found.update(b"\0people\0" if with_people else b"\0feed\0")
    found.update(whole)
    found.update(b"\0")
    found.update(offsets)
    return found.hexdigest()


def _offsets(event: Event) -> bytes:
    """The UTC offset, in the event's zone, of every moment its lines show."""
    zone = ZoneInfo(event.tzid)
    return repr([m.astimezone(zone).utcoffset() for m in moments(event)]).encode()


# Lines by event (by value), the least recently used dropped past this many. Feeds are built
# in threads, several at once: the lock keeps the order and the count true.
_KEPT_MAX = 8192
_kept: OrderedDict[tuple[Event, bool], bytes] = OrderedDict()
_kept_lock = threading.Lock()


def kept_lines(event: Event, *, with_people: bool) -> bytes | None:
    """The event's lines if this process has them (written or handed back), else None."""
    with _kept_lock:
        found = _kept.get((event, with_people))
        if found is not None:
            _kept.move_to_end((event, with_people))
        return found


def keep_lines(found: Iterable[tuple[Event, bytes]], *, with_people: bool) -> None:
    """Hands back lines written earlier for these events (found under their ``event_key``)."""
    with _kept_lock:
        for event, body in found:
            _kept[(event, with_people)] = body
            _kept.move_to_end((event, with_people))
        while len(_kept) > _KEPT_MAX:
            _kept.popitem(last=False)


def forget_lines() -> None:
    """Drops every kept line, as a restart would (benchmarks and tests)."""
    with _kept_lock:
        _kept.clear()


def event_lines(event: Event, *, with_people: bool) -> bytes:
    """The event's VEVENT lines: kept ones, else written by icalendar (and kept)."""
    found = kept_lines(event, with_people=with_people)
    if found is None:
        found = b"".join(v.to_ical() for v in vevents(event, with_people=with_people))
        keep_lines([(event, found)], with_people=with_people)
        # Feeds are built in a thread; writing a thousand new events holds the GIL for a
        # second or more. Letting go of it after each one lets the event loop (every other
        # request) take its turn at once, not after a switch interval per step.
        time.sleep(0)
    return found


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
    parts.extend(event_lines(event, with_people=with_people) for event in ordered)
    parts.append(_END)
    return b"".join(parts)
