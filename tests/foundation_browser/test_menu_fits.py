"""The top menu fits on one line at 1366 px for every role in both languages (a coordinator's
menu, the longest, wrapped to two lines), and the header stays one band."""

from __future__ import annotations

import pytest

from tests.foundation_browser.conftest import DESKTOP
from tests.foundation_browser.helpers import sign_in, use_language
from tests.support import COORDINATOR, LEAD, PARTNER

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="package")]


@pytest.mark.parametrize("email", [COORDINATOR, LEAD, PARTNER])
@pytest.mark.parametrize("lang", ["pl", "en"])
async def test_menu_is_one_line_at_1366(site, chromium, shots, email: str, lang: str) -> None:
    page = await sign_in(chromium, site.url, email, DESKTOP)
    try:
        await use_language(page, lang)
        tops = await page.evaluate(
            "[...document.querySelectorAll('#main-nav .nav > li')].map((li) => li.offsetTop)"
        )
        header = await page.evaluate("document.querySelector('.site-header').offsetHeight")
        await page.screenshot(path=str(shots / f"menu-{email.split('@')[0]}-{lang}.png"))
        assert tops and len(set(tops)) == 1, tops
        assert header < 70, header
    finally:
        await page.context.close()
