"""Rooms and their explicit members: raw SQL."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime
from typing import Any

from meetings_hub.domain import RoomTimes
from meetings_hub.storage.db import Reader, Row, Tx
from meetings_hub.storage.timefmt import now_db, opt_from_db, to_db

# What ``domain.room_refusal`` decides on, read the same way by every caller (the group commit
# reads it with the room's last_seq in its own transaction, in the database thread).
_TIMES = (
    "SELECT r.last_seq, r.locked_at, COALESCE(r.ended_at, m.cancelled_at),"
    " COALESCE(m.span_start_at, m.starts_at), COALESCE(m.span_end_at, m.ends_at)"
    " FROM rooms r LEFT JOIN meetings m ON m.id = r.meeting_id WHERE r.id = ?"
)


def _times(row: Any) -> tuple[int, RoomTimes]:
    last_seq, locked_at, closed_at, first_start, last_end = tuple(row)
    times = RoomTimes(
        locked=locked_at is not None,
        closed=closed_at is not None,
        first_start=opt_from_db(first_start),
        last_end=opt_from_db(last_end),
    )
    return int(last_seq), times


async def times(db: Reader | Tx, room_id: int) -> RoomTimes | None:
    row = await db.fetch_one(_TIMES, (room_id,))
    return None if row is None else _times(row)[1]


def times_in_thread(conn: sqlite3.Connection, room_id: int) -> tuple[int, RoomTimes] | None:
    """(last_seq, times) on the writer's own connection, for the group commit."""
    row = conn.execute(_TIMES, (room_id,)).fetchone()
    return None if row is None else _times(row)


async def ended_meetings(db: Reader | Tx, meeting_ids: list[int]) -> set[int]:
    """Of these meetings, those whose session room the host has ended."""
    rows = await db.fetch_all(
        "SELECT meeting_id FROM rooms WHERE ended_at IS NOT NULL"
        " AND meeting_id IN (SELECT value FROM json_each(?))",
        (json.dumps(sorted(set(meeting_ids))),),
    )
    return {r["meeting_id"] for r in rows}


async def get(db: Reader | Tx, room_id: int) -> Row | None:
    return await db.fetch_one("SELECT * FROM rooms WHERE id = ?", (room_id,))


async def by_meeting(db: Reader | Tx, meeting_id: int) -> Row | None:
    return await db.fetch_one("SELECT * FROM rooms WHERE meeting_id = ?", (meeting_id,))


async def by_network(db: Reader | Tx, network_id: int) -> Row | None:
    return await db.fetch_one(
        "SELECT * FROM rooms WHERE kind = 'network' AND network_id = ?", (network_id,)
    )


async def by_direct_key(db: Reader | Tx, key: str) -> Row | None:
    return await db.fetch_one("SELECT * FROM rooms WHERE direct_key = ?", (key,))


async def insert(
    tx: Tx,
    *,
    kind: str,
    title: str,
    created_by: int | None,
    meeting_id: int | None = None,
    network_id: int | None = None,
    direct_key: str | None = None,
) -> int:
    return await tx.execute(
        "INSERT INTO rooms (kind, meeting_id, network_id, direct_key, title, created_by,"
        " created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (kind, meeting_id, network_id, direct_key, title, created_by, now_db()),
    )


async def add_member(tx: Tx, room_id: int, person_id: int, role: str = "member") -> None:
    await tx.execute(
        "INSERT INTO room_members (room_id, person_id, role, joined_at) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (room_id, person_id) DO NOTHING",
        (room_id, person_id, role, now_db()),
    )


async def remove_member(tx: Tx, room_id: int, person_id: int) -> None:
    await tx.execute(
        "DELETE FROM room_members WHERE room_id = ? AND person_id = ?", (room_id, person_id)
    )


async def member_role(db: Reader | Tx, room_id: int, person_id: int) -> str | None:
    row = await db.fetch_one(
        "SELECT role FROM room_members WHERE room_id = ? AND person_id = ?", (room_id, person_id)
    )
    return row["role"] if row else None


async def member_ids(db: Reader | Tx, room_id: int) -> list[int]:
    rows = await db.fetch_all("SELECT person_id FROM room_members WHERE room_id = ?", (room_id,))
    return [r["person_id"] for r in rows]


async def explicit_room_ids(db: Reader | Tx, person_id: int) -> list[int]:
    rows = await db.fetch_all("SELECT room_id FROM room_members WHERE person_id = ?", (person_id,))
    return [r["room_id"] for r in rows]


async def is_banned(
    db: Reader | Tx, room_id: int, *, person_id: int | None = None, guest_id: int | None = None
) -> bool:
    row = await db.fetch_one(
        "SELECT 1 FROM room_bans WHERE room_id = ? AND (person_id = ? OR guest_id = ?)",
        (room_id, person_id, guest_id),
    )
    return row is not None


async def ban(
    tx: Tx, room_id: int, *, person_id: int | None, guest_id: int | None, banned_by: int | None
) -> None:
    await tx.execute(
        "INSERT INTO room_bans (room_id, person_id, guest_id, banned_by, created_at)"
        " VALUES (?, ?, ?, ?, ?)",
        (room_id, person_id, guest_id, banned_by, now_db()),
    )


