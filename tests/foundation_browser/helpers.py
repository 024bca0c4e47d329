"""Browser helpers for the page tests: sign in, pick a language, check a page thoroughly."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from meetings_hub.actions.demo import DEMO_PASSWORD
from tests.browser_support import axe_violations
from tests.foundation_browser.conftest import PHONE, translation_keys

KEYS = translation_keys()
_KEY_LIKE = re.compile(r"\b[a-z_]+(?:\.[A-Za-z0-9_/]+)+\b")


async def new_page(browser: Any, viewport: dict[str, int] = PHONE) -> Any:
    """A fresh context (own cookies). bypass_csp lets axe-core in; users keep the strict CSP."""
    context = await browser.new_context(bypass_csp=True, viewport=viewport, locale="pl-PL")
    context.set_default_timeout(10_000)
    page = await context.new_page()
    page.errors = []  # type: ignore[attr-defined]
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    # Chrome logs every 4xx answer as a console error; the forms expect some from the API, so
    # failed loads are judged by the response instead: a missing script, style or icon fails.
    page.on(
        "console",
        lambda msg: (
            page.errors.append(msg.text)
            if msg.type == "error" and not msg.text.startswith("Failed to load resource")
            else None
        ),
    )
    page.on(
        "response",
        lambda r: (
            page.errors.append(f"{r.status} {r.url}")
            if r.status >= 400 and r.request.resource_type not in ("document", "fetch", "xhr")
            else None
        ),
    )
    page.on("dialog", lambda dialog: dialog.accept())
    return page


async def sign_in(browser: Any, base: str, email: str, viewport: dict[str, int]) -> Any:
    page = await new_page(browser, viewport)
    await page.goto(base + "/login")
    await page.fill("#email", email)
    await page.fill("#password", DEMO_PASSWORD)
    await page.click("main button[type=submit]")
    await page.wait_for_url(base + "/")
    return page


async def use_language(page: Any, lang: str) -> None:
    """Switches with the header button when the page is in the other language."""
    if await page.get_attribute("html", "lang") != lang:
        async with page.expect_navigation():
            await page.click(".lang-switch button")
    assert await page.get_attribute("html", "lang") == lang


async def check_page(page: Any, shots: Path, name: str) -> str:
    """Screenshot, axe-core, no script errors, no raw translation keys, no sideways scrolling."""
    await page.wait_for_load_state("load")
    await page.screenshot(path=str(shots / f"{name}.png"), full_page=True)
    text = await page.inner_text("body")
    raw = [k for k in _KEY_LIKE.findall(text) if k in KEYS]
    assert raw == [], f"{name}: untranslated keys on the page: {raw}"
    width = await page.evaluate("() => document.documentElement.scrollWidth")
    viewport = page.viewport_size["width"]
    assert width <= viewport, f"{name}: page is {width}px wide in a {viewport}px window"
    violations = await axe_violations(page)
    assert violations == [], f"{name}: {violations}"
    errors = page.errors  # type: ignore[attr-defined]
    assert errors == [], f"{name}: script errors {errors}"
    page.errors.clear()  # type: ignore[attr-defined]
    return text
