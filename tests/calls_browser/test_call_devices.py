"""Joining a call without a usable microphone says what is wrong, in words the person can act
on: the browser refused the permission (Chromium with a fake microphone but no automatic
consent, the permission not granted), or there is no microphone at all (Chromium without fake
devices: headless has none)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser_support import CHROMIUM_FLAGS
from tests.chat_browser.support import meeting_with_guest_link, person_page
from tests.support import LEAD, Client, Server, chromium_path

pytestmark = pytest.mark.browser


async def test_refused_permission_and_missing_microphone(browser: Any, server: Server) -> None:
    meeting_id, _ = await meeting_with_guest_link(server)
    lead = Client(server.url)
    await lead.login(LEAD)
    _, room = await lead.post(f"/api/v1/meetings/{meeting_id}/room")
    await lead.close()
    url = f"{server.url}/rooms/{room['id']}"
    with_microphone = await browser.browser_type.launch(
        executable_path=chromium_path(),
        headless=True,
        args=[*CHROMIUM_FLAGS, "--use-fake-device-for-media-stream"],
    )
    for chromium, permissions, expected in (
        (with_microphone, [], "nie pozwoliła użyć mikrofonu"),
        (browser, ["microphone"], "Nie znaleziono mikrofonu"),
    ):
        page = await person_page(chromium, server, LEAD, permissions=permissions)
        await page.goto(url)
        await page.wait_for_selector("#connection[data-state=connected]")
        join = page.locator(".call-join")
        assert await join.inner_text() == "Dołącz do rozmowy głosowej"
        await join.click()
        problem = page.locator(".call-problem")
        await problem.wait_for()
        assert expected in await problem.inner_text()
        # Nothing was joined: the button is there to try again, no one sees me in the call.
        assert await page.locator("#call").get_attribute("data-state") == "idle"
        assert await join.is_enabled()
        assert await page.locator(".call-badge").count() == 0
        await page.context.close()
    await with_microphone.close()
