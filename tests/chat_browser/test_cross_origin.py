"""Cross-site WebSocket hijacking in a real browser: a page on another port of the same host
(the same *site*, so Chromium sends the SameSite=Lax session cookie along) tries to read a
room's history through /socket.io/ as the signed-in lead. It must get nothing; the very same
script run from the site itself reads the history, so the attack script is known to work."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web

from meetings_hub.actions.demo import DEMO_PASSWORD
from meetings_hub.app import WEB_DIR
from tests.chat.support import network_id_of
from tests.chat_browser.support import person_page
from tests.support import LEAD, Client, Server, free_port

SECRET = "tajne ustalenia sieci"

# Connects to the target's /chat as whoever the browser's cookies say, joins the room and
# reports what it could read: the join answer and every message that arrived.
ATTACK = """
import { io } from "./socket.io.esm.min.js";
export function attack(target, roomId, transport) {
  return new Promise((resolve) => {
    const read = [];
    const socket = io(target + "/chat", {
      transports: [transport], withCredentials: true, reconnection: false, timeout: 5000,
    });
    socket.on("message", (m) => read.push(m.text));
    socket.on("connect", async () => {
      const ack = await socket.timeout(5000).emitWithAck("join", { room_id: roomId, last_seq: 0 });
      setTimeout(() => { socket.close(); resolve({ connected: true, ack, read }); }, 500);
    });
    socket.on("connect_error", (e) => resolve({ connected: false, error: String(e), read }));
  });
}
"""


@pytest.fixture
async def evil_site() -> AsyncIterator[str]:
    """Another origin on the same host: serves the attack module and socket.io's client."""
    app = web.Application()
    vendor = (WEB_DIR / "static" / "vendor" / "socket.io.esm.min.js").read_text()

    async def index(request: web.Request) -> web.Response:
        return web.Response(text="<!doctype html><title>Nagrody!</title>", content_type="text/html")

    async def attack(request: web.Request) -> web.Response:
        return web.Response(text=ATTACK, content_type="text/javascript")

    async def client(request: web.Request) -> web.Response:
        return web.Response(text=vendor, content_type="text/javascript")

    app.router.add_get("/", index)
    app.router.add_get("/attack.js", attack)
    app.router.add_get("/socket.io.esm.min.js", client)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    yield f"http://127.0.0.1:{port}"
    await runner.cleanup()


async def _room_with_history(server: Server) -> int:
    lead = Client(server.url)
    try:
        await lead.login(LEAD)
        network_id = await network_id_of(server, "Morawic")
        status, room = await lead.post(f"/api/v1/networks/{network_id}/room")
        assert status in (200, 201), room
        status, posted = await lead.post(
            f"/api/v1/rooms/{room['id']}/messages",
            {"client_msg_id": uuid.uuid4().hex, "text": SECRET},
        )
        assert status in (200, 201), posted
        return int(room["id"])
    finally:
        await lead.close()


async def _run_attack(page: Any, module_url: str, target: str, room_id: int, transport: str) -> Any:
    return await page.evaluate(
        """async ([url, target, roomId, transport]) =>
             (await import(url)).attack(target, roomId, transport)""",
        [module_url, target, room_id, transport],
    )


async def test_a_page_on_another_port_cannot_read_a_room(
    browser: Any, server: Server, evil_site: str
) -> None:
    room_id = await _room_with_history(server)
    page = await person_page(browser, server, LEAD)
    try:
        # The control: the same script from the site's own origin reads the history.
        await page.goto(server.url + "/")
        await page.route(
            server.url + "/attack-control.js",
            lambda route: route.fulfill(body=ATTACK, content_type="text/javascript"),
        )
        await page.route(
            server.url + "/socket.io.esm.min.js",
            lambda route: route.fulfill(
                path=str(WEB_DIR / "static" / "vendor" / "socket.io.esm.min.js"),
                content_type="text/javascript",
            ),
        )
        own = await _run_attack(
            page, server.url + "/attack-control.js", server.url, room_id, "websocket"
        )
        assert own["connected"] and own["ack"]["ok"], own
        assert SECRET in own["read"], own

        # The attack: the lead visits another port of the same host, cookies and all.
        await page.goto(evil_site + "/")
        for transport in ("websocket", "polling"):
            outcome = await _run_attack(
                page, evil_site + "/attack.js", server.url, room_id, transport
            )
            assert not outcome["connected"], (transport, outcome)
            assert outcome["read"] == [], (transport, outcome)
    finally:
        await page.context.close()


async def test_the_room_page_opens_its_websocket_under_the_real_policy(
    browser: Any, server: Server
) -> None:
    """connect-src names this host's ws:// and wss:// only: the page's own socket still
    upgrades to a websocket (every other browser test bypasses the CSP for axe-core)."""
    room_id = await _room_with_history(server)
    context = await browser.new_context()
    page = await context.new_page()
    sockets: list[str] = []
    problems: list[str] = []
    page.on("websocket", lambda ws: sockets.append(ws.url))
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    try:
        await page.goto(server.url + "/login")
        await page.fill("#email", LEAD)
        await page.fill("#password", DEMO_PASSWORD)
        await page.click("button[type=submit].primary")
        await page.wait_for_url(server.url + "/")
        await page.goto(f"{server.url}/rooms/{room_id}")
        await page.wait_for_selector("#connection[data-state=connected]")
        await page.wait_for_selector(f".msg:has-text('{SECRET}')")
        host = server.url.removeprefix("http://")
        for _ in range(50):  # the upgrade follows the polling handshake
            if sockets:
                break
            await page.wait_for_timeout(100)
        assert sockets and all(s.startswith(f"ws://{host}/socket.io/") for s in sockets), sockets
        assert not [p for p in problems if "Content Security Policy" in p], problems
    finally:
        await context.close()
