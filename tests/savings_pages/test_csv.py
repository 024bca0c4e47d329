"""The CSV a person downloads from the log page parses with Python's csv module and adds up to
the totals the page shows, with either delimiter, whole or filtered, for each role."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any

import pytest

from tests.foundation_browser.conftest import DESKTOP
from tests.foundation_browser.helpers import sign_in
from tests.savings_pages.conftest import EMAILS

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="package")]


async def _download(page: Any, link: str) -> bytes:
    async with page.expect_download() as info:
        await page.click(link)
    download = await info.value
    return (await download.path()).read_bytes()


def _sums(raw: bytes, delimiter: str) -> dict[str, Decimal]:
    assert raw.startswith("\ufeff".encode()), "UTF-8 with BOM, for Excel"
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig")), delimiter=delimiter))

    def number(text: str) -> Decimal:
        # The semicolon variant writes decimal commas, as Polish Excel reads them.
        return Decimal(text.replace(",", ".") if delimiter == ";" else text)

    online = [r for r in rows if r["kind"] != "in_person"]
    counted = [r for r in online if r["counted"] == "1"]
    return {
        "sessions": Decimal(len({(r["meeting_id"], r["occurrence_start"]) for r in online})),
        "participant_hours": sum((number(r["hours"]) for r in counted), Decimal(0)),
        "km_avoided": sum(
            (2 * int(r["cars"]) * number(r["km_one_way"]) for r in counted), Decimal(0)
        ),
        "money": sum((number(r["money_pln"]) for r in counted), Decimal(0)),
        "co2_kg": sum((number(r["co2_kg"]) for r in counted), Decimal(0)),
        "rows": Decimal(len(rows)),
    }


async def _shown(page: Any) -> dict[str, Decimal]:
    found = await page.eval_on_selector_all(
        "#savings-totals data[data-total]", "els => els.map(e => [e.dataset.total, e.value])"
    )
    return {name: Decimal(value) for name, value in found}


@pytest.mark.parametrize(
    ("who", "query"),
    [("coordinator", ""), ("coordinator", "?kind=online&date_from=2026-09-01"), ("lead", "")],
)
async def test_csv_sums_to_the_totals_on_the_page(savings_site, chromium, who, query) -> None:
    page = await sign_in(chromium, savings_site.url, EMAILS[who], DESKTOP)
    try:
        await page.goto(savings_site.url + "/savings" + query)
        shown = await _shown(page)
        assert shown["money"] > 0
        count_text = await page.inner_text("#h-rows + p.hint")
        for delimiter, name in ((",", "comma"), (";", "semicolon")):
            link = f"a[href*='delimiter={name}']"
            sums = _sums(await _download(page, link), delimiter)
            assert str(int(sums.pop("rows"))) in count_text.replace("\u00a0", "")
            for total, value in shown.items():
                assert sums[total] == value, (who, query, delimiter, total)
        money_text = await page.inner_text("#savings-totals data[data-total=money]")
        assert money_text.replace("\u00a0", " ").endswith(" zł")
    finally:
        await page.context.close()


async def test_partner_csv_holds_only_her_library(savings_site, chromium) -> None:
    page = await sign_in(chromium, savings_site.url, EMAILS["partner"], DESKTOP)
    try:
        await page.goto(savings_site.url + "/savings")
        raw = await _download(page, "a[href*='delimiter=comma']")
        rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
        assert rows and {r["library_id"] for r in rows} == {str(savings_site.partner_library_id)}
        shown = await _shown(page)
        assert _sums(raw, ",")["money"] == shown["money"]
    finally:
        await page.context.close()
