"""A real server with demo data that mails to a real aiosmtpd server."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from meetings_hub.actions import demo
from tests.scheduling.support import Smtp, start_smtp
from tests.support import Client, Server, make_settings, start_server


@pytest.fixture
def smtp() -> Iterator[Smtp]:
    s = start_smtp()
    yield s
    s.controller.stop()


@pytest.fixture
async def mail_server(tmp_path: Path, smtp: Smtp) -> AsyncIterator[Server]:
    srv = await start_server(make_settings(tmp_path, **smtp.settings()))
    await demo.load(srv.hub)
    yield srv
    await srv.runner.cleanup()


@pytest.fixture
async def clients(mail_server: Server) -> AsyncIterator[Any]:
    made: list[Client] = []

    async def make(email: str | None = None) -> Client:
        c = Client(mail_server.url)
        made.append(c)
        if email:
            await c.login(email)
        return c

    yield make
    for c in made:
        await c.close()
