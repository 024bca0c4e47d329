"""In Chromium: a guest answers from the emailed link without an account (anonymously, at
360 px), a librarian answers from the room's card, and the coordinator opens the report and
prints it: page.pdf() is turned into PNG pages by pdftoppm, to look at. axe-core finds nothing."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from meetings_hub.actions import feedback_requests
from meetings_hub.actions.demo import DEMO_PASSWORD
from tests.browser_support import axe_violations, login_page
from tests.feedback.support import (
    add_guest,
    attend,
    held_session,
    link_in,
    outbox_rows,
    person_id,
)
from tests.support import COORDINATOR, LEAD, PARTNER, REPO, Server, require

GUEST = "radna@gmina.example.org"


def _charts_expected() -> bool:
    """Chart.js is drawn once the product ships it (package.json, copied by `make assets`)."""
    shipped = "chart.js" in (REPO / "package.json").read_text()
    present = (REPO / "web/static/vendor/chart.umd.min.js").exists()
    require(present or not shipped, "Chart.js in web/static/vendor (make assets)")
    return present


def _print_pages(pdf: Path, shots: Path) -> tuple[list[Path], str]:
    """The PDF as PNG pages (to look at: test-output/<test>/report-print-N.png) and as text."""
    for old in shots.glob("report-print-*.png"):
        old.unlink()
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", str(pdf), str(shots / "report-print")], check=True
    )
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True)
    return sorted(shots.glob("report-print-*.png")), text.stdout


async def _no_violations(page: Any, what: str) -> None:
    found = await axe_violations(page)
    assert found == [], (what, found)


async def test_answer_by_link_and_card_then_print_the_report(
    server: Server, browser: Any, shots: Path
) -> None:
    hub = server.hub
    start = (datetime.now(UTC) - timedelta(hours=4)).replace(microsecond=0)
    made = await held_session(hub, LEAD, start, minutes=90, title="Spotkanie sieci — grudzień")
    guest = await add_guest(hub, made["meeting_id"], GUEST, "Anna Radna", "local_authority")
    for email in (LEAD, PARTNER):
        await attend(
            hub,
            made["room_id"],
            made["meeting_id"],
            start,
            start + timedelta(minutes=80),
            person=await person_id(hub, email),
        )
    await attend(
        hub, made["room_id"], made["meeting_id"], start, start + timedelta(minutes=60), guest=guest
    )
    await feedback_requests.scan(hub)
    guest_link = next(
        link_in(r["body_text"])
        for r in await outbox_rows(hub, "feedback_ask")
        if GUEST in r["recipient"]
    )

    # 1. The guest, no account, on a phone: the emailed link, answered anonymously.
    context = await browser.new_context(bypass_csp=True, viewport={"width": 360, "height": 740})
    phone = await context.new_page()
    await phone.goto(server.url + guest_link)
    await phone.check("input[data-list=outcomes][value=community_integration]")
    await phone.check("input[data-list=advantages][value=saved_time]")
    await phone.check("input[data-plan=author_meeting]")
    await phone.fill("[data-plan-date=author_meeting]", "2027-04-20")
    await phone.check("input[name=rating][value='5']")
    await phone.fill("#f-comment", "Dziękuję za zaproszenie, chętnie przyjdę znowu.")
    await phone.check("#f-may_quote")
    await _no_violations(phone, "feedback form at 360 px")
    await phone.screenshot(path=str(shots / "feedback-guest-360.png"), full_page=True)
    width = await phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, width
    await phone.check("#f-anonymous")
    await phone.click("#feedback-form button[type=submit]")
    await phone.wait_for_selector("text=anonimowo")
    await phone.screenshot(path=str(shots / "feedback-guest-anonymous-done.png"), full_page=True)
    await context.close()
    async with hub.db.read() as reader:
        row = await reader.fetch_one("SELECT person_id, guest_id, respondent FROM feedback_answers")
    assert (row["person_id"], row["guest_id"], row["respondent"]) == (None, None, "anonymous")

    # 2. The partner librarian answers from the card in the room.
    page = await login_page(browser, server.url, PARTNER, DEMO_PASSWORD)
    await page.goto(f"{server.url}/rooms/{made['room_id']}")
    card = page.locator("#feedback-card")
    await card.wait_for()
    await page.screenshot(path=str(shots / "room-card.png"), full_page=True)
    await card.get_by_role("link").click()
    await page.wait_for_selector("#feedback-form")
    await page.check("input[data-list=outcomes][value=knowledge]")
    await page.check("input[data-list=outcomes][value=further_cooperation]")
    await page.check("input[data-list=difficulties][value=other]")
    await page.fill("#f-difficulty_other", "Słaby zasięg w czytelni")
    await page.check("input[data-plan=workshops]")
    await page.check("input[name=rating][value='4']")
    await page.click("#feedback-form button[type=submit]")
    await page.wait_for_selector(".form-status:has-text('Dziękujemy')")
    await page.reload()
    assert await page.is_checked("input[data-list=outcomes][value=further_cooperation]")
    await page.goto(f"{server.url}/rooms/{made['room_id']}")
    await page.wait_for_selector("#messages")
    assert await page.locator("#feedback-card").count() == 0
    await page.context.close()

    # The lead dismisses her card: it stays hidden for that date in her browser.
    lead_room = await login_page(browser, server.url, LEAD, DEMO_PASSWORD)
    await lead_room.goto(f"{server.url}/rooms/{made['room_id']}")
    await lead_room.locator("#feedback-card .feedback-dismiss").click()
    assert not await lead_room.locator("#feedback-card").is_visible()
    await lead_room.reload()
    await lead_room.wait_for_selector("#messages")
    assert not await lead_room.locator("#feedback-card").is_visible()
    await lead_room.context.close()

    # 3. The coordinator opens the report, checks it, and prints it to A4.
    page = await login_page(browser, server.url, COORDINATOR, DEMO_PASSWORD)
    await page.goto(server.url + "/report")
    await page.wait_for_selector("#h-sessions")
    if _charts_expected():
        # The product's chart library draws beside the tables (the tables stay).
        await page.wait_for_selector("#chart-sessions[data-drawn]")
        await page.wait_for_selector("#chart-participants[data-drawn]")
    await _no_violations(page, "report")
    await page.screenshot(path=str(shots / "report.png"), full_page=True)
    text = await page.inner_text("main")
    assert "Dziękuję za zaproszenie" in text and "Słaby zasięg" not in text
    await page.set_viewport_size({"width": 360, "height": 740})
    await _no_violations(page, "report at 360 px")
    await page.screenshot(path=str(shots / "report-360.png"), full_page=True)
    await page.set_viewport_size({"width": 1280, "height": 900})
    pdf = shots / "report.pdf"
    await page.pdf(path=str(pdf), format="A4", print_background=True)
    await page.context.close()
    require(shutil.which("pdftoppm") is not None, "pdftoppm (poppler-utils)")
    pages, printed = await asyncio.to_thread(_print_pages, pdf, shots)
    # One page per section at least (page breaks between sections), no menus printed.
    assert len(pages) >= 7, pages
    assert "Sprawozdanie programu" in printed and "Wygenerowano" in printed
    for menu in ("Kalendarz", "Wyloguj", "Pobierz CSV"):
        assert menu not in printed, menu

    # The lead opens the same one-click scheduling form for a plan.
    lead = await login_page(browser, server.url, LEAD, DEMO_PASSWORD)
    await lead.goto(server.url + "/report")
    await lead.locator("a.schedule-link").first.click()  # the guest's author meeting
    await lead.wait_for_url("**/meetings/new?**")
    assert (await lead.input_value("#f-title")).startswith("Spotkanie autorskie")
    assert await lead.input_value("#f-date") == "2027-04-20"
    assert await lead.is_checked("input[name=kind][value=in_person]")
    await lead.context.close()
