"""A library whose proxy blocks websockets: the room page on long-polling alone sends what was
typed while the server was away a few at a time, so no request carries more packets than
python-engineio accepts by default (16), and every message is saved once."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from meetings_hub.actions import demo
from tests.chat.support import network_id_of, signed_in
from tests.chat_browser.support import person_page, send
from tests.support import LEAD, PARTNER, make_settings, start_server

pytestmark = pytest.mark.browser

ENGINEIO_DEFAULT_MAX_PACKETS = 16


async def test_polling_page_resends_a_backlog_in_small_requests(
    tmp_path: Path, browser: Any, shots: Path
) -> None:
    settings = make_settings(tmp_path)
    server = await start_server(settings)
    await demo.load(server.hub)
    restarted = None
    try:
        lead, _ = await signed_in(server, LEAD)
        status, body = await lead.post(
            f"/api/v1/networks/{await network_id_of(server, 'Morawic')}/room"
        )
        assert status == 200, body
        room = body["id"]
        await lead.close()
        page = await person_page(browser, server, PARTNER)

        async def refuse(ws: Any) -> None:  # the proxy: no websockets
            await ws.close()

        await page.context.route_web_socket("**/socket.io/**", refuse)
        posts: list[int] = []

        def count(request: Any) -> None:
            if request.method == "POST" and "/socket.io/" in request.url and request.post_data:
                posts.append(len(request.post_data.split("\x1e")))

        page.on("request", count)
        await page.goto(f"{server.url}/rooms/{room}")
        await page.wait_for_selector("#connection[data-state=connected]")

        await server.runner.cleanup()
        await page.wait_for_selector("#connection[data-state=reconnecting]", timeout=10000)
        backlog = 30
        for n in range(backlog):
            await send(page, f"bez websocketu {n}")
        restarted = await start_server(settings)
        await page.wait_for_selector("#connection[data-state=connected]", timeout=20000)
        await page.wait_for_function(
            f"document.querySelectorAll('.msg.mine [data-state=saved]').length === {backlog}",
            timeout=30000,
        )
        assert max(posts) <= ENGINEIO_DEFAULT_MAX_PACKETS, posts
        seqs = await page.eval_on_selector_all(
            "#messages .msg", "items => items.map(i => Number(i.dataset.seq))"
        )
        assert sorted(seqs) == list(range(1, backlog + 1)), seqs
        await page.screenshot(path=str(shots / "polling-backlog-sent.png"))
    finally:
        if restarted is not None:
            await restarted.runner.cleanup()
