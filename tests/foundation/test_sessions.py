"""Sessions and cookies, revocation, CSRF on every state-changing route, login rate limits."""

from __future__ import annotations

from http.cookies import SimpleCookie
from pathlib import Path

import aiohttp
import pytest

from meetings_hub.actions.demo import DEMO_PASSWORD
from meetings_hub.middleware import SESSION_COOKIE
from tests.foundation.walk_support import call, dump, session_cookie, start_world
from tests.route_cases import all_cases
from tests.support import LEAD, PARTNER, Client


async def _login_cookies(url: str, email: str = PARTNER) -> dict[str, str]:
    """The raw Set-Cookie headers of a sign-in, by cookie name.

    The double-submit cookie is sent by hand: with secure_cookies a client on plain http would
    (rightly) not send it back.
    """
    token = "double-submit-token-for-the-test"
    async with aiohttp.ClientSession() as http:
        async with http.post(
            url + "/api/v1/auth/login",
            json={"email": email, "password": DEMO_PASSWORD},
            headers={"X-CSRF-Token": token, "Cookie": f"mh_csrf={token}"},
        ) as r:
            assert r.status == 200, await r.text()
            return {SimpleCookie(h).popitem()[0]: h for h in r.headers.getall("Set-Cookie")}


def _attributes(header: str) -> set[str]:
    return {part.strip().split("=")[0].lower() for part in header.split(";")[1:]}


@pytest.mark.parametrize("secure", [False, True])
async def test_session_cookie_is_httponly_lax_and_secure_when_set(tmp_path: Path, secure) -> None:
    server, _ = await start_world(tmp_path, secure_cookies=secure)
    try:
        cookies = await _login_cookies(server.url)
    finally:
        await server.runner.cleanup()
    header = cookies[SESSION_COOKIE]
    attributes = _attributes(header)
    assert "httponly" in attributes
    assert "samesite=lax" in header.lower().replace(" ", "")
    assert "path=/" in header.lower().replace(" ", "")
    assert ("secure" in attributes) is secure


async def test_logout_revokes_the_session_on_the_server(tmp_path: Path) -> None:
    server, _ = await start_world(tmp_path)
    c = Client(server.url)
    try:
        await c.login(LEAD)
        stolen = session_cookie(c, server)
        assert (await c.post("/api/v1/auth/logout"))[0] == 204
        # The browser forgot the cookie; someone who copied it must be refused too.
        async with aiohttp.ClientSession() as http:
            async with http.get(
                server.url + "/api/v1/me", headers={"Cookie": f"{SESSION_COOKIE}={stolen}"}
            ) as r:
                assert r.status == 401
        async with server.hub.db.read() as reader:
            row = await reader.fetch_one(
                "SELECT COUNT(*) FROM auth_sessions WHERE revoked_at IS NOT NULL"
            )
        assert row[0] == 1
    finally:
        await c.close()
        await server.runner.cleanup()


async def test_password_change_keeps_this_session_and_ends_the_others(tmp_path: Path) -> None:
    server, _ = await start_world(tmp_path)
    here, there = Client(server.url), Client(server.url)
    try:
        await here.login(PARTNER)
        await there.login(PARTNER)
        status, body = await here.post(
            "/api/v1/auth/password",
            {"current_password": "wrong-password", "new_password": "new-password-123"},
        )
        assert status == 422 and "current_password" in body["error"]["details"]
        assert (await there.get("/api/v1/me"))[0] == 200  # a failed change ends nothing
        status, _ = await here.post(
            "/api/v1/auth/password",
            {"current_password": DEMO_PASSWORD, "new_password": "new-password-123"},
        )
        assert status == 204
        assert (await here.get("/api/v1/me"))[0] == 200
        assert (await there.get("/api/v1/me"))[0] == 401
        fresh = Client(server.url)
        await fresh.login(PARTNER, "new-password-123")
        await fresh.close()
    finally:
        await here.close()
        await there.close()
        await server.runner.cleanup()


async def test_every_state_changing_route_refuses_a_missing_or_wrong_csrf_token(
    tmp_path: Path,
) -> None:
    server, world = await start_world(tmp_path)
    unsafe = [c for c in all_cases() if c.method not in ("GET", "HEAD", "OPTIONS")]
    assert unsafe
    problems = []
    try:
        plans = []
        for case in unsafe:
            for role in ("anonymous", "coordinator"):
                prepared = await case.prepare(world, role) if case.prepare else {}
                signed = await world.sign_in(role)
                body = case.make_body(world, prepared)
                plans.append((case, role, case.fill_path(world, prepared), body, signed))
        before = dump(server.settings.sqlite_path)
        async with aiohttp.ClientSession() as http:
            for case, role, path, body, signed in plans:
                for label, headers in (
                    ("wrong token", {"X-CSRF-Token": "not-the-token"}),
                    ("no token", {"X-CSRF-Token": ""}),
                    ("other site", {"Origin": "https://evil.example"}),
                ):
                    answer = await call(
                        http,
                        server,
                        world,
                        role,
                        case.method,
                        path,
                        body=body,
                        headers=headers,
                        signed=signed,
                    )
                    code = (answer.body or {}).get("error", {}).get("code")
                    if answer.status != 403 or code != "csrf_failed":
                        problems.append(
                            f"{case.method} {case.path} as {role} ({label}): {answer.status}"
                        )
        after = dump(server.settings.sqlite_path)
    finally:
        await server.runner.cleanup()
    assert not problems, "\n".join(problems)
    assert before == after


async def test_login_rate_limit_per_client_address(tmp_path: Path) -> None:
    server, _ = await start_world(tmp_path, login_max_failures_per_ip=3)
    c = Client(server.url)
    try:
        for n in range(3):
            status, _ = await c.post(
                "/api/v1/auth/login", {"email": f"nobody{n}@example.org", "password": "x" * 12}
            )
            assert status == 401
        status, body = await c.post(
            "/api/v1/auth/login", {"email": PARTNER, "password": DEMO_PASSWORD}
        )
        assert status == 429 and body["error"]["code"] == "rate_limited"
        assert body["error"]["details"]["retry_after_minutes"] > 0
    finally:
        await c.close()
        await server.runner.cleanup()
