"""End to end: a session held with real socket.io clients is frozen exactly as it happened.

In the room: the host library's lead; the Chęciny partner in two tabs; a Chmielnik librarian
who loses her connection and comes back; a guest invited by the Chęciny partner (so she travels
from Chęciny); a Pierzchnica librarian who looks in for a moment (under the threshold). The host
ends the session, which closes the room and wakes the freezing job at once.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from decimal import Decimal

from meetings_hub.actions import savings, savings_freeze
from meetings_hub.actions.session import guest_link_token
from meetings_hub.storage import guests
from meetings_hub.storage.timefmt import now_utc, to_db
from tests.chat.support import ChatClient, network_id_of, person_id, signed_in
from tests.savings.support import lead_actor
from tests.support import LEAD, PARTNER, Client, Server

CHMIELNIK = "agnieszka.dudek@chmielnik.example.org"
PIERZCHNICA = "krystyna.wojcik@pierzchnica.example.org"
SECONDS = 12  # the session's scheduled length: the threshold is half of it, 6 s


async def _meeting(server: Server, network_id: int, lead_id: int) -> int:
    network = await server.hub.db.fetch_one(
        "SELECT lead_library_id FROM networks WHERE id = ?", (network_id,)
    )
    assert network is not None
    start = now_utc()
    async with server.hub.db.write() as tx:
        return await tx.execute(
            "INSERT INTO meetings (network_id, host_library_id, title, starts_at, ends_at,"
            " created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                network_id,
                network["lead_library_id"],
                "Krótkie spotkanie",
                to_db(start),
                to_db(start + timedelta(seconds=SECONDS)),
                lead_id,
                to_db(start),
                to_db(start),
            ),
        )


async def _guest_token(server: Server, meeting_id: int, inviter_id: int) -> tuple[Client, str]:
    async with server.hub.db.write() as tx:
        invitation_id = await guests.insert_invitation(
            tx,
            meeting_id=meeting_id,
            email="",
            name="Radny gminy",
            category="local_authority",
            created_by=inviter_id,
            expires_at=now_utc() + timedelta(days=1),
        )
    link = guest_link_token(server.hub, invitation_id, meeting_id)
    guest = Client(server.url)
    status, body = await guest.post(
        "/api/v1/guest/enter", {"token": link, "name": "Jan Radny", "category": "local_authority"}
    )
    assert status == 200, body
    return guest, next(c.value for c in guest.session.cookie_jar if c.key == "mh_session")


async def test_a_held_session_freezes_exactly_what_happened(server: Server) -> None:
    hub = server.hub
    network_id = await network_id_of(server, "Morawicy")
    lead_id, partner_id = await person_id(server, LEAD), await person_id(server, PARTNER)
    chmielnik_id = await person_id(server, CHMIELNIK)
    pierzchnica_id = await person_id(server, PIERZCHNICA)
    meeting_id = await _meeting(server, network_id, lead_id)
    lead_http, lead_token = await signed_in(server, LEAD)
    _, room = await lead_http.post(f"/api/v1/meetings/{meeting_id}/room")
    room_id = room["id"]
    tokens = {
        "partner": (await signed_in(server, PARTNER))[1],
        "chmielnik": (await signed_in(server, CHMIELNIK))[1],
        "pierzchnica": (await signed_in(server, PIERZCHNICA))[1],
    }
    guest_http, guest_token = await _guest_token(server, meeting_id, partner_id)
    host, tab1, tab2 = ChatClient("host"), ChatClient("tab1"), ChatClient("tab2")
    chm, pie, guest = ChatClient("chm"), ChatClient("pie"), ChatClient("guest")
    clients = [host, tab1, tab2, chm, pie, guest]
    try:
        await host.connect(server, lead_token)
        await tab1.connect(server, tokens["partner"])
        await tab2.connect(server, tokens["partner"], transports=["polling"])
        await chm.connect(server, tokens["chmielnik"])
        await pie.connect(server, tokens["pierzchnica"])
        await guest.connect(server, guest_token)
        for client in clients:
            await client.join(room_id)
        await asyncio.sleep(0.5)
        await pie.close()  # looked in for a moment
        await asyncio.sleep(1)
        await chm.close()  # lost the connection ...
        await asyncio.sleep(0.5)
        chm = ChatClient("chm again")  # ... and came back
        clients.append(chm)
        await chm.connect(server, tokens["chmielnik"])
        await chm.join(room_id)
        await tab1.close()  # one tab closed: the partner is still there in the other
        await asyncio.sleep(SECONDS - 1)
        status, body = await lead_http.post(f"/api/v1/rooms/{room_id}/end")
        assert status == 200, body

        # The host's end closes the room and wakes the job: the record comes at once.
        async def frozen() -> int:
            row = await hub.db.fetch_one(
                "SELECT COUNT(*) FROM savings_records WHERE meeting_id = ?", (meeting_id,)
            )
            return int(row[0])

        for _ in range(200):
            if await frozen():
                break
            await asyncio.sleep(0.05)
        assert await frozen() == 1
    finally:
        for client in clients:
            await client.close()
        await lead_http.close()
        await guest_http.close()

    # The attendance: one row per tab-set, two for the reconnect.
    rows = await hub.db.fetch_all(
        "SELECT person_id, guest_id FROM attendance WHERE meeting_id = ?", (meeting_id,)
    )
    per_person: dict[str, int] = {}
    for r in rows:
        who = f"p:{r['person_id']}" if r["person_id"] else f"g:{r['guest_id']}"
        per_person[who] = per_person.get(who, 0) + 1
    guest_who = next(w for w in per_person if w.startswith("g:"))
    assert per_person == {
        f"p:{lead_id}": 1,
        f"p:{partner_id}": 1,
        f"p:{chmielnik_id}": 2,
        f"p:{pierzchnica_id}": 1,
        guest_who: 1,
    }

    # The frozen record: who counted, from where, and the rows.
    coordinator = await lead_actor(hub, "koordynator@example.org")
    (view,) = await savings.occurrence_savings(hub, coordinator, meeting_id, None)
    (record,) = view.versions
    assert record.reason == "closed" and record.threshold_minutes == Decimal(SECONDS) / 60 / 2
    counted = {a.who: (a.counted, a.library_id) for a in record.attendees}
    library = {
        name: (await hub.db.fetch_one("SELECT library_id FROM persons WHERE id = ?", (pid,)))[0]
        for name, pid in (("lead", lead_id), ("che", partner_id), ("chm", chmielnik_id))
    }
    assert counted == {
        f"p:{lead_id}": (True, library["lead"]),
        f"p:{partner_id}": (True, library["che"]),
        f"p:{chmielnik_id}": (True, library["chm"]),
        f"p:{pierzchnica_id}": (False, counted[f"p:{pierzchnica_id}"][1]),
        guest_who: (True, library["che"]),  # invited by the Chęciny partner
    }
    rows_by_library = {r.library_id: r for r in record.rows}
    assert set(rows_by_library) == {library["che"], library["chm"]}
    assert rows_by_library[library["che"]].persons == 2  # the partner and her guest
    assert rows_by_library[library["chm"]].persons == 1
    assert all(r.counted and r.money > 0 for r in record.rows)

    # Exactly once: another scan (another process, a restart) freezes nothing more.
    assert await savings_freeze.freeze_due(hub, now_utc() - timedelta(days=1)) == 0
    count = await hub.db.fetch_one(
        "SELECT COUNT(*) FROM savings_records WHERE meeting_id = ?", (meeting_id,)
    )
    assert count[0] == 1
