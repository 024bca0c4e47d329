"""Every foundation page, for every role, in both languages and at both window sizes.

Each visit saves a screenshot and requires axe-core to find 0 violations, no script errors,
no untranslated keys and no sideways scrolling (tests/foundation_browser/helpers.py).
"""

from __future__ import annotations

import pytest

from tests.foundation_browser.conftest import DESKTOP, PHONE
from tests.foundation_browser.helpers import check_page, new_page, sign_in, use_language
from tests.support import COORDINATOR, LEAD, PARTNER

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="package")]

SIZES = {"desktop": DESKTOP, "phone": PHONE}
COMMON = ["/", "/networks", "/libraries", "/people", "/profile"]

# (who, language, window): each role is seen in both languages and both sizes.
TOURS = [
    ("coordinator", "pl", "desktop"),
    ("coordinator", "en", "phone"),
    ("lead", "pl", "phone"),
    ("lead", "en", "desktop"),
    ("partner", "pl", "desktop"),
    ("partner", "en", "phone"),
]
EMAILS = {"coordinator": COORDINATOR, "lead": LEAD, "partner": PARTNER}
HOME_TEXT = {
    "coordinator": {"pl": "Program w liczbach", "en": "The programme in numbers"},
    "lead": {"pl": "Twoja biblioteka prowadzi tę sieć", "en": "Your library leads this network"},
    "partner": {"pl": "Moje sieci", "en": "My networks"},
}


@pytest.mark.parametrize(("who", "lang", "size"), TOURS)
async def test_signed_in_tour(site, chromium, shots, who, lang, size) -> None:
    page = await sign_in(chromium, site.url, EMAILS[who], SIZES[size])
    try:
        await use_language(page, lang)
        home = await check_page(page, shots, f"{who}-{lang}-{size}-home")
        assert HOME_TEXT[who][lang] in home
        paths = [*COMMON, "/outbox"] if who == "coordinator" else COMMON
        for path in paths[1:]:
            await page.goto(site.url + path)
            await check_page(page, shots, f"{who}-{lang}-{size}{path.replace('/', '-')}")
        # One network and one library page (the first link of each list).
        for listing in ("/networks", "/libraries"):
            await page.goto(site.url + listing)
            await page.click(f"main a[href^='{listing}/']")
            await check_page(page, shots, f"{who}-{lang}-{size}{listing.replace('/', '-')}-one")
        if who != "coordinator":
            await page.goto(site.url + "/outbox")
            name = f"{who}-{lang}-{size}-outbox-refused"
            text = await check_page(page, shots, name)
            assert {"pl": "Brak dostępu", "en": "No access"}[lang] in text
    finally:
        await page.context.close()


@pytest.mark.parametrize(("lang", "size"), [("pl", "phone"), ("en", "desktop")])
async def test_signed_out_pages(site, chromium, shots, lang, size) -> None:
    page = await new_page(chromium, SIZES[size])
    try:
        await page.goto(site.url + "/login")
        await use_language(page, lang)
        await check_page(page, shots, f"login-{lang}-{size}")
        await page.goto(site.url + "/password/forgot")
        await check_page(page, shots, f"forgot-{lang}-{size}")
        await page.goto(site.url + "/password/reset?token=not-a-real-token")
        text = await check_page(page, shots, f"reset-dead-link-{lang}-{size}")
        assert {"pl": "nieważny", "en": "invalid"}[lang] in text
        await page.goto(site.url + "/invitation/accept?token=nope")
        await check_page(page, shots, f"invitation-dead-link-{lang}-{size}")
        await page.goto(site.guest_link)
        await check_page(page, shots, f"guest-enter-{lang}-{size}")
        response = await page.goto(site.url + "/no/such/page")
        assert response.status == 404
        text = await check_page(page, shots, f"not-found-{lang}-{size}")
        assert {"pl": "Nie ma takiej strony", "en": "Page not found"}[lang] in text
        # Signed-out visitors of a members' page are sent to sign in, and come back after.
        await page.goto(site.url + "/people")
        assert "/login?next=/people" in page.url
    finally:
        await page.context.close()
