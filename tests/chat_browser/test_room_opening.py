"""Before a session room opens: the page says when (date and time, in words) with a countdown,
the composer is closed with that reason (no misleading "enter the room first"), moderators are
told they see the room early but write from the opening too; at the opening the composer opens
by itself and a guest who was kept out joins and writes."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.browser_support import axe_violations
from tests.chat.support import add_meeting, network_id_of, person_id
from tests.chat_browser.support import PHONE, guest_page, person_page, send, watch_console
from tests.support import LEAD, Client, Server

pytestmark = pytest.mark.browser


async def _guest_link(server: Server, meeting_id: int) -> str:
    lead = Client(server.url)
    try:
        await lead.login(LEAD)
        status, body = await lead.post(
            f"/api/v1/meetings/{meeting_id}/guest-invitations",
            {"name": "Jan Gość", "category": "local_creator"},
        )
        assert status in (200, 201), body
        return body["link"]
    finally:
        await lead.close()


async def test_guest_waits_for_the_opening_then_writes(server, browser, shots) -> None:
    network = await network_id_of(server, "Morawic")
    lead_id = await person_id(server, LEAD)
    # Opens in about 8 seconds: 15 minutes before a start 15 min 8 s away.
    meeting = await add_meeting(
        server, network, starts_in=timedelta(minutes=15, seconds=8), created_by=lead_id
    )
    page = await guest_page(browser, await _guest_link(server, meeting), viewport=PHONE)
    problems = watch_console(page)
    closed = page.locator("#composer .composer-closed")
    await closed.wait_for()
    text = await closed.inner_text()
    assert "Pokój spotkania otworzy się" in text and "za chwilę" in text, text
    assert await page.is_disabled("#composer-text")
    assert await page.inner_text("#room-problem") == ""  # no "enter the room first"
    await page.screenshot(path=str(shots / "guest-before-opening-360.png"), full_page=True)
    assert await axe_violations(page) == []
    # At the opening the composer opens by itself and the guest is let in.
    await page.wait_for_selector("#composer-text:not([disabled])", timeout=30000)
    await send(page, "Dzień dobry, już jestem")
    await page.wait_for_selector(".msg.mine .msg-state:has-text('Zapisano')")
    # On a phone the message box is on the first screen, send button included.
    await page.evaluate("window.scrollTo(0, 0)")
    for selector in ("#composer-text", "#composer button[type=submit]"):
        box = await page.locator(selector).bounding_box()
        assert box is not None and box["y"] + box["height"] <= PHONE["height"], (selector, box)
    await page.screenshot(path=str(shots / "guest-open-360.png"))
    assert problems == []


async def test_moderator_sees_when_and_that_writing_starts_at_the_opening(
    server, browser, shots
) -> None:
    network = await network_id_of(server, "Morawic")
    lead_id = await person_id(server, LEAD)
    meeting = await add_meeting(server, network, starts_in=timedelta(hours=3), created_by=lead_id)
    page = await person_page(browser, server, LEAD)
    await page.goto(f"{server.url}/meetings/{meeting}/room")
    await page.wait_for_selector("#connection[data-state=connected]")
    closed = page.locator("#composer .composer-closed")
    await closed.wait_for()
    text = await closed.inner_text()
    assert "za 2 godz. 45 min" in text or "za 2 godz. 46 min" in text, text
    assert "Moderatorzy widzą pokój wcześniej" in text
    assert await page.is_disabled("#composer-text")
    await page.screenshot(path=str(shots / "moderator-before-opening-1366.png"), full_page=True)
    assert await axe_violations(page) == []


async def test_rooms_list_marks_a_meeting_on_now(server, browser, shots) -> None:
    lead = Client(server.url)
    try:
        await lead.login(LEAD)
        network = await network_id_of(server, "Morawic")
        meeting = await add_meeting(
            server,
            network,
            starts_in=timedelta(minutes=5),
            created_by=await person_id(server, LEAD),
        )
        status, room = await lead.post(f"/api/v1/meetings/{meeting}/room", {})
        assert status in (200, 201), room
    finally:
        await lead.close()
    page = await person_page(browser, server, LEAD)
    await page.goto(server.url + "/rooms")
    first = page.locator(".room-list[data-kind=session] .room-item").first
    await first.locator(".badge-live", has_text="Trwa teraz").wait_for()
    await page.screenshot(path=str(shots / "rooms-list-live-1366.png"))
    assert await axe_violations(page) == []
