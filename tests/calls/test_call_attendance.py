"""Time in a call counts as presence in the session room (the savings log and the reports read
attendance): a call leg lives on a socket that is in the room, so a person is present for as
long as they are in the call, and the call never outlives their presence."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from meetings_hub.storage.timefmt import now_utc, to_db
from tests.calls.test_call_signalling import caller, got, session_room
from tests.chat.support import person_id, signed_in, wait_for
from tests.support import PARTNER, Server


async def test_time_in_the_call_is_presence_in_the_session_room(server: Server) -> None:
    lead, lead_token, meeting_id, room_id = await session_room(server)
    partner, partner_token = await signed_in(server, PARTNER)
    partner_id = await person_id(server, PARTNER)
    host, p = caller("host"), caller("partner")
    await host.connect(server, lead_token)
    await p.connect(server, partner_token)
    for c in (host, p):
        await c.join(room_id)
        assert (await c.call("call_join", {"room_id": room_id}))["ok"]

    async def partner_entry() -> dict:
        status, body = await lead.get(f"/api/v1/meetings/{meeting_id}/attendance")
        assert status == 200, body
        return next(e for e in body["people"] if e["who"] == f"p:{partner_id}")

    assert (await partner_entry())["present"]
    # Half an hour in the call (the open row backdated, as if that much time had passed).
    async with server.hub.db.write() as tx:
        await tx.execute(
            "UPDATE attendance SET joined_at = ? WHERE room_id = ? AND person_id = ?"
            " AND left_at IS NULL",
            (to_db(now_utc() - timedelta(minutes=30)), room_id, partner_id),
        )
    # Leaving the call but staying in the room: still present.
    assert (await p.call("call_leave", {"room_id": room_id}))["ok"]
    assert (await partner_entry())["present"]
    assert (await p.call("call_join", {"room_id": room_id}))["ok"]
    # Closing the page ends the call and the presence together; the 30 minutes count.
    await p.close()
    await wait_for(lambda: got(host, "call_left", who=f"p:{partner_id}"))
    for _ in range(100):
        entry = await partner_entry()
        if not entry["present"]:
            break
        await asyncio.sleep(0.05)
    assert not entry["present"] and entry["minutes"] == 30
    await host.close()
    await lead.close()
    await partner.close()
