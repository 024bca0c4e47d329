"""Server process heartbeats in Redis (``actions.attendance.Heartbeats``).

``<channel>:process:<id>`` exists while the process beats (it expires after the time to live,
so liveness does not depend on the machines' clocks agreeing); ``<channel>:processes`` keeps
each process's last beat, so the rows of one that died can be closed at that time.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from meetings_hub.storage.timefmt import from_db, to_db


class RedisHeartbeats:
    def __init__(self, url: str, channel: str) -> None:
        import redis.asyncio as aioredis  # only needed with Redis configured

        self.redis: Any = aioredis.Redis.from_url(url, decode_responses=True)
        self.prefix = f"{channel}:process"
        self.last = f"{channel}:processes"

    async def beat(self, process: str, at: datetime, ttl: float) -> None:
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.set(f"{self.prefix}:{process}", to_db(at), px=int(ttl * 1000))
            pipe.hset(self.last, process, to_db(at))
            await pipe.execute()

    async def state(self, process: str, ttl: float) -> tuple[bool, datetime | None]:
        async with self.redis.pipeline(transaction=False) as pipe:
            pipe.exists(f"{self.prefix}:{process}")
            pipe.hget(self.last, process)
            alive, last = await pipe.execute()
        return bool(alive), from_db(last) if last else None

    async def forget(self, process: str) -> None:
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.delete(f"{self.prefix}:{process}")
            pipe.hdel(self.last, process)
            await pipe.execute()

    async def close(self) -> None:
        await self.redis.aclose()
