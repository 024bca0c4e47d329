"""Rooms and their explicit members: raw SQL."""

from __future__ import annotations

import json

from meetings_hub.storage.db import Reader, Row, Tx
from meetings_hub.storage.timefmt import now_db


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
