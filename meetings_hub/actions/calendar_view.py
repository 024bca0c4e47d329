"""My meetings between two instants, one item per occurrence, for the calendar page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from meetings_hub.actions.access import require_person
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
    href: str


async def calendar_items(
    hub: Hub, actor: Actor, start: datetime, end: datetime
) -> list[CalendarItem]:
    require_person(actor)
    return []
