"""Two `serve` processes on one database, joined by a Redis channel of their own."""

from __future__ import annotations

import asyncio
import os
import sys
import uuid
from pathlib import Path

import aiohttp

from tests.support import LEAD, PARTNER, REPO, Client, free_port, require


def redis_up() -> bool:
    try:
        import redis

        return bool(redis.Redis(host="127.0.0.1", port=6379, socket_timeout=1).ping())
    except Exception:
        return False


def process_env(
    tmp_path: Path, port: int, channel: str, extra: dict[str, str] | None = None
) -> dict[str, str]:
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
        **(extra or {}),
    }


async def healthy(url: str) -> None:
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


class Url:
    def __init__(self, url: str) -> None:
        self.url = url


CLI = [sys.executable, "-m", "meetings_hub.cli"]


async def serve(
    tmp_path: Path, port: int, channel: str, extra: dict[str, str] | None = None
) -> asyncio.subprocess.Process:
    """One `serve` process (its log in ``tmp_path/serve-<port>.log``), once it is healthy."""
    log = (tmp_path / f"serve-{port}.log").open("ab")
    proc = await asyncio.create_subprocess_exec(
        *CLI,
        "serve",
        env=process_env(tmp_path, port, channel, extra),
        cwd=REPO,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=log,
    )
    log.close()
    await healthy(f"http://127.0.0.1:{port}")
    return proc


async def two_processes(
    tmp_path: Path, extra: dict[str, str] | None = None, *, channel: str | None = None
) -> tuple[list[asyncio.subprocess.Process], Url, Url]:
    """Two `serve` processes on one database, joined by a Redis channel of their own."""
    require(redis_up(), "Redis on 127.0.0.1:6379")
    channel = channel or f"meetings_hub_test_{uuid.uuid4().hex}"
    ports = [free_port(), free_port()]
    demo = await asyncio.create_subprocess_exec(
        *CLI,
        "demo",
        env=process_env(tmp_path, ports[0], channel, extra),
        cwd=REPO,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    assert await demo.wait() == 0
    procs = [await serve(tmp_path, port, channel, extra) for port in ports]
    first, second = (Url(f"http://127.0.0.1:{p}") for p in ports)
    return procs, first, second


async def stop_all(procs: list[asyncio.subprocess.Process]) -> None:
    for proc in procs:
        if proc.returncode is None:
            proc.terminate()
    for proc in procs:
        try:
            await asyncio.wait_for(proc.wait(), 10)
        except TimeoutError:
            proc.kill()


async def lead_and_partner_in_a_room(first: Url, second: Url) -> tuple[Client, Client, dict]:
    """The lead signed in on the first process, the partner on the second, and their network's
    room."""
    lead_http, partner_http = Client(first.url), Client(second.url)
    await lead_http.login(LEAD)
    await partner_http.login(PARTNER)
    _, networks = await lead_http.get("/api/v1/networks")
    network_id = next(n["id"] for n in networks if "Morawicy" in n["name"])
    _, room = await lead_http.post(f"/api/v1/networks/{network_id}/room")
    return lead_http, partner_http, room
