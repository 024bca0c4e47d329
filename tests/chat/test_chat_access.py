"""Who may connect and act: other networks' rooms, guest links, removed people, fuzzing."""

from __future__ import annotations

import asyncio
import random
from typing import Any

import pytest
import socketio

from meetings_hub.storage.timefmt import now_utc, to_db
from tests.chat.support import (
    NS,
    ChatClient,
    add_meeting,
    network_id_of,
    person_id,
    signed_in,
    wait_for,
)
from tests.support import LEAD, PARTNER, Client, Server

KORSZE_LEAD = "joanna.sadowska@korsze.example.org"


async def _refusal(server: Server, token: str | None, cookie: bool = False) -> Any:
    client = ChatClient("refused")
    errors: list[Any] = []
    client.sio.on("connect_error", lambda data: errors.append(data), namespace=NS)
    with pytest.raises(socketio.exceptions.ConnectionError):
        await client.connect(server, token, cookie=cookie)
    await client.close()
    return errors[0]["data"] if errors else None


async def _guest(server: Server, meeting_id: int, lead: Client) -> tuple[Client, str, int]:
    status, invitation = await lead.post(
        f"/api/v1/meetings/{meeting_id}/guest-invitations", {"name": "Gość", "category": "expert"}
    )
    assert status == 201, invitation
    guest = Client(server.url)
    link_token = invitation["link"].rsplit("/", 1)[1]
    status, body = await guest.post(
        "/api/v1/guest/enter", {"token": link_token, "name": "Jan Gość", "category": "expert"}
    )
    assert status == 200, body
    token = next(c.value for c in guest.session.cookie_jar if c.key == "mh_session")
    return guest, token, invitation["id"]


async def test_connect_needs_a_session(server: Server) -> None:
    assert (await _refusal(server, None))["code"] == "unauthenticated"
    assert (await _refusal(server, "forged-token"))["code"] == "unauthenticated"
    assert (await _refusal(server, "x" * 5000, cookie=True))["code"] == "unauthenticated"


async def test_other_networks_room_is_refused(server: Server) -> None:
    korsze, _ = await signed_in(server, KORSZE_LEAD)
    _, room = await korsze.post(f"/api/v1/networks/{await network_id_of(server, 'Korsz')}/room")
    _, partner_token = await signed_in(server, PARTNER)
    c = ChatClient()
    await c.connect(server, partner_token)
    try:
        ack = await c.call("join", {"room_id": room["id"], "last_seq": 0})
        assert ack["error"]["code"] == "not_found"
        partner, _ = await signed_in(server, PARTNER)
        status, body = await partner.get(f"/api/v1/rooms/{room['id']}/messages")
        assert status == 404 and body["error"]["code"] == "not_found"
        rooms = (await c.call("hello", {}))["rooms"]
        assert room["id"] not in [r["id"] for r in rooms]
        await partner.close()
    finally:
        await c.close()
        await korsze.close()


async def test_guest_link_expired_revoked_and_removed(server: Server) -> None:
    lead, lead_token = await signed_in(server, LEAD)
    network_id = await network_id_of(server, "Morawicy")
    meeting_id = await add_meeting(server, network_id, created_by=await person_id(server, LEAD))
    _, room = await lead.post(f"/api/v1/meetings/{meeting_id}/room")
    room_id = room["id"]
    host = ChatClient("host")
    await host.connect(server, lead_token)
    await host.join(room_id)
    # A guest enters only their meeting's room.
    guest_http, guest_token, invitation_id = await _guest(server, meeting_id, lead)
    g = ChatClient("guest")
    await g.connect(server, guest_token, cookie=True)
    hello = await g.call("hello", {})
    assert hello["guest"] and [r["id"] for r in hello["rooms"]] == [room_id]
    await g.join(room_id)
    other = await lead.post(f"/api/v1/networks/{network_id}/room")
    assert (await g.call("join", {"room_id": other[1]["id"]}))["error"]["code"] == "not_found"
    assert (await g.send(room_id, "dzień dobry"))["ok"]
    # Revoking the link disconnects the connected guest at once, and refuses reconnects.
    status, _ = await lead.request(
        "DELETE", f"/api/v1/meetings/{meeting_id}/guest-invitations/{invitation_id}"
    )
    assert status == 204
    await wait_for(lambda: not g.sio.connected, 5)
    await g.close()
    assert (await _refusal(server, guest_token, cookie=True))["code"] == "unauthenticated"
    # An expired link is refused on connect.
    guest2_http, guest2_token, invitation2 = await _guest(server, meeting_id, lead)
    async with server.hub.db.write() as tx:
        await tx.execute(
            "UPDATE guest_invitations SET expires_at = ? WHERE id = ?",
            (to_db(now_utc()), invitation2),
        )
    assert (await _refusal(server, guest2_token))["code"] == "expired_guest_link"
    # A guest removed by the host is disconnected at once and cannot come back.
    guest3_http, guest3_token, _ = await _guest(server, meeting_id, lead)
    g3 = ChatClient("guest3")
    await g3.connect(server, guest3_token)
    joined = await g3.join(room_id)
    who = next(p["who"] for p in joined["participants"] if p["guest"])
    assert (await host.call("remove", {"room_id": room_id, "who": who}))["ok"]
    await wait_for(lambda: not g3.sio.connected)
    assert ("removed", {"room_id": room_id, "who": who}) in g3.events
    assert (await _refusal(server, guest3_token))["code"] in (
        "unauthenticated",
        "revoked_guest_link",
    )
    for c in (guest_http, guest2_http, guest3_http, lead):
        await c.close()
    await host.close()


