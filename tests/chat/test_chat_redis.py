"""Two server processes on one database, joined by Redis: a message sent on one arrives on
the other (python-socketio's AsyncRedisManager under our fast local delivery)."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from meetings_hub.realtime.roster import RedisRoster
from tests.chat.redis_support import (
    lead_and_partner_in_a_room,
    redis_up,
    serve,
    stop_all,
    two_processes,
)
from tests.chat.support import ChatClient, session_token, wait_for
from tests.support import Client, free_port, require

pytestmark = pytest.mark.redis


async def test_two_processes_share_broadcasts_through_redis(tmp_path: Path) -> None:
    procs, first, second = await two_processes(tmp_path)
    clients: list[ChatClient] = []
    try:
        lead_http, partner_http, room = await lead_and_partner_in_a_room(first, second)
        a, b = ChatClient("on first"), ChatClient("on second")
        clients += [a, b]
        await a.connect(first, session_token(lead_http))  # type: ignore[arg-type]
        await b.connect(second, session_token(partner_http))  # type: ignore[arg-type]
        await a.join(room["id"])
        await b.join(room["id"])
        sent = await asyncio.gather(*(a.send(room["id"], f"z pierwszego {i}") for i in range(40)))
        assert sorted(s["seq"] for s in sent) == list(range(1, 41))
        await wait_for(lambda: len(b.seqs(room["id"])) == 40)
        assert b.seqs(room["id"]) == list(range(1, 41))  # in order across processes
        back = await b.send(room["id"], "z drugiego")
        assert back["seq"] == 41  # one gap-free sequence across both processes
        await wait_for(lambda: a.seqs(room["id"]) == [41])
        typing = await b.call("typing", {"room_id": room["id"], "typing": True})
        assert typing["ok"]
        await wait_for(lambda: any(e == "typing" for e, _ in a.events))
        await lead_http.close()
        await partner_http.close()
    finally:
        for c in clients:
            await c.close()
        await stop_all(procs)


async def test_the_participant_list_and_left_span_both_processes(tmp_path: Path) -> None:
    procs, first, second = await two_processes(tmp_path)
    clients: list[ChatClient] = []
    try:
        lead_http, partner_http, room = await lead_and_partner_in_a_room(first, second)
        room_id = room["id"]
        lead = ChatClient("lead on first")
        tab_two = ChatClient("partner on second")
        tab_one = ChatClient("partner on first")
        clients += [lead, tab_two, tab_one]
        await lead.connect(first, session_token(lead_http))  # type: ignore[arg-type]
        await lead.join(room_id)
        # The partner's first tab reaches the other process: she still sees the lead there.
        await tab_two.connect(second, session_token(partner_http))  # type: ignore[arg-type]
        ack = await tab_two.join(room_id)
        assert {p["name"] for p in ack["participants"]} == {"Anna Kowalczyk", "Tomasz Zieliński"}
        await wait_for(lambda: any(e == "joined" for e, _ in lead.events))
        # A second tab of hers, on the lead's process: no second "joined".
        await tab_one.connect(first, session_token(partner_http))  # type: ignore[arg-type]
        await tab_one.join(room_id)
        await asyncio.sleep(0.3)
        assert [e for e, _ in lead.events].count("joined") == 1
        # Closing the tab on the second process does not make her leave: one tab is left.
        await tab_two.close()
        await asyncio.sleep(0.5)
        assert "left" not in [e for e, _ in lead.events]
        await tab_one.close()
        await wait_for(lambda: "left" in [e for e, _ in lead.events])
        await lead_http.close()
        await partner_http.close()
    finally:
        for c in clients:
            await c.close()
        await stop_all(procs)


async def test_roster_forgets_a_process_whose_entries_expired() -> None:
    require(redis_up(), "Redis on 127.0.0.1:6379")
    channel = f"meetings_hub_test_{uuid.uuid4().hex}"
    one, two = (
        RedisRoster("redis://127.0.0.1:6379/0", channel),
        RedisRoster("redis://127.0.0.1:6379/0", channel),
    )
    try:
        assert await one.add(7, "p:3", "Anna", False) is False
        assert await two.add(7, "p:3", "Anna", False) is True  # she is on the first already
        assert await two.others(7) == {"p:3": ("Anna", False)}
        assert await one.remove(7, "p:3") is True  # still on the second
        await one.add(7, "g:5", "Gość", True)
        # The first process dies; its hash expires (TTL) and the others stop counting it.
        await one.redis.delete(one._hash(7, one.process))
        assert await two.others(7) == {}
        assert one.process not in await two.redis.smembers(two._set(7))
        assert await two.remove(7, "p:3") is False
    finally:
        await one.stop()
        await two.stop()


class _Timeline(ChatClient):
    """Also records, in arrival order, the seq of every message event and of every own ack:
    what a client that keeps "the last seq held" sees."""

    def __init__(self, label: str) -> None:
        super().__init__(label)
        self.timeline: list[int] = []
        # Events that came with a seq not above one held already (by event or own ack): a
        # client following docs/realtime.md drops them.
        self.dropped: list[int] = []

    async def _on_message(self, data: dict[str, Any]) -> None:
        if self.timeline and data["seq"] <= max(self.timeline):
            self.dropped.append(data["seq"])
        self.timeline.append(data["seq"])
        await super()._on_message(data)

    async def send(self, room_id: int, text: str, cmid: str | None = None, **extra: Any) -> Any:
        ack = await super().send(room_id, text, cmid, **extra)
        assert ack["ok"], ack
        self.timeline.append(ack["seq"])
        return ack


async def test_each_room_is_delivered_in_seq_order_whatever_process_sent(tmp_path: Path) -> None:
    """One sender on each process at about 20 messages a second, receivers on both: everyone
    sees every message once, in seq order, so the documented rule (drop a message whose seq is
    not above the last one held) never drops one."""
    procs, first, second = await two_processes(tmp_path)
    clients: list[_Timeline] = []
    per_sender = 100
    lead_http = partner_http = None
    try:
        lead_http, partner_http, room = await lead_and_partner_in_a_room(first, second)
        room_id = room["id"]
        tokens = {"lead": session_token(lead_http), "partner": session_token(partner_http)}
        places = {"first": first, "second": second}
        sender_a, sender_b = _Timeline("lead sends on first"), _Timeline("partner sends on second")
        receivers = []
        await sender_a.connect(first, tokens["lead"])  # type: ignore[arg-type]
        await sender_b.connect(second, tokens["partner"])  # type: ignore[arg-type]
        for who, token in tokens.items():
            for where, place in places.items():
                receiver = _Timeline(f"{who} reads on {where}")
                receivers.append(receiver)
                await receiver.connect(place, token)  # type: ignore[arg-type]
        clients += [sender_a, sender_b, *receivers]
        for client in clients:
            await client.join(room_id)

        async def send_all(sender: _Timeline) -> None:
            for i in range(per_sender):
                await sender.send(room_id, f"{sender.label} {i}")
                await asyncio.sleep(0.05)

        await asyncio.gather(send_all(sender_a), send_all(sender_b))
        total = 2 * per_sender
        for receiver in receivers:
            await wait_for(lambda r=receiver: len(r.seqs(room_id)) >= total)
        await asyncio.sleep(0.3)  # nothing more (no duplicate) arrives
        for receiver in receivers:
            assert receiver.seqs(room_id) == list(range(1, total + 1)), receiver.label
        for sender in (sender_a, sender_b):
            # A sender's own ack may come after a later message of the other sender (both are
            # in order on the server), never before an earlier one.
            await wait_for(lambda s=sender: len(s.timeline) >= total)
            assert sorted(sender.timeline) == list(range(1, total + 1)), sender.label
            assert sender.dropped == [], sender.label
        for receiver in receivers:
            assert receiver.dropped == [], receiver.label
    finally:
        for http in (lead_http, partner_http):
            if http is not None:
                await http.close()
        for c in clients:
            await c.close()
        await stop_all(procs)


async def _session_room(lead_http: Client) -> tuple[int, int]:
    """A meeting of the lead's network starting in a few minutes, and its session room."""
    start = (datetime.now(UTC) + timedelta(minutes=5)).replace(microsecond=0)
    status, meeting = await lead_http.post(
        "/api/v1/meetings", {"title": "Spotkanie dwóch procesów", "start": start.isoformat()}
    )
    assert status == 201, meeting
    status, room = await lead_http.post(f"/api/v1/meetings/{meeting['id']}/room")
    assert status in (200, 201), room
    return meeting["id"], room["id"]


