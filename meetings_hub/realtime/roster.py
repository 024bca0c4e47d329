"""Who is in a room across server processes: the participant list, "joined"/"left" and
attendance must not depend on which process a person's tab reached.

Each process counts its own tabs (``ChatNamespace.tabs``); the roster only tells it about the
*other* processes. With one process (no Redis) there are none: ``LocalRoster`` answers "nobody
else". With Redis, ``RedisRoster`` keeps, per room and process, a hash of who has a tab there
(``<channel>:roster:<room>:<process>``, field = who, value = JSON name and guest flag) and a set
of the processes that have such a hash (``<channel>:roster:<room>``). Both expire unless the
owning process renews them, so a process that dies without cleaning up drops out within
``TTL_SECONDS``; one that stops normally deletes its hashes.

The checks are not atomic across processes: two tabs of one person opening or closing on two
processes at the same moment may give a "joined" or "left" too many. Clients treat both as
idempotent updates of the list, so the list itself comes out right.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import uuid
from typing import Any, Protocol

log = logging.getLogger(__name__)

TTL_SECONDS = 90
RENEW_SECONDS = 30


class Roster(Protocol):
    async def add(self, room_id: int, who: str, name: str, guest: bool) -> bool:
        """This process has the first tab of ``who`` in the room; True if another process has
        one too (so the room already shows them)."""
        ...

    async def remove(self, room_id: int, who: str) -> bool:
        """This process closed the last tab of ``who`` in the room; True if another process
        still has one (so they stay in the room)."""
        ...

    async def others(self, room_id: int) -> dict[str, tuple[str, bool]]:
        """who -> (name, guest) of those with a tab in the room on another process."""
        ...

    async def start(self) -> None: ...

    async def stop(self) -> None: ...


class LocalRoster:
    """One process: nobody is anywhere else."""

    async def add(self, room_id: int, who: str, name: str, guest: bool) -> bool:
        return False

    async def remove(self, room_id: int, who: str) -> bool:
        return False

    async def others(self, room_id: int) -> dict[str, tuple[str, bool]]:
        return {}

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None


class RedisRoster:
    def __init__(self, url: str, channel: str, process: str | None = None) -> None:
        import redis.asyncio as aioredis  # only needed with Redis configured

        self.redis: Any = aioredis.Redis.from_url(url, decode_responses=True)
        self.prefix = f"{channel}:roster"
        self.process = process or uuid.uuid4().hex
        # room id -> who -> (name, guest) of this process's tabs.
        self.mine: dict[int, dict[str, tuple[str, bool]]] = {}
        self._renewer: asyncio.Task[None] | None = None

    def _set(self, room_id: int) -> str:
        return f"{self.prefix}:{room_id}"

    def _hash(self, room_id: int, process: str) -> str:
        return f"{self.prefix}:{room_id}:{process}"

    async def add(self, room_id: int, who: str, name: str, guest: bool) -> bool:
        self.mine.setdefault(room_id, {})[who] = (name, guest)
        elsewhere = who in await self.others(room_id)
        own = self._hash(room_id, self.process)
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.hset(own, who, json.dumps([name, guest]))
            pipe.expire(own, TTL_SECONDS)
            pipe.sadd(self._set(room_id), self.process)
            pipe.expire(self._set(room_id), TTL_SECONDS)
            await pipe.execute()
        return elsewhere

    async def remove(self, room_id: int, who: str) -> bool:
        here = self.mine.get(room_id, {})
        here.pop(who, None)
        own = self._hash(room_id, self.process)
        if here:
            await self.redis.hdel(own, who)
        else:
            self.mine.pop(room_id, None)
            async with self.redis.pipeline(transaction=True) as pipe:
                pipe.delete(own)
                pipe.srem(self._set(room_id), self.process)
                await pipe.execute()
        return who in await self.others(room_id)

    async def others(self, room_id: int) -> dict[str, tuple[str, bool]]:
        processes = [p for p in await self.redis.smembers(self._set(room_id)) if p != self.process]
        found: dict[str, tuple[str, bool]] = {}
        for process in processes:
            entries = await self.redis.hgetall(self._hash(room_id, process))
            if not entries:  # that process is gone (its hash expired): forget it
                await self.redis.srem(self._set(room_id), process)
                continue
            for who, raw in entries.items():
                name, guest = json.loads(raw)
                found[who] = (str(name), bool(guest))
        return found

    async def start(self) -> None:
        self._renewer = asyncio.get_running_loop().create_task(
            self._renew(), name="chat-roster-renew"
        )

    async def stop(self) -> None:
        if self._renewer is not None:
            self._renewer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._renewer
        with contextlib.suppress(Exception):
            for room_id in list(self.mine):
                await self.redis.delete(self._hash(room_id, self.process))
                await self.redis.srem(self._set(room_id), self.process)
        with contextlib.suppress(Exception):
            await self.redis.aclose()

    async def _renew(self) -> None:
        while True:
            await asyncio.sleep(RENEW_SECONDS)
            try:
                async with self.redis.pipeline(transaction=False) as pipe:
                    for room_id in list(self.mine):
                        pipe.expire(self._hash(room_id, self.process), TTL_SECONDS)
                        pipe.sadd(self._set(room_id), self.process)
                        pipe.expire(self._set(room_id), TTL_SECONDS)
                    await pipe.execute()
            except Exception:
                log.exception("renewing the room roster in Redis failed")