async def test_removed_person_is_cut_off_and_cannot_rejoin(server: Server) -> None:
    lead, lead_token = await signed_in(server, LEAD)
    partner, partner_token = await signed_in(server, PARTNER)
    network_id = await network_id_of(server, "Morawicy")
    meeting_id = await add_meeting(server, network_id, created_by=await person_id(server, LEAD))
    _, room = await lead.post(f"/api/v1/meetings/{meeting_id}/room")
    room_id = room["id"]
    host, p1, p2 = ChatClient("host"), ChatClient("tab1"), ChatClient("tab2")
    await host.connect(server, lead_token)
    await p1.connect(server, partner_token)
    await p2.connect(server, partner_token, transports=["polling"])
    for c in (host, p1, p2):
        await c.join(room_id)
    # A partner may not moderate.
    ack = await p1.call("lock", {"room_id": room_id, "locked": True})
    assert ack["error"]["code"] == "forbidden"
    partner_who = f"p:{await person_id(server, PARTNER)}"
    assert (await host.call("remove", {"room_id": room_id, "who": partner_who}))["ok"]
    await wait_for(lambda: any(e[0] == "removed" for e in p1.events))
    await wait_for(lambda: any(e[0] == "removed" for e in p2.events))
    await host.send(room_id, "po usunięciu")
    await asyncio.sleep(0.3)
    assert p1.seqs(room_id) == [] and p2.seqs(room_id) == []  # nothing more reaches them
    for tab in (p1, p2):
        assert (await tab.send(room_id, "hello?"))["error"]["code"] == "not_joined"
        assert (await tab.call("join", {"room_id": room_id, "last_seq": 0}))["error"][
            "code"
        ] == "removed"
    await p1.close()
    again = ChatClient("reconnected")
    await again.connect(server, partner_token)
    assert (await again.call("join", {"room_id": room_id, "last_seq": 0}))["error"][
        "code"
    ] == "removed"
    status, _ = await partner.get(f"/api/v1/rooms/{room_id}/messages")
    assert status == 403
    # Lock and end: read-only for everyone.
    assert (await host.call("lock", {"room_id": room_id, "locked": True}))["locked"]
    assert (await host.send(room_id, "locked?"))["error"]["code"] == "room_locked"
    assert (await host.call("lock", {"room_id": room_id, "locked": False}))["ok"]
    assert (await host.send(room_id, "open again"))["ok"]
    ended = await host.call("end_session", {"room_id": room_id})
    assert ended["ended"] and ended["locked"]
    assert (await host.send(room_id, "after end"))["error"]["code"] == "room_locked"
    for c in (again, p2, host):
        await c.close()
    await lead.close()
    await partner.close()


async def test_fuzzing_keeps_the_server_up(server: Server) -> None:
    lead, token = await signed_in(server, LEAD)
    _, room = await lead.post(f"/api/v1/networks/{await network_id_of(server, 'Morawicy')}/room")
    c = ChatClient("fuzz")
    await c.connect(server, token)
    await c.join(room["id"])
    rng = random.Random(5)
    values: list[Any] = [
        None,
        0,
        -1,
        2**70,
        1.5,
        "",
        "x" * 300_000,
        [],
        {},
        [1, "a"],
        {"a": {"b": [None]}},
        True,
        room["id"],
        "żółw\x00\ud7ff",
    ]
    events = [
        "send",
        "join",
        "edit",
        "delete",
        "read",
        "typing",
        "presence",
        "remove",
        "lock",
        "end_session",
        "leave",
        "hello",
        "no_such_event",
        "connect",
        "disconnect",
        "",
    ]
    fields = [
        "room_id",
        "client_msg_id",
        "text",
        "kind",
        "body",
        "mentions",
        "id",
        "seq",
        "typing",
        "status",
        "description",
        "who",
        "locked",
        "last_seq",
    ]
    try:
        for _ in range(300):
            event = rng.choice(events)
            payload: Any
            if rng.random() < 0.2:
                payload = rng.choice(values)
            else:
                payload = {f: rng.choice(values) for f in rng.sample(fields, rng.randint(0, 6))}
            ack = await c.call(event, payload)
            assert isinstance(ack, dict) and "ok" in ack, (event, payload, ack)
            if isinstance(ack, dict) and not ack["ok"]:
                assert set(ack["error"]) == {"code", "message"}
        assert c.sio.connected
        assert (await c.send(room["id"], "still alive"))["ok"]
    finally:
        await c.close()
        await lead.close()
