"""A real Chromium schedules a weekly series across the end of October, answers, and accepts
from the emailed link; axe-core finds nothing on the scheduling pages."""

from __future__ import annotations

import re
from typing import Any

import pytest

from meetings_hub.actions.demo import DEMO_PASSWORD
from tests.browser_support import axe_violations, login_page
from tests.scheduling.support import Smtp
from tests.support import LEAD, PARTNER, Server

pytestmark = pytest.mark.browser


async def _no_violations(page: Any, what: str) -> None:
    found = await axe_violations(page)
    assert found == [], (what, found)


async def test_schedule_series_in_browser_and_answer(
    mail_server: Server, smtp: Smtp, browser: Any, shots: Any
) -> None:
    page = await login_page(
        browser, mail_server.url, LEAD, DEMO_PASSWORD, viewport={"width": 1366, "height": 768}
    )
    await page.goto(mail_server.url + "/meetings/new")
    await page.wait_for_selector("#meeting-form")
    await _no_violations(page, "schedule form")
    await page.fill("#f-title", "Klub czytelniczy")
    await page.fill("#f-date", "2027-10-19")
    await page.fill("#f-time", "10:00")
    await page.check("input[name=repeat][value=WEEKLY]")
    await page.check("input[name=ends][value=count]")
    await page.fill("#f-count", "4")
    await page.click("#add-guest")
    await page.fill("#guest-0-email", "gosc@example.net")
    await page.fill("#guest-0-name", "Jan Gość")
    await page.screenshot(path=str(shots / "schedule-form-pl.png"), full_page=True)
    await page.click("#meeting-form button[type=submit]")
    await page.wait_for_url(re.compile(r"/meetings/\d+\?saved=new$"))
    await page.wait_for_selector("#h-details")
    text = await page.inner_text("main")
    assert "Klub czytelniczy" in text
    # 19 October and 2 November 2027, either side of the change to winter time: both 10:00.
    assert "19 października 2027, 10:00–11:30" in text
    assert "2 listopada 2027, 10:00–11:30" in text
    await page.screenshot(path=str(shots / "meeting-page-lead.png"), full_page=True)
    await _no_violations(page, "meeting page")
    await page.click("button.rsvp-accepted")
    await page.wait_for_selector("button.rsvp-accepted[aria-pressed=true]")

    # The partner accepts from the emailed link: GET shows a page, the button records.
    inbox = await smtp.inbox.wait_for(lambda msgs: any(PARTNER in str(m["To"]) for m in msgs))
    mail = next(m for m in inbox if PARTNER in str(m["To"]))
    plain = mail.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
    link = re.search(r"Wezmę udział: (\S+)", plain)
    assert link, plain
    context = await browser.new_context(bypass_csp=True, viewport={"width": 360, "height": 740})
    anon = await context.new_page()
    await anon.goto(link.group(1))
    await anon.wait_for_selector("form[data-api^='/api/v1/rsvp/']")
    await anon.screenshot(path=str(shots / "rsvp-confirm-360.png"), full_page=True)
    await _no_violations(anon, "rsvp confirm page")
    await anon.click("form[data-api^='/api/v1/rsvp/'] button[type=submit]")
    await anon.wait_for_selector("text=odpowiedź zapisana")
    await page.reload()
    await page.wait_for_selector("#h-answers")
    answers = await page.inner_text("section[aria-labelledby=h-answers]")
    assert "Tomasz Zieliński" in answers
    await page.screenshot(path=str(shots / "meeting-page-answers.png"), full_page=True)

    # The partner, signed in, is not coming on 26 October only (10:00 CEST = 08:00 UTC).
    partner = await login_page(
        browser, mail_server.url, PARTNER, DEMO_PASSWORD, viewport={"width": 1366, "height": 768}
    )
    await partner.goto(page.url)
    one_date = "form.date-answer[data-api$='/occurrences/20271026T080000Z/rsvp']"
    await partner.select_option(f"{one_date} select", "declined")
    await partner.click(f"{one_date} button[type=submit]")
    await partner.wait_for_selector(
        f"{one_date} option[value=declined][selected]", state="attached"
    )
    assert await partner.input_value("form.date-answer select >> nth=0") == "accepted"
    await partner.screenshot(path=str(shots / "meeting-page-date-answer.png"), full_page=True)
    await _no_violations(partner, "meeting page with answers per date")
    # The organiser sees the answers per date.
    await page.reload()
    counts = await page.locator(".occurrences li").nth(1).locator(".date-counts").inner_text()
    assert "nie będą: 1" in counts


async def test_edit_forms_english_and_phone_width(
    mail_server: Server, smtp: Smtp, browser: Any, shots: Any, clients: Any
) -> None:
    lead = await clients(LEAD)
    status, meeting = await lead.post(
        "/api/v1/meetings",
        {
            "title": "Noc w bibliotece",
            "start": "2027-10-19T18:00:00",
            "kind": "in_person",
            "address": "ul. Kielecka 1, Morawica",
            "recurrence": {"freq": "MONTHLY", "nth": 3, "nth_weekday": "TU", "count": 3},
        },
    )
    assert status == 201, meeting
    page = await login_page(
        browser, mail_server.url, PARTNER, DEMO_PASSWORD, viewport={"width": 360, "height": 740}
    )
    await page.goto(f"{mail_server.url}/meetings/{meeting['id']}")
    await page.fill("#tr-lib", "2")
    await page.fill("#tr-read", "5")
    await page.fill("#tr-cars", "2")
    await page.click("form[data-api$='/travel'] button[type=submit]")
    await page.wait_for_selector("text=samochody: 2")
    await page.screenshot(path=str(shots / "meeting-in-person-360.png"), full_page=True)
    await _no_violations(page, "in-person meeting page")
    await page.click(".lang-switch button")
    await page.wait_for_selector("html[lang=en]")
    await page.wait_for_selector("text=Answers by library")
    await page.screenshot(path=str(shots / "meeting-in-person-360-en.png"), full_page=True)

    lead_page = await login_page(
        browser, mail_server.url, LEAD, DEMO_PASSWORD, viewport={"width": 1366, "height": 768}
    )
    await lead_page.goto(f"{mail_server.url}/meetings/{meeting['id']}/edit")
    await lead_page.wait_for_selector("#meeting-form")
    assert await lead_page.input_value("#f-date") == "2027-10-19"
    assert await lead_page.input_value("#f-time") == "18:00"
    await _no_violations(lead_page, "edit form")
    await lead_page.fill("#f-title", "")
    await lead_page.click("#meeting-form button[type=submit]")
    await lead_page.wait_for_selector("#f-title[aria-invalid=true] + .field-error")
    assert await lead_page.evaluate("document.activeElement.id") == "f-title"
    await lead_page.screenshot(path=str(shots / "edit-form-error.png"), full_page=True)
    await lead_page.goto(f"{mail_server.url}/meetings/{meeting['id']}")
    await lead_page.click("text=Zmień termin >> nth=1")
    await lead_page.wait_for_selector("#occurrence-form")
    await _no_violations(lead_page, "occurrence form")
    await lead_page.fill("#o-time", "17:00")
    await lead_page.click("#occurrence-form button[type=submit]")
    await lead_page.wait_for_url(re.compile(r"/meetings/\d+$"))
    await lead_page.wait_for_selector("text=przeniesione")
    text = await lead_page.inner_text("section[aria-labelledby=h-occ]")
    assert "16 listopada 2027, 17:00–18:30" in text
    await lead_page.screenshot(path=str(shots / "meeting-moved-one.png"), full_page=True)
