"""Step-by-step subscription help under the subscribe box: a picture and four steps for
Google, Outlook, Apple and Thunderbird, and what to do when a button does nothing; in Polish
and English, at 1366 and 360 px, pictures loaded, axe-core clean with the help open."""

from __future__ import annotations

import pytest

from meetings_hub.actions.demo import DEMO_PASSWORD
from tests.browser_support import axe_violations, login_page
from tests.support import PARTNER

pytestmark = pytest.mark.browser


@pytest.mark.parametrize(("width", "english"), [(1366, False), (360, True)])
async def test_help_with_pictures(server, browser, shots, width: int, english: bool) -> None:
    page = await login_page(
        browser, server.url, PARTNER, DEMO_PASSWORD, viewport={"width": width, "height": 800}
    )
    if english:
        await page.click(".lang-switch button")
        await page.wait_for_selector("html[lang=en]")
    await page.goto(server.url + "/calendar")
    await page.click(".cal-help summary")
    apps = page.locator(".cal-help-app")
    assert await apps.count() == 4
    for i in range(4):
        app = apps.nth(i)
        assert await app.locator("ol li").count() == 4
        img = app.locator("img")
        await img.scroll_into_view_if_needed()
        await page.wait_for_function(
            "(el) => el.complete && el.naturalWidth > 0", arg=await img.element_handle()
        )
        assert (await img.get_attribute("alt")).strip()
    text = await page.inner_text(".cal-help")
    if english:
        assert "What if the button does nothing" in text and "Subscribe from web" in text
    else:
        assert "Co zrobić, gdy przycisk nic nie robi" in text and "Z adresu URL" in text
    await page.locator(".cal-help").screenshot(
        path=str(shots / f"subscribe-help-{'en' if english else 'pl'}-{width}.png")
    )
    assert await axe_violations(page) == []
