"""RoomOrder on its own: messages reach the sockets in seq order, a gap is read from the store,
and nothing waits for ever."""

from __future__ import annotations

import asyncio
from typing import Any

from meetings_hub.realtime.ordering import RoomOrder

ROOM = 7


def _message(seq: int) -> dict[str, Any]:
    return {"room_id": ROOM, "seq": seq, "text": f"m{seq}"}


class _Store:
    """The room's stored messages, as the database would answer."""

    def __init__(self, seqs: range) -> None:
        self.messages = {seq: _message(seq) for seq in seqs}
        self.asked: list[tuple[int, int]] = []

    async def after(self, room_id: int, seq: int, limit: int) -> list[dict[str, Any]]:
        assert room_id == ROOM
        self.asked.append((seq, limit))
        return [self.messages[s] for s in sorted(self.messages) if s > seq][:limit]


def _order(store: _Store, delivered: list[int], wait: float = 0.05) -> RoomOrder:
    return RoomOrder(lambda m, origin: delivered.append(m["seq"]), store.after, wait=wait)


async def test_an_early_message_waits_for_the_ones_before_it() -> None:
    delivered: list[int] = []
    store = _Store(range(1, 10))
    order = _order(store, delivered, wait=5)
    order.hold(ROOM, 2)
    for seq in (4, 3, 6, 5, 2, 7):
        order.offer(_message(seq))
    assert delivered == [3, 4, 5, 6, 7]
    assert store.asked == []  # no gap lasted: nothing read
    await order.stop()


async def test_a_lost_message_is_read_from_the_store_after_the_wait() -> None:
    delivered: list[int] = []
    store = _Store(range(1, 10))
    order = _order(store, delivered)
    order.hold(ROOM, 0)
    order.offer(_message(1))
    order.offer(_message(4))  # 2 and 3 were lost on the way
    order.offer(_message(5))
    assert delivered == [1]
    ack = asyncio.ensure_future(order.reached(ROOM, 5))
    await asyncio.sleep(0.2)
    assert delivered == [1, 2, 3, 4, 5]
    assert store.asked == [(1, 2)]
    assert ack.done()
    order.offer(_message(3))  # arrives late after all: not delivered twice
    assert delivered == [1, 2, 3, 4, 5]
    await order.stop()


async def test_a_seq_missing_from_the_store_too_does_not_hold_the_room() -> None:
    delivered: list[int] = []
    store = _Store(range(4, 5))
    order = _order(store, delivered)
    order.hold(ROOM, 1)
    order.offer(_message(4))
    await asyncio.sleep(0.2)
    assert delivered == [4]
    await order.stop()


async def test_untracked_rooms_pass_and_the_last_leaver_flushes() -> None:
    delivered: list[int] = []
    order = _order(_Store(range(1, 10)), delivered, wait=5)
    order.offer(_message(9))  # nobody here joined the room: straight through
    assert delivered == [9]
    delivered.clear()
    order.hold(ROOM, 2)
    order.hold(ROOM, 2)
    order.offer(_message(5))
    order.release(ROOM)
    assert delivered == []  # one socket still in the room: 5 still waits for 3 and 4
    order.release(ROOM)
    assert delivered == [5]
    assert order.delivered(ROOM) is None
    await order.stop()
