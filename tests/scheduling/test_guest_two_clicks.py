"""A guest goes from the invitation email to typing in the room in two clicks: the mail's
first link, then "Wejdź" on the page that asks only how to introduce her (issue 13's goal)."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from meetings_hub.storage.timefmt import now_utc
from tests.browser_support import axe_violations
from tests.scheduling.support import Smtp
from tests.support import LEAD, Server

pytestmark = pytest.mark.browser


async def test_from_the_email_to_the_room_in_two_clicks(
    mail_server: Server, smtp: Smtp, browser: Any, clients: Any, shots: Any
) -> None:
    lead = await clients(LEAD)
    start = (now_utc() + timedelta(minutes=5)).astimezone(ZoneInfo("Europe/Warsaw"))
    status, meeting = await lead.post(
        "/api/v1/meetings",
        {
            "title": "Spotkanie z gminą",
            "start": start.strftime("%Y-%m-%dT%H:%M:00"),
            "guests": [
                {"email": "wojt@example.net", "name": "Pani Wójt", "category": "local_authority"}
            ],
        },
    )
    assert status == 201, meeting
    await smtp.inbox.wait_for(lambda msgs: any("wojt@example.net" in str(m["To"]) for m in msgs))
    mail = smtp.inbox.to("wojt@example.net")[0]
    html = mail.get_body(preferencelist=("html",)).get_content()  # type: ignore[union-attr]
    first_link = re.findall(r'href="([^"]+)"', html)[0].replace("&amp;", "&")

    context = await browser.new_context(bypass_csp=True, viewport={"width": 360, "height": 740})
    page = await context.new_page()
    clicks = 0
    await page.goto(first_link)  # click 1: the mail's first link
    clicks += 1
    assert await page.input_value("#g-name") == "Pani Wójt"  # her name is filled in
    await page.screenshot(path=str(shots / "guest-entry-360.png"), full_page=True)
    assert await axe_violations(page) == []
    await page.click("button[type=submit].primary")  # click 2: "Wejdź"
    clicks += 1
    await page.wait_for_url("**/rooms/*")
    await page.wait_for_selector("#connection[data-state=connected]")
    await page.fill("#composer-text", "Dzień dobry")
    await page.press("#composer-text", "Enter")
    await page.wait_for_selector(".msg.mine .msg-state:has-text('Zapisano')")
    assert clicks == 2
    await context.close()