async def _attendance(lead_http: Client, meeting_id: int) -> dict[str, dict[str, Any]]:
    status, body = await lead_http.get(f"/api/v1/meetings/{meeting_id}/attendance")
    assert status == 200, body
    return {p["name"]: p for p in body["people"]}


LEAD_NAME, PARTNER_NAME = "Anna Kowalczyk", "Tomasz Zieliński"
BEAT = {"MEETINGS_HUB_PROCESS_HEARTBEAT_SECONDS": "0.5"}  # gone after 1.5 s without a beat


async def test_a_process_that_stops_or_starts_leaves_the_others_attendance_open(
    tmp_path: Path,
) -> None:
    channel = f"meetings_hub_test_{uuid.uuid4().hex}"
    procs, first, second = await two_processes(tmp_path, BEAT, channel=channel)
    clients: list[ChatClient] = []
    try:
        lead_http, partner_http, _ = await lead_and_partner_in_a_room(first, second)
        meeting_id, room_id = await _session_room(lead_http)
        lead, partner = ChatClient("lead on first"), ChatClient("partner on second")
        clients += [lead, partner]
        await lead.connect(first, session_token(lead_http))  # type: ignore[arg-type]
        await partner.connect(second, session_token(partner_http))  # type: ignore[arg-type]
        await lead.join(room_id)
        await partner.join(room_id)
        people = await _attendance(lead_http, meeting_id)
        assert people[LEAD_NAME]["present"] and people[PARTNER_NAME]["present"]
        # The second process stops: its people leave; the lead, on the first, stays present.
        procs[1].terminate()
        assert await asyncio.wait_for(procs[1].wait(), 20) == 0
        people = await _attendance(lead_http, meeting_id)
        assert people[LEAD_NAME]["present"], people
        assert not people[PARTNER_NAME]["present"], people
        # A process that starts closes nobody's rows either; nor do the sweeps that follow.
        procs[1] = await serve(tmp_path, free_port(), channel, BEAT)
        await asyncio.sleep(2.0)
        people = await _attendance(lead_http, meeting_id)
        assert people[LEAD_NAME]["present"], people
        assert len(people[LEAD_NAME]["intervals"]) == 1
        await lead_http.close()
        await partner_http.close()
    finally:
        for c in clients:
            await c.close()
        await stop_all(procs)


