"""People use the pages end to end: the changes land, errors come back in the page's language."""

from __future__ import annotations

import re

import aiohttp
import pytest

from tests.foundation_browser.conftest import DESKTOP, PHONE
from tests.foundation_browser.helpers import check_page, new_page, sign_in, use_language
from tests.support import COORDINATOR, LEAD

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="package")]

NEW_PASSWORD = "nowe-haslo-2026"


async def _mail_link(browser, base: str, recipient: str, path: str, shots=None) -> str:
    """The coordinator reads the outbox page and takes the link from the newest mail."""
    page = await sign_in(browser, base, COORDINATOR, DESKTOP)
    try:
        await page.goto(base + "/outbox")
        mail = page.locator("details.mail", has_text=recipient).first
        await mail.locator("summary").click()
        body = await mail.locator(".mail-body").inner_text()
        if shots is not None:
            await check_page(page, shots, "outbox-mail-open")
    finally:
        await page.context.close()
    found = re.search(rf"https?://\S+{re.escape(path)}\?token=\S+", body)
    assert found, body
    return found.group(0)


async def test_lead_adds_and_edits_a_library(site, chromium, shots) -> None:
    page = await sign_in(chromium, site.url, LEAD, DESKTOP)
    try:
        await use_language(page, "pl")
        await page.goto(site.url + "/libraries")
        form = page.locator("form[data-api='/api/v1/libraries']")
        # The server checks the fields; its answers appear by the fields, in Polish.
        await form.locator("button[type=submit]").click()
        await form.locator("#f-name-error").wait_for()
        assert await form.locator("#f-name-error").inner_text() == "To pole jest wymagane."
        assert await form.locator("#f-name").get_attribute("aria-invalid") == "true"
        assert "Popraw zaznaczone pola" in await form.locator(".form-error").inner_text()
        await check_page(page, shots, "library-add-errors")
        await form.locator("#f-lat").fill("pięćdziesiąt")
        await form.locator("button[type=submit]").click()
        await form.locator("#f-lat-error", has_text="wpisz liczbę").wait_for()
        assert not await form.locator("#f-name-error").count()

        await form.locator("#f-name").fill("Biblioteka Publiczna w Zagórzu (test)")
        await form.locator("#f-town").fill("Zagórze")
        await form.locator("#f-kind").select_option("branch")
        await form.locator("#f-lat").fill("50,7012")
        await form.locator("#f-lon").fill("20.5123")
        await form.locator("button[type=submit]").click()
        await page.wait_for_url(re.compile(r"/libraries/\d+\?saved=1$"))
        text = await check_page(page, shots, "library-added")
        assert "Biblioteka Publiczna w Zagórzu (test)" in text
        assert "Zapisano." in text and "50.7012° N" in text
        # She added it into her network, so it is listed there as a partner from today.
        assert "Sieć bibliotek wokół Morawicy" in text

        edit = page.locator("form[data-method='PATCH']")
        await edit.locator("#f-gmina").fill("Morawica")
        await edit.locator("#f-postal").fill("26-026")
        await edit.locator("button[type=submit]").click()
        await page.wait_for_load_state("load")
        await page.locator("dl.facts", has_text="26-026").wait_for()

        # The same name in the same town again: the conflict is explained in Polish.
        await page.goto(site.url + "/libraries")
        await form.locator("#f-name").fill("Biblioteka Publiczna w Zagórzu (test)")
        await form.locator("#f-town").fill("Zagórze")
        await form.locator("button[type=submit]").click()
        error = form.locator(".form-error")
        await error.filter(has_text="już istnieje").wait_for()
        await check_page(page, shots, "library-duplicate")

        response = await page.goto(site.url + "/libraries/99999")
        assert response.status == 404
        text = await check_page(page, shots, "library-missing")
        assert "Nie znaleziono biblioteki." in text
    finally:
        await page.context.close()


