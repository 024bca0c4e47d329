"""Calls through a real Janus (the Debian package, started by the test with the shipped config):
five people each receive audio from every other one, mute stops the sender's audio, and a
removed participant's media stops reaching the others within 2 s (issue 14). Runs in a network
namespace of its own (conftest.py)."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest

from tests.calls_browser.conftest import Janus, assert_private_network
from tests.calls_browser.test_call_p2p import (
    OPEN_PEERS,
    RECORD_PEERS,
    guest_link,
    join_call,
    room_page,
    until,
)
from tests.chat_browser.support import meeting_with_guest_link, person_page, watch_console
from tests.support import LEAD, PARTNER, Client, Server

pytestmark = [pytest.mark.browser, pytest.mark.netns]


async def receiving(page: Any, senders: int) -> list[int]:
    """Waits until the page has one connection bringing audio from each sender (and one taking
    its own to the server); returns the bytes received on each, in order."""

    async def check() -> Any:
        peers = await page.evaluate(OPEN_PEERS)
        incoming = [p["inbound"] for p in peers if p["state"] == "connected" and p["inbound"] > 0]
        return incoming if len(incoming) == senders and len(peers) == senders + 1 else None

    try:
        return await until(check, 20)
    except AssertionError:
        raise AssertionError(
            f"{await page.evaluate(OPEN_PEERS)} {await page.locator('.call-problem').inner_text()}"
            f" {await page.locator('.call-status').inner_text()}"
        ) from None


async def assert_everyone_hears_everyone(pages: list[Any]) -> None:
    before = [await receiving(page, len(pages) - 1) for page in pages]
    await asyncio.sleep(1.5)
    after = [await receiving(page, len(pages) - 1) for page in pages]
    for index, (old, new) in enumerate(zip(before, after, strict=True)):
        assert all(b > a for a, b in zip(old, new, strict=True)), (index, old, new)


async def test_five_people_through_janus(
    media_browser: Any, sfu_server: Server, janus: Janus
) -> None:
    assert_private_network()
    server = sfu_server
    meeting_id, first_link = await meeting_with_guest_link(server, "Anna Gość")
    lead = Client(server.url)
    await lead.login(LEAD)
    _, room = await lead.post(f"/api/v1/meetings/{meeting_id}/room")
    url = f"{server.url}/rooms/{room['id']}"
    host = await person_page(media_browser, server, LEAD)
    partner = await person_page(media_browser, server, PARTNER)
    host.on("dialog", lambda dialog: dialog.accept())
    pages = [host, partner]
    for page in pages:
        await page.add_init_script(RECORD_PEERS)
        await room_page(page, url)
    links = [first_link]
    for name in ("Bartek Gość", "Cezary Gość"):
        links.append(await guest_link(lead, meeting_id, name))
    for link in links:
        context = await media_browser.new_context(bypass_csp=True)
        await context.add_init_script(RECORD_PEERS)
        page = await context.new_page()
        await page.goto(link)
        await page.click("button[type=submit].primary")
        await page.wait_for_selector("#connection[data-state=connected]")
        pages.append(page)
    problems = [watch_console(page) for page in pages]
    for page in pages:
        await join_call(page)
    await assert_everyone_hears_everyone(pages)

    # Mute: the partner's browser sends no more audio to the server.
    await partner.click(".call-mute")
    await asyncio.sleep(0.5)
    sent = sum(p["outbound"] for p in await partner.evaluate(OPEN_PEERS))
    await asyncio.sleep(1.5)
    assert sum(p["outbound"] for p in await partner.evaluate(OPEN_PEERS)) == sent
    await partner.click(".call-mute")

    # Removed from the room: within 2 s nobody receives from them any more.
    removed = pages[-1]
    config = "JSON.parse(document.getElementById('room').dataset.config)"
    who = await removed.evaluate(f"{config}.me.who")
    started = time.monotonic()
    await host.click(f'#participants li[data-who="{who}"] button')
    for page in pages[:-1]:
        await until(lambda page=page: _open(page, 4), 2.0)
    assert time.monotonic() - started < 2.5
    await assert_everyone_hears_everyone(pages[:-1])
    assert all(not p for p in problems[:-1]), problems

    # Janus dies: every page says so and offers to join again; the chat goes on. Back, and
    # the next join works.
    await janus.stop()
    for page in pages[:-1]:
        await page.wait_for_selector(".call-status:text('Serwer rozmów przestał odpowiadać')")
        assert await page.locator(".call-join").is_visible()
    await host.fill("#composer-text", "Rozmowa się przerwała")
    await host.press("#composer-text", "Enter")
    await partner.wait_for_selector(".msg:has-text('Rozmowa się przerwała')")
    await janus.start()
    await join_call(host)
    await join_call(partner)
    await assert_everyone_hears_everyone([host, partner])
    await lead.close()


async def _open(page: Any, count: int) -> bool:
    return len(await page.evaluate(OPEN_PEERS)) == count