async def test_the_rows_of_a_killed_process_are_closed_by_a_survivor_at_its_last_beat(
    tmp_path: Path,
) -> None:
    procs, first, second = await two_processes(tmp_path, BEAT)
    clients: list[ChatClient] = []
    try:
        lead_http, partner_http, _ = await lead_and_partner_in_a_room(first, second)
        meeting_id, room_id = await _session_room(lead_http)
        lead, partner = ChatClient("lead on first"), ChatClient("partner on second")
        clients += [lead, partner]
        await lead.connect(first, session_token(lead_http))  # type: ignore[arg-type]
        await partner.connect(second, session_token(partner_http))  # type: ignore[arg-type]
        await lead.join(room_id)
        await partner.join(room_id)
        await asyncio.sleep(1.2)  # a beat or two
        procs[1].kill()
        killed_at = datetime.now(UTC)
        await procs[1].wait()
        people = await _attendance(lead_http, meeting_id)
        assert people[PARTNER_NAME]["present"]  # not before its heartbeat has expired

        async def closed() -> bool:
            return not (await _attendance(lead_http, meeting_id))[PARTNER_NAME]["present"]

        deadline = asyncio.get_running_loop().time() + 10
        while not await closed():
            assert asyncio.get_running_loop().time() < deadline, "the row stayed open"
            await asyncio.sleep(0.2)
        people = await _attendance(lead_http, meeting_id)
        left = datetime.fromisoformat(people[PARTNER_NAME]["intervals"][0]["left_at"])
        joined = datetime.fromisoformat(people[PARTNER_NAME]["intervals"][0]["joined_at"])
        # Closed at its last heartbeat: before the kill, at most one beat period before it.
        assert joined <= left <= killed_at, (joined, left, killed_at)
        assert killed_at - left < timedelta(seconds=2.5), (left, killed_at)
        assert people[LEAD_NAME]["present"], people
        await lead_http.close()
        await partner_http.close()
    finally:
        for c in clients:
            await c.close()
        await stop_all(procs)
