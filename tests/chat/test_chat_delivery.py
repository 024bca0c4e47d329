"""Exactly once, in order: a client dropped mid-stream, polling-only clients, a server restart."""

from __future__ import annotations

import asyncio
from pathlib import Path

from meetings_hub.actions import demo
from tests.chat.support import ChatClient, network_id_of, signed_in, wait_for
from tests.support import LEAD, PARTNER, Server, make_settings, start_server


async def _room(server: Server) -> tuple[int, str, str]:
    lead, lead_token = await signed_in(server, LEAD)
    partner, partner_token = await signed_in(server, PARTNER)
    network_id = await network_id_of(server, "Morawicy")
    status, body = await lead.post(f"/api/v1/networks/{network_id}/room")
    assert status == 200, body
    await lead.close()
    await partner.close()
    return body["id"], lead_token, partner_token


def _successor(old: ChatClient, label: str) -> ChatClient:
    """A new connection that remembers what the dropped one had (as a browser tab would)."""
    new = ChatClient(label)
    new.messages = old.messages
    new.last_seq = old.last_seq
    return new


async def _send_many(sender: ChatClient, room_id: int, start: int, count: int) -> list[int]:
    seqs = []
    for first in range(start, start + count, 10):
        acks = await asyncio.gather(
            *(
                sender.send(room_id, f"msg {i}")
                for i in range(first, min(first + 10, start + count))
            )
        )
        assert all(a["ok"] for a in acks), acks
        seqs += [a["seq"] for a in acks]
    return seqs


async def test_drop_mid_stream_and_reconnect_no_loss_no_dupes(server: Server) -> None:
    room_id, lead_token, partner_token = await _room(server)
    sender = ChatClient("sender")
    steady = ChatClient("steady-polling")
    dropper = ChatClient("dropper")
    await sender.connect(server, lead_token)
    await steady.connect(server, partner_token, transports=["polling"])
    await dropper.connect(server, partner_token)
    for c in (sender, steady, dropper):
        await c.join(room_id)
    try:
        sending = asyncio.create_task(_send_many(sender, room_id, 0, 300))
        await wait_for(lambda: len(dropper.seqs(room_id)) >= 60)
        await dropper.close()  # dropped mid-stream
        await asyncio.sleep(0.1)
        back = _successor(dropper, "back")
        await back.connect(server, partner_token, transports=["polling"])
        await back.join(room_id)  # replay from its last seq while the sender keeps going
        seqs = await sending
        assert sorted(seqs) == list(range(1, 301))
        expected = list(range(1, 301))
        await wait_for(lambda: back.seqs(room_id)[-1:] == [300])
        await wait_for(lambda: steady.seqs(room_id)[-1:] == [300])
        assert back.seqs(room_id) == expected  # exactly once, in order
        assert steady.seqs(room_id) == expected
        await back.close()
    finally:
        await sender.close()
        await steady.close()


async def test_server_restart_recovers_by_seq(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    server = await start_server(settings)
    await demo.load(server.hub)
    room_id, lead_token, partner_token = await _room(server)
    sender, reader = ChatClient("sender"), ChatClient("reader")
    await sender.connect(server, lead_token)
    await reader.connect(server, partner_token)
    await sender.join(room_id)
    await reader.join(room_id)
    await _send_many(sender, room_id, 0, 20)
    await wait_for(lambda: reader.seqs(room_id)[-1:] == [20])
    await reader.close()
    await _send_many(sender, room_id, 20, 15)  # the reader misses these
    started = asyncio.get_running_loop().time()
    await server.runner.cleanup()
    assert asyncio.get_running_loop().time() - started < 5, "shutdown must not wait on sockets"
    assert not sender.sio.connected or await _gone(sender)
    server = await start_server(settings)  # same database file, same port
    try:
        sender2, reader2 = _successor(sender, "sender2"), _successor(reader, "reader2")
        await sender2.connect(server, lead_token)
        await reader2.connect(server, partner_token)
        await sender2.join(room_id)
        ack = await reader2.join(room_id)
        assert ack["replayed"] == 15
        await wait_for(lambda: reader2.seqs(room_id)[-1:] == [35])
        assert reader2.seqs(room_id) == list(range(1, 36))
        after = await sender2.send(room_id, "after the restart")
        assert after["seq"] == 36  # gap-free across the restart
        await wait_for(lambda: reader2.seqs(room_id)[-1:] == [36])
        await sender2.close()
        await reader2.close()
    finally:
        await server.runner.cleanup()


async def _gone(client: ChatClient) -> bool:
    await wait_for(lambda: not client.sio.connected, 5)
    return True
