"""Attendance in session rooms: who was present when, and for how many minutes.

The realtime layer counts tabs and calls ``arrived`` on a person's first socket in a session
room and ``departed`` on their last, so several tabs count once. With several server processes
each keeps its own row per person and room (the minutes count the union of the rows), so no
process ever closes a row of a person connected to another one: a process closes its rows
when it stops, and rows of a process that died are closed by a sweep of the others at its
last heartbeat.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import datetime, timedelta
from typing import Any, Protocol

from meetings_hub.actions.guests import check_manages_meeting
from meetings_hub.actions.rooms import RoomAccess
from meetings_hub.domain import Actor
from meetings_hub.errors import NotFound
from meetings_hub.hub import Hub
from meetings_hub.storage import processes, rooms
from meetings_hub.storage.timefmt import from_db, now_utc

log = logging.getLogger(__name__)


def _ids(actor: Actor) -> tuple[int | None, int | None]:
    return (
        actor.person.id if actor.person else None,
        actor.guest.id if actor.guest else None,
    )


async def arrived(hub: Hub, access: RoomAccess, actor: Actor) -> None:
    """This process's first tab of the actor in a session room: opens this process's row."""
    if access.room["kind"] != "session":
        return
    person_id, guest_id = _ids(actor)
    async with hub.db.write() as tx:
        await rooms.open_attendance(
            tx,
            access.room_id,
            access.room["meeting_id"],
            person_id=person_id,
            guest_id=guest_id,
            process=hub.process_id,
        )


async def departed(hub: Hub, room_id: int, actor: Actor) -> None:
    """This process's last tab of the actor left: closes this process's row (a tab on another
    process keeps that process's own row open)."""
    person_id, guest_id = _ids(actor)
    async with hub.db.write() as tx:
        await rooms.close_attendance(
            tx, room_id, person_id=person_id, guest_id=guest_id, process=hub.process_id
        )


class Heartbeats(Protocol):
    """Where server processes show they are alive: Redis when configured, else the database."""

    async def beat(self, process: str, at: datetime, ttl: float) -> None: ...

    async def state(self, process: str, ttl: float) -> tuple[bool, datetime | None]:
        """(alive, last heartbeat if known) of a process."""
        ...

    async def forget(self, process: str) -> None: ...

    async def close(self) -> None: ...


class DatabaseHeartbeats:
    def __init__(self, hub: Hub) -> None:
        self.hub = hub

    async def beat(self, process: str, at: datetime, ttl: float) -> None:
        async with self.hub.db.write() as tx:
            await processes.beat(tx, process, at)

    async def state(self, process: str, ttl: float) -> tuple[bool, datetime | None]:
        async with self.hub.db.read() as reader:
            last = (await processes.last_beats(reader)).get(process)
        alive = last is not None and now_utc() - last < timedelta(seconds=ttl)
        return alive, last

    async def forget(self, process: str) -> None:
        async with self.hub.db.write() as tx:
            await processes.forget(tx, process)

    async def close(self) -> None:
        return None


async def sweep(hub: Hub, beats: Heartbeats, ttl: float) -> int:
    """Closes the rows of processes that are gone (heartbeat older than ``ttl``) at their last
    heartbeat, and rows from before processes owned them; returns how many."""
    async with hub.db.read() as reader:
        owners = await rooms.processes_with_open_attendance(reader)
    closed = 0
    for owner in owners:
        if owner == hub.process_id:
            continue
        last: datetime | None = None
        if owner is not None:
            alive, last = await beats.state(owner, ttl)
            if alive:
                continue
        async with hub.db.write() as tx:
            count = await rooms.close_attendance_of_process(tx, owner, last or now_utc())
        closed += count
        if owner is not None:
            await beats.forget(owner)
        log.info("closed %d attendance rows left open by process %s", count, owner)
    return closed


class ProcessAttendance:
    """This process's part: a heartbeat every ``process_heartbeat_seconds``, a sweep after
    each, and its own rows closed when it stops. A process dead for three periods is gone."""

    def __init__(self, hub: Hub, beats: Heartbeats) -> None:
        self.hub = hub
        self.beats = beats
        self.period = hub.settings.process_heartbeat_seconds
        self.ttl = 3 * self.period
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        # Redis away at start must not keep the server down (the chat tolerates it too).
        await self._beat()
        await self._sweep()
        self._task = asyncio.get_running_loop().create_task(self._run(), name="attendance-beat")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        try:
            async with self.hub.db.write() as tx:
                await rooms.close_attendance_of_process(tx, self.hub.process_id, now_utc())
            await self.beats.forget(self.hub.process_id)
        finally:
            await self.beats.close()

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.period)
            if await self._beat():
                await self._sweep()

    async def _beat(self) -> bool:
        try:
            await self.beats.beat(self.hub.process_id, now_utc(), self.ttl)
        except Exception:
            log.exception("the attendance heartbeat failed")
            return False
        return True

    async def _sweep(self) -> None:
        try:
            await sweep(self.hub, self.beats, self.ttl)
        except Exception:
            log.exception("the attendance sweep failed")


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
