"""A real Chromium signs in and sees the home page; axe-core finds no violations there."""

from __future__ import annotations

from meetings_hub.actions.demo import DEMO_PASSWORD
from tests.browser_support import axe_violations, login_page
from tests.support import LEAD

pytestmark = __import__("pytest").mark.browser


async def test_lead_signs_in_and_sees_her_network(server, browser, shots) -> None:
    page = await login_page(
        browser, server.url, LEAD, DEMO_PASSWORD, viewport={"width": 1366, "height": 768}
    )
    await page.wait_for_selector("h1")
    assert "Morawic" in await page.content()
    await page.screenshot(path=str(shots / "home-lead-pl.png"), full_page=True)
    assert await axe_violations(page) == []
