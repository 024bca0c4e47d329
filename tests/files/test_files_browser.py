"""Two librarians in real Chromium: one drops files on the conversation and watches the
progress, the other sees the cards appear live, opens the Files tab and downloads."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import io
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from meetings_hub.actions import files
from tests.browser_support import axe_violations
from tests.chat_browser.support import (
    guest_page,
    meeting_with_guest_link,
    person_page,
    watch_console,
)
from tests.files.support import count_rows, files_server, morawica_room, upload
from tests.support import COORDINATOR, LEAD, PARTNER, Client

pytestmark = pytest.mark.browser

MB = 1024 * 1024
# Files are made in the page from this recipe and again here, to compare what arrives.
PATTERN_JS = "(i) => (i * 31 + (i >> 11)) & 255"


def pattern(size: int) -> bytes:
    return bytes((i * 31 + (i >> 11)) & 255 for i in range(size))


def poster_png() -> bytes:
    buffer = io.BytesIO()
    image = Image.new("RGB", (800, 500), "#f3f5f7")
    for x in range(0, 800, 100):
        image.paste("#0b5394" if x % 200 else "#b35900", (x, 0, x + 50, 500))
    image.save(buffer, "PNG")
    return buffer.getvalue()


async def data_transfer(page: Any, files: list[dict[str, Any]]) -> Any:
    """A DataTransfer holding real File objects, as a drag from the desktop would bring."""
    return await page.evaluate_handle(
        f"""(files) => {{
            const make = {PATTERN_JS};
            const dt = new DataTransfer();
            for (const f of files) {{
                let bytes;
                if (f.base64) bytes = Uint8Array.from(atob(f.base64), (c) => c.charCodeAt(0));
                else {{
                    bytes = new Uint8Array(f.size);
                    for (let i = 0; i < f.size; i++) bytes[i] = make(i);
                }}
                dt.items.add(new File([bytes], f.name, {{ type: f.type || "" }}));
            }}
            return dt;
        }}""",
        files,
    )


async def drop(page: Any, files: list[dict[str, Any]]) -> None:
    dt = await data_transfer(page, files)
    for event in ("dragenter", "dragover", "drop"):
        await page.dispatch_event(".chat", event, {"dataTransfer": dt})


async def slow_uploads(page: Any, bytes_per_second: int) -> None:
    """Throttles the page's uploads (Chromium's network emulation), so progress can be seen."""
    cdp = await page.context.new_cdp_session(page)
    await cdp.send("Network.enable")
    await cdp.send(
        "Network.emulateNetworkConditions",
        {
            "offline": False,
            "latency": 20,
            "downloadThroughput": -1,
            "uploadThroughput": bytes_per_second,
        },
    )


async def room_page(browser: Any, server: Any, email: str, room_id: int, **context: Any) -> Any:
    page = await person_page(browser, server, email, **context)
    await page.goto(f"{server.url}/rooms/{room_id}")
    await page.wait_for_selector("#connection[data-state=connected]")
    await page.wait_for_selector(".file-share-button")
    return page


async def test_drop_shows_progress_and_the_other_librarian_downloads(
    server, browser, shots: Path
) -> None:
    room_id = await morawica_room(server)
    lead = await room_page(browser, server, LEAD, room_id, accept_downloads=True)
    partner = await room_page(browser, server, PARTNER, room_id, accept_downloads=True)
    problems = watch_console(lead) + watch_console(partner)
    await slow_uploads(lead, 1_500_000)
    report_size = 4 * MB
    poster = poster_png()
    await drop(
        lead,
        [
            {"name": "sprawozdanie_łódź.pdf", "size": report_size, "type": "application/pdf"},
            {
                "name": "plakat.png",
                "base64": base64.b64encode(poster).decode(),
                "type": "image/png",
            },
        ],
    )
    # Progress: a bar and a percent per file, with a cancel button, while it uploads.
    row = lead.locator(".upload", has_text="sprawozdanie_łódź.pdf")
    await row.locator("progress").wait_for()
    await lead.wait_for_function(
        "() => [...document.querySelectorAll('.upload progress')].some(p => p.value > 5)"
    )
    assert await row.locator(".upload-cancel").is_visible()
    percent = await row.locator(".upload-percent").inner_text()
    assert percent.endswith("%")
    await lead.screenshot(path=str(shots / "uploading-lead-1366.png"))

    # The partner sees both cards appear live, with the image's thumbnail.
    card = partner.locator(".file-card", has_text="sprawozdanie_łódź.pdf")
    await card.wait_for(timeout=30000)
    poster_card = partner.locator(".file-card", has_text="plakat.png")
    await poster_card.wait_for(timeout=30000)
    await partner.wait_for_function(
        "() => { const img = document.querySelector('.file-card img');"
        " return img && img.complete && img.naturalWidth > 0; }"
    )
    assert "4,2 MB" in await card.inner_text()
    await lead.wait_for_selector(".upload[data-state=done]")

    # The partner downloads: same bytes, same Polish name.
    async with partner.expect_download() as info:
        await card.locator("a.file-download").click()
    download = await info.value
    assert download.suggested_filename == "sprawozdanie_łódź.pdf"
    got = await asyncio.to_thread(Path(await download.path()).read_bytes)
    assert hashlib.sha256(got).hexdigest() == hashlib.sha256(pattern(report_size)).hexdigest()

    # The Files tab lists both, newest first, with who and when.
    await partner.click("#tab-files")
    rows = partner.locator("#panel-files .file-row")
    await rows.first.wait_for()
    assert await rows.count() == 2
    text = await partner.locator("#panel-files").inner_text()
    assert "Anna Kowalczyk" in text and "plakat.png" in text
    await partner.screenshot(path=str(shots / "cards-and-files-tab-partner-1366.png"))
    assert await axe_violations(partner) == []
    await partner.set_viewport_size({"width": 360, "height": 740})
    await partner.screenshot(path=str(shots / "files-partner-360.png"), full_page=True)
    await lead.set_viewport_size({"width": 360, "height": 740})
    await lead.screenshot(path=str(shots / "share-lead-360.png"), full_page=True)
    assert await axe_violations(lead) == []
    assert problems == []

    # The coordinator sees the storage they take, per library and per room.
    coordinator = await person_page(browser, server, COORDINATOR)
    await coordinator.goto(server.url + "/storage")
    await coordinator.wait_for_selector("#by-room")
    text = await coordinator.inner_text("main")
    assert "Sieć bibliotek wokół Morawicy" in text and "4,2 MB" in text
    await coordinator.screenshot(path=str(shots / "storage-coordinator-1366.png"), full_page=True)
    assert await axe_violations(coordinator) == []


async def test_cancel_and_paste(server, browser, shots: Path) -> None:
    room_id = await morawica_room(server)
    lead = await room_page(browser, server, LEAD, room_id)
    await slow_uploads(lead, 200_000)
    # The button opens the file chooser; several files at once.
    async with lead.expect_file_chooser() as chooser:
        await lead.click(".file-share-button")
    await (await chooser.value).set_files(
        [
            {"name": "duzy.bin", "mimeType": "application/octet-stream", "buffer": pattern(3 * MB)},
            {"name": "maly.txt", "mimeType": "text/plain", "buffer": b"notatka"},
        ]
    )
    row = lead.locator(".upload", has_text="duzy.bin")
    await lead.wait_for_function(
        "() => { const p = [...document.querySelectorAll('.upload')].find(r =>"
        " r.textContent.includes('duzy.bin')); return p && p.querySelector('progress').value > 0; }"
    )
    await lead.screenshot(path=str(shots / "before-cancel.png"))
    await row.locator(".upload-cancel").click()
    await lead.wait_for_selector(".upload[data-state=cancelled]")
    assert "Anulowano" in await row.inner_text()
    await lead.wait_for_selector(".file-card:has-text('maly.txt')", timeout=30000)

    # Paste (e.g. a screenshot from the clipboard) shares too.
    dt = await data_transfer(
        lead,
        [
            {
                "name": "zrzut.png",
                "base64": base64.b64encode(poster_png()).decode(),
                "type": "image/png",
            }
        ],
    )
    await lead.evaluate(
        "(dt) => document.dispatchEvent(new ClipboardEvent('paste', {clipboardData: dt}))", dt
    )
    await lead.wait_for_selector(".file-card:has-text('zrzut.png')", timeout=30000)
    await lead.screenshot(path=str(shots / "after-cancel-and-paste.png"))
    # The cancelled upload left nothing; the other two are there.
    for _ in range(50):
        if await count_rows(server, "room_files") == 2:
            break
        await lead.wait_for_timeout(100)
    names = [r["name"] for r in await server.hub.db.fetch_all("SELECT name FROM room_files")]
    assert sorted(names) == ["maly.txt", "zrzut.png"]
    tmp = server.settings.data_dir / "files" / "tmp"
    assert list(tmp.iterdir()) == []


async def test_too_large_is_refused_before_sending(server, browser) -> None:
    room_id = await morawica_room(server)
    lead = await room_page(browser, server, LEAD, room_id)
    await lead.evaluate(
        "() => { window.__sent = 0; const o = XMLHttpRequest.prototype.send;"
        " XMLHttpRequest.prototype.send = function (b) { window.__sent++;"
        " return o.call(this, b); }; }"
    )
    # A 200 MB + 1 byte file would take long to build; lower the page's limit instead.
    async with lead.expect_file_chooser() as chooser:
        await lead.click(".file-share-button")
    big = {"name": "film.mp4", "mimeType": "video/mp4", "buffer": b"\x00" * 10}
    await lead.evaluate(
        "() => Object.defineProperty(File.prototype, 'size', {get: () => 300 * 1024 * 1024})"
    )
    await (await chooser.value).set_files([big])
    row = lead.locator(".upload[data-state=failed]")
    await row.wait_for()
    assert "za duży" in await row.inner_text()
    assert await lead.evaluate("() => window.__sent") == 0


async def test_guest_share_button_follows_the_moderators_rule_live(server, browser, shots) -> None:
    _, link = await meeting_with_guest_link(server)
    guest = await guest_page(browser, link)
    problems = watch_console(guest)
    await guest.wait_for_selector(".file-share-button:not([disabled])")
    lead = await person_page(browser, server, LEAD)
    await lead.goto(guest.url)
    await lead.wait_for_selector("#connection[data-state=connected]")
    await lead.click("#tab-files")
    await lead.uncheck("#files-guests-may-upload")
    # No reload: the guest's button turns off with the reason shown, then on again.
    await guest.wait_for_selector(".file-share-button[disabled]")
    note = await guest.inner_text(".file-share-note")
    assert note.strip() != ""
    await guest.screenshot(path=str(shots / "guest-may-not-share-1366.png"))
    await lead.check("#files-guests-may-upload")
    await guest.wait_for_selector(".file-share-button:not([disabled])")
    assert (await guest.inner_text(".file-share-note")).strip() == ""
    assert problems == []


async def test_a_card_whose_file_retention_removed_says_so(tmp_path: Path, browser, shots) -> None:
    async with files_server(tmp_path, file_retention_days=30) as server:
        room_id = await morawica_room(server)
        lead = Client(server.url)
        try:
            await lead.login(LEAD)
            _, old = await upload(lead, room_id, "sprawozdanie_2020.txt", b"stare")
            await upload(lead, room_id, "plan.txt", b"nowe")
        finally:
            await lead.close()
        async with server.hub.db.write() as tx:
            await tx.execute(
                "UPDATE room_files SET created_at = '2020-01-01T00:00:00.000000Z' WHERE id = ?",
                (old["id"],),
            )
        await files.cleanup(server.hub, files.FileRuntime.for_hub(server.hub))
        page = await room_page(browser, server, LEAD, room_id)
        removed = page.locator(".file-card-removed")
        await removed.wait_for()
        assert "sprawozdanie_2020.txt" in await removed.inner_text()
        assert "Plik usunięty" in await removed.inner_text()
        assert await removed.locator("a").count() == 0  # no link that would answer 404
        assert await page.locator(".file-card:not(.file-card-removed) a.file-name").count() == 1
        await page.screenshot(path=str(shots / "removed-card-1366.png"))
        assert await axe_violations(page) == []
