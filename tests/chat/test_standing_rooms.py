"""Rooms simply exist: a network's standing room from the network's start, an online session's
room from its scheduling; they are listed under "Rozmowy" before anyone opens them. Older data
gets them from migration 0016."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from meetings_hub.storage import migrate
from tests.chat.support import signed_in
from tests.support import COORDINATOR, LEAD, PARTNER, Server


async def _rooms(server: Server, email: str) -> list[dict]:
    client, _ = await signed_in(server, email)
    try:
        status, rooms = await client.get("/api/v1/rooms")
        assert status == 200
        return rooms
    finally:
        await client.close()


async def test_network_and_session_rooms_exist_before_anyone_opens_them(server: Server) -> None:
    listed = await _rooms(server, PARTNER)
    assert [r["kind"] for r in listed] == ["network"]  # the demo network's standing room
    lead, _ = await signed_in(server, LEAD)
    try:
        status, online = await lead.post(
            "/api/v1/meetings", {"title": "Spotkanie sieci", "start": "2027-10-19T10:00:00"}
        )
        assert status == 201, online
        status, in_person = await lead.post(
            "/api/v1/meetings",
            {
                "title": "Noc w bibliotece",
                "kind": "in_person",
                "address": "ul. Kielecka 1",
                "start": "2027-10-20T18:00:00",
            },
        )
        assert status == 201, in_person
    finally:
        await lead.close()
    listed = await _rooms(server, PARTNER)
    sessions = [r for r in listed if r["kind"] == "session"]
    assert [r["meeting_id"] for r in sessions] == [online["id"]]  # in-person events meet in person
    assert sessions[0]["title"] == "Spotkanie sieci"


async def test_a_new_network_has_its_room(server: Server) -> None:
    coordinator, _ = await signed_in(server, COORDINATOR)
    try:
        status, libraries = await coordinator.get("/api/v1/libraries")
        assert status == 200
        status, network = await coordinator.post(
            "/api/v1/networks",
            {
                "name": "Sieć nowa",
                "lead_library_id": libraries[-1]["id"],
                "started_on": "2027-01-01",
            },
        )
        assert status == 201, network
        status, rooms = await coordinator.get("/api/v1/rooms")
        assert network["id"] in [r.get("network_id") for r in rooms if r["kind"] == "network"]
    finally:
        await coordinator.close()


def test_migration_0016_gives_older_networks_and_sessions_their_rooms(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA foreign_keys = ON")
    found = {m.version: m for m in migrate.available()}
    for m in [m for v, m in sorted(found.items()) if v < 16]:
        conn.executescript(m.sql)
    stamp = "2026-01-01T10:00:00.000000Z"
    conn.execute(
        "INSERT INTO libraries (id, name, kind, town, created_at, updated_at)"
        " VALUES (1, 'B', 'municipal', 'T', ?, ?)",
        (stamp, stamp),
    )
    conn.execute(
        "INSERT INTO networks (id, name, lead_library_id, started_on, created_at, updated_at)"
        " VALUES (1, 'Sieć', 1, '2026-01-01', ?, ?)",
        (stamp, stamp),
    )
    for mid, kind, status in (
        (1, "online", "scheduled"),
        (2, "in_person", "scheduled"),
        (3, "online", "cancelled"),
        (4, "training", "scheduled"),
    ):
        conn.execute(
            "INSERT INTO meetings (id, network_id, host_library_id, kind, title, starts_at,"
            " ends_at, status, created_at, updated_at)"
            " VALUES (?, 1, 1, ?, 'M', '2027-01-01T10:00:00.000000Z',"
            " '2027-01-01T11:00:00.000000Z', ?, ?, ?)",
            (mid, kind, status, stamp, stamp),
        )
    conn.commit()
    conn.executescript(found[16].sql)
    rows = conn.execute("SELECT kind, network_id, meeting_id FROM rooms ORDER BY id").fetchall()
    assert rows == [("network", 1, None), ("session", 1, 1), ("session", 1, 4)]
    # Run twice (a retried migration): nothing doubles.
    conn.executescript(found[16].sql)
    assert conn.execute("SELECT COUNT(*) FROM rooms").fetchone()[0] == 3
    conn.close()
