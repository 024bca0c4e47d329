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


async def test_edits_and_deletions_made_while_away_are_replayed(server: Server) -> None:
    room_id, lead_token, partner_token = await _room(server)
    lead, away = ChatClient("lead"), ChatClient("away")
    await lead.connect(server, lead_token)
    await away.connect(server, partner_token)
    try:
        await lead.join(room_id)
        first_join = await away.join(room_id)
        change = first_join["room"]["last_change"]
        sent = [(await lead.send(room_id, f"wiadomość {n}")) for n in range(3)]
        await wait_for(lambda: len(away.seqs(room_id)) == 3)
        await away.close()

        # While the partner is away: one edit, one deletion, one new message.
        assert (
            await lead.call("edit", {"room_id": room_id, "id": sent[0]["id"], "text": "Poprawka"})
        )["ok"]
        assert (await lead.call("delete", {"room_id": room_id, "id": sent[1]["id"]}))["ok"]
        await lead.send(room_id, "nowa")

        back = _successor(away, "back")
        await back.connect(server, partner_token)
        ack = await back.call(
            "join", {"room_id": room_id, "last_seq": back.last_seq[room_id], "last_change": change}
        )
        assert ack["ok"] and ack["room"]["last_change"] == change + 2
        await wait_for(lambda: len(back.seqs(room_id)) == 4)
        updates = [data for name, data in back.events if name == "message_updated"]
        assert [(u["id"], u["text"], u["deleted"]) for u in updates] == [
            (sent[0]["id"], "Poprawka", False),
            (sent[1]["id"], "", True),
        ]
        assert back.seqs(room_id) == [1, 2, 3, 4]  # the new one as a message, once

        # With the change number from that ack, a further rejoin has nothing to replay.
        again = ChatClient("again")
        await again.connect(server, partner_token)
        await again.call(
            "join", {"room_id": room_id, "last_seq": 4, "last_change": ack["room"]["last_change"]}
        )
        await asyncio.sleep(0.2)
        assert [name for name, _ in again.events if name == "message_updated"] == []
        await again.close()
        await back.close()
    finally:
        await lead.close()
