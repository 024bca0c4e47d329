"""A guest can be @-mentioned: the lead's completion offers the guest's name, Enter picks it
(no stray "@Jan" message), and the guest sees the message marked as mentioning her."""

from __future__ import annotations

import pytest

from tests.browser_support import axe_violations
from tests.chat_browser.support import (
    guest_page,
    meeting_with_guest_link,
    person_page,
    watch_console,
)
from tests.support import LEAD

pytestmark = pytest.mark.browser


async def test_lead_mentions_a_guest(server, browser, shots) -> None:
    meeting_id, link = await meeting_with_guest_link(server, "Jan Gość")
    guest = await guest_page(browser, link)
    problems = watch_console(guest)
    lead = await person_page(browser, server, LEAD)
    await lead.goto(f"{server.url}/meetings/{meeting_id}/room")
    await lead.wait_for_selector("#participants li:has-text('Jan Gość')")
    await lead.type("#composer-text", "Witamy, @Jan")
    await lead.wait_for_selector(".mention-list [role=option]:has-text('Jan Gość')")
    await lead.press("#composer-text", "Enter")  # picks the name, sends nothing
    assert await lead.locator(".msg.mine").count() == 0
    assert (await lead.input_value("#composer-text")).startswith("Witamy, @Jan Gość")
    await lead.type("#composer-text", "miło Pana gościć")
    await lead.press("#composer-text", "Enter")
    marked = guest.locator(".msg.mentions-me", has_text="miło Pana gościć")
    await marked.wait_for()
    await guest.screenshot(path=str(shots / "guest-mentioned.png"))
    assert await axe_violations(guest) == []
    assert problems == []
