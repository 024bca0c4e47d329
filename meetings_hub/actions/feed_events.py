"""The meetings one feed shows, as calendars.model.Event values."""

from __future__ import annotations

from datetime import datetime, timedelta

from calendars.model import Event
from meetings_hub.actions.access import scope_of
from meetings_hub.actions.occurrences import Target, calendar_meetings, links, may_see
from meetings_hub.domain import Actor, Person
from meetings_hub.hub import Hub
from meetings_hub.scheduling.declined import as_declined
from meetings_hub.scheduling.events import to_event
from meetings_hub.scheduling.model import Meeting
from meetings_hub.storage import scheduling as store
from meetings_hub.storage.db import Reader


def _target(scope: str, scope_id: int | None, person: Person) -> Target:
    if scope == "person":
        return Target(person_id=person.id)
    if scope == "library":
        return Target(library_id=scope_id)
    if scope == "network":
        return Target(network_id=scope_id)
    return Target()


async def meetings_for(
    reader: Reader, hub: Hub, scope: str, scope_id: int | None, person: Person, now: datetime
) -> list[Meeting]:
    """Whole series with an occurrence in the window (clients expand the rules themselves);
    a cancelled meeting stays, marked, for feed_cancelled_days after it was cancelled so that
    subscribers see why it disappeared."""
    settings = hub.settings
    start = now - timedelta(days=settings.feed_past_days)
    end = now + timedelta(days=settings.feed_future_days)
    forget_before = now - timedelta(days=settings.feed_cancelled_days)
    meetings = await calendar_meetings(
        reader, _target(scope, scope_id, person), start, end, today=now.date()
    )
    # A feed never shows more than its owner may see on the site: a partner librarian's
    # network feed holds the network's meetings she is invited to, not every one.
    actor = Actor(person=person)
    rights = await scope_of(reader, actor)
    shown = [
        meeting
        for meeting in meetings
        if not (meeting.cancelled and (meeting.cancelled_at or meeting.changed_at) < forget_before)
        and await may_see(reader, actor, rights, meeting)
    ]
    if scope != "person":
        return shown
    return await _her_answers(reader, hub, person, shown)


async def _her_answers(
    reader: Reader, hub: Hub, person: Person, meetings: list[Meeting]
) -> list[Meeting]:
    """Her own feed: what she declined is marked as declined or left out, as she chose."""
    series, dates = await store.answers_of(reader, person.id, [m.id for m in meetings])
    mark = hub.t(person.language.value, "calendar.declined_mark")
    found = []
    for meeting in meetings:
        declined = frozenset(
            o for (mid, o), a in dates.items() if mid == meeting.id and a == "declined"
        )
        shown = as_declined(
            meeting,
            whole=series.get(meeting.id) == "declined",
            dates=declined,
            mode=person.calendar_declined,
            mark=mark,
        )
        if shown is not None:
            found.append(shown)
    return found


def to_events(hub: Hub, meetings: list[Meeting]) -> list[Event]:
    """Pure CPU work (no I/O): feeds.py runs it in a thread with the build."""
    link = links(hub)
    return [to_event(meeting, link) for meeting in meetings]


async def events_for(
    reader: Reader, hub: Hub, scope: str, scope_id: int | None, person: Person, now: datetime
) -> list[Event]:
    return to_events(hub, await meetings_for(reader, hub, scope, scope_id, person, now))
