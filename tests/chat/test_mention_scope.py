"""Mentions reach only people who may read the room (issue 10: ids in bodies).

A mention of a person of another network would notify her of a room she cannot see (its id
and a seq) and, if kept for some ids and not others, tell ids apart. Both REST and the socket
go through ``actions.chat.new_message``; this drives it over REST.
"""

from __future__ import annotations

import uuid
from pathlib import Path

from tests.foundation.walk_support import MISSING_ID, client_as, session_cookie, start_world


async def test_mentions_of_outsiders_and_missing_ids_are_dropped_alike(tmp_path: Path) -> None:
    server, world = await start_world(tmp_path)
    ids = world.ids
    lead = await client_as(server, world, "lead")
    try:
        mentioned = [ids["person_id"], ids["other_person_id"], MISSING_ID]
        status, body = await lead.post(
            f"/api/v1/rooms/{ids['room_id']}/messages",
            {"client_msg_id": uuid.uuid4().hex, "text": "@wszyscy", "mentions": mentioned},
        )
        assert status == 200, body
        assert body["message"]["mentions"] == [ids["person_id"]]
        async with world.hub.db.read() as reader:
            rows = await reader.fetch_all(
                "SELECT person_id FROM message_mentions WHERE room_id = ?", (ids["room_id"],)
            )
        assert [r["person_id"] for r in rows] == [ids["person_id"]]
    finally:
        await lead.close()
        await server.runner.cleanup()


async def test_a_guest_of_the_room_can_be_mentioned(server) -> None:  # type: ignore[no-untyped-def]
    """Guests have no person id: a mention names them by who-key ("g:<id>"). A guest of the
    room is kept and notified; a guest of another meeting or a missing one is dropped alike."""
    from tests.chat.support import ChatClient, signed_in, wait_for
    from tests.chat_browser.support import meeting_with_guest_link
    from tests.support import LEAD, Client

    meeting_id, link = await meeting_with_guest_link(server, "Jan Gość")
    other_meeting, other_link = await meeting_with_guest_link(server, "Inny Gość")
    guests = []
    for url in (link, other_link):
        guest = Client(server.url)
        status, _ = await guest.post(
            "/api/v1/guest/enter",
            {"token": url.rsplit("/guest/", 1)[1], "name": "Gość", "category": "expert"},
        )
        assert status in (200, 201)
        guests.append(guest)
    async with server.hub.db.read() as reader:
        rows = await reader.fetch_all("SELECT id, meeting_id FROM guests ORDER BY id")
    mine = next(r["id"] for r in rows if r["meeting_id"] == meeting_id)
    other = next(r["id"] for r in rows if r["meeting_id"] == other_meeting)
    lead, _ = await signed_in(server, LEAD)
    listener = ChatClient("guest")
    try:
        status, room = await lead.post(f"/api/v1/meetings/{meeting_id}/room", {})
        assert status in (200, 201), room
        guest_token = session_cookie(guests[0], server)
        await listener.connect(server, guest_token)
        # Not a who-key: the body is refused whole (422), nothing stored.
        status, body = await lead.post(
            f"/api/v1/rooms/{room['id']}/messages",
            {"client_msg_id": uuid.uuid4().hex, "text": "x", "mentions": ["g:x"]},
        )
        assert status == 422, body
        status, body = await lead.post(
            f"/api/v1/rooms/{room['id']}/messages",
            {
                "client_msg_id": uuid.uuid4().hex,
                "text": "@Jan Gość witamy",
                "mentions": [f"g:{mine}", f"g:{other}", "g:999999999"],
            },
        )
        assert status == 200, body
        assert body["message"]["mentions"] == [f"g:{mine}"]
        await wait_for(lambda: any(name == "notify" for name, _ in listener.events))
        kinds = [data["kind"] for name, data in listener.events if name == "notify"]
        assert kinds == ["mention"]
        async with server.hub.db.read() as reader:
            stored = await reader.fetch_all("SELECT * FROM message_mentions")
        assert stored == []  # guests have no person id to count mentions by
    finally:
        await listener.close()
        await lead.close()
        for guest in guests:
            await guest.close()
