"""Networks and their member libraries over time: raw SQL."""

from __future__ import annotations

import json
from datetime import date

from meetings_hub.domain import Network, NetworkMember, NetworkRole
from meetings_hub.storage.db import Reader, Row, Tx
from meetings_hub.storage.timefmt import date_from_db, now_db


def _member(row: Row) -> NetworkMember:
    return NetworkMember(
        library_id=row["library_id"],
        library_name=row["library_name"],
        role=NetworkRole(row["role"]),
        joined_on=date.fromisoformat(row["joined_on"]),
        left_on=date_from_db(row["left_on"]),
    )


async def _members(db: Reader | Tx, network_id: int) -> tuple[NetworkMember, ...]:
    rows = await db.fetch_all(
        "SELECT m.library_id, l.name AS library_name, m.role, m.joined_on, m.left_on"
        " FROM network_members m JOIN libraries l ON l.id = m.library_id"
        " WHERE m.network_id = ? ORDER BY m.role, l.name, m.joined_on",
        (network_id,),
    )
    return tuple(_member(r) for r in rows)


async def _network(db: Reader | Tx, row: Row) -> Network:
    return Network(
        id=row["id"],
        name=row["name"],
        lead_library_id=row["lead_library_id"],
        started_on=date.fromisoformat(row["started_on"]),
        note=row["note"],
        members=await _members(db, row["id"]),
    )


async def get(db: Reader | Tx, network_id: int) -> Network | None:
    row = await db.fetch_one("SELECT * FROM networks WHERE id = ?", (network_id,))
    return await _network(db, row) if row else None


async def list_all(db: Reader) -> list[Network]:
    rows = await db.fetch_all("SELECT * FROM networks ORDER BY name")
    return [await _network(db, r) for r in rows]


async def ids_for_library(db: Reader | Tx, library_id: int, *, active_on: date) -> set[int]:
    """Networks the library belongs to on a day (a lead belongs to her own network too)."""
    rows = await db.fetch_all(
        "SELECT network_id FROM network_members WHERE library_id = ? AND joined_on <= ?"
        " AND (left_on IS NULL OR left_on > ?)",
        (library_id, active_on.isoformat(), active_on.isoformat()),
    )
    return {r["network_id"] for r in rows}


async def open_ids_for_library(db: Reader | Tx, library_id: int, *, on: date) -> set[int]:
    """Networks the library has a stay in that has not ended by ``on`` (future joins count)."""
    rows = await db.fetch_all(
        "SELECT network_id FROM network_members WHERE library_id = ?"
        " AND (left_on IS NULL OR left_on > ?)",
        (library_id, on.isoformat()),
    )
    return {r["network_id"] for r in rows}


async def ids_led_by(db: Reader | Tx, library_id: int) -> set[int]:
    rows = await db.fetch_all("SELECT id FROM networks WHERE lead_library_id = ?", (library_id,))
    return {r["id"] for r in rows}


async def library_ids_in(db: Reader | Tx, network_ids: set[int], *, active_on: date) -> set[int]:
    if not network_ids:
        return set()
    rows = await db.fetch_all(
        "SELECT DISTINCT library_id FROM network_members"
        " WHERE network_id IN (SELECT value FROM json_each(?)) AND joined_on <= ?"
        " AND (left_on IS NULL OR left_on > ?)",
        (_json(network_ids), active_on.isoformat(), active_on.isoformat()),
    )
    return {r["library_id"] for r in rows}


async def library_ids_ever_in(db: Reader | Tx, network_ids: set[int]) -> set[int]:
    """Every library that was ever a member of these networks (their members' history)."""
    if not network_ids:
        return set()
    rows = await db.fetch_all(
        "SELECT DISTINCT library_id FROM network_members"
        " WHERE network_id IN (SELECT value FROM json_each(?))",
        (_json(network_ids),),
    )
    return {r["library_id"] for r in rows}


def _json(ids: set[int]) -> str:
    return json.dumps(sorted(ids))


async def find_by_name(db: Reader | Tx, name: str) -> int | None:
    row = await db.fetch_one("SELECT id FROM networks WHERE name = ?", (name,))
    return row["id"] if row else None


async def insert(tx: Tx, *, name: str, lead_library_id: int, started_on: date, note: str) -> int:
    now = now_db()
    network_id = await tx.execute(
        "INSERT INTO networks (name, lead_library_id, started_on, note, created_at, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (name, lead_library_id, started_on.isoformat(), note, now, now),
    )
    await add_member(tx, network_id, lead_library_id, NetworkRole.LEAD, started_on)
    return network_id


async def update(tx: Tx, network_id: int, *, name: str | None, note: str | None) -> None:
    await tx.execute(
        "UPDATE networks SET name = COALESCE(?, name), note = COALESCE(?, note), updated_at = ?"
        " WHERE id = ?",
        (name, note, now_db(), network_id),
    )


async def open_stay(db: Reader | Tx, network_id: int, library_id: int) -> Row | None:
    return await db.fetch_one(
        "SELECT * FROM network_members WHERE network_id = ? AND library_id = ? AND left_on IS NULL",
        (network_id, library_id),
    )


async def add_member(
    tx: Tx, network_id: int, library_id: int, role: NetworkRole, joined_on: date
) -> int:
    return await tx.execute(
        "INSERT INTO network_members (network_id, library_id, role, joined_on) VALUES (?, ?, ?, ?)",
        (network_id, library_id, role.value, joined_on.isoformat()),
    )


async def end_stay(tx: Tx, network_id: int, library_id: int, left_on: date) -> int:
    return await tx.execute_rowcount(
        "UPDATE network_members SET left_on = ? WHERE network_id = ? AND library_id = ?"
        " AND left_on IS NULL",
        (left_on.isoformat(), network_id, library_id),
    )