async def test_coordinator_adds_and_removes_a_partner_on_a_phone(site, chromium, shots) -> None:
    page = await sign_in(chromium, site.url, COORDINATOR, PHONE)
    try:
        await use_language(page, "en")
        # The menu is folded behind a button on a phone; it opens and closes by keyboard too.
        menu = page.locator(".menu-button")
        assert await menu.get_attribute("aria-expanded") == "false"
        assert not await page.locator("#main-nav").is_visible()
        await menu.focus()
        await page.keyboard.press("Enter")
        assert await menu.get_attribute("aria-expanded") == "true"
        await check_page(page, shots, "menu-open")
        await page.keyboard.press("Escape")
        assert await menu.get_attribute("aria-expanded") == "false"
        await menu.click()
        await page.click("#main-nav a[href='/networks']")
        await page.click("main a:has-text('Korsz')")

        form = page.locator("form[data-api$='/members']")
        option = form.locator("#m-lib option", has_text="Komarówce Podlaskiej")
        value = await option.get_attribute("value")
        await form.locator("#m-lib").select_option(value)
        await form.locator("button[type=submit]").click()
        await page.wait_for_load_state("load")
        row = page.locator("tbody tr", has_text="Komarówce Podlaskiej")
        await row.wait_for()
        assert "Partner library" in await row.inner_text()
        await check_page(page, shots, "partner-added")

        await row.locator("button", has_text="End membership").click()  # confirm is accepted
        await page.wait_for_load_state("load")
        ended = page.locator("tbody tr.past", has_text="Komarówce Podlaskiej")
        await ended.wait_for()
        assert "Left: —" not in await ended.inner_text()
        await check_page(page, shots, "partner-removed")
    finally:
        await page.context.close()


async def test_lead_invites_a_librarian_who_sets_her_password(site, chromium, shots) -> None:
    page = await sign_in(chromium, site.url, LEAD, DESKTOP)
    email = "zofia.nowak@checiny.example.org"
    try:
        await use_language(page, "pl")
        await page.goto(site.url + "/people")
        form = page.locator("form[data-api='/api/v1/people']")
        await form.locator("#p-email").fill("to nie jest adres")
        await form.locator("button[type=submit]").click()
        await form.locator("#p-email-error").wait_for()
        assert "poprawny adres e-mail" in await form.locator("#p-email-error").inner_text()
        await form.locator("#p-name").fill("Zofia Nowak")
        await form.locator("#p-email").fill(email)
        option = form.locator("#p-lib option", has_text="Chęcinach")
        await form.locator("#p-lib").select_option(await option.get_attribute("value"))
        await form.locator("button[type=submit]").click()
        await page.wait_for_url(re.compile(r"/people\?invited=1$"))
        row = page.locator("tbody tr", has_text="Zofia Nowak")
        assert "zaproszenie wysłane" in await row.inner_text()
        await check_page(page, shots, "person-invited")
    finally:
        await page.context.close()

    link = await _mail_link(chromium, site.url, email, "/invitation/accept", shots)
    page = await new_page(chromium, PHONE)
    try:
        await page.goto(link)
        await page.fill("#pw-new", "krótkie")
        await page.click("main button[type=submit]")
        await page.locator("#pw-new-error").wait_for()
        assert await page.inner_text("#pw-new-error") == "Co najmniej 10 znaków."
        await check_page(page, shots, "invitation-short-password")
        await page.fill("#pw-new", NEW_PASSWORD)
        await page.click("main button[type=submit]")
        await page.wait_for_url(re.compile(r"/login$"))
        await page.fill("#email", email)
        await page.fill("#password", "zle-haslo-123")
        await page.click("main button[type=submit]")
        await page.locator(".form-error", has_text="Nieprawidłowy e-mail lub hasło.").wait_for()
        await check_page(page, shots, "login-wrong-password")
        await page.fill("#password", NEW_PASSWORD)
        await page.click("main button[type=submit]")
        await page.wait_for_url(site.url + "/")
        text = await check_page(page, shots, "invited-home")
        assert "Dzień dobry, Zofia Nowak" in text
        # The link was for one use only.
        await page.goto(link)
        assert "nieważny" in await page.inner_text("main")
    finally:
        await page.context.close()


