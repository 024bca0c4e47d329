"""A client sending malformed socket.io frames cannot fill the log: python-engineio and
python-socketio logged a full traceback for each; now one line each, at most a burst a minute,
and the server keeps serving."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import aiohttp
import pytest

from meetings_hub.realtime.wire_log import WireLog
from tests.chat.support import ChatClient, network_id_of, signed_in
from tests.support import LEAD, Server

# Frames that reach python-socketio and fail there (the websocket stays open)...
BAD_MESSAGES = ["4{", '42/chat,["x"', "42/chat,1[", "4-", "4" + "\x00", "42/chat,null", "49"]
# ...and ones python-engineio cannot decode at all (it ends the connection).
BAD_PACKETS = ["garbage", "", "x42"]
BAD_POLLING = ["garbage", "4{\x1e42[", "\x1e\x1e", "4"]


def _records(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.levelno >= logging.WARNING]


async def test_a_flood_of_malformed_frames_logs_a_few_lines(
    server: Server, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    ws_url = server.url.replace("http", "ws") + "/socket.io/?EIO=4&transport=websocket"
    sent = 0
    async with aiohttp.ClientSession() as http:
        async with http.ws_connect(ws_url) as ws:
            await ws.receive(timeout=5)
            await ws.send_str("40/chat,")
            for _ in range(40):
                for frame in BAD_MESSAGES:
                    await ws.send_str(frame)
                    sent += 1
            # Still open and answering: a namespace connect gets its (anonymous) refusal.
            assert (await ws.receive(timeout=5)).data.startswith("44/chat,")
            await ws.send_str("40/chat,")
            assert (await ws.receive(timeout=5)).data.startswith("44/chat,")
        for frame in BAD_PACKETS * 5:
            async with http.ws_connect(ws_url) as ws:
                await ws.receive(timeout=5)
                await ws.send_str(frame)
                sent += 1
                closed = await ws.receive(timeout=5)
                assert closed.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED)
        polling = server.url + "/socket.io/?EIO=4&transport=polling"
        async with http.get(polling) as r:
            sid = json.loads((await r.text())[1:])["sid"]
        for _ in range(10):
            for body in BAD_POLLING:
                async with http.post(f"{polling}&sid={sid}", data=body) as r:
                    await r.read()
                sent += 1
    records = _records(caplog)
    assert sent > 300
    assert records, "the first malformed frames must be logged"
    assert len(records) <= 21, [r.getMessage() for r in records]
    for record in records:
        assert record.exc_info is None and "\n" not in record.getMessage(), record.getMessage()
    # The server still serves a well-behaved client.
    lead, token = await signed_in(server, LEAD)
    client = ChatClient("after the flood")
    try:
        await client.connect(server, token)
        _, room = await lead.post(f"/api/v1/networks/{await network_id_of(server, 'Morawic')}/room")
        assert (await client.join(room["id"]))["ok"]
    finally:
        await client.close()
        await lead.close()


def test_wire_log_is_one_line_per_record_and_a_burst_per_period(tmp_path: Path) -> None:
    now = [0.0]
    logger = logging.getLogger("tests.wire_log")
    logger.setLevel(logging.INFO)
    lines: list[logging.LogRecord] = []
    handler = logging.Handler()
    handler.emit = lines.append  # type: ignore[method-assign]
    logger.addHandler(handler)
    try:
        wire = WireLog(logger, burst=3, period=60, clock=lambda: now[0])
        wire.info("Received packet %s", "chatter")  # per-packet INFO: dropped
        for n in range(10):
            try:
                raise ValueError(f"bad packet {n}\nsecond line")
            except ValueError:
                wire.exception("post request handler error")
        assert [r.getMessage() for r in lines] == [
            f"socket.io: post request handler error — ValueError: bad packet {n} second line"
            f" at test_wire_log.py:{lines[0].getMessage().rsplit(':', 1)[1]}"
            for n in range(3)
        ]
        assert all(r.exc_info is None for r in lines)
        now[0] = 61.0
        wire.warning("%s is not connected to namespace %s", "abc", "/chat")
        assert [r.getMessage() for r in lines[3:]] == [
            "socket.io: 7 more lines like these were not logged in 61 s",
            "socket.io: abc is not connected to namespace /chat",
        ]
    finally:
        logger.removeHandler(handler)
