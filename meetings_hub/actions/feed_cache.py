"""Built feed files kept in memory, each for the stamp it was built at, and built once at a
time: four calendar apps fetching the same changed feed wait for one build, not four."""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class StampedCache(Generic[T]):
    """Values by key, each valid while its stamp is current, up to ``max_bytes`` in all (as
    ``weigh`` counts them); the least recently used go first."""

    def __init__(self, weigh: Callable[[T], int], max_bytes: int = 32 * 1024 * 1024) -> None:
        self.weigh = weigh
        self.max_bytes = max_bytes
        self.builds = 0  # how many values were made: tests see a 304 made none
        self._values: OrderedDict[int, tuple[str, T]] = OrderedDict()
        self._bytes = 0
        self._making: dict[tuple[int, str], asyncio.Task[T]] = {}

    def get(self, key: int, stamp: str) -> T | None:
        found = self._values.get(key)
        if found is None or found[0] != stamp:
            return None
        self._values.move_to_end(key)
        return found[1]

    async def get_or_make(self, key: int, stamp: str, make: Callable[[], Awaitable[T]]) -> T:
        found = self.get(key, stamp)
        if found is not None:
            return found
        task = self._making.get((key, stamp))
        if task is None:
            task = asyncio.ensure_future(self._make(key, stamp, make))
            self._making[(key, stamp)] = task
            task.add_done_callback(lambda _: self._making.pop((key, stamp), None))
        # A client that hangs up must not cancel the build the others wait for.
        return await asyncio.shield(task)

    async def _make(self, key: int, stamp: str, make: Callable[[], Awaitable[T]]) -> T:
        value = await make()
        self.builds += 1
        old = self._values.pop(key, None)
        if old is not None:
            self._bytes -= self.weigh(old[1])
        self._values[key] = (stamp, value)
        self._bytes += self.weigh(value)
        while self._bytes > self.max_bytes and len(self._values) > 1:
            _, (_, dropped) = self._values.popitem(last=False)
            self._bytes -= self.weigh(dropped)
        return value
