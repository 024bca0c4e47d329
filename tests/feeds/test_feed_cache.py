"""The in-memory feed cache: valid for one stamp, bounded by bytes, one build at a time."""

from __future__ import annotations

import asyncio

import pytest

from meetings_hub.actions.feed_cache import StampedCache


async def test_a_value_holds_for_its_stamp_only_and_old_ones_go_past_the_budget() -> None:
    cache = StampedCache[bytes](len, max_bytes=10)

    async def make(value: bytes) -> bytes:
        return value

    assert await cache.get_or_make(1, "a", lambda: make(b"1234")) == b"1234"
    assert cache.get(1, "a") == b"1234" and cache.get(1, "b") is None
    await cache.get_or_make(2, "a", lambda: make(b"5678"))
    cache.get(1, "a")  # 1 is now the most recently used
    await cache.get_or_make(3, "a", lambda: make(b"9999"))
    assert cache.get(2, "a") is None, "the least recently used went first"
    assert cache.get(1, "a") == b"1234" and cache.get(3, "a") == b"9999"
    assert cache.builds == 3


async def test_simultaneous_asks_share_one_build_and_a_failure_is_not_kept() -> None:
    cache = StampedCache[bytes](len)
    calls = 0
    release = asyncio.Event()

    async def slow() -> bytes:
        nonlocal calls
        calls += 1
        await release.wait()
        return b"feed"

    waiting = [asyncio.ensure_future(cache.get_or_make(7, "s", slow)) for _ in range(4)]
    await asyncio.sleep(0.01)
    waiting[0].cancel()  # a client hanging up does not stop the build for the others
    release.set()
    assert [await w for w in waiting[1:]] == [b"feed"] * 3
    assert calls == 1

    async def broken() -> bytes:
        raise LookupError("gone")

    with pytest.raises(LookupError):
        await cache.get_or_make(8, "s", broken)
    assert await cache.get_or_make(8, "s", slow) == b"feed"
