"""Shared fixtures: a real meetings_hub server on a free port with a real SQLite file."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from meetings_hub.actions import demo
from tests.support import Client, Server, make_settings, start_server


@pytest.fixture
async def server(tmp_path: Path) -> AsyncIterator[Server]:
    """A real server with the demo network loaded."""
    srv = await start_server(make_settings(tmp_path))
    await demo.load(srv.hub)
    yield srv
    await srv.runner.cleanup()


@pytest.fixture
async def empty_server(tmp_path: Path) -> AsyncIterator[Server]:
    srv = await start_server(make_settings(tmp_path))
    yield srv
    await srv.runner.cleanup()


@pytest.fixture
async def client_factory(server: Server) -> AsyncIterator[Any]:
    clients: list[Client] = []

    async def make(email: str | None = None) -> Client:
        c = Client(server.url)
        clients.append(c)
        if email:
            await c.login(email)
        return c

    yield make
    for c in clients:
        await c.close()


from tests.browser_support import browser, shots  # noqa: E402,F401  (fixtures for every test dir)
