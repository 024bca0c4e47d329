"""Libraries: raw SQL."""

from __future__ import annotations

import json
from typing import Any

from meetings_hub.domain import Library, LibraryKind
from meetings_hub.storage.db import Reader, Row, Tx
from meetings_hub.storage.timefmt import from_db, now_db

FIELDS = (
    "name",
    "kind",
    "address",
    "postal_code",
    "town",
    "gmina",
    "powiat",
    "voivodeship",
    "latitude",
    "longitude",
)
_COLUMNS = "id, " + ", ".join(FIELDS) + ", updated_at"


def _library(row: Row) -> Library:
    return Library(
        id=row["id"],
        name=row["name"],
        kind=LibraryKind(row["kind"]),
        address=row["address"],
        postal_code=row["postal_code"],
        town=row["town"],
        gmina=row["gmina"],
        powiat=row["powiat"],
        voivodeship=row["voivodeship"],
        latitude=row["latitude"],
        longitude=row["longitude"],
        updated_at=from_db(row["updated_at"]),
    )


async def get(db: Reader | Tx, library_id: int) -> Library | None:
    row = await db.fetch_one(f"SELECT {_COLUMNS} FROM libraries WHERE id = ?", (library_id,))
    return _library(row) if row else None


async def list_all(db: Reader) -> list[Library]:
    rows = await db.fetch_all(f"SELECT {_COLUMNS} FROM libraries ORDER BY name")
    return [_library(r) for r in rows]


async def list_by_ids(db: Reader, ids: set[int]) -> list[Library]:
    if not ids:
        return []
    rows = await db.fetch_all(
        f"SELECT {_COLUMNS} FROM libraries WHERE id IN (SELECT value FROM json_each(?))"
        " ORDER BY name",
        (json.dumps(sorted(ids)),),
    )
    return [_library(r) for r in rows]


async def find_by_name_town(db: Reader | Tx, name: str, town: str) -> int | None:
    row = await db.fetch_one("SELECT id FROM libraries WHERE name = ? AND town = ?", (name, town))
    return row["id"] if row else None


async def insert(tx: Tx, values: dict[str, Any]) -> int:
    now = now_db()
    return await tx.execute(
        "INSERT INTO libraries (" + ", ".join(FIELDS) + ", created_at, updated_at)"
        " VALUES (" + ", ".join("?" for _ in FIELDS) + ", ?, ?)",
        (
            *(values.get(f, "" if f not in ("latitude", "longitude") else None) for f in FIELDS),
            now,
            now,
        ),
    )


async def update(tx: Tx, library_id: int, values: dict[str, Any]) -> None:
    changes = {k: v for k, v in values.items() if k in FIELDS}
    if not changes:
        return
    # Column names come from the fixed FIELDS tuple above, never from the request.
    assignments = ", ".join(f"{name} = ?" for name in changes)
    await tx.execute(
        f"UPDATE libraries SET {assignments}, updated_at = ? WHERE id = ?",
        (*changes.values(), now_db(), library_id),
    )
