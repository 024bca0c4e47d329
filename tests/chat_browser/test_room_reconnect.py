"""The server process stops and starts again under an open room page: the page reconnects on
its own, replays from its last seq, sends what was typed while offline, and shows every
message exactly once."""

from __future__ import annotations

from pathlib import Path

import pytest

from meetings_hub.actions import demo
from tests.chat.support import ChatClient, network_id_of, signed_in
from tests.chat_browser.support import person_page, send
from tests.support import LEAD, PARTNER, make_settings, start_server

pytestmark = pytest.mark.browser


async def _texts(page) -> list[str]:  # type: ignore[no-untyped-def]
    return await page.locator("#messages .msg .msg-body").all_inner_texts()


async def test_restart_replays_without_duplicates(tmp_path: Path, browser, shots) -> None:
    settings = make_settings(tmp_path)
    server = await start_server(settings)
    await demo.load(server.hub)
    restarted = None
    try:
        lead, token = await signed_in(server, LEAD)
        status, body = await lead.post(
            f"/api/v1/networks/{await network_id_of(server, 'Morawic')}/room"
        )
        assert status == 200, body
        room = body["id"]
        await lead.close()
        page = await person_page(browser, server, PARTNER)
        await page.goto(f"{server.url}/rooms/{room}")
        await page.wait_for_selector("#connection[data-state=connected]")
        for n in range(3):
            await send(page, f"przed restartem {n}")
        await page.wait_for_function(
            "document.querySelectorAll('.msg.mine [data-state=saved]').length === 3"
        )

        await server.runner.cleanup()
        await page.wait_for_selector("#connection[data-state=reconnecting]", timeout=10000)
        # Written while the server is down: shown at once as "sending", sent after reconnect.
        await send(page, "w czasie przerwy")
        await page.wait_for_selector(".msg [data-state=sending]")
        await page.screenshot(path=str(shots / "offline-sending.png"))

        restarted = await start_server(settings)
        # Someone else writes right after the restart, before or after the page is back.
        other = ChatClient("lead")
        await other.connect(restarted, token)
        await other.join(room, None)
        for n in range(2):
            assert (await other.send(room, f"od Anny {n}"))["ok"]
        await other.close()

        await page.wait_for_selector("#connection[data-state=connected]", timeout=20000)
        await page.wait_for_function(
            "document.querySelectorAll('#messages .msg').length >= 6", timeout=20000
        )
        await page.wait_for_selector(".msg [data-state=saved]:below(:text('w czasie przerwy'))")
        await page.wait_for_timeout(1000)
        texts = await _texts(page)
        assert sorted(texts) == sorted(
            [f"przed restartem {n}" for n in range(3)]
            + ["w czasie przerwy"]
            + [f"od Anny {n}" for n in range(2)]
        ), texts
        seqs = await page.eval_on_selector_all(
            "#messages .msg", "items => items.map(i => Number(i.dataset.seq))"
        )
        assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs) == 6, seqs
        await page.screenshot(path=str(shots / "after-restart.png"))
    finally:
        if restarted is not None:
            await restarted.runner.cleanup()