async def set_locked(tx: Tx, room_id: int, locked: bool) -> None:
    await tx.execute(
        "UPDATE rooms SET locked_at = CASE WHEN ? THEN ? ELSE NULL END WHERE id = ?",
        (int(locked), now_db(), room_id),
    )


async def set_ended(tx: Tx, room_id: int) -> None:
    await tx.execute(
        "UPDATE rooms SET ended_at = ?, locked_at = COALESCE(locked_at, ?) WHERE id = ?",
        (now_db(), now_db(), room_id),
    )


async def network_rooms(db: Reader | Tx, network_ids: set[int]) -> list[Row]:
    return await db.fetch_all(
        "SELECT * FROM rooms WHERE kind = 'network' AND network_id IN"
        " (SELECT value FROM json_each(?))",
        (json.dumps(sorted(network_ids)),),
    )


async def visible_rooms(
    db: Reader | Tx,
    person_id: int,
    library_id: int | None,
    network_ids: set[int],
    led_network_ids: set[int],
    everything: bool,
) -> list[Row]:
    """Rooms a person reaches: their networks' standing rooms, the session rooms of meetings
    they are invited to (the whole network, or their library or themselves by name), created
    or manage, and the direct and group rooms they are a member of (coordinators: all but DMs).
    """
    return await db.fetch_all(
        "SELECT r.* FROM rooms r LEFT JOIN meetings m ON m.id = r.meeting_id"
        " WHERE (r.kind = 'network'"
        "   AND (:every OR r.network_id IN (SELECT value FROM json_each(:nets))))"
        " OR (r.kind = 'session' AND (:every OR m.created_by = :person"
        "   OR r.network_id IN (SELECT value FROM json_each(:led))"
        "   OR (r.network_id IN (SELECT value FROM json_each(:nets)) AND (m.whole_network = 1"
        "     OR EXISTS (SELECT 1 FROM meeting_invitees i WHERE i.meeting_id = m.id"
        "       AND i.person_id = :person)"
        "     OR EXISTS (SELECT 1 FROM meeting_libraries l WHERE l.meeting_id = m.id"
        "       AND l.library_id = :library)))))"
        " OR r.id IN (SELECT room_id FROM room_members WHERE person_id = :person)"
        " OR (:every AND r.kind = 'group')"
        " ORDER BY r.id",
        {
            "every": int(everything),
            "nets": json.dumps(sorted(network_ids)),
            "led": json.dumps(sorted(led_network_ids)),
            "person": person_id,
            "library": library_id,
        },
    )


async def open_attendance(
    tx: Tx,
    room_id: int,
    meeting_id: int | None,
    *,
    person_id: int | None,
    guest_id: int | None,
    process: str,
) -> None:
    """Opens a presence row owned by ``process`` unless that process has one open already."""
    await tx.execute(
        "INSERT INTO attendance (room_id, meeting_id, person_id, guest_id, joined_at, process)"
        " SELECT ?, ?, ?, ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM attendance WHERE room_id = ?"
        " AND left_at IS NULL AND process = ? AND (person_id = ? OR guest_id = ?))",
        (
            room_id,
            meeting_id,
            person_id,
            guest_id,
            now_db(),
            process,
            room_id,
            process,
            person_id,
            guest_id,
        ),
    )


async def close_attendance(
    tx: Tx, room_id: int, *, person_id: int | None, guest_id: int | None, process: str
) -> None:
    await tx.execute(
        "UPDATE attendance SET left_at = MAX(joined_at, ?) WHERE room_id = ? AND left_at IS NULL"
        " AND process = ? AND (person_id = ? OR guest_id = ?)",
        (now_db(), room_id, process, person_id, guest_id),
    )


async def close_attendance_of_process(tx: Tx, process: str | None, at: datetime) -> int:
    """Closes the rows a process left open (``None``: rows from before processes owned them)
    at ``at`` (never before a row's start); returns how many."""
    return await tx.execute_rowcount(
        "UPDATE attendance SET left_at = MAX(joined_at, ?) WHERE left_at IS NULL AND process IS ?",
        (to_db(at), process),
    )


async def processes_with_open_attendance(db: Reader | Tx) -> list[str | None]:
    rows = await db.fetch_all(
        "SELECT DISTINCT process FROM attendance WHERE left_at IS NULL ORDER BY process"
    )
    return [row[0] for row in rows]


async def attendance_rows(db: Reader | Tx, room_id: int) -> list[Row]:
    return await db.fetch_all(
        "SELECT a.person_id, a.guest_id, a.joined_at, a.left_at,"
        " COALESCE(p.full_name, g.name, '') AS name, COALESCE(l.name, '') AS library"
        " FROM attendance a LEFT JOIN persons p ON p.id = a.person_id"
        " LEFT JOIN libraries l ON l.id = p.library_id"
        " LEFT JOIN guests g ON g.id = a.guest_id"
        " WHERE a.room_id = ? ORDER BY a.joined_at",
        (room_id,),
    )
