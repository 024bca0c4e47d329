"""Access is confirmed again on sockets that are already open: a logout, a disabled account or
a library leaving its network act at once; anything else within chat_recheck_seconds."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from meetings_hub.actions import demo
from meetings_hub.actions.demo import DEMO_PASSWORD
from meetings_hub.storage.timefmt import now_utc, to_db
from tests.chat.support import ChatClient, network_id_of, person_id, signed_in, wait_for
from tests.support import COORDINATOR, LEAD, PARTNER, Server, make_settings, start_server


async def _network_room(server: Server) -> int:
    lead, _ = await signed_in(server, LEAD)
    status, body = await lead.post(
        f"/api/v1/networks/{await network_id_of(server, 'Morawic')}/room"
    )
    assert status == 200, body
    await lead.close()
    return body["id"]


async def _partner_in(server: Server, room_id: int) -> ChatClient:
    _, token = await signed_in(server, PARTNER)
    partner = ChatClient("partner")
    await partner.connect(server, token)
    await partner.join(room_id)
    return partner


def _removed(client: ChatClient) -> list[int]:
    return [data["room_id"] for name, data in client.events if name == "removed"]


async def test_logout_closes_that_sessions_open_socket_at_once(server: Server) -> None:
    room_id = await _network_room(server)
    http, token = await signed_in(server, PARTNER)
    _, other_token = await signed_in(server, PARTNER)  # the same person on another computer
    here, there = ChatClient("here"), ChatClient("there")
    await here.connect(server, token)
    await there.connect(server, other_token)
    await here.join(room_id)
    await there.join(room_id)
    status, _ = await http.post("/api/v1/auth/logout")
    assert status in (200, 204)
    # Long before chat_recheck_seconds (30 s): the announcement acted.
    await wait_for(lambda: not here.sio.connected, 5)
    assert there.sio.connected  # the other computer's session goes on
    assert (await there.send(room_id, "nadal tu jestem"))["ok"]
    await there.close()
    await http.close()


async def test_a_library_leaving_the_network_leaves_its_room_at_once(server: Server) -> None:
    room_id = await _network_room(server)
    partner = await _partner_in(server, room_id)
    assert (await partner.send(room_id, "jeszcze jesteśmy w sieci"))["ok"]
    lead, _ = await signed_in(server, LEAD)
    network_id = await network_id_of(server, "Morawic")
    checiny = await server.hub.db.fetch_one(
        "SELECT library_id FROM persons WHERE email = ?", (PARTNER,)
    )
    assert checiny is not None
    status, body = await lead.request(
        "DELETE", f"/api/v1/networks/{network_id}/members/{checiny['library_id']}"
    )
    assert status == 200, body
    await wait_for(lambda: _removed(partner) == [room_id], 5)
    refused = await partner.send(room_id, "a teraz?")
    assert refused["ok"] is False and refused["error"]["code"] == "not_joined"
    again = await partner.call("join", {"room_id": room_id, "last_seq": 0})
    assert again["ok"] is False
    await partner.close()
    await lead.close()


async def test_a_disabled_account_is_disconnected(server: Server) -> None:
    room_id = await _network_room(server)
    partner = await _partner_in(server, room_id)
    coordinator, _ = await signed_in(server, COORDINATOR)
    status, body = await coordinator.request(
        "PATCH", f"/api/v1/people/{await person_id(server, PARTNER)}", json={"active": False}
    )
    assert status == 200, body
    await wait_for(lambda: not partner.sio.connected, 5)
    await coordinator.close()


async def test_changes_nobody_announced_are_caught_by_the_periodic_check(tmp_path: Path) -> None:
    # A session ended by something that sends no announcement (here: straight in the
    # database, as an expiry would): the sweep finds it within chat_recheck_seconds, even on a
    # socket that only listens.
    server = await start_server(make_settings(tmp_path, chat_recheck_seconds=0.5))
    try:
        await demo.load(server.hub)
        room_id = await _network_room(server)
        listener = await _partner_in(server, room_id)
        async with server.hub.db.write() as tx:
            await tx.execute("UPDATE auth_sessions SET expires_at = ?", (to_db(now_utc()),))
        await wait_for(lambda: not listener.sio.connected, 5)
    finally:
        await server.runner.cleanup()


async def test_watching_follows_my_rooms_only_and_stops_when_access_ends(server: Server) -> None:
    room_id = await _network_room(server)
    other_lead, other_token = await signed_in(server, "joanna.sadowska@korsze.example.org")
    _, other_room = await other_lead.post(
        f"/api/v1/networks/{await network_id_of(server, 'Korsz')}/room"
    )
    _, partner_token = await signed_in(server, PARTNER)
    watcher = ChatClient("rooms list")
    await watcher.connect(server, partner_token)
    ack = await watcher.call("watch", {})
    assert ack["ok"] and room_id in ack["watching"] and other_room["id"] not in ack["watching"]
    lead_http, lead_token = await signed_in(server, LEAD)
    lead, korsze = ChatClient("lead"), ChatClient("korsze")
    await lead.connect(server, lead_token)
    await korsze.connect(server, other_token)
    await lead.join(room_id)
    await korsze.join(other_room["id"])
    sent = await lead.send(room_id, "Nowe materiały")
    await korsze.send(other_room["id"], "U nas w Korszach")

    def activity() -> list[dict]:
        return [data for name, data in watcher.events if name == "activity"]

    await wait_for(lambda: len(activity()) == 1)
    assert activity()[0]["room_id"] == room_id and activity()[0]["seq"] == sent["seq"]
    # Her library leaves the network: the rooms list stops hearing of that room.
    checiny = await server.hub.db.fetch_one(
        "SELECT library_id FROM persons WHERE email = ?", (PARTNER,)
    )
    network_id = await network_id_of(server, "Morawic")
    status, _ = await lead_http.request(
        "DELETE", f"/api/v1/networks/{network_id}/members/{checiny['library_id']}"
    )
    assert status == 200
    await asyncio.sleep(0.5)
    await lead.send(room_id, "Już po wyjściu")
    await asyncio.sleep(0.5)
    assert len(activity()) == 1
    for client in (watcher, lead, korsze):
        await client.close()
    for http in (other_lead, lead_http):
        await http.close()


async def test_a_password_change_closes_the_other_sessions_sockets_at_once(server: Server) -> None:
    room_id = await _network_room(server)
    here_http, here_token = await signed_in(server, PARTNER)
    _, there_token = await signed_in(server, PARTNER)  # an old session, on another computer
    here, there = ChatClient("here"), ChatClient("there")
    await here.connect(server, here_token)
    await there.connect(server, there_token)
    await here.join(room_id)
    await there.join(room_id)
    status, body = await here_http.post(
        "/api/v1/auth/password",
        {"current_password": DEMO_PASSWORD, "new_password": "nowe-haslo-2026"},
    )
    assert status in (200, 204), body
    await wait_for(lambda: not there.sio.connected, 5)
    assert here.sio.connected  # the session that changed it goes on
    assert (await here.send(room_id, "hasło zmienione"))["ok"]
    await here.close()
    await here_http.close()


async def test_taking_back_an_invitation_takes_the_person_out_of_the_session_room(
    server: Server,
) -> None:
    lead_http, _ = await signed_in(server, LEAD)
    partner_id = await person_id(server, PARTNER)
    start = (now_utc() + timedelta(minutes=5)).astimezone(ZoneInfo("Europe/Warsaw"))
    body = {
        "title": "Rozmowa w małym gronie",
        "start": start.replace(tzinfo=None, second=0, microsecond=0).isoformat(),
        "whole_network": False,
        "library_ids": [],
        "person_ids": [partner_id],
    }
    status, meeting = await lead_http.post("/api/v1/meetings", body)
    assert status == 201, meeting
    status, room = await lead_http.post(f"/api/v1/meetings/{meeting['id']}/room")
    assert status == 200, room
    partner = await _partner_in(server, room["id"])
    status, _ = await lead_http.request(
        "PUT", f"/api/v1/meetings/{meeting['id']}", json={**body, "person_ids": []}
    )
    assert status == 200
    await wait_for(lambda: _removed(partner) == [room["id"]], 5)
    await partner.close()
    await lead_http.close()
