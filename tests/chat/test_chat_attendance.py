"""Attendance rows belong to their process; without Redis the heartbeats live in the database.
(Two real processes with Redis: tests/chat/test_chat_redis.py.)"""

from __future__ import annotations

from datetime import timedelta

from meetings_hub.actions import attendance
from meetings_hub.storage.timefmt import now_utc, to_db
from tests.chat.support import add_meeting, network_id_of, person_id
from tests.support import LEAD, PARTNER, Server

OTHER_PARTNER = "agnieszka.dudek@chmielnik.example.org"


async def test_the_sweep_closes_only_rows_of_processes_whose_heartbeat_expired(
    server: Server,
) -> None:
    hub = server.hub
    network_id = await network_id_of(server, "Morawicy")
    meeting_id = await add_meeting(server, network_id)
    people = [await person_id(server, email) for email in (LEAD, PARTNER, OTHER_PARTNER)]
    now = now_utc()
    dead_beat = now - timedelta(minutes=5)
    joined = now - timedelta(minutes=20)
    async with hub.db.write() as tx:
        room_id = await tx.execute(
            "INSERT INTO rooms (kind, title, meeting_id, network_id, created_at)"
            " VALUES ('session', 'Sesja', ?, ?, ?)",
            (meeting_id, network_id, to_db(now)),
        )
        await tx.execute(
            "INSERT INTO server_processes (id, started_at, beat_at) VALUES"
            " ('dead', ?, ?), ('alive', ?, ?)",
            (to_db(joined), to_db(dead_beat), to_db(joined), to_db(now)),
        )
        for person, process in zip(people, ("dead", "alive", None), strict=True):
            await tx.execute(
                "INSERT INTO attendance (room_id, meeting_id, person_id, joined_at, process)"
                " VALUES (?, ?, ?, ?, ?)",
                (room_id, meeting_id, person, to_db(joined), process),
            )
    beats = attendance.DatabaseHeartbeats(hub)
    closed = await attendance.sweep(hub, beats, ttl=3 * hub.settings.process_heartbeat_seconds)
    assert closed == 2
    rows = await hub.db.fetch_all(
        "SELECT person_id, left_at FROM attendance WHERE room_id = ? ORDER BY id", (room_id,)
    )
    left = {row["person_id"]: row["left_at"] for row in rows}
    assert left[people[0]] == to_db(dead_beat)  # the dead process's last heartbeat
    assert left[people[1]] is None  # its process is alive
    assert left[people[2]] is not None  # a row from before processes owned rows
    assert "dead" not in {
        r["id"] for r in await hub.db.fetch_all("SELECT id FROM server_processes")
    }
