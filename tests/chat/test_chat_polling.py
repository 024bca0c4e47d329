"""Long-polling clients lose no sends: a burst of more than engineio's 16 packets in one
request, and the room page's Outbox resending across a SIGTERM restart, against a real `serve`
process and a Node socket.io-client forced to polling."""

from __future__ import annotations

import asyncio
import json
import shutil
import signal
import sqlite3
from pathlib import Path

import aiohttp
import pytest

from meetings_hub.actions import demo
from tests.chat.support import session_token
from tests.foundation.process_support import ServeProcess, env_for
from tests.foundation.walk_support import demo_data_dir
from tests.support import LEAD, REPO, Client, make_settings, require, start_server

SCRIPT = REPO / "tests" / "node" / "polling_sends.mjs"


@pytest.mark.node
async def test_polling_bursts_and_resends_across_a_restart_are_each_stored_once(
    tmp_path: Path,
) -> None:
    node = shutil.which("node")
    require(node is not None, "node")
    require((REPO / "node_modules" / "socket.io-client").is_dir(), "node_modules/socket.io-client")
    assert node is not None
    data_dir = await demo_data_dir(tmp_path)
    env = env_for(data_dir)
    server = ServeProcess(env)
    proc = None
    try:
        lead = Client(server.url)
        await lead.login(LEAD)
        _, networks = await lead.get("/api/v1/networks")
        network_id = next(n["id"] for n in networks if "Morawicy" in n["name"])
        _, room = await lead.post(f"/api/v1/networks/{network_id}/room")
        token = session_token(lead)
        await lead.close()
        burst, through_outbox = 40, 60
        proc = await asyncio.create_subprocess_exec(
            node,
            str(SCRIPT),
            server.url,
            token,
            str(room["id"]),
            str(burst),
            str(through_outbox),
            cwd=REPO,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        assert proc.stdout is not None
        line = await asyncio.wait_for(proc.stdout.readline(), 60)
        assert line.strip() == b"restart", line
        # SIGTERM while the Outbox's messages are on their way, then the same port again.
        code, _, err = server.stop(signal.SIGTERM)
        assert code == 0, err[-2000:]
        server = ServeProcess(env, port=server.port)
        out, err_bytes = await asyncio.wait_for(proc.communicate(), 90)
        assert proc.returncode == 0, err_bytes.decode()
        result = json.loads(out.decode().strip().splitlines()[-1])
        assert result["raw_missing"] == 0, result  # the burst of 40 in one request: all acked
        assert result["failed"] == [], result
        assert result["joins"] >= 2, result  # it did reconnect
        acked: dict[str, int] = result["acked"]
        assert len(acked) == burst + through_outbox
    finally:
        if proc is not None and proc.returncode is None:
            proc.kill()
        server.kill()
    with sqlite3.connect(data_dir / "meetings_hub.sqlite3") as db:
        stored = db.execute(
            "SELECT client_msg_id, seq FROM messages WHERE room_id = ?", (room["id"],)
        ).fetchall()
    assert len(stored) == len(acked)  # each stored once
    assert dict(stored) == acked  # and acked with the seq it was stored under
    assert sorted(acked.values()) == list(range(1, len(acked) + 1))


async def _handshake(url: str) -> str:
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{url}/socket.io/?EIO=4&transport=polling") as r:
            assert r.status == 200
            return str(json.loads((await r.text())[1:])["sid"])


async def _raw_post(url: str, sid: str, body: bytes, pause_after: int | None = None) -> bytes:
    """A POST written by hand, its body in two writes ``pause_after`` bytes apart (as a slow
    network delivers it), so the server sees part of it before the rest."""
    host, port = url.removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    head = (
        f"POST /socket.io/?EIO=4&transport=polling&sid={sid} HTTP/1.1\r\nHost: {host}\r\n"
        f"Content-Type: text/plain;charset=UTF-8\r\nContent-Length: {len(body)}\r\n"
        "Connection: close\r\n\r\n"
    ).encode()
    cut = len(body) if pause_after is None else pause_after
    writer.write(head + body[:cut])
    await writer.drain()
    if cut < len(body):
        await asyncio.sleep(0.3)
        writer.write(body[cut:])
        await writer.drain()
    answer = await asyncio.wait_for(reader.read(), 10)
    writer.close()
    return answer.split(b" ", 2)[1]


async def _poll(url: str, sid: str) -> str:
    async with aiohttp.ClientSession() as http:
        url = f"{url}/socket.io/?EIO=4&transport=polling&sid={sid}"
        async with http.get(url, timeout=aiohttp.ClientTimeout(total=10)) as r:
            return await r.text()


async def test_a_polling_post_is_read_whole_and_one_over_the_limit_is_refused(
    tmp_path: Path,
) -> None:
    server = await start_server(make_settings(tmp_path, chat_max_events_per_10s=30))
    await demo.load(server.hub)
    try:
        lead = Client(server.url)
        await lead.login(LEAD)
        token = session_token(lead)
        await lead.close()
        sid = await _handshake(server.url)
        connect = '40/chat,{"session":"' + token + '"}'
        assert await _raw_post(server.url, sid, connect.encode()) == b"200"
        assert "40/chat," in await _poll(server.url, sid)
        # 25 events (over engineio's 16), the body arriving in two parts: every one answered.
        events = [f'42/chat,{n}["hello",{{}}]' for n in range(25)]
        body = "\x1e".join(events).encode()
        assert await _raw_post(server.url, sid, body, pause_after=len(body) // 2) == b"200"
        answered: set[int] = set()
        # Each long-poll returns what is queued so far: on a loaded machine the 25 acks may
        # come one or two a poll, so poll until all are in (bounded in time, not in count).
        deadline = asyncio.get_running_loop().time() + 30
        while asyncio.get_running_loop().time() < deadline:
            text = await _poll(server.url, sid)
            answered |= {
                int(p.split(",", 1)[1].split("[", 1)[0])
                for p in text.split("\x1e")
                if p.startswith("43/chat,")
            }
            if len(answered) == 25:
                break
        assert answered == set(range(25))
        # Over the limit (as many as one socket may send in 10 s): 400, and the session ends,
        # so the client reconnects and sends again what has no ack.
        too_many = "\x1e".join(f'42/chat,{n}["hello",{{}}]' for n in range(31)).encode()
        assert await _raw_post(server.url, sid, too_many) == b"400"
        async with aiohttp.ClientSession() as http:
            url = f"{server.url}/socket.io/?EIO=4&transport=polling&sid={sid}"
            async with http.get(url) as r:
                assert r.status == 400
    finally:
        await server.runner.cleanup()
