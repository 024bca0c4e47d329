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
    await page.wait_for_url(re.compile(r"/meetings/\d+$"))
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
