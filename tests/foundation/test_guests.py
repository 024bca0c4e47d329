"""Guest links: signed, expiring, revocable, scoped to one meeting; a guest has no account."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from meetings_hub import auth
from meetings_hub.actions import rooms as rooms_actions
from meetings_hub.actions import session
from meetings_hub.domain import Actor
from meetings_hub.errors import NotFound
from tests.foundation.walk_support import client_as, session_cookie, start_world
from tests.route_cases import World
from tests.support import Client, Server


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[tuple[Server, World]]:
    server, world = await start_world(tmp_path)
    yield server, world
    await server.runner.cleanup()


async def invite(server: Server, w: World, meeting_id: int) -> dict:
    lead = await client_as(server, w, "lead")
    try:
        status, body = await lead.post(
            f"/api/v1/meetings/{meeting_id}/guest-invitations",
            {"name": "Pani Wójt", "category": "local_authority", "email": "wojt@example.org"},
        )
        assert status == 201, body
        return body
    finally:
        await lead.close()


def token_of(invitation: dict) -> str:
    return invitation["link"].rsplit("/guest/", 1)[1]


async def enter(server: Server, token: str, **fields: str) -> tuple[Client, int, dict]:
    guest = Client(server.url)
    body = {"token": token, "name": "Jan Kowalski", "category": "library_user", **fields}
    status, answer = await guest.post("/api/v1/guest/enter", body)
    return guest, status, answer


async def count(server: Server, table: str) -> int:
    async with server.hub.db.read() as reader:
        row = await reader.fetch_one(f"SELECT COUNT(*) FROM {table}")  # noqa: S608 (constant)
    assert row is not None
    return int(row[0])


async def test_guest_enters_with_name_and_category_and_has_no_account(world) -> None:
    server, w = world
    invitation = await invite(server, w, w.ids["meeting_id"])
    persons_before = await count(server, "persons")
    guest, status, body = await enter(server, token_of(invitation))
    try:
        assert status == 200, body
        assert body["person"] is None and body["guest_meeting_id"] == w.ids["meeting_id"]
        assert await count(server, "persons") == persons_before
        async with server.hub.db.read() as reader:
            row = await reader.fetch_one("SELECT name, category FROM guests ORDER BY id DESC")
        assert tuple(row) == ("Jan Kowalski", "library_user")
        status, _ = await guest.get("/guest/" + token_of(invitation))
        assert status == 200
        # A guest is signed in, yet nothing of an account is open to her.
        for path in ("/api/v1/me", "/api/v1/people", "/api/v1/libraries", "/api/v1/networks"):
            assert (await guest.get(path))[0] == 403, path
    finally:
        await guest.close()


@pytest.mark.parametrize(
    ("fields", "field"),
    [({"name": ""}, "name"), ({"name": "x" * 101}, "name"), ({"category": "mayor"}, "category")],
)
async def test_guest_must_give_a_name_and_a_known_category(world, fields, field) -> None:
    server, w = world
    invitation = await invite(server, w, w.ids["meeting_id"])
    guest, status, body = await enter(server, token_of(invitation), **fields)
    await guest.close()
    assert status == 422 and field in body["error"]["details"], body


async def test_tampered_or_foreign_tokens_are_refused(world) -> None:
    server, w = world
    invitation = await invite(server, w, w.ids["meeting_id"])
    token = token_of(invitation)
    payload, mac = token.split(".")
    forged = [
        token[:-2] + ("AA" if not token.endswith("AA") else "BB"),  # broken signature
        # The same invitation claimed for the other meeting, signed with the right key: the
        # token names its meeting, and the server checks it against the invitation's.
        session.guest_link_token(server.hub, invitation["id"], w.ids["other_meeting_id"]),
        # A well-formed token signed with another key.
        auth.sign(b"another-secret", session.GUEST_LINK, {"i": invitation["id"], "m": 1}),
        # A token of another purpose cannot pass as a guest link.
        auth.sign(server.hub.secret, "reset", {"i": invitation["id"], "m": w.ids["meeting_id"]}),
        "not-a-token",
        payload,
        "." + mac,
    ]
    for bad in forged:
        guest, status, body = await enter(server, bad)
        await guest.close()
        assert status == 404 and body["error"]["code"] == "invalid_guest_link", (bad, body)


async def test_expired_link_is_refused(world) -> None:
    server, w = world
    invitation = await invite(server, w, w.ids["meeting_id"])
    async with server.hub.db.write() as tx:
        await tx.execute(
            "UPDATE guest_invitations SET expires_at = '2000-01-01T00:00:00.000000Z' WHERE id = ?",
            (invitation["id"],),
        )
    guest, status, body = await enter(server, token_of(invitation))
    await guest.close()
    assert status == 404 and body["error"]["code"] == "expired_guest_link"


async def test_revoking_ends_the_guests_sessions_and_the_link(world) -> None:
    server, w = world
    invitation = await invite(server, w, w.ids["meeting_id"])
    guest, status, _ = await enter(server, token_of(invitation))
    try:
        assert status == 200
        cookie = session_cookie(guest, server)
        actor, _ = await session.load_actor(server.hub, cookie)
        assert actor.guest is not None
        lead = await client_as(server, w, "lead")
        status, _ = await lead.request(
            "DELETE",
            f"/api/v1/meetings/{w.ids['meeting_id']}/guest-invitations/{invitation['id']}",
        )
        await lead.close()
        assert status == 204
        actor, _ = await session.load_actor(server.hub, cookie)
        assert actor == Actor(), "the guest's session must end with the link"
        again, status, body = await enter(server, token_of(invitation))
        await again.close()
        assert status == 404 and body["error"]["code"] == "revoked_guest_link"
    finally:
        await guest.close()


async def test_a_guest_of_one_meeting_cannot_reach_another(world) -> None:
    """Checked in the action layer, where every room operation asks first."""
    server, w = world
    invitation = await invite(server, w, w.ids["meeting_id"])
    guest, status, _ = await enter(server, token_of(invitation))
    cookie = session_cookie(guest, server)
    await guest.close()
    assert status == 200
    actor, _ = await session.load_actor(server.hub, cookie)
    own_room = await rooms_actions.room_for_meeting(server.hub, actor, w.ids["meeting_id"])
    assert own_room
    with pytest.raises(NotFound):
        await rooms_actions.room_for_meeting(server.hub, actor, w.ids["other_meeting_id"])
    # Even when the other meeting's room exists already.
    coordinator, _ = await session.load_actor(server.hub, (await w.sign_in("coordinator"))[0])
    other_room = await rooms_actions.room_for_meeting(
        server.hub, coordinator, w.ids["other_meeting_id"]
    )
    async with server.hub.db.read() as reader:
        with pytest.raises(NotFound):
            await rooms_actions.check_room_access(reader, actor, other_room)
        assert (await rooms_actions.check_room_access(reader, actor, own_room)).is_guest


async def test_only_the_meetings_managers_invite_guests(world) -> None:
    """The per-role answers are in the route walk; here: the link names its meeting only."""
    server, w = world
    invitation = await invite(server, w, w.ids["meeting_id"])
    payload = auth.unsign(server.hub.secret, session.GUEST_LINK, token_of(invitation))
    assert payload == {"i": invitation["id"], "m": w.ids["meeting_id"]}
    assert invitation["link"].startswith(server.settings.site_url + "/guest/")
