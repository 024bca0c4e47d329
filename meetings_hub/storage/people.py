"""People (librarians and coordinators): raw SQL."""

from __future__ import annotations

import json

from meetings_hub.domain import Language, Person, Role
from meetings_hub.storage.db import Reader, Row, Tx
from meetings_hub.storage.timefmt import now_db

_COLUMNS = (
    "id, full_name, email, library_id, role, language, timezone, active,"
    " password_hash IS NOT NULL AS has_password, calendar_declined"
)


def _person(row: Row) -> Person:
    return Person(
        id=row["id"],
        full_name=row["full_name"],
        email=row["email"],
        library_id=row["library_id"],
        role=Role(row["role"]),
        language=Language(row["language"]),
        timezone=row["timezone"],
        active=bool(row["active"]),
        has_password=bool(row["has_password"]),
        calendar_declined=row["calendar_declined"],
    )


async def get(db: Reader | Tx, person_id: int) -> Person | None:
    row = await db.fetch_one(f"SELECT {_COLUMNS} FROM persons WHERE id = ?", (person_id,))
    return _person(row) if row else None


async def get_by_email(db: Reader | Tx, email: str) -> Person | None:
    row = await db.fetch_one(f"SELECT {_COLUMNS} FROM persons WHERE email = ?", (email,))
    return _person(row) if row else None


async def password_hash(db: Reader | Tx, person_id: int) -> str | None:
    row = await db.fetch_one("SELECT password_hash FROM persons WHERE id = ?", (person_id,))
    return row["password_hash"] if row else None


async def is_demo(db: Reader | Tx, person_id: int) -> bool:
    row = await db.fetch_one("SELECT is_demo FROM persons WHERE id = ?", (person_id,))
    return bool(row and row["is_demo"])


async def mark_demo(tx: Tx, person_id: int) -> None:
    await tx.execute("UPDATE persons SET is_demo = 1 WHERE id = ?", (person_id,))


async def count(db: Reader | Tx) -> int:
    row = await db.fetch_one("SELECT COUNT(*) FROM persons")
    return int(row[0]) if row else 0


async def list_all(db: Reader) -> list[Person]:
    rows = await db.fetch_all(f"SELECT {_COLUMNS} FROM persons ORDER BY full_name")
    return [_person(r) for r in rows]


async def list_in_libraries(db: Reader, library_ids: set[int]) -> list[Person]:
    if not library_ids:
        return []
    rows = await db.fetch_all(
        f"SELECT {_COLUMNS} FROM persons WHERE library_id IN (SELECT value FROM json_each(?))"
        " ORDER BY full_name",
        (json.dumps(sorted(library_ids)),),
    )
    return [_person(r) for r in rows]


async def insert(
    tx: Tx,
    *,
    full_name: str,
    email: str,
    library_id: int | None,
    role: Role,
    language: Language,
    timezone: str,
    password_hash: str | None = None,
) -> int:
    now = now_db()
    return await tx.execute(
        "INSERT INTO persons (full_name, email, library_id, role, language, timezone,"
        " password_hash, password_changed_at, created_at, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            full_name,
            email,
            library_id,
            role.value,
            language.value,
            timezone,
            password_hash,
            now if password_hash else None,
            now,
            now,
        ),
    )


_EDITABLE = (
    "full_name",
    "email",
    "library_id",
    "role",
    "language",
    "timezone",
    "active",
    "calendar_declined",
)


async def update(tx: Tx, person_id: int, changes: dict[str, object]) -> None:
    changes = {k: v for k, v in changes.items() if k in _EDITABLE}
    if not changes:
        return
    # Column names come from the fixed _EDITABLE tuple, never from the request.
    assignments = ", ".join(f"{name} = ?" for name in changes)
    await tx.execute(
        f"UPDATE persons SET {assignments}, updated_at = ? WHERE id = ?",
        (*changes.values(), now_db(), person_id),
    )


async def set_password_hash(tx: Tx, person_id: int, new_hash: str) -> None:
    now = now_db()
    await tx.execute(
        "UPDATE persons SET password_hash = ?, password_changed_at = ?, updated_at = ?"
        " WHERE id = ?",
        (new_hash, now, now, person_id),
    )


async def count_active(db: Reader) -> int:
    row = await db.fetch_one("SELECT COUNT(*) FROM persons WHERE active = 1")
    return int(row[0]) if row else 0
