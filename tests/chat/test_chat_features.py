"""Presence, typing, read receipts, edit/delete, mentions and unread counts, search, history,
group and direct rooms, attendance."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from meetings_hub.actions.attendance import merged_minutes
from meetings_hub.storage.timefmt import now_utc, to_db
from tests.chat.support import (
    ChatClient,
    add_meeting,
    network_id_of,
    person_id,
    signed_in,
    wait_for,
)
from tests.support import LEAD, PARTNER, Server

OTHER_PARTNER = "agnieszka.dudek@chmielnik.example.org"


def _events(client: ChatClient, name: str) -> list:
    return [data for event, data in client.events if event == name]


async def test_presence_typing_reads_edit_delete(server: Server) -> None:
    lead_http, lead_token = await signed_in(server, LEAD)
    _, partner_token = await signed_in(server, PARTNER)
    _, room = await lead_http.post(
        f"/api/v1/networks/{await network_id_of(server, 'Morawicy')}/room"
    )
    room_id = room["id"]
    lead, partner = ChatClient("lead"), ChatClient("partner")
    await lead.connect(server, lead_token)
    await partner.connect(server, partner_token)
    try:
        await lead.join(room_id)
        joined = await partner.join(room_id)
        assert {p["who"] for p in joined["participants"]} == {
            f"p:{await person_id(server, LEAD)}",
            f"p:{await person_id(server, PARTNER)}",
        }
        # Presence like Gadu-Gadu, with a description up to 255 characters.
        ack = await lead.call("presence", {"status": "busy", "description": "na zebraniu"})
        assert ack == {"ok": True}
        await wait_for(lambda: _events(partner, "presence"))
        assert _events(partner, "presence")[0]["status"] == "busy"
        too_long = await lead.call("presence", {"status": "away", "description": "x" * 256})
        assert too_long["error"]["code"] == "too_long"
        assert (await lead.call("presence", {"status": "sleepy"}))["error"]["code"] == "bad_request"
        await lead.call("presence", {"status": "invisible", "description": "tajne"})
        await wait_for(lambda: len(_events(partner, "presence")) == 2)
        assert _events(partner, "presence")[1] == {
            "who": f"p:{await person_id(server, LEAD)}",
            "name": "Anna Kowalczyk",
            "status": "offline",
            "description": "",
        }
        # Typing goes to the others only.
        assert (await partner.call("typing", {"room_id": room_id, "typing": True}))["ok"]
        await wait_for(lambda: _events(lead, "typing"))
        assert _events(lead, "typing")[0]["typing"] is True and not _events(partner, "typing")
        # Read receipts: "read by N".
        sent = await lead.send(room_id, "Czy wszyscy widzą?")
        await wait_for(lambda: partner.seqs(room_id) == [sent["seq"]])
        read = await partner.call("read", {"room_id": room_id, "seq": sent["seq"]})
        assert read == {"ok": True, "unread": 0}
        await wait_for(lambda: _events(lead, "read"))
        assert _events(lead, "read")[-1]["seq"] == sent["seq"]
        # Edit and delete my own message within 15 minutes; not someone else's.
        edited = await lead.call("edit", {"room_id": room_id, "id": sent["id"], "text": "Poprawka"})
        assert edited["ok"] and edited["message"]["text"] == "Poprawka"
        await wait_for(lambda: _events(partner, "message_updated"))
        other = await partner.call("edit", {"room_id": room_id, "id": sent["id"], "text": "x"})
        assert other["error"]["code"] == "forbidden"
        mine = await partner.send(room_id, "moja wiadomość")
        async with server.hub.db.write() as tx:
            await tx.execute(
                "UPDATE messages SET created_at = ? WHERE id = ?",
                (to_db(now_utc() - timedelta(minutes=16)), mine["id"]),
            )
        late = await partner.call("delete", {"room_id": room_id, "id": mine["id"]})
        assert late["error"]["code"] == "edit_window_passed"
        # The lead library moderates the network room: may delete any message.
        deleted = await lead.call("delete", {"room_id": room_id, "id": mine["id"]})
        assert deleted["ok"] and deleted["message"]["deleted"] and deleted["message"]["text"] == ""
    finally:
        await lead.close()
        await partner.close()
        await lead_http.close()


async def test_unread_mentions_dms_search_history(server: Server) -> None:
    lead_http, lead_token = await signed_in(server, LEAD)
    partner_http, _ = await signed_in(server, PARTNER)
    partner_id = await person_id(server, PARTNER)
    _, room = await lead_http.post(
        f"/api/v1/networks/{await network_id_of(server, 'Morawicy')}/room"
    )
    room_id = room["id"]
    _, dm = await lead_http.post("/api/v1/rooms/direct", {"person_id": partner_id})
    lead = ChatClient("lead")
    await lead.connect(server, lead_token)
    try:
        await lead.join(room_id)
        await lead.join(dm["id"])
        # The partner is offline: these wait for the next login.
        await lead.send(room_id, "Żółw i łódź na spotkaniu", mentions=[partner_id, 999999])
        await lead.send(room_id, "Druga wiadomość")
        await lead.send(dm["id"], "Prywatnie: zapraszam")
        status, rooms = await partner_http.get("/api/v1/rooms")
        assert status == 200
        by_id = {r["id"]: r for r in rooms}
        assert by_id[room_id]["unread"] == 2 and by_id[room_id]["mentions"] == 1
        assert by_id[dm["id"]]["unread"] == 1 and by_id[dm["id"]]["title"] == "Anna Kowalczyk"
        # Search ignores case and Polish diacritics, ł included.
        for query in ("zolw", "ŻÓŁW", "lodz", "łódź", "spotk"):
            status, found = await partner_http.get(f"/api/v1/rooms/{room_id}/search?q={query}")
            assert status == 200 and [m["text"] for m in found] == ["Żółw i łódź na spotkaniu"], (
                query
            )
        status, found = await partner_http.get(f'/api/v1/rooms/{room_id}/search?q="OR"')
        assert status == 200 and found == []
        # History pages, newest first.
        for i in range(5):
            await lead.send(room_id, f"strona {i}")
        status, page = await partner_http.get(f"/api/v1/rooms/{room_id}/messages?limit=3")
        assert status == 200 and [m["seq"] for m in page["messages"]] == [7, 6, 5]
        status, page = await partner_http.get(f"/api/v1/rooms/{room_id}/messages?before_seq=5")
        assert [m["seq"] for m in page["messages"]] == [4, 3, 2, 1]
        status, body = await partner_http.post(f"/api/v1/rooms/{room_id}/read", {"seq": 7})
        assert status == 200 and body == {"unread": 0}
        _, rooms = await partner_http.get("/api/v1/rooms")
        assert {r["id"]: r for r in rooms}[room_id]["mentions"] == 0
        # A group room a librarian creates; only its members see it.
        status, group = await lead_http.post(
            "/api/v1/rooms", {"title": "Klub książki", "member_ids": [partner_id]}
        )
        assert status == 201
        _, rooms = await partner_http.get("/api/v1/rooms")
        assert group["id"] in {r["id"] for r in rooms}
        other_http, _ = await signed_in(server, OTHER_PARTNER)
        status, _ = await other_http.get(f"/api/v1/rooms/{group['id']}/messages")
        assert status == 404
        await other_http.close()
    finally:
        await lead.close()
        await lead_http.close()
        await partner_http.close()


async def test_session_room_opens_before_start_and_records_attendance(server: Server) -> None:
    lead_http, lead_token = await signed_in(server, LEAD)
    _, partner_token = await signed_in(server, PARTNER)
    network_id = await network_id_of(server, "Morawicy")
    lead_id = await person_id(server, LEAD)
    later = await add_meeting(server, network_id, starts_in=timedelta(hours=2), created_by=lead_id)
    soon = await add_meeting(server, network_id, created_by=lead_id)
    _, later_room = await lead_http.post(f"/api/v1/meetings/{later}/room")
    _, room = await lead_http.post(f"/api/v1/meetings/{soon}/room")
    partner1, partner2, host = ChatClient("t1"), ChatClient("t2"), ChatClient("host")
    await partner1.connect(server, partner_token)
    await partner2.connect(server, partner_token, transports=["polling"])
    await host.connect(server, lead_token)
    try:
        refused = await partner1.call("join", {"room_id": later_room["id"], "last_seq": 0})
        assert refused["error"]["code"] == "not_open"
        # Two tabs of one person count once.
        await host.join(room["id"])
        await partner1.join(room["id"])
        await partner2.join(room["id"])
        await wait_for(lambda: len(_events(host, "joined")) == 1)
        await partner1.close()
        await asyncio.sleep(0.2)
        assert not _events(host, "left")
        await partner2.close()
        await wait_for(lambda: len(_events(host, "left")) == 1)
        status, body = await lead_http.get(f"/api/v1/meetings/{soon}/attendance")
        assert status == 200, body
        people = {p["who"]: p for p in body["people"]}
        partner = people[f"p:{await person_id(server, PARTNER)}"]
        assert len(partner["intervals"]) == 1 and partner["intervals"][0]["left_at"]
        assert not partner["present"] and people[f"p:{lead_id}"]["present"]
        partner_http, _ = await signed_in(server, PARTNER)
        status, _ = await partner_http.get(f"/api/v1/meetings/{soon}/attendance")
        assert status == 403
        await partner_http.close()
    finally:
        await host.close()
        await lead_http.close()


def test_minutes_count_overlaps_once() -> None:
    t = now_utc()
    spans = [(t, t + timedelta(minutes=30)), (t + timedelta(minutes=10), t + timedelta(minutes=40))]
    spans.append((t + timedelta(minutes=60), t + timedelta(minutes=70)))
    assert merged_minutes(spans) == 50


async def test_session_room_follows_the_invitations(server: Server) -> None:
    lead_http, _ = await signed_in(server, LEAD)
    partner_http, partner_token = await signed_in(server, PARTNER)
    network_id = await network_id_of(server, "Morawicy")
    meeting_id = await add_meeting(server, network_id, created_by=await person_id(server, LEAD))
    chmielnik = await server.hub.db.fetch_one(
        "SELECT id FROM libraries WHERE name LIKE '%Chmielnik%'"
    )
    assert chmielnik is not None
    async with server.hub.db.write() as tx:  # only Chmielnik is invited, not Chęciny
        await tx.execute("UPDATE meetings SET whole_network = 0 WHERE id = ?", (meeting_id,))
        await tx.execute(
            "INSERT INTO meeting_libraries (meeting_id, library_id) VALUES (?, ?)",
            (meeting_id, chmielnik["id"]),
        )
    _, room = await lead_http.post(f"/api/v1/meetings/{meeting_id}/room")
    partner = ChatClient("partner")
    await partner.connect(server, partner_token)
    try:
        ack = await partner.call("join", {"room_id": room["id"], "last_seq": 0})
        assert ack["error"]["code"] == "not_found"
        _, rooms = await partner_http.get("/api/v1/rooms")
        assert room["id"] not in {r["id"] for r in rooms}
        other_http, _ = await signed_in(server, OTHER_PARTNER)  # Chmielnik's librarian
        _, rooms = await other_http.get("/api/v1/rooms")
        assert room["id"] in {r["id"] for r in rooms}
        await other_http.close()
        async with server.hub.db.write() as tx:  # now the partner is invited by name
            await tx.execute(
                "INSERT INTO meeting_invitees (meeting_id, person_id, source, invited_at)"
                " VALUES (?, ?, 'person', ?)",
                (meeting_id, await person_id(server, PARTNER), to_db(now_utc())),
            )
        assert (await partner.call("join", {"room_id": room["id"], "last_seq": 0}))["ok"]
    finally:
        await partner.close()
        await lead_http.close()
        await partner_http.close()


async def test_a_direct_message_posted_over_rest_notifies_the_other_person(
    server: Server,
) -> None:
    # Nobody has joined the direct room on a socket, so the server first has to find out that
    # it is one; two quick messages both notify.
    lead_http, _ = await signed_in(server, LEAD)
    partner_http, partner_token = await signed_in(server, PARTNER)
    _, dm = await lead_http.post(
        "/api/v1/rooms/direct", {"person_id": await person_id(server, PARTNER)}
    )
    partner = ChatClient("partner, rooms list open")
    await partner.connect(server, partner_token)
    try:
        for text in ("Dzień dobry", "Mam pytanie o spotkanie"):
            status, body = await lead_http.post(
                f"/api/v1/rooms/{dm['id']}/messages", {"client_msg_id": text, "text": text}
            )
            assert status in (200, 201), body
        await wait_for(lambda: len(_events(partner, "notify")) == 2)
        assert [(n["room_id"], n["kind"]) for n in _events(partner, "notify")] == [
            (dm["id"], "direct"),
            (dm["id"], "direct"),
        ]
        # Later messages are known to be direct at once.
        await lead_http.post(
            f"/api/v1/rooms/{dm['id']}/messages", {"client_msg_id": "3", "text": "Jeszcze jedno"}
        )
        await wait_for(lambda: len(_events(partner, "notify")) == 3)
    finally:
        await partner.close()
        await lead_http.close()
        await partner_http.close()
