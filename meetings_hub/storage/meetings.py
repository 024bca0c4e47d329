"""Meetings: raw SQL. The foundation reads only the core columns; scheduling extends this."""

from __future__ import annotations

from meetings_hub.storage.db import Reader, Row, Tx


async def get_core(db: Reader | Tx, meeting_id: int) -> Row | None:
    return await db.fetch_one("SELECT * FROM meetings WHERE id = ?", (meeting_id,))
