"""Heartbeats of the running server processes, kept in the database when there is no Redis."""

from __future__ import annotations

from datetime import datetime

from meetings_hub.storage.db import Reader, Tx
from meetings_hub.storage.timefmt import from_db, to_db


async def beat(tx: Tx, process: str, at: datetime) -> None:
    await tx.execute(
        "INSERT INTO server_processes (id, started_at, beat_at) VALUES (?, ?, ?)"
        " ON CONFLICT (id) DO UPDATE SET beat_at = excluded.beat_at",
        (process, to_db(at), to_db(at)),
    )


async def last_beats(db: Reader | Tx) -> dict[str, datetime]:
    rows = await db.fetch_all("SELECT id, beat_at FROM server_processes")
    return {row["id"]: from_db(row["beat_at"]) for row in rows}


async def forget(tx: Tx, process: str) -> None:
    await tx.execute("DELETE FROM server_processes WHERE id = ?", (process,))
