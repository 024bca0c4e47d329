"""Held sessions for the savings tests: a past meeting, presence rows in its room, a freeze."""

from __future__ import annotations

from datetime import datetime, timedelta

from meetings_hub.actions import rooms as room_actions
from meetings_hub.actions import savings_freeze
from meetings_hub.actions.scheduling import ScheduleInput, schedule
from meetings_hub.domain import Actor
from meetings_hub.hub import Hub
from meetings_hub.storage import people
from meetings_hub.storage import savings as store
from meetings_hub.storage import scheduling as meetings_store
from meetings_hub.storage.timefmt import now_utc

# (person id, guest id, minutes after the start joined, minutes after the start left)
Presence = tuple[int | None, int | None, float, float | None]


async def lead_actor(hub: Hub, email: str) -> Actor:
    async with hub.db.read() as reader:
        person = await people.get_by_email(reader, email)
    assert person is not None
    return Actor(person=person)


async def held_session(
    hub: Hub,
    actor: Actor,
    network_id: int,
    presences: list[Presence],
    *,
    start: datetime | None = None,
    minutes: int = 60,
    title: str = "Spotkanie",
    freeze: bool = True,
) -> tuple[int, datetime]:
    """A past online session of the network with these people in its room; frozen unless
    ``freeze`` is False. Returns (meeting id, start)."""
    start = start or (now_utc() - timedelta(days=3)).replace(microsecond=0)
    meeting_id = await schedule(
        hub,
        actor,
        ScheduleInput(title=title, start=start, duration_minutes=minutes, network_id=network_id),
    )
    room_id = await room_actions.room_for_meeting(hub, actor, meeting_id)
    async with hub.db.write() as tx:
        for person_id, guest_id, joined, left in presences:
            await store.insert_attendance(
                tx,
                room_id,
                meeting_id,
                person_id=person_id,
                guest_id=guest_id,
                joined=start + timedelta(minutes=joined),
                left=None if left is None else start + timedelta(minutes=left),
            )
    if freeze:
        async with hub.db.read() as reader:
            meeting = await meetings_store.get(reader, meeting_id)
        assert meeting is not None
        assert await savings_freeze.freeze_one(hub, meeting, meeting.occurrences()[0])
    return meeting_id, start
