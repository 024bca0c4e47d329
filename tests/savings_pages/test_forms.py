"""The savings forms in a real Chromium, through the JSON API with the CSRF header: a lead's
attendance correction and a coordinator's recompute (both new versions, the old one kept), the
parameter editor (coordinator's programme with bounds, a lead's network within them) and road
distances on the library page. Each error state shows the message by its field; axe finds 0
violations in every state."""

from __future__ import annotations

from typing import Any

import pytest

from meetings_hub.actions import savings
from tests.foundation_browser.conftest import DESKTOP, PHONE
from tests.foundation_browser.helpers import check_page, sign_in, use_language
from tests.savings_pages.conftest import EMAILS, actor_for

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="package")]


async def _submit(page: Any, form: Any) -> None:
    await form.locator("button[type=submit]").click()


async def _held_dates(site: Any, email: str, meeting_id: int) -> list[Any]:
    actor = await actor_for(site.server, email)
    return await savings.occurrence_savings(site.server.hub, actor, meeting_id, None)


async def test_lead_corrects_and_coordinator_recomputes(savings_site, chromium, shots) -> None:
    meeting = savings_site.meeting_id
    dates = await _held_dates(savings_site, EMAILS["lead"], meeting)
    target = dates[-1]  # the oldest held date: the tours look at the newest
    oid = target.original_start.strftime("%Y%m%dT%H%M%SZ")
    before = target.versions[0]
    row = next(r for r in before.rows if r.counted and r.library_id is not None)

    page = await sign_in(chromium, savings_site.url, EMAILS["lead"], PHONE)
    try:
        await use_language(page, "pl")
        await page.goto(f"{savings_site.url}/meetings/{meeting}#savings-{oid}")
        card = page.locator(f"#savings-{oid}")
        assert await card.locator("form.recompute").count() == 0  # coordinators only
        await card.locator("details.correction summary").click()
        form = card.locator("details.correction form")
        persons = form.locator(f"input[name='persons.{row.library_id}']")
        await persons.fill(str(row.persons + 3))
        # No reason given: the note is named as the field to fix; nothing is stored.
        await _submit(page, form)
        await form.locator(".field-error").first.wait_for()
        note = form.locator("textarea[name=note]")
        assert await note.get_attribute("aria-invalid") == "true"
        await check_page(page, shots, "correction-error-360")
        await note.fill("Pięć osób przed jednym ekranem w czytelni.")
        async with page.expect_navigation():
            await _submit(page, form)
        card = page.locator(f"#savings-{oid}")
        versions = await card.locator("details.versions").text_content()
        assert "po poprawce obecności" in versions and "Pięć osób" in versions
        cells = await card.locator("table tbody tr").all_inner_texts()
        corrected = next(c for c in cells if row.library_name in c)
        assert "poprawione" in corrected
        await check_page(page, shots, "correction-saved-360")
    finally:
        await page.context.close()
    after = (await _held_dates(savings_site, EMAILS["lead"], meeting))[-1]
    assert [v.version for v in after.versions] == [
        before.version + 1,
        *[v.version for v in target.versions],
    ]
    assert next(r for r in after.versions[0].rows if r.library_id == row.library_id).persons == (
        row.persons + 3
    )

    page = await sign_in(chromium, savings_site.url, EMAILS["coordinator"], DESKTOP)
    try:
        await use_language(page, "en")
        await page.goto(f"{savings_site.url}/meetings/{meeting}")
        card = page.locator(f"#savings-{oid}")
        async with page.expect_navigation():
            await card.locator("form.recompute button[type=submit]").click()
        versions = await page.locator(f"#savings-{oid} details.versions").text_content()
        assert "recomputed with today's parameters" in versions
        await check_page(page, shots, "recomputed-en")
    finally:
        await page.context.close()
    latest = (await _held_dates(savings_site, EMAILS["coordinator"], meeting))[-1]
    assert len(latest.versions) == len(after.versions) + 1
    assert latest.versions[0].reason == "recompute"


async def test_parameters_coordinator_then_lead(savings_site, chromium, shots) -> None:
    page = await sign_in(chromium, savings_site.url, EMAILS["coordinator"], DESKTOP)
    try:
        await use_language(page, "pl")
        await page.goto(savings_site.url + "/savings/parameters")
        await check_page(page, shots, "parameters-coordinator")
        form = page.locator("#programme-form")
        await page.fill("#pp-rate_per_km", "-1")
        await _submit(page, form)
        await page.wait_for_selector("#pp-rate_per_km[aria-invalid=true]")
        assert await page.locator("#pp-rate_per_km-error").inner_text() != ""
        await check_page(page, shots, "parameters-coordinator-error")
        await page.fill("#pp-rate_per_km", "1,15")
        await page.fill("#pp-rate_per_km-low", "0,89")
        await page.fill("#pp-rate_per_km-high", "1,50")
        await page.fill("#pp-note", "Lider może obniżyć stawkę do 0,89 zł/km.")
        async with page.expect_navigation():
            await _submit(page, form)
        versions = (await page.inner_text("#params-programme")).replace("\u00a0", " ")
        assert "parametry v1" in versions and "0,89 zł–1,50 zł" in versions
        await check_page(page, shots, "parameters-coordinator-saved")
    finally:
        await page.context.close()

    page = await sign_in(chromium, savings_site.url, EMAILS["lead"], PHONE)
    try:
        await use_language(page, "pl")
        await page.goto(savings_site.url + "/savings/parameters")
        form = page.locator("form.network-params")
        assert await form.count() == 1
        field = form.locator("input[name='values.rate_per_km']")
        await field.fill("2")
        await _submit(page, form)
        await form.locator("input[name='values.rate_per_km'][aria-invalid=true]").wait_for()
        await check_page(page, shots, "parameters-lead-error-360")
        await field.fill("0.89")
        async with page.expect_navigation():
            await _submit(page, form)
        assert "0,89\u00a0zł" in await page.inner_text("#params-networks")
        await check_page(page, shots, "parameters-lead-saved-360")
    finally:
        await page.context.close()


async def test_road_distance_on_the_library_page(savings_site, chromium, shots) -> None:
    library = savings_site.partner_library_id
    page = await sign_in(chromium, savings_site.url, EMAILS["lead"], DESKTOP)
    try:
        await use_language(page, "pl")
        await page.goto(f"{savings_site.url}/libraries/{library}")
        await check_page(page, shots, "distances")
        row = page.locator("#distances-table tbody tr").first
        await row.locator("details.change-distance summary").click()
        form = row.locator("form.distance-form")
        km = form.locator("input[name=km]")
        await km.fill("5000")
        await _submit(page, form)
        await form.locator("input[name=km][aria-invalid=true]").wait_for()
        await check_page(page, shots, "distances-error")
        await km.fill("31,5")
        await form.locator("input[name=note]").fill("Trasa przez Kielce")
        async with page.expect_navigation():
            await _submit(page, form)
        row = page.locator("#distances-table tbody tr").first
        assert "31,5\u00a0km" in await row.inner_text()
        await check_page(page, shots, "distances-saved")
        async with page.expect_navigation():
            await row.locator("form[data-method=DELETE] button").click()
        assert (
            "31,5\u00a0km" not in await page.locator("#distances-table tbody tr").first.inner_text()
        )
    finally:
        await page.context.close()
