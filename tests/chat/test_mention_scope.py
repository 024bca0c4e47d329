"""Mentions reach only people who may read the room (issue 10: ids in bodies).

A mention of a person of another network would notify her of a room she cannot see (its id
and a seq) and, if kept for some ids and not others, tell ids apart. Both REST and the socket
go through ``actions.chat.new_message``; this drives it over REST.
"""

from __future__ import annotations

import uuid
from pathlib import Path

from tests.foundation.walk_support import MISSING_ID, client_as, start_world


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
