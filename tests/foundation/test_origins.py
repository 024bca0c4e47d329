"""Only the site's own origins may use its sockets and send its forms (cross-site WebSocket
hijacking: a page on another port of the same host is the same *site* for SameSite cookies, so
the session cookie goes along, and only the Origin tells the two apart)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from meetings_hub.app import create_app
from meetings_hub.middleware import CSRF_HEADER, SESSION_COOKIE
from tests.foundation.walk_support import dump, start_world
from tests.route_cases import World
from tests.support import Server, make_settings

STATE_CHANGING = ("POST", "PUT", "PATCH", "DELETE")
HANDSHAKE = "/socket.io/?EIO=4&transport=polling"


def foreign_origins(port: int) -> list[str]:
    """Origins that are not the site, for a server reached at http://127.0.0.1:<port>."""
    return [
        f"http://127.0.0.1:{port + 1}",  # another port of the same host
        f"http://localhost:{port}",  # another name of the same machine
        "http://127.0.0.1",
        f"http://127.0.0.1:{port}.evil.example",
        f"http://user@127.0.0.1:{port}",
        f"http://evil.example/?127.0.0.1:{port}",
        f"ws://127.0.0.1:{port}",
        "https://spotkania.example.pl",  # an extra origin, but not configured here
        "null",
        "",
    ]


async def _signed(world: World, role: str = "coordinator") -> dict[str, str]:
    signed = await world.sign_in(role)
    assert signed is not None
    return {"Cookie": f"{SESSION_COOKIE}={signed[0]}", CSRF_HEADER: signed[1]}


async def _handshake(
    http: aiohttp.ClientSession, server: Server, headers: dict[str, str]
) -> tuple[int, str]:
    async with http.get(server.url + HANDSHAKE, headers=headers) as r:
        return r.status, await r.text()


def _refused(status: int, text: str) -> bool:
    return status == 403 and json.loads(text)["error"]["code"] == "csrf_failed"


async def _websocket_opens(http: aiohttp.ClientSession, server: Server, headers: Any) -> bool:
    url = server.url.replace("http", "ws") + "/socket.io/?EIO=4&transport=websocket"
    try:
        async with http.ws_connect(url, headers=headers) as ws:
            first = await ws.receive(timeout=5)
            return first.type == aiohttp.WSMsgType.TEXT and first.data.startswith("0{")
    except aiohttp.WSServerHandshakeError as exc:
        assert exc.status == 403, exc
        return False


async def test_socketio_refuses_every_foreign_origin(tmp_path: Path) -> None:
    """The polling handshake, a polling POST, OPTIONS and the websocket upgrade: each from a
    foreign origin is refused before python-engineio sees it; the site's own are served."""
    server, world = await start_world(tmp_path)
    port = server.settings.port
    try:
        async with aiohttp.ClientSession() as http:
            signed = await _signed(world, "lead")
            status, text = await _handshake(http, server, signed)
            assert status == 200, text
            sid = json.loads(text[1:])["sid"]
            for origin in foreign_origins(port):
                headers = {**signed, "Origin": origin}
                assert _refused(*await _handshake(http, server, headers)), origin
                post = f"{server.url}{HANDSHAKE}&sid={sid}"
                async with http.post(post, data="40/chat,", headers=headers) as r:
                    assert _refused(r.status, await r.text()), origin
                async with http.options(server.url + HANDSHAKE, headers=headers) as r:
                    assert _refused(r.status, await r.text()), origin
                assert not await _websocket_opens(http, server, headers), origin
            # The site itself, and clients that send no Origin (not browsers) are served.
            for headers in ({**signed, "Origin": f"http://127.0.0.1:{port}"}, signed):
                assert (await _handshake(http, server, headers))[0] == 200
                assert await _websocket_opens(http, server, headers)
            # `make run` opened as http://localhost:8080: the host the request came to.
            local = {**signed, "Host": f"localhost:{port}", "Origin": f"http://localhost:{port}"}
            assert (await _handshake(http, server, local))[0] == 200
            assert await _websocket_opens(http, server, local)
            # ...and site_url's origin (a proxy may pass another Host), but nothing else.
            local["Origin"] = f"http://127.0.0.1:{port}"
            assert (await _handshake(http, server, local))[0] == 200
            local["Origin"] = f"http://localhost:{port + 1}"
            assert _refused(*await _handshake(http, server, local))
    finally:
        await server.runner.cleanup()


