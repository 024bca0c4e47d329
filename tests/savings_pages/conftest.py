"""One demo server with a savings history (frozen by the real code) and one Chromium for the
savings pages' browser tests. Tests that change data (a correction, parameters, a distance)
each pick their own records, so the order of tests does not matter."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest_asyncio

from meetings_hub.actions import demo, demo_savings, demo_sessions, savings
from meetings_hub.domain import Actor
from meetings_hub.storage import people
from tests.browser_support import CHROMIUM_FLAGS
from tests.support import (
    COORDINATOR,
    LEAD,
    PARTNER,
    Server,
    chromium_path,
    make_settings,
    require,
    start_server,
)


@dataclass
class SavingsSite:
    server: Server
    # A held date of the lead's network (Morawica) with counted rows: meeting id, its rows.
    meeting_id: int
    partner_library_id: int

    @property
    def url(self) -> str:
        return self.server.url


async def actor_for(server: Server, email: str) -> Actor:
    async with server.hub.db.read() as reader:
        person = await people.get_by_email(reader, email)
    assert person is not None
    return Actor(person=person)


@pytest_asyncio.fixture(scope="package", loop_scope="package")
async def savings_site(tmp_path_factory: Any) -> AsyncIterator[SavingsSite]:
    server = await start_server(make_settings(tmp_path_factory.mktemp("savings-pages")))
    await demo.load(server.hub)
    await demo_sessions.load_sessions(server.hub)
    assert await demo_savings.load(server.hub) > 0
    lead = await actor_for(server, LEAD)
    log = await savings.savings_log(server.hub, lead, savings.SavingsFilters(kind="online"))
    counted = next(r for r in log.rows if r.counted)
    partner = await actor_for(server, PARTNER)
    assert partner.person is not None and partner.person.library_id is not None
    yield SavingsSite(server, counted.meeting_id, partner.person.library_id)
    await server.runner.cleanup()


@pytest_asyncio.fixture(scope="package", loop_scope="package")
async def chromium() -> AsyncIterator[Any]:
    path = chromium_path()
    require(path is not None, "Debian chromium (/usr/bin/chromium)")
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=path, headless=True, args=CHROMIUM_FLAGS)
        yield browser
        await browser.close()


EMAILS = {"coordinator": COORDINATOR, "lead": LEAD, "partner": PARTNER}
