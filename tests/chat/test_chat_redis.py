"""Two server processes on one database, joined by Redis: a message sent on one arrives on
the other (python-socketio's AsyncRedisManager under our fast local delivery)."""

from __future__ import annotations

import asyncio
import os
import sys
import uuid
from pathlib import Path

import aiohttp
import pytest

from meetings_hub.realtime.roster import RedisRoster
from tests.chat.support import ChatClient, session_token, wait_for
from tests.support import LEAD, PARTNER, REPO, Client, free_port, require

pytestmark = pytest.mark.redis


def _redis_up() -> bool:
    try:
        import redis

        return bool(redis.Redis(host="127.0.0.1", port=6379, socket_timeout=1).ping())
    except Exception:
        return False


def _env(tmp_path: Path, port: int, channel: str) -> dict[str, str]:
    return {
        **os.environ,
        "MEETINGS_HUB_HOST": "127.0.0.1",
        "MEETINGS_HUB_PORT": str(port),
        "MEETINGS_HUB_DATA_DIR": str(tmp_path / "var"),
        "MEETINGS_HUB_SITE_URL": f"http://127.0.0.1:{port}",
        "MEETINGS_HUB_SECRET_KEY": "test-secret-key-0123456789",
        "MEETINGS_HUB_DEMO_MODE": "true",
        "MEETINGS_HUB_REDIS_URL": "redis://127.0.0.1:6379/0",
        "MEETINGS_HUB_REDIS_CHANNEL": channel,
        "MEETINGS_HUB_LOG_LEVEL": "WARNING",
    }


async def _healthy(url: str) -> None:
    async with aiohttp.ClientSession() as session:
        for _ in range(200):
            try:
                async with session.get(url + "/healthz") as r:
                    if r.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.1)
    raise AssertionError(f"{url} did not start")


class _Url:
    def __init__(self, url: str) -> None:
        self.url = url


async def _two_processes(tmp_path: Path) -> tuple[list[asyncio.subprocess.Process], _Url, _Url]:
    """Two `serve` processes on one database, joined by a Redis channel of their own."""
    require(_redis_up(), "Redis on 127.0.0.1:6379")
    channel = f"meetings_hub_test_{uuid.uuid4().hex}"
    cli = [sys.executable, "-m", "meetings_hub.cli"]
    ports = [free_port(), free_port()]
    demo = await asyncio.create_subprocess_exec(
        *cli,
        "demo",
        env=_env(tmp_path, ports[0], channel),
        cwd=REPO,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    assert await demo.wait() == 0
    procs = [
        await asyncio.create_subprocess_exec(
            *cli,
            "serve",
            env=_env(tmp_path, port, channel),
            cwd=REPO,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL,
        )
        for port in ports
    ]
    first, second = (_Url(f"http://127.0.0.1:{p}") for p in ports)
    await _healthy(first.url)
    await _healthy(second.url)
    return procs, first, second


async def _stop(procs: list[asyncio.subprocess.Process]) -> None:
    for proc in procs:
        proc.terminate()
    for proc in procs:
        try:
            await asyncio.wait_for(proc.wait(), 10)
        except TimeoutError:
            proc.kill()


async def _lead_and_partner_in_a_room(first: _Url, second: _Url) -> tuple[Client, Client, dict]:
    """The lead signed in on the first process, the partner on the second, and their network's
    room."""
    lead_http, partner_http = Client(first.url), Client(second.url)
    await lead_http.login(LEAD)
    await partner_http.login(PARTNER)
    _, networks = await lead_http.get("/api/v1/networks")
    network_id = next(n["id"] for n in networks if "Morawicy" in n["name"])
    _, room = await lead_http.post(f"/api/v1/networks/{network_id}/room")
    return lead_http, partner_http, room


async def test_two_processes_share_broadcasts_through_redis(tmp_path: Path) -> None:
    procs, first, second = await _two_processes(tmp_path)
    clients: list[ChatClient] = []
    try:
        lead_http, partner_http, room = await _lead_and_partner_in_a_room(first, second)
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
        await _stop(procs)


async def test_the_participant_list_and_left_span_both_processes(tmp_path: Path) -> None:
    procs, first, second = await _two_processes(tmp_path)
    clients: list[ChatClient] = []
    try:
        lead_http, partner_http, room = await _lead_and_partner_in_a_room(first, second)
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
        await _stop(procs)


async def test_roster_forgets_a_process_whose_entries_expired() -> None:
    require(_redis_up(), "Redis on 127.0.0.1:6379")
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
