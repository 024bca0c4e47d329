"""Transport limits: a client that stops reading is dropped and catches up by replay;
websocket compression off by default and on by the setting."""

from __future__ import annotations

import json
from pathlib import Path

import aiohttp

from meetings_hub.actions import demo
from meetings_hub.realtime.server import chat_key
from tests.chat.support import ChatClient, network_id_of, signed_in, wait_for
from tests.support import LEAD, PARTNER, make_settings, start_server


async def _raw_polling_reader(
    base: str, token: str, room_id: int
) -> tuple[aiohttp.ClientSession, str]:
    """An Engine.IO polling client that joins the room, then never polls again."""
    session = aiohttp.ClientSession()
    url = base + "/socket.io/?EIO=4&transport=polling"
    async with session.get(url) as r:
        sid = json.loads((await r.text())[1:])["sid"]
    url += f"&sid={sid}"
    auth = json.dumps({"session": token})
    async with session.post(url, data=f"40/chat,{auth}") as r:
        assert r.status == 200
    async with session.get(url) as r:
        assert (await r.text()).startswith("40/chat,")
    join = json.dumps(["join", {"room_id": room_id, "last_seq": 0}])
    async with session.post(url, data=f"42/chat,1{join}") as r:
        assert r.status == 200
    return session, sid


async def test_slow_reader_is_dropped_and_catches_up(tmp_path: Path) -> None:
    server = await start_server(make_settings(tmp_path, chat_max_queue=20))
    await demo.load(server.hub)
    try:
        lead_http, lead_token = await signed_in(server, LEAD)
        _, partner_token = await signed_in(server, PARTNER)
        network_id = await network_id_of(server, "Morawicy")
        _, room = await lead_http.post(f"/api/v1/networks/{network_id}/room")
        room_id = room["id"]
        stalled, eio_sid = await _raw_polling_reader(server.url, partner_token, room_id)
        sio = server.app[chat_key].server
        await wait_for(
            lambda: any(room_id in c.joined for c in server.app[chat_key].conns.values())
        )
        sender = ChatClient("sender")
        await sender.connect(server, lead_token)
        await sender.join(room_id)
        for i in range(40):
            assert (await sender.send(room_id, f"wiadomość {i}"))["ok"]

        # Not buffered without bound: the stalled connection is gone.
        def dropped() -> bool:
            sock = sio.eio.sockets.get(eio_sid)
            return sock is None or sock.closed

        await wait_for(dropped)
        joined = [c for c in server.app[chat_key].conns.values() if room_id in c.joined]
        assert len(joined) == 1  # only the sender is left
        await stalled.close()
        # It comes back and catches up by replay, exactly once.
        back = ChatClient("back")
        await back.connect(server, partner_token)
        await back.join(room_id, last_seq=0)
        await wait_for(lambda: back.seqs(room_id)[-1:] == [40])
        assert back.seqs(room_id) == list(range(1, 41))
        await back.close()
        await sender.close()
        await lead_http.close()
    finally:
        await server.runner.cleanup()


async def _negotiated_compression(base: str) -> int:
    async with aiohttp.ClientSession() as session:
        async with session.ws_connect(
            base.replace("http", "ws") + "/socket.io/?EIO=4&transport=websocket", compress=15
        ) as ws:
            await ws.receive()  # the Engine.IO open packet
            return ws.compress


async def test_websocket_compression_is_a_setting(tmp_path: Path) -> None:
    off = await start_server(make_settings(tmp_path / "off"))
    try:
        assert await _negotiated_compression(off.url) == 0
    finally:
        await off.runner.cleanup()
    on = await start_server(make_settings(tmp_path / "on", chat_ws_compression=True))
    try:
        assert await _negotiated_compression(on.url) > 0
    finally:
        await on.runner.cleanup()
