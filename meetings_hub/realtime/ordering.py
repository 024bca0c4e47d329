"""Each room's messages reach this process's sockets in seq order, whatever process stored them.

With several processes (Redis), a process hears its own messages at once and the others' a
moment later through Redis, so seq 6 stored here could overtake seq 5 stored there. Clients
drop a message whose seq is not above the last one they hold (docs/realtime.md), so 5 would be
lost to them for good. Here every room with a socket in this process keeps the seq it delivered
last; a message that comes early waits until the ones before it are delivered.

A room's seqs are gap-free and committed in seq order (each is allocated under the database's
write lock, ``storage/chat.commit_batch``), so once seq 6 is known, 5 is in the database. A
message missing for longer than ``GAP_WAIT_SECONDS`` (Redis pub/sub loses what is published
while a subscriber reconnects; another process died between its commit and its publish) is read
from the database instead. Rooms nobody here has joined are not tracked: their messages only
feed rooms lists and notifications, which do not depend on order.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

log = logging.getLogger(__name__)

# Long enough for a message on its way through Redis (a few milliseconds), short enough that a
# lost one holds the room's later messages up only briefly.
GAP_WAIT_SECONDS = 0.5

Message = dict[str, Any]
# Hands one message (and the socket that sent it, which does not get it back) to the sockets.
Deliver = Callable[[Message, Any], None]
# The stored messages of a room after a seq, in seq order, at most ``limit`` of them.
Fetch = Callable[[int, int, int], Awaitable[list[Message]]]


@dataclass
class _Room:
    delivered: int
    holders: int = 0
    waiting: dict[int, tuple[Message, Any]] = field(default_factory=dict)
    timer: asyncio.TimerHandle | None = None
    filling: bool = False
    # (seq, future) of acks waiting until their message has been delivered here.
    acks: list[tuple[int, asyncio.Future[None]]] = field(default_factory=list)


class RoomOrder:
    def __init__(
        self, deliver: Deliver, fetch: Fetch, *, wait: float = GAP_WAIT_SECONDS, limit: int = 1000
    ) -> None:
        self.deliver = deliver
        self.fetch = fetch
        self.wait = wait
        self.limit = limit
        self.rooms: dict[int, _Room] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    def hold(self, room_id: int, delivered: int) -> int:
        """A socket here is joining the room: track it from ``delivered`` (what the database
        and this process have seen) unless tracked already; returns the seq delivered last."""
        room = self.rooms.get(room_id)
        if room is None:
            room = self.rooms[room_id] = _Room(delivered)
        room.holders += 1
        return room.delivered

    def release(self, room_id: int) -> None:
        """A socket here left the room; the last one ends the tracking."""
        room = self.rooms.get(room_id)
        if room is None:
            return
        room.holders -= 1
        if room.holders > 0:
            return
        del self.rooms[room_id]
        # Nobody here is in the room: whatever waits goes out now, as untracked rooms' do.
        for seq in sorted(room.waiting):
            self.deliver(*room.waiting[seq])
        if room.timer is not None:
            room.timer.cancel()
        for _, future in room.acks:
            if not future.done():
                future.set_result(None)

    def delivered(self, room_id: int) -> int | None:
        room = self.rooms.get(room_id)
        return None if room is None else room.delivered

    def offer(self, message: Message, origin: Any = None) -> None:
        """A committed message, stored here or on another process: delivered now if it is the
        room's next, else kept until the ones before it are delivered."""
        room_id = message["room_id"]
        room = self.rooms.get(room_id)
        if room is None:
            self.deliver(message, origin)
            return
        seq = message["seq"]
        if seq <= room.delivered or seq in room.waiting:
            return  # delivered already (read from the database while it was on its way)
        room.waiting[seq] = (message, origin)
        self._drain(room)
        if room.waiting and room.timer is None and not room.filling:
            room.timer = asyncio.get_running_loop().call_later(self.wait, self._gap, room_id)

    async def reached(self, room_id: int, seq: int) -> None:
        """Returns once ``seq`` has been delivered here (at once when it has been, or when the
        room is not tracked): an ack sent after it never overtakes the messages before it."""
        room = self.rooms.get(room_id)
        if room is None or seq <= room.delivered:
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        room.acks.append((seq, future))
        await future

    def _drain(self, room: _Room) -> None:
        while (following := room.waiting.pop(room.delivered + 1, None)) is not None:
            room.delivered += 1
            self.deliver(*following)
        if room.acks:
            still = []
            for seq, future in room.acks:
                if seq <= room.delivered:
                    if not future.done():
                        future.set_result(None)
                else:
                    still.append((seq, future))
            room.acks = still
        if not room.waiting and room.timer is not None:
            room.timer.cancel()
            room.timer = None

    def _gap(self, room_id: int) -> None:
        room = self.rooms.get(room_id)
        if room is None:
            return
        room.timer = None
        room.filling = True
        task = asyncio.get_running_loop().create_task(self._fill(room_id, room))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _fill(self, room_id: int, room: _Room) -> None:
        """Reads the missing messages from the database, up to the first one waiting."""
        try:
            while room.waiting and self.rooms.get(room_id) is room:
                first_waiting = min(room.waiting)
                count = min(first_waiting - 1 - room.delivered, self.limit)
                try:
                    found = await self.fetch(room_id, room.delivered, count)
                except Exception:
                    log.exception("reading the messages missing in room %s failed", room_id)
                    return  # tried again after the wait (finally)
                if self.rooms.get(room_id) is not room:
                    return
                for message in found:
                    if message["seq"] > room.delivered:
                        room.waiting.setdefault(message["seq"], (message, None))
                before = room.delivered
                self._drain(room)
                if room.delivered == before and room.waiting:
                    # Not in the database either: never hold the room up for it.
                    log.warning(
                        "room %s: seq %d-%d not found; delivering on from %d",
                        room_id,
                        before + 1,
                        first_waiting - 1,
                        first_waiting,
                    )
                    room.delivered = first_waiting - 1
                    self._drain(room)
        finally:
            room.filling = False
            if room.waiting and room.timer is None and self.rooms.get(room_id) is room:
                room.timer = asyncio.get_running_loop().call_later(self.wait, self._gap, room_id)

    async def stop(self) -> None:
        for room in self.rooms.values():
            if room.timer is not None:
                room.timer.cancel()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
