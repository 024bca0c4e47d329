"""A librarian and a guest (who came by invitation link) chat in a real browser."""

from __future__ import annotations

import pytest

from tests.browser_support import axe_violations
from tests.chat_browser.support import (
    guest_page,
    meeting_with_guest_link,
    person_page,
    send,
    watch_console,
)
from tests.support import LEAD

pytestmark = pytest.mark.browser


async def test_librarian_and_guest_chat_with_presence_and_typing(server, browser, shots) -> None:
    _, link = await meeting_with_guest_link(server)
    guest = await guest_page(browser, link)
    guest_problems = watch_console(guest)
    room_url = guest.url
    lead = await person_page(browser, server, LEAD)
    lead_problems = watch_console(lead)
    await lead.goto(room_url)
    await lead.wait_for_selector("#connection[data-state=connected]")

    # Presence: each sees the other in the participant list.
    await guest.wait_for_selector("#participants li:has-text('Anna')", timeout=10000)
    await lead.wait_for_selector("#participants li:has-text('Jan Gość')")

    # Typing shows on the other side.
    await guest.type("#composer-text", "Dzień dobry")
    await lead.wait_for_selector("#typing:has-text('Jan Gość')")
    await guest.press("#composer-text", "Enter")
    await lead.wait_for_selector(".msg:has-text('Dzień dobry')")

    # The lead answers with two lines (Shift+Enter) and a link; the guest sees it live.
    await lead.fill("#composer-text", "Witamy na spotkaniu")
    await lead.press("#composer-text", "Shift+Enter")
    await lead.type("#composer-text", "Plan: https://example.org/plan")
    await lead.press("#composer-text", "Enter")
    await guest.wait_for_selector(".msg a[href='https://example.org/plan']")
    # My message goes sending -> saved -> read by 1 once the guest has it on screen.
    await lead.wait_for_selector(".msg.mine .msg-state:has-text('1')", timeout=10000)

    # Presence status and description, seen by the other person.
    await guest.select_option("#presence-status", "away")
    await guest.fill("#presence-description", "zaraz wracam, kawa")
    await guest.click("#my-presence button[type=submit]")
    await lead.wait_for_selector("#participants li.status-away:has-text('zaraz wracam, kawa')")

    await lead.screenshot(path=str(shots / "room-lead-1366.png"))
    await guest.screenshot(path=str(shots / "room-guest-1366.png"))
    await guest.set_viewport_size({"width": 360, "height": 740})
    await guest.screenshot(path=str(shots / "room-guest-360.png"), full_page=True)
    assert await axe_violations(lead) == []
    assert await axe_violations(guest) == []
    assert lead_problems == [] and guest_problems == []


async def test_markup_in_a_message_stays_text(server, browser, shots) -> None:
    _, link = await meeting_with_guest_link(server)
    guest = await guest_page(browser, link)
    lead = await person_page(browser, server, LEAD)
    dialogs: list[str] = []
    for page in (guest, lead):
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    await lead.goto(guest.url)
    await lead.wait_for_selector("#connection[data-state=connected]")
    evil = "<img src=x onerror=alert(1)> <b>bold</b> javascript:alert(2)"
    await send(guest, evil)
    shown = lead.locator(".msg .msg-body", has_text="<img src=x onerror=alert(1)>")
    await shown.wait_for()
    assert await shown.inner_text() == evil
    assert await lead.locator(".messages img, .messages b").count() == 0
    await lead.wait_for_timeout(500)
    assert dialogs == []
    await lead.screenshot(path=str(shots / "xss-as-text.png"))


async def test_my_presence_echo_does_not_wipe_a_description_being_typed(
    server, browser, shots
) -> None:
    # The same person in two tabs: the first is typing a description when the second saves a
    # status. The server's presence echo reaches the first tab and must not erase the typing
    # (it did: the status select saves at once, and its echo cleared the field being filled).
    _, link = await meeting_with_guest_link(server)
    guest = await guest_page(browser, link)
    lead = await person_page(browser, server, LEAD)
    other_tab = await lead.context.new_page()
    for page in (lead, other_tab):
        await page.goto(guest.url)
        await page.wait_for_selector("#connection[data-state=connected]")
    await lead.fill("#presence-description", "zaraz wracam, kawa")
    await other_tab.select_option("#presence-status", "busy")
    await lead.wait_for_function("document.querySelector('#presence-status').value === 'busy'")
    assert await lead.input_value("#presence-description") == "zaraz wracam, kawa"
    await lead.click("#my-presence button[type=submit]")
    await guest.wait_for_selector("#participants li.status-busy:has-text('zaraz wracam, kawa')")
    await guest.screenshot(path=str(shots / "presence-seen-by-guest.png"))
