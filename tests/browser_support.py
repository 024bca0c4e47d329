"""Playwright for Python driving Debian's Chromium (never a browser Playwright downloads)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from tests.support import REPO, chromium_path, require

CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
AXE_JS = REPO / "node_modules" / "axe-core" / "axe.min.js"


@pytest.fixture
async def browser() -> AsyncIterator[Any]:
    path = chromium_path()
    require(path is not None, "Debian chromium (/usr/bin/chromium)")
    try:
        from playwright.async_api import async_playwright
    except ImportError:  # pragma: no cover - installed by make test
        require(False, "playwright for Python")
        raise
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=path, headless=True, args=CHROMIUM_FLAGS)
        yield browser
        await browser.close()


@pytest.fixture
def shots(request: pytest.FixtureRequest) -> Path:
    """Where a test saves its screenshots: test-output/<test name>/ (git-ignored)."""
    folder = REPO / "test-output" / request.node.name.replace("/", "_")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


async def login_page(
    browser: Any, base_url: str, email: str, password: str, **context_args: Any
) -> Any:
    """A new browser context signed in through the real login form; returns its page.

    bypass_csp lets the test inject axe-core; the pages keep their strict CSP for users.
    """
    context = await browser.new_context(bypass_csp=True, **context_args)
    page = await context.new_page()
    await page.goto(base_url + "/login")
    await page.fill("#email", email)
    await page.fill("#password", password)
    await page.click("button[type=submit].primary")
    await page.wait_for_url(base_url + "/")
    return page


async def axe_violations(page: Any) -> list[dict[str, Any]]:
    """Runs axe-core (from node_modules) in the page; returns its violations."""
    require(AXE_JS.exists(), "axe-core (npm ci)")
    await page.add_script_tag(path=str(AXE_JS))
    result = await page.evaluate("async () => (await axe.run(document)).violations")
    return [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "targets": [n["target"] for n in v["nodes"]][:5],
        }
        for v in result
    ]
