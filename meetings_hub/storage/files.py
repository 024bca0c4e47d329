"""Blobs and the files shared in rooms: raw SQL."""

from __future__ import annotations

from meetings_hub.storage.db import Reader, Row, Tx
from meetings_hub.storage.timefmt import now_db

# A file is removed when the retention period passed, or when its card (the chat message
# "file:<id>") was deleted by its author or a moderator: deleting the card withdraws the file.
_FILE_COLUMNS = (
    "f.id, f.room_id, f.sha256, f.name, f.size, f.mime, f.person_id, f.guest_id,"
    " f.uploader_name, f.library_id, f.created_at, COALESCE(f.removed_at, m.deleted_at)"
    " AS removed_at, b.thumb_width, b.thumb_height"
)
_FROM = (
    "room_files f LEFT JOIN blobs b ON b.sha256 = f.sha256"
    " LEFT JOIN messages m ON m.room_id = f.room_id AND m.client_msg_id = 'file:' || f.id"
)


async def blob(db: Reader | Tx, sha256: str) -> Row | None:
    return await db.fetch_one("SELECT * FROM blobs WHERE sha256 = ?", (sha256,))


async def insert_blob(
    tx: Tx, sha256: str, size: int, mime: str, thumb: tuple[int, int] | None
) -> None:
    await tx.execute(
        "INSERT INTO blobs (sha256, size, mime, thumb_width, thumb_height, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (sha256) DO NOTHING",
        (sha256, size, mime, thumb[0] if thumb else None, thumb[1] if thumb else None, now_db()),
    )


async def set_thumb(tx: Tx, sha256: str, thumb: tuple[int, int] | None) -> None:
    await tx.execute(
        "UPDATE blobs SET thumb_width = ?, thumb_height = ? WHERE sha256 = ?",
        (thumb[0] if thumb else None, thumb[1] if thumb else None, sha256),
    )


async def insert_file(
    tx: Tx,
    *,
    room_id: int,
    sha256: str,
    name: str,
    size: int,
    mime: str,
    person_id: int | None,
    guest_id: int | None,
    uploader_name: str,
    library_id: int | None,
) -> int:
    return await tx.execute(
        "INSERT INTO room_files (room_id, sha256, name, size, mime, person_id, guest_id,"
        " uploader_name, library_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            room_id,
            sha256,
            name,
            size,
            mime,
            person_id,
            guest_id,
            uploader_name,
            library_id,
            now_db(),
        ),
    )


async def get(db: Reader | Tx, file_id: int) -> Row | None:
    return await db.fetch_one(
        f"SELECT {_FILE_COLUMNS} FROM {_FROM} WHERE f.id = ?",
        (file_id,),
    )


async def in_room(db: Reader | Tx, room_id: int, *, limit: int, before_id: int | None) -> list[Row]:
    """Files of a room, newest first (ids grow with time), still present."""
    return await db.fetch_all(
        f"SELECT {_FILE_COLUMNS} FROM {_FROM}"
        " WHERE f.room_id = ? AND f.removed_at IS NULL AND m.deleted_at IS NULL"
        " AND (? IS NULL OR f.id < ?)"
        " ORDER BY f.id DESC LIMIT ?",
        (room_id, before_id, before_id, limit),
    )


async def usage_by_room(db: Reader | Tx) -> list[Row]:
    return await db.fetch_all(
        "SELECT r.id AS room_id, r.kind, r.title, COUNT(*) AS files, SUM(f.size) AS bytes"
        " FROM room_files f JOIN rooms r ON r.id = f.room_id"
        " WHERE f.removed_at IS NULL GROUP BY r.id ORDER BY bytes DESC, r.id"
    )


async def usage_by_library(db: Reader | Tx) -> list[Row]:
    return await db.fetch_all(
        "SELECT f.library_id, l.name, l.town, COUNT(*) AS files, SUM(f.size) AS bytes"
        " FROM room_files f LEFT JOIN libraries l ON l.id = f.library_id"
        " WHERE f.removed_at IS NULL GROUP BY f.library_id ORDER BY bytes DESC, f.library_id"
    )


async def stored_totals(db: Reader | Tx) -> Row:
    """Bytes on disk (each blob once) and bytes as shared (each file in each room)."""
    row = await db.fetch_one(
        "SELECT (SELECT COUNT(*) FROM blobs) AS blobs,"
        " (SELECT COALESCE(SUM(size), 0) FROM blobs) AS stored_bytes,"
        " (SELECT COUNT(*) FROM room_files WHERE removed_at IS NULL) AS files,"
        " (SELECT COALESCE(SUM(size), 0) FROM room_files WHERE removed_at IS NULL)"
        " AS shared_bytes"
    )
    assert row is not None
    return row


async def remove_older_than(tx: Tx, cutoff: str) -> list[tuple[int, int]]:
    """Marks removed the files shared before ``cutoff``; returns their (file id, room id)."""
    rows = await tx.fetch_all(
        "UPDATE room_files SET removed_at = ? WHERE removed_at IS NULL AND created_at < ?"
        " RETURNING id, room_id",
        (now_db(), cutoff),
    )
    return [(int(r["id"]), int(r["room_id"])) for r in rows]


async def remove_withdrawn(tx: Tx) -> int:
    """Marks removed the files whose card was deleted, so their bytes can go."""
    return await tx.execute_rowcount(
        "UPDATE room_files SET removed_at = (SELECT m.deleted_at FROM messages m"
        "  WHERE m.room_id = room_files.room_id AND m.client_msg_id = 'file:' || room_files.id)"
        " WHERE removed_at IS NULL AND EXISTS (SELECT 1 FROM messages m"
        "  WHERE m.room_id = room_files.room_id AND m.client_msg_id = 'file:' || room_files.id"
        "  AND m.deleted_at IS NOT NULL)"
    )


async def unreferenced_blobs(tx: Tx) -> list[str]:
    rows = await tx.fetch_all(
        "SELECT sha256 FROM blobs b WHERE NOT EXISTS"
        " (SELECT 1 FROM room_files f WHERE f.sha256 = b.sha256 AND f.removed_at IS NULL)"
    )
    return [r["sha256"] for r in rows]


async def delete_blob(tx: Tx, sha256: str) -> None:
    """Forgets a blob; removed files that pointed at it keep their row (history), not bytes."""
    await tx.execute("DELETE FROM blobs WHERE sha256 = ?", (sha256,))


async def known_shas(db: Reader | Tx) -> set[str]:
    rows = await db.fetch_all("SELECT sha256 FROM blobs")
    return {r["sha256"] for r in rows}


async def room_library(db: Reader | Tx, room_id: int) -> int | None:
    """The library a room's files count against when the uploader has none: the meeting's host
    library, else the lead library of the room's network."""
    row = await db.fetch_one(
        "SELECT COALESCE(m.host_library_id, n.lead_library_id) AS library_id FROM rooms r"
        " LEFT JOIN meetings m ON m.id = r.meeting_id"
        " LEFT JOIN networks n ON n.id = r.network_id WHERE r.id = ?",
        (room_id,),
    )
    return row["library_id"] if row else None


async def set_guests_may_upload(tx: Tx, room_id: int, allowed: bool) -> None:
    # The column belongs to the rooms core (0002); only the files feature changes it.
    await tx.execute("UPDATE rooms SET guests_may_upload = ? WHERE id = ?", (int(allowed), room_id))


async def delete_file(tx: Tx, file_id: int) -> None:
    """Takes back a file whose card could not be posted (its blob goes at the next cleanup)."""
    await tx.execute("DELETE FROM room_files WHERE id = ?", (file_id,))
