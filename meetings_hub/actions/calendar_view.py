"""My meetings between two instants, one item per occurrence, for the calendar page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from meetings_hub.actions.access import require_person
from meetings_hub.actions.occurrences import Target, list_occurrences
from meetings_hub.actions.validate import parse_int
from meetings_hub.domain import Actor
from meetings_hub.hub import Hub


@dataclass(frozen=True)
class CalendarItem:
    meeting_id: int
    start: datetime  # in the viewer's time zone
    end: datetime
    title: str
    kind: str
    cancelled: bool
    is_series: bool
    host_library_name: str
    href: str
    all_day: bool = False


def target_of(show: str, actor: Actor) -> Target:
    """?show=person (default), library:<id>, network:<id> or programme."""
    assert actor.person is not None
    kind, _, raw_id = show.partition(":")
    scope_id = parse_int(raw_id)
    if kind == "library" and scope_id is not None:
        return Target(library_id=scope_id)
    if kind == "network" and scope_id is not None:
        return Target(network_id=scope_id)
    if kind == "programme":
        return Target()
    return Target(person_id=actor.person.id)


async def calendar_items(
    hub: Hub, actor: Actor, start: datetime, end: datetime, *, show: str = "person"
) -> list[CalendarItem]:
    require_person(actor)
    assert actor.person is not None
    zone = ZoneInfo(actor.person.timezone)
    views = await list_occurrences(hub, actor, target_of(show, actor), start, end)
    return [
        CalendarItem(
            meeting_id=view.meeting_id,
            start=view.start.astimezone(zone),
            end=view.end.astimezone(zone),
            title=view.title,
            kind=view.kind,
            cancelled=view.status == "cancelled",
            is_series=view.is_series,
            host_library_name=view.host_library_name,
            href=f"/meetings/{view.meeting_id}",
            all_day=view.all_day,
        )
        for view in views
    ]
