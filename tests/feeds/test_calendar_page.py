"""The calendar page in a real Chromium: month and list views, subscribe box, import; PL/EN,
1366 px and 360 px wide, axe-core clean. Screenshots go to test-output/."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from meetings_hub.actions.demo import DEMO_PASSWORD
from meetings_hub.scheduling.recurrence import Rule
from tests.browser_support import axe_violations, login_page
from tests.feeds.helpers import WARSAW, add_meeting, network_named
from tests.feeds.test_import import library_calendar
from tests.support import LEAD, PARTNER

pytestmark = pytest.mark.browser


async def _meetings(server) -> None:
    net = await network_named(server, "Morawic")
    now = datetime.now(WARSAW)
    first = now.replace(day=1, hour=10, minute=0, second=0, microsecond=0)
    while first.weekday() != 1:  # the month's first Tuesday
        first += timedelta(days=1)
    await add_meeting(
        server,
        net,
        title="Dyskusyjny Klub Książki — spotkanie partnerów",
        start=first,
        rule=Rule("WEEKLY", 1, ("TU",), count=8),
    )
    await add_meeting(
        server,
        net,
        title="Noc w bibliotece",
        start=first.replace(hour=18) + timedelta(days=10),
        minutes=300,
        kind="in_person",
        address="ul. Długa 5, Chęciny",
    )
    await add_meeting(
        server,
        net,
        title="Szkolenie: katalog online",
        start=first + timedelta(days=2),
        kind="training",
    )


async def test_calendar_page_month_list_subscribe_and_import(
    server, browser, shots, tmp_path
) -> None:
    await _meetings(server)
    page = await login_page(
        browser, server.url, LEAD, DEMO_PASSWORD, viewport={"width": 1366, "height": 768}
    )
    await page.click('ul.nav a[href="/calendar"]')
    await page.wait_for_selector("table.cal-grid")
    assert await page.locator(".cal-items li").count() >= 5
    assert "Dyskusyjny Klub Książki" in await page.inner_text("table.cal-grid")
    await page.screenshot(path=str(shots / "calendar-month-pl-1366.png"), full_page=True)
    assert await axe_violations(page) == []

    await page.click(".cal-views >> text=Lista")
    await page.wait_for_selector("ol.cal-list")
    assert "ul. Długa 5" not in await page.inner_text("ol.cal-list")  # list shows the host
    assert "Noc w bibliotece" in await page.inner_text("ol.cal-list")
    await page.screenshot(path=str(shots / "calendar-list-pl-1366.png"), full_page=True)
    assert await axe_violations(page) == []
    href = await page.get_attribute("ol.cal-list a", "href")
    assert href is not None and href.startswith("/meetings/")

    # The subscribe box: links for each calendar app, and the copyable address.
    box = page.locator(".cal-subscribe details").first
    google = await box.locator("a", has_text="Kalendarz Google").get_attribute("href")
    assert google.startswith("https://calendar.google.com/calendar/r?cid=webcal%3A%2F%2F")
    webcal = await box.locator("a", has_text="Apple").get_attribute("href")
    assert webcal.startswith("webcal://") and webcal.endswith(".ics")
    old_address = await box.locator("input[readonly]").input_value()

    # A new address: confirm, and the page shows a different one.
    page.once("dialog", lambda dialog: dialog.accept())
    await box.locator("button", has_text="Utwórz nowy adres").click()
    await page.wait_for_load_state("load")
    await page.wait_for_function(
        "old => document.querySelector('.cal-subscribe input[readonly]').value !== old",
        arg=old_address,
    )

    # Import: a broken file shows its problems, a good one a preview and then the meetings.
    broken = tmp_path / "zepsuty.ics"
    broken.write_bytes(b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nSUMMARY:x\r\n")
    await page.set_input_files("#imp-file", str(broken))
    await page.click("#cal-import-form button[type=submit]")
    await page.wait_for_selector("#cal-import-result .cal-problems")
    assert "niekompletny" in await page.inner_text("#cal-import-result")
    await page.screenshot(path=str(shots / "calendar-import-broken-pl.png"), full_page=True)

    good = tmp_path / "biblioteka.ics"
    good.write_bytes(library_calendar())
    await page.set_input_files("#imp-file", str(good))
    await page.click("#cal-import-form button[type=submit]")
    await page.wait_for_selector("#cal-import-result table")
    await page.locator("#cal-import-result").screenshot(
        path=str(shots / "calendar-import-preview-pl.png")
    )
    assert await axe_violations(page) == []
    await page.click("#cal-import-result button.primary")
    await page.wait_for_selector("#cal-import-result .cal-done")
    assert "Utworzono spotkania: 4" in await page.inner_text("#cal-import-result")
    await page.locator(".cal-import").screenshot(path=str(shots / "calendar-import-done-pl.png"))


async def test_calendar_page_on_a_phone_and_in_english(server, browser, shots) -> None:
    await _meetings(server)
    page = await login_page(
        browser, server.url, PARTNER, DEMO_PASSWORD, viewport={"width": 360, "height": 740}
    )
    await page.goto(server.url + "/calendar")
    await page.wait_for_selector("table.cal-grid")
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"the page scrolls sideways at 360 px ({width} px)"
    assert await page.locator(".cal-import").count() == 0, "partners do not import"
    assert await page.is_visible(".cal-grid td:not(.cal-empty) .cal-dayfull")
    await page.screenshot(path=str(shots / "calendar-month-pl-360.png"), full_page=True)
    assert await axe_violations(page) == []

    await page.click("form.lang-switch button")
    await page.wait_for_selector("html[lang=en]")
    await page.goto(server.url + "/calendar?view=list")
    await page.wait_for_selector("ol.cal-list")
    assert "My meetings" in await page.inner_text(".cal-subscribe")
    assert "Google Calendar" in await page.inner_text(".cal-subscribe")
    await page.screenshot(path=str(shots / "calendar-list-en-360.png"), full_page=True)
    assert await axe_violations(page) == []
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360