async def test_site_url_and_configured_origins_are_the_site(tmp_path: Path) -> None:
    """Behind a proxy that passes its own Host, the public origin is site_url; more can be
    configured. Default ports and letter case do not matter."""
    server, world = await start_world(
        tmp_path,
        site_url="https://spotkania.example.pl/",
        allowed_origins=" https://www.spotkania.example.pl:443 ,http://intranet.local:8000",
    )
    try:
        async with aiohttp.ClientSession() as http:
            signed = await _signed(world, "lead")
            for origin in (
                "https://spotkania.example.pl",
                "https://SPOTKANIA.example.pl:443",
                "https://www.spotkania.example.pl",
                "http://intranet.local:8000",
            ):
                headers = {**signed, "Origin": origin}
                assert (await _handshake(http, server, headers))[0] == 200, origin
                assert await _websocket_opens(http, server, headers), origin
            for origin in (
                "http://spotkania.example.pl",  # the site is https only
                "https://evil.spotkania.example.pl",
                "http://intranet.local:8001",
            ):
                headers = {**signed, "Origin": origin}
                assert _refused(*await _handshake(http, server, headers)), origin
    finally:
        await server.runner.cleanup()


@pytest.mark.parametrize("bad", ["intranet.local", "ftp://files.example.pl", "https://a.pl/x?y"])
async def test_a_malformed_allowed_origin_stops_the_start(tmp_path: Path, bad: str) -> None:
    with pytest.raises(ValueError, match="not an http"):
        await create_app(make_settings(tmp_path, allowed_origins=bad))


def _fill(template: str) -> str:
    return re.sub(r"\{[^}]*\}", "1", template)


async def test_every_state_changing_route_refuses_a_foreign_origin(tmp_path: Path) -> None:
    """Every POST/PUT/PATCH/DELETE the app registers (API, pages' forms, socket.io), sent with
    a valid session and CSRF token but from a foreign origin: 403, and nothing changed."""
    server, world = await start_world(tmp_path)
    port = server.settings.port
    routes = sorted(
        {
            (route.method, _fill(route.resource.canonical))
            for route in server.app.router.routes()
            if route.method in STATE_CHANGING and route.resource is not None
        }
    )
    assert len(routes) > 40, routes
    before = dump(server.settings.sqlite_path)
    problems = []
    try:
        async with aiohttp.ClientSession() as http:
            signed = await _signed(world)
            for method, path in routes:
                for origin in foreign_origins(port)[:3]:
                    headers = {**signed, "Origin": origin, "Content-Type": "application/json"}
                    async with http.request(
                        method, server.url + path, data=b"{}", headers=headers
                    ) as r:
                        if not _refused(r.status, await r.text()):
                            problems.append(f"{method} {path} from {origin}: {r.status}")
            # The same session from the site itself gets through the check.
            headers = {**signed, "Origin": f"http://127.0.0.1:{port}"}
            async with http.post(server.url + "/api/v1/auth/logout", headers=headers) as r:
                assert r.status < 300, await r.text()
    finally:
        await server.runner.cleanup()
    assert not problems, "\n".join(problems)
    after = dump(server.settings.sqlite_path)
    # Only the logout at the end changed anything (the session it ended).
    assert {t: rows for t, rows in before.items() if t != "auth_sessions"} == {
        t: rows for t, rows in after.items() if t != "auth_sessions"
    }


async def test_page_csp_allows_websockets_to_this_host_only(tmp_path: Path) -> None:
    server, _ = await start_world(tmp_path)
    host = f"127.0.0.1:{server.settings.port}"
    try:
        async with aiohttp.ClientSession() as http:
            async with http.get(server.url + "/login") as r:
                csp = r.headers["Content-Security-Policy"]
            directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
            assert directives["connect-src"].split() == ["'self'", f"ws://{host}", f"wss://{host}"]
            assert directives["object-src"] == "'none'"
            # A Host header that is not a plain host name never reaches the policy.
            async with http.get(server.url + "/login", headers={"Host": "a b;script-src *"}) as r:
                csp = r.headers.get("Content-Security-Policy", "")
            assert "script-src *" not in csp and "a b" not in csp
            # Behind a proxy that passes its own Host, site_url's host is listed too.
            async with http.get(server.url + "/login", headers={"Host": "10.0.0.5:8080"}) as r:
                connect = r.headers["Content-Security-Policy"].split("connect-src ")[1]
            assert connect.split(";")[0].split() == [
                "'self'",
                "ws://10.0.0.5:8080",
                "wss://10.0.0.5:8080",
                f"ws://{host}",
                f"wss://{host}",
            ]
    finally:
        await server.runner.cleanup()
