"""Plain, frozen descriptions of calendar events; the builders turn them into iCalendar."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal
from zoneinfo import ZoneInfo

WEEKDAYS: tuple[str, ...] = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")

Freq = Literal["WEEKLY", "MONTHLY"]
Status = Literal["CONFIRMED", "TENTATIVE", "CANCELLED"]


def _require_aware(name: str, value: datetime) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be an aware datetime, got {value!r}")


@dataclass(frozen=True)
class Attendee:
    email: str
    name: str
    partstat: str = "NEEDS-ACTION"
    role: str = "REQ-PARTICIPANT"
    rsvp: bool = True


@dataclass(frozen=True)
class Organizer:
    email: str
    name: str


@dataclass(frozen=True)
class Recurrence:
    """The only recurrences we publish: every n weeks on some weekdays, or monthly.

    ``by_set_weekday=(2, "TU")`` means "second Tuesday of the month". Only 1..4 are allowed
    because Outlook rejects the "last weekday" forms (BYSETPOS=-1 and BYDAY=-1TU).
    """

    freq: Freq
    interval: int = 1
    by_weekday: tuple[str, ...] = ()
    by_set_weekday: tuple[int, str] | None = None
    until: datetime | None = None
    count: int | None = None

    def __post_init__(self) -> None:
        if self.freq not in ("WEEKLY", "MONTHLY"):
            raise ValueError(f"unsupported frequency {self.freq!r}")
        if self.interval < 1:
            raise ValueError("interval must be at least 1")
        if any(day not in WEEKDAYS for day in self.by_weekday):
            raise ValueError(f"by_weekday must use {WEEKDAYS}, got {self.by_weekday!r}")
        if self.by_weekday and self.freq != "WEEKLY":
            raise ValueError("by_weekday is only for WEEKLY recurrences")
        if self.by_set_weekday is not None:
            if self.freq != "MONTHLY":
                raise ValueError("by_set_weekday is only for MONTHLY recurrences")
            nth, day = self.by_set_weekday
            if nth not in (1, 2, 3, 4) or day not in WEEKDAYS:
                raise ValueError(
                    f"by_set_weekday must be (1..4, weekday), got {self.by_set_weekday}"
                )
        if self.until is not None and self.count is not None:
            raise ValueError("a recurrence has UNTIL or COUNT, not both (RFC 5545)")
        if self.until is not None:
            _require_aware("until", self.until)
        if self.count is not None and self.count < 1:
            raise ValueError("count must be at least 1")

    def matches(self, start: datetime, tzid: str) -> bool:
        """Whether ``start`` (read in ``tzid``) falls on a day this rule produces."""
        local = start.astimezone(ZoneInfo(tzid))
        weekday = WEEKDAYS[local.weekday()]
        if self.by_weekday:
            return weekday in self.by_weekday
        if self.by_set_weekday is not None:
            return self.by_set_weekday == ((local.day - 1) // 7 + 1, weekday)
        return True


@dataclass(frozen=True)
class Event:
    """One meeting, or one overridden occurrence of a series when ``recurrence_id`` is set.

    ``last_modified`` doubles as DTSTAMP in feeds: stamping "now" would change every feed on
    every request, and clients and caches could never tell that nothing changed. An iTIP
    message sets ``stamp``: there DTSTAMP is when the message was made (RFC 5546).
    ``all_day``: start and end are midnights in ``tzid`` and are written as dates
    (VALUE=DATE); ``transparent``: the event does not make its time busy (TRANSP).
    """

    uid: str
    sequence: int
    title: str
    start: datetime
    end: datetime
    last_modified: datetime
    created: datetime
    tzid: str = "Europe/Warsaw"
    description: str = ""
    location: str = ""
    url: str = ""
    conference_url: str = ""
    status: Status = "CONFIRMED"
    organizer: Organizer | None = None
    attendees: tuple[Attendee, ...] = ()
    recurrence: Recurrence | None = None
    exdates: tuple[datetime, ...] = ()
    overrides: tuple[Event, ...] = field(default=())
    recurrence_id: datetime | None = None
    categories: tuple[str, ...] = ()
    stamp: datetime | None = None
    all_day: bool = False
    transparent: bool = False

    def __post_init__(self) -> None:
        if not self.uid:
            raise ValueError("uid must not be empty")
        if self.sequence < 0:
            raise ValueError("sequence must not be negative")
        for name in ("start", "end", "last_modified", "created"):
            _require_aware(name, getattr(self, name))
        for value in self.exdates:
            _require_aware("exdates", value)
        if self.stamp is not None:
            _require_aware("stamp", self.stamp)
        if self.recurrence_id is not None:
            _require_aware("recurrence_id", self.recurrence_id)
        if self.end <= self.start:
            raise ValueError(f"event {self.uid} ends before it starts")
        if self.status not in ("CONFIRMED", "TENTATIVE", "CANCELLED"):
            raise ValueError(f"unsupported status {self.status!r}")
        if (self.exdates or self.overrides) and self.recurrence is None:
            raise ValueError("exdates and overrides need a recurrence")
        if self.recurrence is not None and not self.recurrence.matches(self.start, self.tzid):
            # RFC 5545 counts DTSTART as an occurrence even off the rule; clients disagree on
            # showing it, so a series must start on one of its own days.
            raise ValueError(f"event {self.uid} does not start on a day of its recurrence")
        for override in self.overrides:
            if override.uid != self.uid or override.recurrence_id is None:
                raise ValueError("an override needs the series' uid and a recurrence_id")
            if override.recurrence is not None or override.overrides:
                raise ValueError("an override is a single occurrence")

    @property
    def cancelled(self) -> bool:
        return self.status == "CANCELLED"
