"""Turns a scheduled meeting into a ``calendars.model.Event`` (feeds and invitations use it)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, time
from zoneinfo import ZoneInfo

from calendars.model import Attendee, Event, Organizer, Recurrence
from meetings_hub.scheduling.model import Meeting
from meetings_hub.scheduling.recurrence import Change, Rule

CATEGORY = {"online": "Spotkanie online", "training": "Szkolenie", "in_person": "Wydarzenie"}


@dataclass(frozen=True, slots=True)
class Links:
    """Where the meeting lives on the site; ``site_domain`` makes the stable UID."""

    site_url: str
    site_domain: str

    def page(self, meeting_id: int) -> str:
        return f"{self.site_url.rstrip('/')}/meetings/{meeting_id}"

    def uid(self, meeting_id: int) -> str:
        return f"meeting-{meeting_id}@{self.site_domain}"

    def join(self, meeting: Meeting) -> str:
        """Online sessions are joined in their chat room (or at a link the organiser gave)."""
        if meeting.kind == "in_person":
            return ""
        return meeting.join_url or self.room(meeting.id)

    def room(self, meeting_id: int) -> str:
        """The meeting's session room; the page opens the room on first use."""
        return f"{self.page(meeting_id)}/room"


def recurrence(rule: Rule) -> Recurrence:
    by_set = (rule.nth, rule.nth_weekday) if rule.nth and rule.nth_weekday else None
    return Recurrence(
        freq=rule.freq,
        interval=rule.interval,
        by_weekday=rule.weekdays,
        by_set_weekday=by_set,
        until=rule.until,
        count=rule.count,
    )


def _override(base: Event, change: Change) -> Event:
    assert change.start is not None and change.end is not None
    return replace(
        base,
        start=change.start,
        end=change.end,
        title=change.title if change.title is not None else base.title,
        description=change.agenda if change.agenda is not None else base.description,
        location=change.address if change.address else base.location,
        sequence=change.sequence,
        recurrence=None,
        exdates=(),
        overrides=(),
        recurrence_id=change.original_start,
    )


def whole_days(meeting: Meeting) -> bool:
    """An all-day meeting still on whole days (an edit to set hours makes it a timed one)."""
    if not meeting.all_day:
        return False
    zone = ZoneInfo(meeting.timezone)
    return all(m.astimezone(zone).time() == time(0) for m in (meeting.start, meeting.end))


def to_event(
    meeting: Meeting,
    links: Links,
    *,
    organizer: Organizer | None = None,
    attendees: tuple[Attendee, ...] = (),
    last_modified: datetime | None = None,
) -> Event:
    """The whole meeting (series with its overrides and EXDATEs) as one calendar event."""
    join = links.join(meeting)
    location = meeting.address if meeting.kind == "in_person" or meeting.address else join
    base = Event(
        uid=links.uid(meeting.id),
        sequence=meeting.sequence,
        title=meeting.title,
        start=meeting.start,
        end=meeting.end,
        last_modified=last_modified or meeting.changed_at,
        created=meeting.created_at,
        tzid=meeting.timezone,
        description=meeting.agenda,
        location=location,
        url=join or links.page(meeting.id),
        conference_url=join,
        status="CANCELLED" if meeting.cancelled else "CONFIRMED",
        organizer=organizer,
        attendees=attendees,
        categories=(CATEGORY.get(meeting.kind, "Spotkanie"),),
        all_day=whole_days(meeting),
        transparent=meeting.transparent,
    )
    if meeting.rule is None:
        return base
    overrides = tuple(
        _override(base, c)
        for c in meeting.changes
        if c.kind == "override" and c.start is not None and c.end is not None
    )
    exdates = tuple(c.original_start for c in meeting.changes if c.kind == "exception")
    return replace(base, recurrence=recurrence(meeting.rule), exdates=exdates, overrides=overrides)


def occurrence_event(series: Event, original_start: datetime) -> Event:
    """One occurrence of a series as its own event (to update or cancel only that one)."""
    for override in series.overrides:
        if override.recurrence_id == original_start:
            return override
    duration = series.end - series.start
    return replace(
        series,
        start=original_start,
        end=original_start + duration,
        recurrence=None,
        exdates=(),
        overrides=(),
        recurrence_id=original_start,
    )
