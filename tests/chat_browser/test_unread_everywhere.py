"""New messages are never missed: a direct message updates the menu badge and the tab title on
any other page of the person, the home page says how many are unread, and inside a room a
direct message or a mention from elsewhere shows a toast. Checked in Polish and English, at
1366 and 360 px, with axe-core on every state reached."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest

from tests.browser_support import axe_violations
from tests.chat.support import ChatClient, network_id_of, person_id, signed_in
from tests.chat_browser.support import PHONE, person_page, watch_console
from tests.support import LEAD, PARTNER, Server

pytestmark = pytest.mark.browser


class Writer:
    """The lead, writing to the partner over a real socket.io client."""

    def __init__(self, server: Server) -> None:
        self.server = server

    async def __aenter__(self) -> Writer:
        self.http, token = await signed_in(self.server, LEAD)
        self.socket = ChatClient("lead")
        await self.socket.connect(self.server, token)
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.socket.close()
        await self.http.close()

    async def direct(self, text: str) -> int:
        partner = await person_id(self.server, PARTNER)
        status, body = await self.http.post("/api/v1/rooms/direct", {"person_id": partner})
        assert status == 200, body
        await self.socket.join(body["id"], None)
        ack = await self.socket.send(body["id"], text)
        assert ack["ok"], ack
        return int(body["id"])


async def wait_until_read(page: Any, room_id: int) -> None:
    for _ in range(100):
        rooms = await page.evaluate("async () => (await fetch('/api/v1/rooms')).json()")
        if next(r for r in rooms if r["id"] == room_id)["unread"] == 0:
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"room {room_id} was not marked read")


async def badge(page: Any) -> tuple[bool, str]:
    return tuple(
        await page.evaluate(
            """() => { const b = document.getElementById('nav-unread');
                   return [b.hidden, b.querySelector('.nav-unread-count').textContent]; }"""
        )
    )


async def test_direct_message_reaches_badge_and_title_on_another_page(
    server, browser, shots
) -> None:
    page = await person_page(browser, server, PARTNER)
    problems = watch_console(page)
    await page.goto(server.url + "/calendar")
    await page.wait_for_selector("body[data-unread=live]")
    assert (await badge(page))[0] is True  # nothing unread yet: no badge
    title = await page.title()
    assert not title.startswith("(")

    async with Writer(server) as lead:
        await lead.direct("Cześć, Anno!")
        sent = time.monotonic()
        # The goal: within a second of the message being stored.
        await page.wait_for_function(
            "() => !document.getElementById('nav-unread').hidden", timeout=1000
        )
        took = time.monotonic() - sent
    assert await badge(page) == (False, "1"), took
    assert await page.title() == f"(1) {title}"
    label = await page.locator("a[href='/rooms']").inner_text()
    assert "1" in label
    await page.screenshot(path=str(shots / "badge-calendar-pl-1366.png"))
    assert await axe_violations(page) == []

    # The home page counts them too (from the server's summary, after a reload).
    await page.goto(server.url + "/")
    await page.wait_for_selector("#home-unread:not([hidden])")
    assert "1 nieprzeczytaną wiadomość" in await page.locator("#home-unread").inner_text()
    assert await page.title() == "(1) " + (await page.title()).removeprefix("(1) ")
    await page.screenshot(path=str(shots / "home-unread-pl-1366.png"))
    assert await axe_violations(page) == []

    # On a phone the badge stays visible beside the menu link (the menu opens by its button).
    phone = await person_page(browser, server, PARTNER, viewport=PHONE)
    await phone.goto(server.url + "/meetings")
    await phone.wait_for_selector("body[data-unread=live]")
    await phone.wait_for_function("() => !document.getElementById('nav-unread').hidden")
    # The folded menu's button shows the number too.
    assert await phone.locator(".menu-button #menu-unread").inner_text() == "1"
    await phone.screenshot(path=str(shots / "badge-menu-button-pl-360.png"))
    await phone.click(".menu-button")
    await phone.screenshot(path=str(shots / "badge-meetings-pl-360.png"))
    assert await axe_violations(phone) == []
    assert problems == []


async def test_toast_in_a_room_for_a_direct_message_elsewhere_in_english(
    server, browser, shots
) -> None:
    page = await person_page(browser, server, PARTNER)
    problems = watch_console(page)
    # English by the switch, like a person who chose it.
    await page.click(".lang-switch button")
    # The switch reloads the page: wait for the English one before going on (else the reload
    # interrupts the next navigation).
    await page.wait_for_selector("html[lang=en]")
    network = await network_id_of(server, "Morawic")
    partner_http, _ = await signed_in(server, PARTNER)
    status, body = await partner_http.post(f"/api/v1/networks/{network}/room", {})
    await partner_http.close()
    assert status in (200, 201), body
    await page.goto(server.url + f"/rooms/{body['id']}")
    await page.wait_for_selector("#connection[data-state=connected]")
    await page.wait_for_selector("body[data-unread=live]")

    async with Writer(server) as lead:
        dm = await lead.direct("Hello from the lead")
    toast = page.locator("#toasts .toast")
    await toast.wait_for(timeout=5000)
    assert "New message" in await toast.inner_text()
    assert await toast.locator("a").get_attribute("href") == f"/rooms/{dm}"
    assert await badge(page) == (False, "1")
    await page.screenshot(path=str(shots / "room-toast-en-1366.png"))
    assert await axe_violations(page) == []

    # Opening the conversation from the toast reads it: the badge goes away there.
    await toast.locator("a").click()
    await page.wait_for_url(f"**/rooms/{dm}")
    await page.wait_for_selector(".msg:has-text('Hello from the lead')")
    # The room tells the server what was read (a socket event); wait until it has.
    await wait_until_read(page, dm)
    await page.goto(server.url + "/calendar")
    await page.wait_for_selector("body[data-unread=live]")
    assert (await badge(page))[0] is True
    assert problems == []


async def test_sound_and_notifications_are_offered_not_asked_on_load(server, browser) -> None:
    page = await person_page(browser, server, PARTNER)
    asked: list[str] = []
    await page.expose_function("recordAsk", lambda: asked.append("asked"))
    await page.add_init_script(
        """if (window.Notification) {
             const ask = Notification.requestPermission.bind(Notification);
             Notification.requestPermission = (...a) => { window.recordAsk(); return ask(...a); };
           }"""
    )
    for path in ("/", "/calendar", "/rooms"):
        await page.goto(server.url + path)
        await page.wait_for_load_state("networkidle")
    assert asked == []  # never on load
    sound = page.locator("#alert-sound")
    assert not await sound.is_checked()
    await sound.check()
    await page.reload()
    assert await page.locator("#alert-sound").is_checked()  # remembered in this browser
    assert await page.evaluate("localStorage.getItem('mh.sound')") == "on"
