"""The savings log with its chart and the meeting page's savings card, in a real Chromium: as a
coordinator, a lead and a partner, in Polish and English, 1366 and 360 px wide. Every state
reached (filled, empty, a filter error) gets a screenshot (test-output/) and 0 axe violations."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.foundation_browser.conftest import DESKTOP, PHONE
from tests.foundation_browser.helpers import check_page, sign_in, use_language
from tests.savings_pages.conftest import EMAILS

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="package")]

SIZES = {"desktop": DESKTOP, "phone": PHONE}
TOURS = [
    ("coordinator", "pl", "desktop"),
    ("coordinator", "en", "phone"),
    ("lead", "pl", "phone"),
    ("lead", "en", "desktop"),
]
# Money as each language writes it: "1 234,56 zł" / "PLN 1,234.56" (no-break spaces).
MONEY = {
    "pl": re.compile(r"^\d{1,3}(\u00a0\d{3})*,\d{2}\u00a0zł$"),
    "en": re.compile(r"^PLN\u00a0\d{1,3}(,\d{3})*\.\d{2}$"),
}
KM = {
    "pl": re.compile(r"^\d{1,3}(\u00a0\d{3})*,\d\u00a0km$"),
    "en": re.compile(r"^\d{1,3}(,\d{3})*\.\d\u00a0km$"),
}
TEXT = {
    "pl": {"title": "Oszczędności", "formula": "Jak to policzono", "empty": "Brak odbytych sesji"},
    "en": {"title": "Savings", "formula": "How was this computed", "empty": "No sessions held"},
}


async def _totals(page: Any) -> dict[str, str]:
    found = await page.eval_on_selector_all(
        "#savings-totals data[data-total]",
        "els => els.map(e => [e.dataset.total, e.textContent, e.value])",
    )
    return {name: text for name, text, _ in found}


@pytest.mark.parametrize(("who", "lang", "size"), TOURS)
async def test_log_and_card(savings_site, chromium, shots, who, lang, size) -> None:
    page = await sign_in(chromium, savings_site.url, EMAILS[who], SIZES[size])
    try:
        await use_language(page, lang)
        home = await check_page(page, shots, f"{who}-{lang}-{size}-home")
        line = await page.inner_text("#home-savings")
        assert TEXT[lang]["title"] in line and line in home
        assert MONEY[lang].pattern.strip("^$") and re.search(MONEY[lang].pattern.strip("^$"), line)

        await page.goto(savings_site.url + "/savings")
        # The chart is drawn by Chart.js from the same figures as the table beside it.
        drawn = await page.wait_for_selector("#savings-chart[data-drawn]")
        months = await page.locator("#savings-monthly tbody tr").count()
        assert int(await drawn.get_attribute("data-drawn")) == months > 0
        box = await page.locator("#savings-chart").bounding_box()
        assert box and box["width"] > 200 and box["height"] > 150
        text = await check_page(page, shots, f"{who}-{lang}-{size}-savings")
        totals = await _totals(page)
        assert MONEY[lang].match(totals["money"]), totals
        assert KM[lang].match(totals["km_avoided"]), totals
        assert "savings." not in text
        # Newest first: the occurrence rows' dates never go up.
        stamps = await page.eval_on_selector_all(
            "#savings-rows tr.occurrence time", "els => els.map(e => e.getAttribute('datetime'))"
        )
        assert stamps and stamps == sorted(stamps, reverse=True)

        # The meeting page: one card per held date, the formula with its values.
        await page.goto(f"{savings_site.url}/meetings/{savings_site.meeting_id}")
        card = page.locator(".savings-card").first
        await card.locator("details.formula summary").click()
        formula = await card.locator("details.formula").inner_text()
        assert "×" in formula and "⌈" in formula and ("zł" in formula or "PLN" in formula)
        assert TEXT[lang]["formula"] in formula
        # Every part of the card open (versions, and for a lead the correction form) for axe.
        closed = card.locator("details:not([open]) > summary")
        while await closed.count():
            await closed.first.click()
        await check_page(page, shots, f"{who}-{lang}-{size}-meeting-card")
    finally:
        await page.context.close()


async def test_empty_and_error_states(savings_site, chromium, shots) -> None:
    page = await sign_in(chromium, savings_site.url, EMAILS["coordinator"], DESKTOP)
    try:
        await use_language(page, "pl")
        # Nothing matches: totals read zero, no chart, a sentence instead of the table.
        await page.goto(savings_site.url + "/savings?date_from=2099-01-01")
        await page.wait_for_selector("#savings-empty")
        assert await page.locator("#savings-chart").count() == 0
        assert (await _totals(page))["sessions"] == "0"
        await check_page(page, shots, "savings-empty")

        # A filter that does not parse is named by its field, not a bare error page.
        await page.goto(savings_site.url + "/savings?date_from=2026-13-45&date_to=2026-01-01")
        field = page.locator("#sf-date_from")
        assert await field.get_attribute("aria-invalid") == "true"
        assert await page.locator("#sf-date_from-error").inner_text() != ""
        await check_page(page, shots, "savings-filter-error")
        await page.goto(savings_site.url + "/savings?date_from=2026-06-01&date_to=2026-05-01")
        assert await page.locator("#sf-date_to").get_attribute("aria-invalid") == "true"
        await check_page(page, shots, "savings-filter-order-error")

        # The form sends a filter: the address carries it, the page shows what it matches.
        await page.goto(savings_site.url + "/savings")
        await page.select_option("#sf-kind", "in_person")
        async with page.expect_navigation():
            await page.click(".savings-filters button[type=submit]")
        assert "kind=in_person" in page.url
        kinds = await page.locator("#savings-rows tr.occurrence .badge").all_inner_texts()
        assert kinds and set(kinds) == {"Wydarzenie stacjonarne"}
        # In person nothing is saved but what sharing cars saved; no empty chart is drawn.
        assert "wspólne dojazdy" in await page.inner_text("#savings-carpool")
        assert await page.locator("#savings-chart[data-drawn]").count() == 0
        await check_page(page, shots, "savings-in-person")
    finally:
        await page.context.close()


async def test_partner_sees_only_her_library(savings_site, chromium, shots) -> None:
    page = await sign_in(chromium, savings_site.url, EMAILS["partner"], PHONE)
    try:
        await use_language(page, "pl")
        assert await page.locator("#home-savings").count() == 0
        await page.goto(savings_site.url + "/savings")
        await page.wait_for_selector("#savings-chart[data-drawn]")
        await check_page(page, shots, "partner-savings-360")
        links = await page.eval_on_selector_all(
            "#savings-rows tbody th[scope=row] a", "els => els.map(e => e.getAttribute('href'))"
        )
        assert links and set(links) == {f"/libraries/{savings_site.partner_library_id}"}
        ranking = await page.eval_on_selector_all(
            "#savings-ranking tbody a", "els => els.map(e => e.getAttribute('href'))"
        )
        assert set(ranking) <= {f"/libraries/{savings_site.partner_library_id}"}
    finally:
        await page.context.close()


async def test_script_figures_match_the_servers(savings_site, chromium) -> None:
    """numbers.js (chart labels, tooltips) writes figures exactly as meetings_hub/i18n.py."""
    from decimal import Decimal

    from meetings_hub.i18n import format_money, format_number, format_unit

    values = ["0", "0.125", "2.345", "1234.56", "1234567.891", "12.45", "999.995"]
    for lang in ("pl", "en"):
        page = await sign_in(chromium, savings_site.url, EMAILS["lead"], DESKTOP)
        try:
            await use_language(page, lang)
            got = await page.evaluate(
                """async (values) => {
                    const n = await import("/static/js/numbers.js");
                    return values.map(
                        (v) => [n.formatMoney(v), n.formatUnit(v, "km"), n.formatNumber(v)]
                    );
                }""",
                values,
            )
            expected = [
                [
                    format_money(Decimal(v), lang),
                    format_unit(Decimal(v), lang, "km"),
                    format_number(Decimal(v), lang),
                ]
                for v in values
            ]
            assert got == expected, lang
        finally:
            await page.context.close()
