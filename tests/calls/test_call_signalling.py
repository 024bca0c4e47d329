"""Calls over the /chat socket: who may join, the size limit, passing signals, and every way of
losing a room (removal, a withdrawn guest link, the session ending) ending the call at once."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from typing import Any

from tests.chat.support import (
    NS,
    ChatClient,
    add_meeting,
    network_id_of,
    person_id,
    signed_in,
    wait_for,
)
from tests.chat.test_chat_access import KORSZE_LEAD, _guest
from tests.support import LEAD, PARTNER, Client, Server

CALL_EVENTS = ("call_joined", "call_left", "call_signal", "call_state", "call_ended")
OFFER = {"type": "offer", "sdp": "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n"}


def caller(label: str) -> ChatClient:
    client = ChatClient(label)
    for name in CALL_EVENTS:
        client.sio.on(name, client._recorder(name), namespace=NS)
    return client


def got(client: ChatClient, name: str, **match: Any) -> list[Any]:
    return [
        data
        for event, data in client.events
        if event == name and all(data.get(k) == v for k, v in match.items())
    ]


async def session_room(server: Server) -> tuple[Client, str, int, int]:
    lead, token = await signed_in(server, LEAD)
    network_id = await network_id_of(server, "Morawicy")
    meeting_id = await add_meeting(server, network_id, created_by=await person_id(server, LEAD))
    _, room = await lead.post(f"/api/v1/meetings/{meeting_id}/room")
    return lead, token, meeting_id, room["id"]


async def test_join_signal_state_leave_and_the_size_limit(server: Server) -> None:
    lead, lead_token, meeting_id, room_id = await session_room(server)
    partner, partner_token = await signed_in(server, PARTNER)
    host, p = caller("host"), caller("partner")
    await host.connect(server, lead_token)
    await p.connect(server, partner_token)
    # The room first: a socket that has not joined the room cannot join its call.
    assert (await host.call("call_join", {"room_id": room_id}))["error"]["code"] == "not_joined"
    await host.join(room_id)
    await p.join(room_id)
    first = await host.call("call_join", {"room_id": room_id})
    assert first["ok"] and first["peers"] == [] and first["max"] == 4
    # Signals go only to people in the call, from people in the call.
    ack = await p.call("call_signal", {"room_id": room_id, "to": "p:1", "description": OFFER})
    assert ack["error"]["code"] == "not_in_call"
    second = await p.call("call_join", {"room_id": room_id})
    partner_who = f"p:{await person_id(server, PARTNER)}"
    host_who = f"p:{await person_id(server, LEAD)}"
    assert [m["who"] for m in second["peers"]] == [host_who]
    await wait_for(lambda: got(host, "call_joined", who=partner_who))
    assert (
        await p.call("call_signal", {"room_id": room_id, "to": host_who, "description": OFFER})
    )["ok"]
    await wait_for(lambda: got(host, "call_signal", **{"from": partner_who}))
    signal = got(host, "call_signal")[0]
    assert signal["description"] == OFFER and signal["from_leg"] == second["leg"]
    candidate = {
        "candidate": "candidate:1 1 udp 1 10.0.0.1 5000 typ host",
        "sdpMid": "0",
        "sdpMLineIndex": 0,
    }
    assert (
        await host.call(
            "call_signal", {"room_id": room_id, "to": partner_who, "candidate": candidate}
        )
    )["ok"]
    await wait_for(lambda: got(p, "call_signal", candidate=candidate))
    # Malformed signals are refused with a code, never passed on.
    for bad in (
        {},
        {"description": OFFER, "candidate": candidate},
        {"description": {"type": "bogus", "sdp": ""}},
        {"description": {"type": "offer", "sdp": "x" * 70_000}},
        {"candidate": {"candidate": 5}},
        {"candidate": {"candidate": "c", "sdpMLineIndex": -1}},
    ):
        ack = await host.call("call_signal", {"room_id": room_id, "to": partner_who, **bad})
        assert ack["error"]["code"] == "bad_request", bad
    assert (await p.call("call_state", {"room_id": room_id, "muted": True}))["ok"]
    await wait_for(lambda: got(host, "call_state", who=partner_who, muted=True))
    who = await host.call("call_who", {"room_id": room_id})
    assert {m["who"]: m["muted"] for m in who["members"]} == {host_who: False, partner_who: True}
    # A second tab of someone already in the call takes their place (no second seat).
    lead_tab = caller("lead-tab-2")
    await lead_tab.connect(server, lead_token)
    await lead_tab.join(room_id)
    assert (await lead_tab.call("call_join", {"room_id": room_id}))["ok"]
    await wait_for(lambda: got(host, "call_ended", reason="elsewhere"))
    assert len((await p.call("call_who", {"room_id": room_id}))["members"]) == 2
    assert (await host.call("call_join", {"room_id": room_id}))["ok"]  # and back
    # Full at p2p_max_participants: the next person is told why.
    object.__setattr__(server.hub.settings, "p2p_max_participants", 2)
    guest_http, guest_token, _ = await _guest(server, meeting_id, lead)
    g = caller("guest")
    await g.connect(server, guest_token)
    await g.join(room_id)
    refused = await g.call("call_join", {"room_id": room_id})
    assert refused["error"]["code"] == "call_full" and "2" in refused["error"]["message"]
    # Leaving: the others hear it with the leg, so a later join is never mistaken for it.
    assert (await host.call("call_leave", {"room_id": room_id}))["ok"]
    await wait_for(lambda: got(p, "call_left", who=host_who, reason="left"))
    for c in (host, p, g, lead_tab):
        await c.close()
    for c in (lead, partner, guest_http):
        await c.close()


async def test_another_network_cannot_join_the_call(server: Server) -> None:
    lead, _, _, room_id = await session_room(server)
    korsze, korsze_token = await signed_in(server, KORSZE_LEAD)
    other = caller("korsze")
    await other.connect(server, korsze_token)
    assert (await other.call("join", {"room_id": room_id, "last_seq": 0}))["error"][
        "code"
    ] == "not_found"
    for event in ("call_join", "call_who", "call_leave", "call_state"):
        assert (await other.call(event, {"room_id": room_id}))["error"]["code"] == "not_joined"
    await other.close()
    await lead.close()
    await korsze.close()


async def test_removal_withdrawn_link_and_ended_session_end_the_call(server: Server) -> None:
    lead, lead_token, meeting_id, room_id = await session_room(server)
    partner, partner_token = await signed_in(server, PARTNER)
    host, p = caller("host"), caller("partner")
    await host.connect(server, lead_token)
    await p.connect(server, partner_token)
    guest_http, guest_token, invitation_id = await _guest(server, meeting_id, lead)
    g = caller("guest")
    await g.connect(server, guest_token)
    for c in (host, p, g):
        await c.join(room_id)
        assert (await c.call("call_join", {"room_id": room_id}))["ok"]
    partner_who = f"p:{await person_id(server, PARTNER)}"
    # A moderator removes the partner: out of the call at once, and told so.
    assert (await host.call("remove", {"room_id": room_id, "who": partner_who}))["ok"]
    await wait_for(lambda: got(host, "call_left", who=partner_who, reason="removed"), 2)
    await wait_for(lambda: got(p, "call_ended", reason="removed"), 2)
    assert (await p.call("call_join", {"room_id": room_id}))["error"]["code"] == "not_joined"
    # The guest's link is withdrawn: the guest's socket closes and the call hears it.
    guest_who = next(
        m["who"]
        for m in (await host.call("call_who", {"room_id": room_id}))["members"]
        if m["guest"]
    )
    status, _ = await lead.request(
        "DELETE", f"/api/v1/meetings/{meeting_id}/guest-invitations/{invitation_id}"
    )
    assert status == 204
    await wait_for(lambda: got(host, "call_left", who=guest_who), 2)
    # The session ends: the call closes, and no new call starts in the room.
    ended = await host.call("end_session", {"room_id": room_id})
    assert ended["ok"]
    await wait_for(lambda: got(host, "call_ended", reason="ended"), 2)
    assert (await host.call("call_join", {"room_id": room_id}))["error"]["code"] == "call_closed"
    assert (await host.call("call_who", {"room_id": room_id}))["members"] == []
    for c in (host, p, g):
        await c.close()
    for c in (lead, partner, guest_http):
        await c.close()


async def test_turn_credentials_follow_the_rest_api_scheme(server: Server) -> None:
    """Only someone who passed the call's check gets TURN credentials, valid for turn_ttl."""
    lead, lead_token, _, room_id = await session_room(server)
    settings = server.hub.settings
    object.__setattr__(settings, "turn_urls", "turn:turn.example.org:3478, turns:turn.example.org")
    object.__setattr__(settings, "turn_secret", "shared-with-coturn")
    object.__setattr__(settings, "call_stun_urls", "stun:stun.example.org:3478")
    host = caller("host")
    await host.connect(server, lead_token)
    await host.join(room_id)
    before = int(time.time())
    ack = await host.call("call_join", {"room_id": room_id})
    stun, turn = ack["ice_servers"]
    assert stun == {"urls": ["stun:stun.example.org:3478"]}
    assert turn["urls"] == ["turn:turn.example.org:3478", "turns:turn.example.org"]
    expiry, who = turn["username"].split(":", 1)
    assert who == f"p:{await person_id(server, LEAD)}"
    assert (
        before + settings.turn_ttl_seconds <= int(expiry) <= time.time() + settings.turn_ttl_seconds
    )
    digest = hmac.new(b"shared-with-coturn", turn["username"].encode(), hashlib.sha1).digest()
    assert turn["credential"] == base64.b64encode(digest).decode()
    await host.close()
    await lead.close()
