"""A form sent before its script has run (a slow computer, a page still loading) must not put
what was typed — a password above all — into an address, where logs and history keep it."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from tests.foundation_browser.conftest import DESKTOP
from tests.support import LEAD

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="package")]


async def test_a_form_sent_without_its_script_keeps_the_password_out_of_the_address(
    site, chromium
) -> None:
    context = await chromium.new_context(java_script_enabled=False, viewport=DESKTOP)
    page = await context.new_page()
    try:
        await page.goto(site.url + "/login")
        await page.fill("#email", LEAD)
        await page.fill("#password", "tajne-haslo-123")
        await page.click("main button[type=submit]")
        await page.wait_for_load_state("load")
        assert "tajne" not in page.url and "password" not in urlsplit(page.url).query
        text = await page.inner_text("body")
        assert "tajne-haslo-123" not in text
    finally:
        await context.close()
