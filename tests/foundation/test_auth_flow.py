"""Sign-in, sessions, CSRF and the login rate limit, against a real server."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import aiohttp

from tests.support import COORDINATOR, LEAD, PARTNER, Client


async def test_login_me_logout(server, client_factory) -> None:
    c = await client_factory()
    status, body = await c.get("/api/v1/me")
    assert status == 401 and body["error"]["code"] == "unauthenticated"
    await c.login(LEAD)
    status, me = await c.get("/api/v1/me")
    assert status == 200 and me["email"] == LEAD and me["role"] == "lead_librarian"
    status, _ = await c.post("/api/v1/auth/logout")
    assert status == 204
    status, _ = await c.get("/api/v1/me")
    assert status == 401


async def test_wrong_password_and_unknown_email_answer_alike(server, client_factory) -> None:
    c = await client_factory()
    s1, b1 = await c.post("/api/v1/auth/login", {"email": LEAD, "password": "wrong-password"})
    s2, b2 = await c.post(
        "/api/v1/auth/login", {"email": "nobody@example.org", "password": "x" * 12}
    )
    assert s1 == s2 == 401
    assert b1["error"]["message"] == b2["error"]["message"]


async def test_state_change_without_csrf_is_refused(server) -> None:
    c = Client(server.url)
    try:
        await c.login(PARTNER)
        c.csrf = "forged"
        status, body = await c.request("PATCH", "/api/v1/me", json={"language": "en"})
        assert status == 403 and body["error"]["code"] == "csrf_failed"
        status, body = await c.request(
            "PATCH",
            "/api/v1/me",
            json={"language": "en"},
            headers={"Origin": "http://evil.example"},
        )
        assert status == 403
    finally:
        await c.close()


async def test_login_rate_limit(server, client_factory) -> None:
    c = await client_factory()
    limit = server.settings.login_max_failures
    for _ in range(limit):
        status, _ = await c.post(
            "/api/v1/auth/login", {"email": COORDINATOR, "password": "bad-password"}
        )
        assert status == 401
    status, body = await c.post(
        "/api/v1/auth/login", {"email": COORDINATOR, "password": "biblioteka-demo"}
    )
    assert status == 429 and body["error"]["code"] == "rate_limited"


async def test_password_change_revokes_other_sessions(server, client_factory) -> None:
    first = await client_factory(PARTNER)
    second = await client_factory(PARTNER)
    status, _ = await first.post(
        "/api/v1/auth/password",
        {"current_password": "biblioteka-demo", "new_password": "a-much-longer-password"},
    )
    assert status == 204
    assert (await second.get("/api/v1/me"))[0] == 401
    assert (await first.get("/api/v1/me"))[0] == 200


async def test_demo_accounts_refused_outside_demo_mode(tmp_path) -> None:
    from meetings_hub.actions import demo
    from tests.support import make_settings, start_server

    srv = await start_server(make_settings(tmp_path, demo_mode=False))
    try:
        await demo.load(srv.hub)
        c = Client(srv.url)
        status, _ = await c.post(
            "/api/v1/auth/login", {"email": LEAD, "password": "biblioteka-demo"}
        )
        assert status == 401
        await c.close()
    finally:
        await srv.runner.cleanup()


async def test_page_ids_beyond_sqlite_integers_are_not_found(server, client_factory) -> None:
    c = await client_factory(COORDINATOR)
    for path in (
        "/libraries/9223372036854775808",
        "/networks/18446744073709551616",
        "/meetings/9223372036854775808",
        "/meetings/9223372036854775808/room",
        "/rooms/9223372036854775808",
    ):
        async with c.session.get(server.url + path) as response:
            assert response.status == 404, path


async def test_feature_pages_send_visitors_to_sign_in_with_the_page_encoded(server) -> None:
    async with aiohttp.ClientSession() as http:
        for path in ("/calendar?view=list&month=2026-11", "/rooms/1", "/storage"):
            async with http.get(server.url + path, allow_redirects=False) as r:
                assert r.status == 303, path
                location = urlsplit(r.headers["Location"])
                assert location.path == "/login", path
                assert parse_qs(location.query)["next"] == [path], path