async def test_forgotten_password_by_emailed_link(site, chromium, shots) -> None:
    email = "halina.baran@bisztynek.example.org"
    page = await new_page(chromium, PHONE)
    try:
        await page.goto(site.url + "/login")
        await use_language(page, "en")
        # Wait for the whole page, its form script included: a click returns once the
        # navigation commits, and under load a submit before the script ran was a native one.
        async with page.expect_navigation(wait_until="load"):
            await page.click("a[href='/password/forgot']")
        await page.fill("#email", email)
        await page.click("main button[type=submit]")
        await page.locator(".form-status", has_text="on its way").wait_for()
        await check_page(page, shots, "forgot-sent")
    finally:
        await page.context.close()

    link = await _mail_link(chromium, site.url, email, "/password/reset")
    page = await new_page(chromium, DESKTOP)
    try:
        await page.goto(link)
        await check_page(page, shots, "reset-form")
        await page.fill("#pw-new", NEW_PASSWORD)
        await page.click("main button[type=submit]")
        await page.wait_for_url(re.compile(r"/login$"))
        await page.fill("#email", email)
        await page.fill("#password", NEW_PASSWORD)
        await page.click("main button[type=submit]")
        await page.wait_for_url(site.url + "/")
    finally:
        await page.context.close()


async def test_profile_language_time_zone_and_password(site, chromium, shots) -> None:
    email = "dorota.wozniak@czemierniki.example.org"
    page = await sign_in(chromium, site.url, email, DESKTOP)
    try:
        await use_language(page, "pl")
        await page.goto(site.url + "/profile")
        await page.fill("#pr-name", "Dorota Woźniak-Kos")
        await page.select_option("#pr-lang", "en")
        await page.select_option("#pr-tz", "Europe/London")
        await page.click("form[data-api='/api/v1/me'] button[type=submit]")
        await page.wait_for_url(re.compile(r"/profile\?saved=1$"))
        assert await page.get_attribute("html", "lang") == "en"
        assert await page.input_value("#pr-tz") == "Europe/London"
        text = await check_page(page, shots, "profile-saved-en")
        assert "Saved." in text and "Dorota Woźniak-Kos" in text

        password = page.locator("form[data-api='/api/v1/auth/password']")
        await password.locator("#pw-cur").fill("not-my-password")
        await password.locator("#pw-new").fill(NEW_PASSWORD)
        await password.locator("button[type=submit]").click()
        await password.locator("#pw-cur-error", has_text="current password is wrong").wait_for()
        await use_language(page, "pl")  # the same answer, now in Polish
        password = page.locator("form[data-api='/api/v1/auth/password']")
        await password.locator("#pw-cur").fill("not-my-password")
        await password.locator("#pw-new").fill(NEW_PASSWORD)
        await password.locator("button[type=submit]").click()
        await password.locator("#pw-cur-error", has_text="Obecne hasło jest").wait_for()
        await check_page(page, shots, "profile-password-error-pl")
        await password.locator("#pw-cur").fill("biblioteka-demo")
        await password.locator("button[type=submit]").click()
        await password.locator(".form-status", has_text="Hasło zmienione").wait_for()
    finally:
        await page.context.close()


async def test_guest_enters_by_link(site, chromium, shots) -> None:
    page = await new_page(chromium, PHONE)
    try:
        await page.goto(site.guest_link)
        assert await page.input_value("#g-name") == "Jan Kowalski"
        await page.fill("#g-name", "")
        await page.click("main button[type=submit]")
        await page.locator("#g-name-error", has_text="To pole jest wymagane.").wait_for()
        await page.fill("#g-name", "Jan Kowalski, wójt")
        await page.select_option("#g-cat", "local_authority")
        await page.click("main button[type=submit]")
        # The guest lands in the meeting's room; the home page shows the meeting and links back.
        await page.wait_for_url(re.compile(r"/rooms/\d+$"))
        await page.goto(site.url + "/")
        assert await page.get_attribute("a[href='/rooms/guest']", "class") == "button primary"
        text = await check_page(page, shots, "guest-home-pl")
        assert "Witamy, Jan Kowalski, wójt" in text
        assert "Spotkanie sieci: planowanie wiosennych warsztatów" in text
        assert "3 grudnia 2026, 10:00" in text  # 09:00 UTC shown in Warsaw time
        assert "Samorząd lokalny" in text
        await use_language(page, "en")
        text = await check_page(page, shots, "guest-home-en")
        assert "3 December 2026, 10:00" in text
    finally:
        await page.context.close()


