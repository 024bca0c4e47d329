"""One demo server and one Chromium for the whole folder, so the page tours stay fast.

Tests here change data (a library, a network member, a person); each test picks its own
records, so the order of tests does not matter.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest_asyncio

from meetings_hub.actions import demo, guests
from meetings_hub.app import WEB_DIR
from meetings_hub.domain import Actor
from meetings_hub.storage import people
from meetings_hub.storage.timefmt import to_db
from tests.browser_support import CHROMIUM_FLAGS
from tests.support import COORDINATOR, Server, chromium_path, make_settings, require, start_server

DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 360, "height": 740}
MEETING_TITLE = "Spotkanie sieci: planowanie wiosennych warsztatów"


@dataclass
class Site:
    server: Server
    guest_link: str
    meeting_id: int

    @property
    def url(self) -> str:
        return self.server.url


async def _guest_link(server: Server) -> tuple[str, int]:
    """A meeting in the Morawica network (scheduling is another module) and a guest link to it."""
    hub = server.hub
    async with hub.db.read() as reader:
        coordinator = await people.get_by_email(reader, COORDINATOR)
        network = await reader.fetch_one("SELECT id, lead_library_id FROM networks ORDER BY id")
    assert coordinator is not None and network is not None
    starts = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
    now = to_db(datetime.now(UTC))
    async with hub.db.write() as tx:
        meeting_id = await tx.execute(
            "INSERT INTO meetings (network_id, host_library_id, title, agenda, starts_at, ends_at,"
            " created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                network["id"],
                network["lead_library_id"],
                MEETING_TITLE,
                "1. Powitanie\n2. Plan warsztatów",
                to_db(starts),
                to_db(starts + timedelta(hours=1, minutes=30)),
                coordinator.id,
                now,
                now,
            ),
        )
    invitation = await guests.create_invitation(
        hub,
        Actor(person=coordinator),
        meeting_id,
        guests.GuestInvitationInput(name="Jan Kowalski", category=guests.GuestCategory.EXPERT),
    )
    return str(invitation["link"]), meeting_id


@pytest_asyncio.fixture(scope="package", loop_scope="package")
async def site(tmp_path_factory: Any) -> AsyncIterator[Site]:
    server = await start_server(make_settings(tmp_path_factory.mktemp("browser")))
    await demo.load(server.hub)
    link, meeting_id = await _guest_link(server)
    yield Site(server, link, meeting_id)
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


def translation_keys() -> set[str]:
    keys: set[str] = set()
    for path in (WEB_DIR / "i18n").glob("*.json"):
        keys |= set(json.loads(path.read_text("utf-8")))
    return keys
