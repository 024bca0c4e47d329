"""Peer-to-peer calls in a room, in real Chromium with fake microphones (issue 14).

Two, then four people hear each other (every receiver's getStats() shows inbound audio growing
from every sender), a fifth is told the call is full and why, mute stops the sender's outbound
audio, a removed participant's media stops reaching the others within 2 s, and the page passes
axe. Runs in a network namespace of its own (conftest.py).
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest

from tests.browser_support import axe_violations
from tests.calls_browser.conftest import assert_private_network
from tests.chat.support import person_id
from tests.chat_browser.support import (
    guest_page,
    meeting_with_guest_link,
    person_page,
    watch_console,
)
from tests.support import LEAD, PARTNER, Client, Server

pytestmark = [pytest.mark.browser, pytest.mark.netns]

# Every RTCPeerConnection the page makes, so the test can read their getStats().
RECORD_PEERS = """
window.__pcs = [];
const Original = window.RTCPeerConnection;
window.RTCPeerConnection = class extends Original {
  constructor(...args) { super(...args); window.__pcs.push(this); }
};
"""
OPEN_PEERS = """async () => {
  const out = [];
  for (const pc of window.__pcs) {
    if (pc.connectionState === "closed") continue;
    let inbound = 0, outbound = 0;
    (await pc.getStats()).forEach((s) => {
      if (s.kind !== "audio") return;
      if (s.type === "inbound-rtp") inbound += s.bytesReceived;
      if (s.type === "outbound-rtp") outbound += s.bytesSent;
    });
    out.push({ state: pc.connectionState, inbound, outbound });
  }
  return out;
}"""


async def until(check: Any, seconds: float = 15.0) -> Any:
    deadline = time.monotonic() + seconds
    while True:
        result = await check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {seconds}s")
        await asyncio.sleep(0.1)


async def connected_peers(page: Any, count: int) -> list[dict[str, Any]]:
    async def check() -> Any:
        peers = await page.evaluate(OPEN_PEERS)
        ready = all(p["state"] == "connected" and p["inbound"] > 0 for p in peers)
        return peers if len(peers) == count and ready else None

    return await until(check)


async def assert_everyone_hears_everyone(pages: list[Any]) -> None:
    """Each page has a connection to each other page, and audio arrives on every one of them."""
    before = [await connected_peers(page, len(pages) - 1) for page in pages]
    await asyncio.sleep(1.5)
    after = [await page.evaluate(OPEN_PEERS) for page in pages]
    for index, (old, new) in enumerate(zip(before, after, strict=True)):
        assert len(new) == len(pages) - 1, (index, new)
        for a, b in zip(old, new, strict=True):
            assert b["inbound"] > a["inbound"] > 0, (index, old, new)


async def room_page(page: Any, url: str) -> Any:
    await page.goto(url)
    await page.wait_for_selector("#connection[data-state=connected]")
    return page


async def join_call(page: Any) -> None:
    await page.click(".call-join")
    await page.wait_for_selector("#call[data-state=in-call]")


async def guest_link(lead: Client, meeting_id: int, name: str) -> str:
    status, body = await lead.post(
        f"/api/v1/meetings/{meeting_id}/guest-invitations", {"name": name, "category": "expert"}
    )
    assert status in (200, 201), body
    return str(body["link"])


async def test_two_then_four_people_talk_mute_and_removal(
    media_browser: Any, server: Server
) -> None:
    assert_private_network()
    meeting_id, first_link = await meeting_with_guest_link(server, "Anna Gość")
    lead = Client(server.url)
    await lead.login(LEAD)
    _, room = await lead.post(f"/api/v1/meetings/{meeting_id}/room")
    url = f"{server.url}/rooms/{room['id']}"
    host = await person_page(media_browser, server, LEAD)
    partner = await person_page(media_browser, server, PARTNER)
    pages = [host, partner]
    for page in pages:
        await page.add_init_script(RECORD_PEERS)
        await room_page(page, url)
    problems = [watch_console(page) for page in pages]
    host.on("dialog", lambda dialog: dialog.accept())

    # Two people: microphone only, and each hears the other.
    await join_call(host)
    assert await host.locator(".call-camera").is_visible()
    assert await host.locator("#call").get_attribute("data-state") == "in-call"
    await join_call(partner)
    await assert_everyone_hears_everyone(pages)
    # The lead's rooms list says a call is on in the room, and follows it.
    rooms_list = await host.context.new_page()
    await rooms_list.goto(f"{server.url}/rooms")
    call_on = f".room-item:has(a[href='/rooms/{room['id']}']) .call-on"
    await rooms_list.wait_for_selector(f"{call_on}:text('rozmowa trwa (2 osoby)')")
    partner_who = f"p:{await person_id(server, PARTNER)}"
    mark = host.locator(f'#participants li[data-who="{partner_who}"] .call-badge')
    assert await mark.inner_text() == "w rozmowie"
    assert await axe_violations(host) == []

    # The camera, then the screen (Chromium's fake capture: --use-fake-ui-for-media-stream
    # picks the screen, headless draws a test picture), reach the other side as video.
    await host.click(".call-camera")
    await until(lambda: _video_bytes(partner, 1))
    await host.wait_for_selector(".call-tile-me video")
    await partner.wait_for_selector(".call-tile video")
    await host.click(".call-screen")
    await until(lambda: _video_bytes(partner, 2))
    assert "udostępnia ekran" in await partner.locator(".call-tile-state").first.inner_text()
    await host.click(".call-screen")
    await host.click(".call-camera")
    await until(lambda: _video_count(partner, 0))

    # Four people: two guests join; everyone hears the three others.
    guests = []
    for link in (first_link, await guest_link(lead, meeting_id, "Bartek Gość")):
        context = await media_browser.new_context(bypass_csp=True)
        await context.add_init_script(RECORD_PEERS)
        page = await context.new_page()
        await page.goto(link)
        await page.click("button[type=submit].primary")
        await page.wait_for_selector("#connection[data-state=connected]")
        await join_call(page)
        guests.append(page)
    pages = [host, partner, *guests]
    await assert_everyone_hears_everyone(pages)
    await rooms_list.wait_for_selector(f"{call_on}:text('rozmowa trwa (4 osoby)')")
    assert await axe_violations(rooms_list) == []

    # A fifth is told the call is full, and why.
    fifth = await guest_page(media_browser, await guest_link(lead, meeting_id, "Cezary Gość"))
    await fifth.click(".call-join")
    problem = fifth.locator(".call-problem")
    await problem.wait_for()
    assert "pełna" in await problem.inner_text() and "4" in await problem.inner_text()
    assert await fifth.locator("#call").get_attribute("data-state") == "idle"

    # Mute: no more audio leaves the partner's browser (not even silence).
    await partner.click(".call-mute")
    badge = f'#participants li[data-who="{partner_who}"] .call-badge:text("wyciszony")'
    await host.wait_for_selector(badge)
    await asyncio.sleep(0.5)
    sent = [p["outbound"] for p in await partner.evaluate(OPEN_PEERS)]
    await asyncio.sleep(1.5)
    assert [p["outbound"] for p in await partner.evaluate(OPEN_PEERS)] == sent
    await partner.click(".call-mute")
    # Space toggles mute when focus is not in the composer; in the composer it types a space.
    await partner.fill("#composer-text", "a")
    await partner.press("#composer-text", "Space")
    assert await partner.input_value("#composer-text") == "a "
    assert await partner.get_attribute(".call-mute", "aria-pressed") == "false"
    await partner.fill("#composer-text", "")
    await partner.focus("#messages")
    await partner.keyboard.press("Space")
    assert await partner.get_attribute(".call-mute", "aria-pressed") == "true"
    await partner.keyboard.press("Space")
    assert await partner.get_attribute(".call-mute", "aria-pressed") == "false"
    await assert_everyone_hears_everyone(pages)

    # A moderator removes a guest from the room: within 2 s no one has a connection to them
    # any more, and the guest's own page has stopped its microphone and connections.
    removed = guests[1]
    config = "JSON.parse(document.getElementById('room').dataset.config)"
    who = await removed.evaluate(f"{config}.me.who")
    started = time.monotonic()
    await host.click(f'#participants li[data-who="{who}"] button')
    for page in [host, partner, guests[0]]:
        await until(lambda page=page: _open_count(page, 2), 2.0)
    await until(lambda: _open_count(removed, 0), 2.0)
    assert time.monotonic() - started < 2.5
    others = [host, partner, guests[0]]
    await assert_everyone_hears_everyone(others)
    assert "usunął" in await removed.locator(".call-status").inner_text()
    assert all(not p for p in problems), problems
    await lead.close()


async def _open_count(page: Any, count: int) -> bool:
    return len(await page.evaluate(OPEN_PEERS)) == count


VIDEO_IN = """async () => {
  const out = [];
  for (const pc of window.__pcs) {
    if (pc.connectionState === "closed") continue;
    (await pc.getStats()).forEach((s) => {
      const video = s.type === "inbound-rtp" && s.kind === "video";
      if (video && s.bytesReceived > 0) out.push(s.bytesReceived);
    });
  }
  return out;
}"""


async def _video_bytes(page: Any, streams: int) -> bool:
    """True once the page receives this many video streams, each growing."""
    first = await page.evaluate(VIDEO_IN)
    if len(first) < streams:
        return False
    await asyncio.sleep(0.5)
    second = await page.evaluate(VIDEO_IN)
    return len(second) >= streams and all(b > a for a, b in zip(first, second, strict=False))


async def _video_count(page: Any, count: int) -> bool:
    return await page.locator(".call-tile video").count() == count
