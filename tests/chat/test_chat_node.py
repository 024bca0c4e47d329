"""Python AsyncClients (websocket and polling) and a Node socket.io-client 4.8 in one room."""

from __future__ import annotations

import asyncio
import json
import shutil

from tests.chat.support import ChatClient, network_id_of, signed_in, wait_for
from tests.support import LEAD, PARTNER, REPO, Server, require

SCRIPT = REPO / "tests" / "node" / "chat_client.mjs"


async def test_python_and_node_clients_share_a_room(server: Server) -> None:
    node = shutil.which("node")
    require(node is not None, "node")
    require((REPO / "node_modules" / "socket.io-client").is_dir(), "node_modules/socket.io-client")
    assert node is not None
    lead, lead_token = await signed_in(server, LEAD)
    partner, partner_token = await signed_in(server, PARTNER)
    network_id = await network_id_of(server, "Morawicy")
    _, room = await lead.post(f"/api/v1/networks/{network_id}/room")
    room_id = room["id"]
    await lead.close()
    await partner.close()
    a, b = ChatClient("ws"), ChatClient("polling")
    await a.connect(server, lead_token)
    await b.connect(server, partner_token, transports=["polling"])
    await a.join(room_id)
    await b.join(room_id)
    per_client = 20
    proc = await asyncio.create_subprocess_exec(
        node,
        str(SCRIPT),
        server.url,
        partner_token,
        str(room_id),
        str(2 * per_client),
        str(2 * per_client),
        cwd=REPO,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        own_a, own_b = [], []
        for i in range(per_client):
            ack_a, ack_b = await asyncio.gather(
                a.send(room_id, f"a {i}"), b.send(room_id, f"b {i}")
            )
            own_a.append(ack_a["seq"])
            own_b.append(ack_b["seq"])
            await asyncio.sleep(0.01)
        out, err = await asyncio.wait_for(proc.communicate(), 60)
        assert proc.returncode == 0, err.decode()
        result = json.loads(out.decode().strip().splitlines()[-1])
        total = 4 * per_client
        everything = sorted(own_a + own_b + result["own"])
        assert everything == list(range(1, total + 1))  # gap-free, nothing doubled by resends
        assert result["dropped"] and result["duplicates"] == 0
        assert sorted(result["others"]) == sorted(own_a + own_b)
        assert result["others"] == sorted(result["others"])  # in order
        await wait_for(lambda: len(a.seqs(room_id)) == total - per_client)
        await wait_for(lambda: len(b.seqs(room_id)) == total - per_client)
        assert a.seqs(room_id) == sorted(own_b + result["own"])
        assert b.seqs(room_id) == sorted(own_a + result["own"])
        node_messages = [m for m in a.messages[room_id] if m["text"].startswith("node")]
        assert node_messages[0]["text"].endswith("żółw")
    finally:
        if proc.returncode is None:
            proc.kill()
        await a.close()
        await b.close()
