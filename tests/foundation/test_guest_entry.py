"""A guest's ways into a meeting: the guest link works in one step; a meeting or room address
opened without a session explains that a guest needs no account; with a guest session the
same addresses lead into the guest's room."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from tests.foundation.test_guests import enter, invite, token_of
from tests.foundation.walk_support import client_as, start_world
from tests.route_cases import World
from tests.support import Server


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[tuple[Server, World]]:
    server, world = await start_world(tmp_path)
    yield server, world
    await server.runner.cleanup()


async def test_signed_out_visitor_of_a_room_address_is_told_about_the_guest_link(world) -> None:
    server, w = world
    meeting_id = w.ids["meeting_id"]
    async with aiohttp.ClientSession() as anonymous:
        for path in (f"/meetings/{meeting_id}/room", f"/meetings/{meeting_id}", "/rooms/1"):
            async with anonymous.get(server.url + path) as r:
                assert r.status == 200 and r.url.path == "/login", path
                html = await r.text()
                assert '<p class="note" role="note">Jesteś gościem' in html, path
        async with anonymous.get(server.url + "/login") as r:
            assert '<p class="note" role="note">' not in await r.text()


async def test_a_guest_session_opens_the_meeting_room_address(world) -> None:
    server, w = world
    meeting_id = w.ids["meeting_id"]
    guest, status, _ = await enter(server, token_of(await invite(server, w, meeting_id)))
    try:
        assert status in (200, 201)
        async with guest.session.get(server.url + f"/meetings/{meeting_id}/room") as r:
            assert r.status == 200
            assert r.url.path.startswith("/rooms/") and r.url.path != "/rooms/guest"
    finally:
        await guest.close()


async def test_guest_entry_page_shows_start_end_and_repetition(world) -> None:
    server, w = world
    lead = await client_as(server, w, "lead")
    try:
        status, meeting = await lead.post(
            "/api/v1/meetings",
            {
                "title": "Klub czytelniczy",
                "start": "2027-10-19T10:00:00",
                "recurrence": {"freq": "WEEKLY", "weekdays": ["TU"], "count": 4},
            },
        )
        assert status == 201, meeting
    finally:
        await lead.close()
    token = token_of(await invite(server, w, meeting["id"]))
    async with aiohttp.ClientSession() as anonymous:
        async with anonymous.get(f"{server.url}/guest/{token}") as r:
            assert r.status == 200
            html = await r.text()
    card = html.split('<p class="card">', 1)[1].split("</p>", 1)[0]
    assert "19 października 2027, 10:00–11:30 (Europe/Warsaw)" in card
    assert "Powtarza się: co tydzień" in card
    assert "(Polska (Warszawa))" not in html
