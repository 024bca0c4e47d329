"""Through Janus, the call follows the room's access: joining is the chat's check, a removed
person's Janus participant is gone at once, an ended session's Janus room is destroyed, and bad
descriptions are refused without harm. Talks to the real Janus API to check (issue 14)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from meetings_hub.realtime.call_sfu import Sfu
from meetings_hub.realtime.janus import JanusClient
from tests.calls.test_call_signalling import caller, got, session_room
from tests.calls_browser.conftest import Janus
from tests.chat.support import person_id, signed_in, wait_for
from tests.chat.test_chat_access import KORSZE_LEAD
from tests.support import LEAD, PARTNER, Server

pytestmark = pytest.mark.netns


async def janus_room(janus: Janus, server: Server, room_id: int, request: str) -> Any:
    """Asks Janus itself about the call's room (exists / listparticipants)."""
    number, _, _ = Sfu(JanusClient("", ""), server.hub.secret, 2).room_keys(room_id)
    client = JanusClient(janus.url, janus.secret)
    session = await client.session(lambda h, e, j: None)
    try:
        handle = await session.attach()
        return await client.plugin_request(session.id, handle, {"request": request, "room": number})
    finally:
        await session.destroy()
        await client.close()


async def test_janus_follows_room_access(sfu_server: Server, janus: Janus) -> None:
    server = sfu_server
    lead, lead_token, _, room_id = await session_room(server)
    partner, partner_token = await signed_in(server, PARTNER)
    korsze, korsze_token = await signed_in(server, KORSZE_LEAD)
    host, p, other = caller("host"), caller("partner"), caller("korsze")
    await host.connect(server, lead_token)
    await p.connect(server, partner_token)
    await other.connect(server, korsze_token)
    for c in (host, p):
        await c.join(room_id)
        ack = await c.call("call_join", {"room_id": room_id})
        assert ack["ok"] and ack["mode"] == "sfu" and ack["max"] == 25
    partner_who = f"p:{await person_id(server, PARTNER)}"
    listed = await janus_room(janus, server, room_id, "listparticipants")
    assert sorted(x["display"] for x in listed["participants"]) == sorted(
        [partner_who, f"p:{await person_id(server, LEAD)}"]
    )
    # Another network's lead reaches neither the room nor its call.
    assert (await other.call("call_join", {"room_id": room_id}))["error"]["code"] == "not_joined"
    offer = {"room_id": room_id, "jsep": {"type": "offer", "sdp": "v=0"}}
    assert (await other.call("call_sfu_publish", offer))["error"]["code"] == "not_joined"
    # Bad descriptions are refused, and the call goes on.
    bad = await p.call("call_sfu_publish", {"room_id": room_id, "jsep": {"type": "nope"}})
    assert bad["error"]["code"] == "bad_request"
    refused = await p.call("call_sfu_publish", offer)
    assert refused["error"]["code"] == "bad_request"
    answer = {"room_id": room_id, "sub": 12345, "jsep": {"type": "answer", "sdp": "v=0"}}
    assert (await p.call("call_sfu_answer", answer))["error"]["code"] == "not_found"
    # Removed from the room: gone from the Janus room at once.
    assert (await host.call("remove", {"room_id": room_id, "who": partner_who}))["ok"]
    await wait_for(lambda: got(p, "call_ended", reason="removed"), 2)
    for _ in range(20):
        listed = await janus_room(janus, server, room_id, "listparticipants")
        if partner_who not in [x["display"] for x in listed["participants"]]:
            break
        await asyncio.sleep(0.1)
    assert partner_who not in [x["display"] for x in listed["participants"]]
    # The session ends: the Janus room is destroyed.
    assert (await host.call("end_session", {"room_id": room_id}))["ok"]
    for _ in range(20):
        if not (await janus_room(janus, server, room_id, "exists"))["exists"]:
            break
        await asyncio.sleep(0.1)
    assert not (await janus_room(janus, server, room_id, "exists"))["exists"]
    for c in (host, p, other):
        await c.close()
    for c in (lead, partner, korsze):
        await c.close()


async def test_janus_dying_mid_call_and_coming_back(sfu_server: Server, janus: Janus) -> None:
    """The call ends with a reason the page shows (and the join button back), the chat goes on,
    a join while Janus is down is refused with call_server_down, and once Janus is back the next
    join works."""
    server = sfu_server
    lead, lead_token, _, room_id = await session_room(server)
    host = caller("host")
    await host.connect(server, lead_token)
    await host.join(room_id)
    assert (await host.call("call_join", {"room_id": room_id}))["ok"]
    await janus.stop()
    await wait_for(lambda: got(host, "call_ended", reason="server_gone"), 5)
    assert (await host.send(room_id, "czy mnie słychać?"))["ok"]
    down = await host.call("call_join", {"room_id": room_id})
    assert down["error"]["code"] == "call_server_down"
    assert (await host.call("call_who", {"room_id": room_id}))["members"] == []
    await janus.start()
    again = await host.call("call_join", {"room_id": room_id})
    assert again["ok"] and again["mode"] == "sfu"
    await host.close()
    await lead.close()
