"""Data exports (jobs) and the rows a person's or a guest's export is made of: raw SQL."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from meetings_hub.storage.db import Reader, Row, Tx
from meetings_hub.storage.timefmt import now_db, to_db


async def insert(
    tx: Tx, *, person_id: int | None, guest_id: int | None, requested_by: int | None
) -> int:
    return await tx.execute(
        "INSERT INTO data_exports (person_id, guest_id, requested_by, created_at)"
        " VALUES (?, ?, ?, ?)",
        (person_id, guest_id, requested_by, now_db()),
    )


async def get(db: Reader | Tx, export_id: int) -> Row | None:
    return await db.fetch_one("SELECT * FROM data_exports WHERE id = ?", (export_id,))


async def requested_by(db: Reader | Tx, person_id: int) -> list[Row]:
    return await db.fetch_all(
        "SELECT * FROM data_exports WHERE requested_by = ? OR person_id = ?"
        " ORDER BY id DESC LIMIT 20",
        (person_id, person_id),
    )


async def claim_next(tx: Tx) -> Row | None:
    row = await tx.fetch_one(
        "SELECT * FROM data_exports WHERE status = 'pending' ORDER BY id LIMIT 1"
    )
    if row is not None:
        await tx.execute("UPDATE data_exports SET status = 'building' WHERE id = ?", (row["id"],))
    return row


async def hand_back_unfinished(tx: Tx) -> None:
    """After a crash or a restart mid-build: build those again."""
    await tx.execute(
        "UPDATE data_exports SET status = 'pending', done = 0 WHERE status = 'building'"
    )


async def set_progress(tx: Tx, export_id: int, done: int, total: int) -> None:
    await tx.execute(
        "UPDATE data_exports SET done = ?, total = ? WHERE id = ?", (done, total, export_id)
    )


async def finish(
    tx: Tx, export_id: int, *, file_name: str, size: int, now: datetime, expires_at: datetime
) -> None:
    await tx.execute(
        "UPDATE data_exports SET status = 'ready', done = total, file_name = ?, size = ?,"
        " finished_at = ?, expires_at = ? WHERE id = ?",
        (file_name, size, to_db(now), to_db(expires_at), export_id),
    )


async def fail(tx: Tx, export_id: int, now: datetime) -> None:
    await tx.execute(
        "UPDATE data_exports SET status = 'failed', finished_at = ? WHERE id = ?",
        (to_db(now), export_id),
    )


async def expire_before(tx: Tx, cutoff: datetime) -> list[str]:
    """Ready exports past their link's life: marked expired; their file names returned."""
    rows = await tx.fetch_all(
        "SELECT id, file_name FROM data_exports WHERE status = 'ready' AND expires_at < ?",
        (to_db(cutoff),),
    )
    for row in rows:
        await tx.execute(
            "UPDATE data_exports SET status = 'expired', file_name = '' WHERE id = ?",
            (row["id"],),
        )
    return [r["file_name"] for r in rows if r["file_name"]]


async def rows(db: Reader | Tx, sql: str, params: tuple[Any, ...]) -> list[dict[str, Any]]:
    """Rows as plain dicts (JSON-ready: SQLite gives text, numbers and None, bytes aside)."""
    return [dict(r) for r in await db.fetch_all(sql, params)]
