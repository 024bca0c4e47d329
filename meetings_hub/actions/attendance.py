"""Attendance in session rooms: who was present when, and for how many minutes.

The realtime layer counts tabs and calls ``arrived`` on a person's first socket in a session
room and ``departed`` on their last, so several tabs count once.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from meetings_hub.actions.guests import check_manages_meeting
from meetings_hub.actions.rooms import RoomAccess
from meetings_hub.domain import Actor
from meetings_hub.errors import NotFound
from meetings_hub.hub import Hub
from meetings_hub.storage import rooms
from meetings_hub.storage.timefmt import from_db, now_utc


def _ids(actor: Actor) -> tuple[int | None, int | None]:
    return (
        actor.person.id if actor.person else None,
        actor.guest.id if actor.guest else None,
    )


async def arrived(hub: Hub, access: RoomAccess, actor: Actor) -> None:
    if access.room["kind"] != "session":
        return
    person_id, guest_id = _ids(actor)
    async with hub.db.write() as tx:
        await rooms.open_attendance(
            tx, access.room_id, access.room["meeting_id"], person_id=person_id, guest_id=guest_id
        )


async def departed(hub: Hub, room_id: int, actor: Actor) -> None:
    person_id, guest_id = _ids(actor)
    async with hub.db.write() as tx:
        await rooms.close_attendance(tx, room_id, person_id=person_id, guest_id=guest_id)


async def close_all(hub: Hub) -> None:
    """At shutdown (and after a crash, at start): nobody is present any more."""
    async with hub.db.write() as tx:
        await rooms.close_all_attendance(tx)


def merged_minutes(intervals: list[tuple[datetime, datetime]]) -> int:
    """Minutes covered by the union of the intervals (overlapping tabs or processes once)."""
    total = 0.0
    current: tuple[datetime, datetime] | None = None
    for start, end in sorted(intervals):
        if current is None or start > current[1]:
            if current is not None:
                total += (current[1] - current[0]).total_seconds()
            current = (start, end)
        else:
            current = (current[0], max(current[1], end))
    if current is not None:
        total += (current[1] - current[0]).total_seconds()
    return round(total / 60)


async def for_meeting(hub: Hub, actor: Actor, meeting_id: int) -> dict[str, Any]:
    """The attendance list of a meeting's session room (organisers, lead library, coordinators)."""
    async with hub.db.write() as tx:
        await check_manages_meeting(tx, actor, meeting_id)
        room = await rooms.by_meeting(tx, meeting_id)
    if room is None:
        return {"meeting_id": meeting_id, "room_id": None, "people": []}
    async with hub.db.read() as reader:
        rows = await rooms.attendance_rows(reader, room["id"])
    now = now_utc()
    people: dict[str, dict[str, Any]] = {}
    spans: dict[str, list[tuple[datetime, datetime]]] = {}
    for row in rows:
        who = f"p:{row['person_id']}" if row["person_id"] is not None else f"g:{row['guest_id']}"
        entry = people.setdefault(
            who,
            {
                "who": who,
                "name": row["name"],
                "guest": row["guest_id"] is not None,
                "library": row["library"],
                "first_joined": row["joined_at"],
                "last_left": None,
                "present": False,
                "minutes": 0,
                "intervals": [],
            },
        )
        entry["intervals"].append({"joined_at": row["joined_at"], "left_at": row["left_at"]})
        if row["left_at"] is None:
            entry["present"] = True
        elif entry["last_left"] is None or row["left_at"] > entry["last_left"]:
            entry["last_left"] = row["left_at"]
        end = from_db(row["left_at"]) if row["left_at"] else now
        spans.setdefault(who, []).append((from_db(row["joined_at"]), end))
    for who, entry in people.items():
        entry["minutes"] = merged_minutes(spans[who])
    if not people and room is None:
        raise NotFound("Meeting not found.")
    return {"meeting_id": meeting_id, "room_id": room["id"], "people": list(people.values())}
