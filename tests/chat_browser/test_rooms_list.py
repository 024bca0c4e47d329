"""The rooms list: unread counts that change live, starting a DM, a group and a network room;
Polish by default and English by switch; axe-core finds nothing on it."""

from __future__ import annotations

import pytest

from tests.browser_support import axe_violations
from tests.chat.support import ChatClient, network_id_of, person_id, signed_in
from tests.chat_browser.support import PHONE, person_page, send, watch_console
from tests.support import LEAD, PARTNER

pytestmark = pytest.mark.browser


async def test_rooms_list_counts_unread_live_and_opens_a_dm(server, browser, shots) -> None:
    page = await person_page(browser, server, PARTNER)
    problems = watch_console(page)
    await page.goto(server.url + "/rooms")
    await page.wait_for_selector("#connection[data-state=connected]")
    assert await page.locator("h1").inner_text() == "Rozmowy"

    # The lead opens a DM to the partner and writes: the partner's list shows 1 new, live.
    lead, token = await signed_in(server, LEAD)
    status, body = await lead.post(
        "/api/v1/rooms/direct", {"person_id": await person_id(server, PARTNER)}
    )
    assert status == 200, body
    dm = body["id"]
    socket = ChatClient("lead")
    await socket.connect(server, token)
    await socket.join(dm, None)
    ack = await socket.send(dm, "Cześć!")
    assert ack["ok"], ack
    await socket.close()
    await lead.close()
    item = page.locator(".room-list[data-kind=direct] .room-item", has_text="Anna Kowalczyk")
    await item.locator(".count", has_text="1").wait_for(timeout=10000)
    await page.screenshot(path=str(shots / "rooms-list-pl-1366.png"), full_page=True)
    assert await axe_violations(page) == []

    # Opening it shows the message, and reading it clears the count.
    await item.locator("a").click()
    await page.wait_for_selector(".msg:has-text('Cześć!')")
    await send(page, "Dzień dobry, Anno")
    await page.wait_for_selector(".msg.mine .msg-state:has-text('Zapisano')")
    await page.goto(server.url + "/rooms")
    await page.wait_for_selector(".room-list[data-kind=direct] .room-item")
    assert await item.locator(".count").count() == 0
    assert problems == []


async def test_group_and_network_rooms_from_the_list(server, browser, shots) -> None:
    page = await person_page(browser, server, LEAD)
    await page.goto(server.url + "/rooms")
    await page.wait_for_selector("#connection[data-state=connected]")
    await page.fill("#group-title", "Koło czytelnicze")
    await page.locator("#group-form .check", has_text="Zieliński").first.locator("input").check()
    await page.click("#group-form button[type=submit]")
    await page.wait_for_url("**/rooms/*")
    assert await page.locator("#room-title").inner_text() == "Koło czytelnicze"

    await page.goto(server.url + "/rooms")
    # The network's standing room is listed from the start: nothing to open by hand.
    await page.click(".room-list[data-kind=network] .room-item a")
    await page.wait_for_url("**/rooms/*")
    await page.wait_for_selector("#connection[data-state=connected]")
    await page.goto(server.url + "/rooms")
    await page.wait_for_selector(".room-list[data-kind=group] .room-item:has-text('Koło')")
    await page.wait_for_selector(".room-list[data-kind=network] .room-item")


async def test_english_and_phone_width(server, browser, shots) -> None:
    page = await person_page(browser, server, PARTNER, viewport=PHONE)
    await page.goto(server.url + "/rooms")
    await page.click(".lang-switch button")
    await page.wait_for_selector("h1:has-text('Chat rooms')")
    await page.wait_for_selector("#connection[data-state=connected]")
    await page.screenshot(path=str(shots / "rooms-list-en-360.png"), full_page=True)
    assert await axe_violations(page) == []
    await page.click(".room-list[data-kind=network] .room-item a")
    await page.wait_for_url("**/rooms/*")
    await page.wait_for_selector("#connection[data-state=connected]")
    await send(page, "Hello from a phone")
    await page.wait_for_selector(".msg.mine .msg-state:has-text('Saved')")
    assert await page.locator("label[for=composer-text]").inner_text() == "Your message"
    await page.screenshot(path=str(shots / "room-en-360.png"), full_page=True)
    assert await axe_violations(page) == []


async def test_a_network_rooms_count_moves_live_and_counts_each_message_once(
    server, browser, shots
) -> None:
    # Before, only direct messages and mentions moved the counts at once; others waited for
    # the 30-second refresh. A mention brings both "activity" and "notify": counted once.
    lead, token = await signed_in(server, LEAD)
    _, room = await lead.post(f"/api/v1/networks/{await network_id_of(server, 'Morawic')}/room")
    page = await person_page(browser, server, PARTNER)
    problems = watch_console(page)
    await page.goto(server.url + "/rooms")
    await page.wait_for_selector("#connection[data-state=connected]")
    item = page.locator(".room-list[data-kind=network] .room-item")
    await item.wait_for()
    socket = ChatClient("lead")
    await socket.connect(server, token)
    await socket.join(room["id"], None)
    assert (await socket.send(room["id"], "Dzień dobry wszystkim"))["ok"]
    await item.locator(".count", has_text="1").wait_for(timeout=5000)
    partner_id = await person_id(server, PARTNER)
    assert (await socket.send(room["id"], "@Tomasz zobacz", mentions=[partner_id]))["ok"]
    await item.locator(".count", has_text="2").wait_for(timeout=5000)
    await page.wait_for_timeout(500)
    counts = await item.locator(".count").all_inner_texts()
    assert any("2" in c for c in counts) and not any("3" in c for c in counts), counts
    await page.screenshot(path=str(shots / "rooms-list-network-live.png"), full_page=True)
    await socket.close()
    await lead.close()
    assert problems == []