async def test_skip_link_and_focus_are_visible(site, chromium, shots) -> None:
    page = await sign_in(chromium, site.url, LEAD, DESKTOP)
    try:
        await page.keyboard.press("Tab")
        skip = page.locator(".skip-link")
        assert await skip.evaluate("el => el === document.activeElement")
        box = await skip.bounding_box()
        assert box is not None and box["x"] >= 0  # moved on screen when focused
        outline = await skip.evaluate("el => getComputedStyle(el).outlineStyle")
        assert outline != "none"
        await page.screenshot(path=str(shots / "skip-link-focused.png"))
        await page.keyboard.press("Enter")
        assert await page.evaluate("() => document.activeElement.id") == "main"
    finally:
        await page.context.close()


async def test_static_files_are_revalidated_or_versioned(site) -> None:
    async with aiohttp.ClientSession() as http:
        async with http.get(site.url + "/login") as r:
            html = await r.text()
            assert r.headers["Cache-Control"] == "no-store"
        # Modules are linked without a version (they import each other by plain URL) ...
        assert 'src="/static/js/forms.js"' in html
        async with http.get(site.url + "/static/js/forms.js") as r:
            assert r.status == 200 and r.headers["Cache-Control"] == "no-cache"
            modified = r.headers["Last-Modified"]
        async with http.get(site.url + "/static/js/api.js") as r:
            assert r.headers["Cache-Control"] == "no-cache"
        async with http.get(
            site.url + "/static/js/forms.js", headers={"If-Modified-Since": modified}
        ) as r:
            assert r.status == 304  # revalidation is cheap on old computers and slow lines
        # ... while the stylesheet carries its content hash and is kept for a year.
        css = re.search(r'href="(/static/css/site\.css\?v=[^"]+)"', html)
        assert css, html
        async with http.get(site.url + css.group(1)) as r:
            assert r.status == 200
            assert r.headers["Cache-Control"] == "public, max-age=31536000, immutable"


async def test_coordinator_changes_a_role(site, chromium, shots) -> None:
    page = await sign_in(chromium, site.url, COORDINATOR, DESKTOP)
    try:
        await use_language(page, "pl")
        await page.goto(site.url + "/people")
        await page.fill("#people-filter", "iwona")
        await page.locator("#people-filter-status", has_text="Widoczny 1 wiersz.").wait_for()
        assert await page.locator("#people-table tbody tr:visible").count() == 1
        row = page.locator("tbody tr", has_text="Iwona Chmiel")
        await row.locator("summary").click()
        await row.locator("select[name=role]").select_option("lead_librarian")
        await check_page(page, shots, "people-change-role-open")
        await row.locator("details button[type=submit]").click()
        await page.wait_for_url(re.compile(r"/people\?saved=1$"))
        row = page.locator("tbody tr", has_text="Iwona Chmiel")
        assert "Biblioteki Wiodącej" in await row.inner_text()
    finally:
        await page.context.close()


async def test_coordinator_creates_a_network_then_signs_out(site, chromium, shots) -> None:
    page = await sign_in(chromium, site.url, COORDINATOR, PHONE)
    try:
        await use_language(page, "pl")
        await page.goto(site.url + "/networks")
        form = page.locator("form[data-api='/api/v1/networks']")
        await form.locator("#n-name").fill("Sieć bibliotek wokół Chęcin (test)")
        option = form.locator("#n-lead option", has_text="Chęcinach")
        await form.locator("#n-lead").select_option(await option.get_attribute("value"))
        await form.locator("button[type=submit]").click()
        await form.locator("#n-start-error", has_text="Podaj datę").wait_for()
        await check_page(page, shots, "network-create-error")
        await form.locator("#n-start").fill("2026-09-01")
        await form.locator("button[type=submit]").click()
        await page.wait_for_url(re.compile(r"/networks/\d+$"))
        text = await check_page(page, shots, "network-created")
        assert "Od 1 września 2026" in text
        assert "Biblioteka Wiodąca" in text

        await page.click(".header-tools button:has-text('Wyloguj')")
        await page.wait_for_url(re.compile(r"/login$"))
        await page.goto(site.url + "/networks")
        assert "/login?next=/networks" in page.url
    finally:
        await page.context.close()
