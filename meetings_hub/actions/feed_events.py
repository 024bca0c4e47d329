"""The meetings one feed shows, as calendars.model.Event values."""

from __future__ import annotations

from datetime import datetime

from calendars.model import Event
from meetings_hub.domain import Person
from meetings_hub.hub import Hub
from meetings_hub.storage.db import Reader


async def events_for(
    reader: Reader, hub: Hub, scope: str, scope_id: int | None, person: Person, now: datetime
) -> list[Event]:
    return []
