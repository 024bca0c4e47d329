"""/metrics shows the outbox and how many people are active: outside demo mode only the
configured bearer token or a signed-in coordinator reads it."""

from __future__ import annotations

from pathlib import Path

import aiohttp

from meetings_hub.middleware import SESSION_COOKIE
from tests.foundation.walk_support import start_world
from tests.route_cases import World
from tests.support import Server


async def _status(server: Server, world: World, role: str, auth: str | None = None) -> int:
    headers = {}
    signed = await world.sign_in(role)
    if signed is not None:
        headers["Cookie"] = f"{SESSION_COOKIE}={signed[0]}"
    if auth is not None:
        headers["Authorization"] = auth
    async with aiohttp.ClientSession() as http:
        async with http.get(server.url + "/metrics", headers=headers) as r:
            body = await r.text()
            if r.status == 200:
                assert "meetings_hub_outbox_mail" in body
            return r.status


async def test_metrics_outside_demo_mode_without_a_token(tmp_path: Path) -> None:
    server, world = await start_world(tmp_path, demo_mode=False)
    try:
        assert await _status(server, world, "anonymous") == 401
        assert await _status(server, world, "anonymous", "Bearer ") == 401
        assert await _status(server, world, "guest") == 403
        assert await _status(server, world, "lead") == 403
        assert await _status(server, world, "coordinator") == 200
    finally:
        await server.runner.cleanup()


async def test_metrics_with_a_token(tmp_path: Path) -> None:
    server, world = await start_world(tmp_path, metrics_token="prometheus-sekret")
    try:
        assert await _status(server, world, "anonymous", "Bearer prometheus-sekret") == 200
        # A token set closes the demo's open door too.
        assert await _status(server, world, "anonymous") == 401
        assert await _status(server, world, "anonymous", "Bearer prometheus-sekre") == 401
        assert await _status(server, world, "anonymous", "prometheus-sekret") == 401
        assert await _status(server, world, "partner", "Bearer wrong") == 403
        assert await _status(server, world, "coordinator") == 200
    finally:
        await server.runner.cleanup()


async def test_metrics_are_open_on_a_demo_site_without_a_token(tmp_path: Path) -> None:
    server, world = await start_world(tmp_path)
    try:
        assert await _status(server, world, "anonymous") == 200
    finally:
        await server.runner.cleanup()
