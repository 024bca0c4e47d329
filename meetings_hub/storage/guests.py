"""Guest invitations (scoped to one meeting) and the guests who used them: raw SQL."""

from __future__ import annotations

from datetime import datetime

from meetings_hub.domain import Guest, GuestCategory
from meetings_hub.storage.db import Reader, Row, Tx
from meetings_hub.storage.timefmt import now_db, to_db


async def insert_invitation(
    tx: Tx,
    *,
    meeting_id: int,
    email: str,
    name: str,
    category: str,
    created_by: int | None,
    expires_at: datetime,
) -> int:
    return await tx.execute(
        "INSERT INTO guest_invitations (meeting_id, email, name, category, created_by, created_at,"
        " expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (meeting_id, email, name, category, created_by, now_db(), to_db(expires_at)),
    )


async def get_invitation(db: Reader | Tx, invitation_id: int) -> Row | None:
    return await db.fetch_one("SELECT * FROM guest_invitations WHERE id = ?", (invitation_id,))


async def list_invitations(db: Reader | Tx, meeting_id: int) -> list[Row]:
    return await db.fetch_all(
        "SELECT * FROM guest_invitations WHERE meeting_id = ? ORDER BY id", (meeting_id,)
    )


async def revoke_invitation(tx: Tx, invitation_id: int) -> None:
    await tx.execute(
        "UPDATE guest_invitations SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
        (now_db(), invitation_id),
    )


def _guest(row: Row) -> Guest:
    return Guest(
        id=row["id"],
        invitation_id=row["invitation_id"],
        meeting_id=row["meeting_id"],
        name=row["name"],
        category=GuestCategory(row["category"]),
    )


async def insert_guest(
    tx: Tx,
    *,
    invitation_id: int,
    meeting_id: int,
    name: str,
    category: GuestCategory,
    origin_library_id: int | None = None,
) -> int:
    return await tx.execute(
        "INSERT INTO guests (invitation_id, meeting_id, name, category, origin_library_id,"
        " created_at) VALUES (?, ?, ?, ?, ?, ?)",
        (invitation_id, meeting_id, name, category.value, origin_library_id, now_db()),
    )


async def get_guest(db: Reader | Tx, guest_id: int) -> Guest | None:
    row = await db.fetch_one("SELECT * FROM guests WHERE id = ?", (guest_id,))
    return _guest(row) if row else None


async def guest_ids_for_invitation(db: Reader | Tx, invitation_id: int) -> list[int]:
    rows = await db.fetch_all("SELECT id FROM guests WHERE invitation_id = ?", (invitation_id,))
    return [r["id"] for r in rows]
