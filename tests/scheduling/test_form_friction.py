"""Scheduling takes a minute: from the home page's button, a form that can be sent as shown,
an end time instead of a length, no address for online sessions, the organiser not among the
invitees, a confirmation that invitations went out, a warning before a language switch loses
what was typed, a form pre-filled from its address, and axe-core clean in the error state."""

from __future__ import annotations

import re
from typing import Any

import pytest

from meetings_hub.actions.demo import DEMO_PASSWORD
from tests.browser_support import axe_violations, login_page
from tests.scheduling.support import Smtp
from tests.support import LEAD, Server

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 360, "height": 740}


async def test_lead_schedules_a_fortnightly_session_with_a_guest(
    mail_server: Server, smtp: Smtp, browser: Any, shots: Any
) -> None:
    page = await login_page(browser, mail_server.url, LEAD, DEMO_PASSWORD, viewport=DESKTOP)
    clicks = 0
    await page.click("a.button:has-text('Zaplanuj spotkanie')")
    clicks += 1
    await page.wait_for_selector("#meeting-form")
    assert await axe_violations(page) == []
    # Online is the default: no address asked; the lead herself is not among the invitees.
    assert await page.is_hidden("#address-field")
    people = await page.inner_text("fieldset[data-field=person_ids]")
    assert "Anna Kowalczyk" not in people  # the lead (demo data)
    # A fresh network: nobody is marked as never having attended.
    assert await page.locator(".badge.new-person").count() == 0
    await page.fill("#f-title", "Spotkanie sieci")
    await page.check("input[name=repeat][value=WEEKLY]")
    clicks += 1
    await page.fill("#f-interval", "2")
    # The series' end as shown is valid: ten meetings.
    assert await page.is_checked("input[name=ends][value=count]")
    assert await page.input_value("#f-count") == "10"
    await page.fill("#f-time", "10:00")
    await page.fill("#f-end", "11:30")
    await page.click("#add-guest")
    clicks += 1
    await page.fill("#guest-0-email", "wojt@example.net")
    await page.fill("#guest-0-name", "Pani Wójt")
    await page.screenshot(path=str(shots / "form-filled-pl-1366.png"), full_page=True)
    await page.click("#meeting-form button[type=submit]")
    clicks += 1
    await page.wait_for_url(re.compile(r"/meetings/\d+\?saved=new$"))
    notice = await page.inner_text("p.notice[role=status]")
    # Five librarians of the network besides the organiser, and the guest.
    assert notice == "Spotkanie zapisane. Zaproszenia e-mail wysłano do 6 osób."
    # The organiser counts as coming to her own meeting, never as "no answer".
    assert await page.inner_text("#my-rsvp") == "Wezmę udział"
    assert clicks <= 5
    text = await page.inner_text("main")
    assert "10:00–11:30" in text
    await page.screenshot(path=str(shots / "meeting-saved-pl-1366.png"), full_page=True)
    assert await axe_violations(page) == []
    # The invitations really went out, the organiser got none of her own.
    await smtp.inbox.wait_for(lambda msgs: any("wojt@example.net" in str(m["To"]) for m in msgs))
    assert not smtp.inbox.to(LEAD)


async def test_form_states_end_time_address_errors_and_language_warning(
    mail_server: Server, browser: Any, shots: Any
) -> None:
    page = await login_page(browser, mail_server.url, LEAD, DEMO_PASSWORD, viewport=PHONE)
    await page.goto(mail_server.url + "/meetings/new")
    await page.wait_for_selector("#meeting-form")
    # In person: the address appears. An end before the start is the next day.
    await page.check("input[name=kind][value=in_person]")
    assert await page.is_visible("#address-field")
    await page.fill("#f-time", "18:00")
    await page.fill("#f-end", "08:00")
    assert await page.inner_text("#f-end-day") == "(następnego dnia)"
    # The error state is accessible too (the title is required).
    await page.click("#meeting-form button[type=submit]")
    await page.wait_for_selector("#f-title[aria-invalid=true]")
    described = await page.get_attribute("#f-title", "aria-describedby")
    assert described and "err-title" in described
    await page.screenshot(path=str(shots / "form-error-pl-360.png"), full_page=True)
    assert await axe_violations(page) == []

    # Switching the language would lose what was typed: the page asks first.
    await page.fill("#f-title", "Noc w bibliotece")
    asked: list[str] = []

    async def dismiss(dialog: Any) -> None:
        asked.append(dialog.message)
        await dialog.dismiss()

    page.once("dialog", dismiss)
    await page.click(".lang-switch button")
    await page.wait_for_timeout(300)
    assert asked and "nie jest zapisany" in asked[0]
    assert await page.input_value("#f-title") == "Noc w bibliotece"
    assert await page.get_attribute("html", "lang") == "pl"

    async def accept(dialog: Any) -> None:
        await dialog.accept()

    page.once("dialog", accept)
    await page.click(".lang-switch button")
    await page.wait_for_selector("html[lang=en]")
    await page.wait_for_selector("#meeting-form")
    assert await page.inner_text("label[for=f-end]") == "Ends"
    await page.screenshot(path=str(shots / "form-en-360.png"), full_page=True)
    assert await axe_violations(page) == []


async def test_form_prefilled_from_its_address(mail_server: Server, browser: Any) -> None:
    page = await login_page(browser, mail_server.url, LEAD, DEMO_PASSWORD, viewport=DESKTOP)
    await page.goto(
        mail_server.url + "/meetings/new?title=Warsztaty%20komiksu&kind=training&date=2027-05-04"
    )
    assert await page.input_value("#f-title") == "Warsztaty komiksu"
    assert await page.is_checked("input[name=kind][value=training]")
    assert await page.input_value("#f-date") == "2027-05-04"
    # Nonsense in the address is ignored, not an error.
    await page.goto(mail_server.url + "/meetings/new?kind=zzz&date=2027-02-31&title=%01")
    assert await page.is_checked("input[name=kind][value=online]")
    assert await page.input_value("#f-title") == ""
