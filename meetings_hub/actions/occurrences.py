"""Reading the schedule: the occurrences of a person's, library's or network's meetings.

``calendar_meetings`` does no authorisation (the feeds call it after checking their secret
token); ``list_occurrences`` is what signed-in people call, with the access checks.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import msgspec

from meetings_hub.actions.access import Scope, not_found_unless, scope_of
from meetings_hub.domain import Actor, Role
from meetings_hub.errors import ValidationFailed
from meetings_hub.hub import Hub
from meetings_hub.scheduling import recurrence
from meetings_hub.scheduling.events import Links, whole_days
from meetings_hub.scheduling.model import Meeting
from meetings_hub.storage import people, rooms
from meetings_hub.storage import scheduling as store
from meetings_hub.storage.db import Reader, Tx
from meetings_hub.storage.timefmt import now_utc

# Longest window one request may ask for: a feed's 90 days back plus 12 months ahead fits.
MAX_WINDOW = timedelta(days=500)


@dataclass(frozen=True, slots=True)
class Target:
    """Whose schedule: exactly one of person, library or network; none = the whole programme."""

    person_id: int | None = None
    library_id: int | None = None
    network_id: int | None = None


class OccurrenceView(msgspec.Struct):
    """One occurrence in a window: plain data for pages, the API and feeds."""

    meeting_id: int
    original_start: datetime
    start: datetime
    end: datetime
    timezone: str
    title: str
    agenda: str
    kind: str
    address: str
    status: str
    network_id: int
    host_library_id: int
    host_library_name: str
    is_series: bool
    overridden: bool
    sequence: int
    page_url: str
    join_url: str
    # "live": the date's room takes people now (from its opening to the date's end) and the
    # host has not ended it; "ended": the host ended it; "" otherwise.
    now_state: str = ""
    my_rsvp: str | None = None  # the asking person's answer for this date (series or date)
    all_day: bool = False  # a whole day (imported VALUE=DATE): no hours to show


def links(hub: Hub) -> Links:
    """Absolute links, for what leaves the site: mail and calendar feeds."""
    return Links(hub.settings.site_url, hub.settings.site_domain)


def page_links(hub: Hub) -> Links:
    """Links inside pages and the JSON API the pages read: relative to wherever the browser
    reached the server, so a server answering on another address or port than ``site_url``
    still links to itself."""
    return Links("", hub.settings.site_domain)


async def calendar_meetings(
    db: Reader | Tx, target: Target, start: datetime, end: datetime, *, today: date | None = None
) -> list[Meeting]:
    """Meetings (whole series, with rules and changes) that have an occurrence in the window."""
    today = today or date.today()
    if target.person_id is not None:
        person = await people.get(db, target.person_id)
        if person is None:
            return []
        return await store.in_window_for_person(
            db, person.id, person.library_id, start, end, today=today
        )
    if target.library_id is not None:
        return await store.in_window_for_library(db, target.library_id, start, end, today=today)
    if target.network_id is not None:
        return await store.in_window_for_networks(db, [target.network_id], start, end)
    return await store.in_window_for_networks(db, None, start, end)


def occurrence_views(
    hub: Hub, meetings: list[Meeting], start: datetime, end: datetime
) -> list[OccurrenceView]:
    link = page_links(hub)
    views = []
    for m in meetings:
        for o in m.occurrences(start, end):
            views.append(
                OccurrenceView(
                    meeting_id=m.id,
                    original_start=o.original_start,
                    start=o.start,
                    end=o.end,
                    timezone=m.timezone,
                    title=o.title if o.title is not None else m.title,
                    agenda=o.agenda if o.agenda is not None else m.agenda,
                    kind=m.kind,
                    address=o.address if o.address else m.address,
                    status=m.status,
                    network_id=m.network_id,
                    host_library_id=m.host_library_id,
                    host_library_name=m.host_library_name,
                    is_series=m.rule is not None,
                    overridden=o.overridden,
                    sequence=m.sequence,
                    page_url=link.page(m.id),
                    join_url=link.join(m),
                    all_day=whole_days(m),
                )
            )
    views.sort(key=lambda v: (v.start, v.meeting_id))
    return views


def _opening(hub: Hub) -> timedelta:
    return timedelta(minutes=hub.settings.chat_session_open_minutes)


def is_live(start: datetime, end: datetime, now: datetime, opening: timedelta) -> bool:
    """A date is on now from its room's opening (chat_session_open_minutes before) to its end:
    the one rule behind "Trwa teraz" in every list."""
    return start - opening <= now < end


async def live_meeting_ids(hub: Hub, db: Reader | Tx, meeting_ids: list[int]) -> set[int]:
    """Of these meetings, those with a date on now."""
    if not meeting_ids:
        return set()
    now, opening = now_utc(), _opening(hub)
    candidates = await store.spanning(db, meeting_ids, now, now + opening)
    return {
        m.id
        for m in candidates
        if any(
            is_live(o.start, o.end, now, opening)
            for o in m.occurrences(now - timedelta(days=2), now + opening + timedelta(days=1))
        )
    }


async def may_see(db: Reader | Tx, actor: Actor, scope: Scope, meeting: Meeting) -> bool:
    """Coordinators and the network's lead see everything in it; others what they are invited
    to (through their library or by name) or organised."""
    if scope.manages_network(meeting.network_id):
        return True
    if actor.person is None or not scope.sees_network(meeting.network_id):
        return False
    if meeting.created_by == actor.person.id:
        return True
    if await store.get_invitee(db, meeting.id, actor.person.id) is not None:
        return True
    library_id = actor.person.library_id
    return library_id is not None and await store.library_is_invited(
        db, meeting.id, library_id, date.today()
    )


async def list_occurrences(
    hub: Hub, actor: Actor, target: Target, start: datetime, end: datetime
) -> list[OccurrenceView]:
    if end <= start:
        raise ValidationFailed("Some fields are not valid.", details={"to": "Must be after from."})
    if end - start > MAX_WINDOW:
        raise ValidationFailed(
            "Some fields are not valid.", details={"to": "At most 500 days at a time."}
        )
    async with hub.db.read() as reader:
        scope = await scope_of(reader, actor)
        assert actor.person is not None
        if target.person_id is not None and target.person_id != actor.person.id:
            other = await people.get(reader, target.person_id)
            visible = other is not None and (
                scope.everything
                or (other.library_id is not None and scope.manages_library(other.library_id))
            )
            not_found_unless(visible, "Person")
        if target.library_id is not None:
            not_found_unless(scope.sees_library(target.library_id), "Library")
        if target.network_id is not None:
            not_found_unless(scope.sees_network(target.network_id), "Network")
        if target == Target() and actor.role is not Role.COORDINATOR:
            target = Target(person_id=actor.person.id)
        meetings = await calendar_meetings(reader, target, start, end)
        visible_meetings = [m for m in meetings if await may_see(reader, actor, scope, m)]
        ids = [m.id for m in visible_meetings]
        ended = await rooms.ended_meetings(reader, ids)
        series, dates = await store.answers_of(reader, actor.person.id, ids)
    views = occurrence_views(hub, visible_meetings, start, end)
    organised = {m.id for m in visible_meetings if m.created_by == actor.person.id}
    now = now_utc()
    opening = _opening(hub)
    for v in views:
        if v.meeting_id in ended:
            v.now_state = "ended" if v.start - opening <= now else ""
        elif v.status == "scheduled" and v.join_url and is_live(v.start, v.end, now, opening):
            v.now_state = "live"
        answer = dates.get((v.meeting_id, v.original_start), series.get(v.meeting_id))
        # The organiser counts as coming to her own meeting (see meeting_view).
        if v.meeting_id in organised and answer in (None, "needs_action"):
            answer = "accepted"
        v.my_rsvp = answer
    return views


def check_occurrence(meeting: Meeting, original: datetime, *, not_cancelled: bool = False) -> None:
    """``original`` is one of the series' dates (and, if asked, not a cancelled one).

    422, not 404: the ics importer (feeds) relies on ValidationFailed here."""
    if meeting.rule is None:
        raise ValidationFailed(
            "Only a series has occurrences.", details={"original_start": "Not a series."}
        )
    if not recurrence.is_occurrence(meeting.rule, meeting.start, meeting.timezone, original):
        raise ValidationFailed(
            "No such occurrence.", details={"original_start": "Not an occurrence of the series."}
        )
    if not_cancelled and any(
        c.original_start == original and c.kind == "exception" for c in meeting.changes
    ):
        raise ValidationFailed("This date was cancelled.", details={"original_start": "Cancelled."})
