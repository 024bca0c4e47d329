"""A guest link that expired ends its guests' sessions on every request, exactly as a withdrawn
one does: every route a guest can reach (the route walk's guest cases, plus posting and
uploading in the open session room, plus the pages) answers as to nobody, and the socket is cut
off and refused."""

from __future__ import annotations

import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import socketio

from meetings_hub.middleware import CSRF_HEADER, SESSION_COOKIE
from meetings_hub.storage.timefmt import now_utc, to_db
from tests.chat.support import NS, ChatClient, wait_for
from tests.files.support import multipart_body
from tests.foundation.walk_support import Answer, call, dump, error_shape_problem, start_world
from tests.route_cases import Case, World, all_cases
from tests.support import Server

# What a guest does in the session room beyond the walk's cases (the walk's meeting is a week
# away, so its room is closed there).
EXTRA = [
    Case("POST", "/api/v1/rooms/{room_id}/messages", ids={"room_id": "session_room_id"}),
    Case("POST", "/api/v1/rooms/{room_id}/files", ids={"room_id": "session_room_id"}),
    Case("GET", "/api/v1/rooms/{room_id}/search", ids={"room_id": "session_room_id"}),
]


async def _open_session_room(world: World) -> None:
    """The guest's meeting starts in five minutes (its room is open) and guests may upload."""
    start = now_utc() + timedelta(minutes=5)
    async with world.hub.db.write() as tx:
        await tx.execute(
            "UPDATE meetings SET starts_at = ?, ends_at = ? WHERE id = ?",
            (to_db(start), to_db(start + timedelta(hours=1)), world.ids["meeting_id"]),
        )
        await tx.execute(
            "UPDATE rooms SET guests_may_upload = 1 WHERE id = ?", (world.ids["session_room_id"],)
        )


async def _guest_call(
    http: aiohttp.ClientSession, server: Server, world: World, case: Case, signed: Any
) -> Answer:
    path = case.fill_path(world, {})
    if case.path.endswith("/files"):
        body, content_type = multipart_body("notatki.txt", b"od goscia")
        headers = {
            "Cookie": f"{SESSION_COOKIE}={signed[0]}",
            CSRF_HEADER: signed[1],
            "Content-Type": content_type,
        }
        async with http.post(server.url + path, data=body, headers=headers) as r:
            return Answer(r.status, await r.json(content_type=None), "", r.content_type)
    if case.path.endswith("/messages") and case.method == "POST":
        body = {"client_msg_id": uuid.uuid4().hex, "text": "wiadomość gościa"}
    elif case.path.endswith("/search"):
        path += "?q=gosc"
        body = None
    else:
        body = case.make_body(world, {})
    return await call(http, server, world, "guest", case.method, path, body=body, signed=signed)


async def test_every_guest_route_refuses_an_expired_link(tmp_path: Path) -> None:
    server, world = await start_world(tmp_path, chat_recheck_seconds=0.3)
    await _open_session_room(world)
    guest_only = [c for c in all_cases() if "guest" in c.allowed and "anonymous" not in c.allowed]
    cases = guest_only + EXTRA
    assert len(guest_only) >= 6, guest_only
    problems: list[str] = []
    try:
        async with aiohttp.ClientSession() as http:
            signed = await world.sign_in("guest")
            # The control: while the link is live, the guest reaches every one of them.
            for case in cases:
                answer = await _guest_call(http, server, world, case, signed)
                if not (200 <= answer.status < 300):
                    problems.append(f"live: {case.method} {case.path}: {answer.status}")
            assert not problems, "\n".join(problems)
            chat = ChatClient("guest")
            await chat.connect(server, signed[0], cookie=True)
            await chat.join(world.ids["session_room_id"])

            async with world.hub.db.write() as tx:
                await tx.execute(
                    "UPDATE guest_invitations SET expires_at = ? WHERE id = ?",
                    (to_db(now_utc() - timedelta(seconds=1)), world.ids["invitation_id"]),
                )
            # The open socket is cut off by its periodic recheck, and cannot come back.
            await wait_for(lambda: not chat.sio.connected, 5)
            await chat.close()
            again = ChatClient("guest again")
            refusals: list[Any] = []
            again.sio.on("connect_error", refusals.append, namespace=NS)
            with pytest.raises(socketio.exceptions.ConnectionError):
                await again.connect(server, signed[0], cookie=True)
            await again.close()
            assert refusals[0]["data"]["code"] == "expired_guest_link", refusals

            before = dump(server.settings.sqlite_path)
            for case in cases:
                answer = await _guest_call(http, server, world, case, signed)
                where = f"expired: {case.method} {case.path}"
                # Nobody: 401, or for a write first the CSRF check (the token was the session's).
                wanted = 401 if case.method == "GET" else 403
                if answer.status != wanted:
                    problems.append(f"{where}: wanted {wanted}, got {answer.status} {answer.body}")
                elif shape := error_shape_problem(answer):
                    problems.append(f"{where}: {shape}")
            assert dump(server.settings.sqlite_path) == before, "a refused guest changed data"
            # The pages treat the guest as nobody too.
            room_page = f"{server.url}/rooms/{world.ids['session_room_id']}"
            cookie = {"Cookie": f"{SESSION_COOKIE}={signed[0]}"}
            async with http.get(room_page, headers=cookie, allow_redirects=False) as r:
                if r.status == 200:
                    problems.append("expired: the room page still opens")
    finally:
        await server.runner.cleanup()
    assert not problems, "\n".join(problems)
