"""Real Chromium: a librarian prepares her data and opens the ZIP; the coordinator erases a
guest and looks at the room afterwards (screenshots in test-output/)."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

import pytest

from tests.chat_browser.support import person_page
from tests.foundation.walk_support import start_world
from tests.privacy.support import GUEST_NAME, named_guest
from tests.support import COORDINATOR, PARTNER

pytestmark = pytest.mark.browser


async def test_librarian_downloads_her_data(browser: Any, shots: Path, tmp_path: Path) -> None:
    server, _ = await start_world(tmp_path)
    try:
        page = await person_page(browser, server, PARTNER, accept_downloads=True)
        await page.goto(server.url + "/profile")
        await page.click("a[href='/profile/data']")
        await page.wait_for_url("**/profile/data")
        await page.click("#export-mine button[type=submit]")
        link = page.locator("#exports li").first.locator("a.export-download")
        await link.wait_for(timeout=15_000)
        await page.screenshot(path=str(shots / "export-ready.png"), full_page=True)
        async with page.expect_download() as info:
            await link.click()
        download = await info.value
        target = tmp_path / "my-data.zip"
        await download.save_as(target)
        with zipfile.ZipFile(target) as archive:
            assert "README.txt" in archive.namelist()
            profile = json.loads(archive.read("profile.json"))
        assert profile["person"][0]["email"] == PARTNER
        await page.context.close()
    finally:
        await server.runner.cleanup()


async def test_coordinator_erases_a_guest_and_the_room_shows_it(
    browser: Any, shots: Path, tmp_path: Path
) -> None:
    server, world = await start_world(tmp_path)
    try:
        guest = await named_guest(world)
        page = await person_page(browser, server, COORDINATOR)
        room_url = f"{server.url}/meetings/{world.ids['meeting_id']}/room"
        await page.goto(room_url)
        await page.wait_for_selector(f"#messages >> text={GUEST_NAME}")
        await page.screenshot(path=str(shots / "room-before.png"), full_page=True)

        await page.goto(server.url + "/profile/data")
        page.on("dialog", lambda dialog: dialog.accept())
        await page.fill("#e-guest", str(guest.guest_id))
        await page.click("#erase-guest button[type=submit]")
        await page.wait_for_selector(f"#erase-guest .form-status >> text=Gość #{guest.guest_id}")
        await page.screenshot(path=str(shots / "erased.png"), full_page=True)

        await page.goto(room_url)
        await page.wait_for_selector(f"#messages >> text=Gość #{guest.guest_id}")
        await page.wait_for_selector("#messages >> text=[usunięto]")
        await page.screenshot(path=str(shots / "room-after.png"), full_page=True)
        assert GUEST_NAME not in await page.content()
        await page.context.close()
    finally:
        await server.runner.cleanup()
