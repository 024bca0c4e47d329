"""The mail outbox: raw SQL. Rows are claimed before sending, marked after."""

from __future__ import annotations

from datetime import datetime

from meetings_hub.storage.db import Reader, Row, Tx
from meetings_hub.storage.timefmt import now_db, to_db


async def insert(
    tx: Tx,
    *,
    message_id: str,
    dedupe_key: str | None,
    kind: str,
    recipient: str,
    subject: str,
    body_text: str,
    raw: bytes,
) -> int | None:
    """Queues one mail; returns None when a mail with the same dedupe_key was queued before."""
    now = now_db()
    cursor = await tx.conn.execute(
        "INSERT INTO outbox (message_id, dedupe_key, kind, recipient, subject, body_text, raw,"
        " next_attempt_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (dedupe_key) DO NOTHING",
        (message_id, dedupe_key, kind, recipient, subject, body_text, raw, now, now),
    )
    row_id = cursor.lastrowid if cursor.rowcount else None
    await cursor.close()
    return row_id


async def insert_unsendable(
    tx: Tx, *, message_id: str, kind: str, recipient: str, subject: str, error: str
) -> None:
    """Records a mail that could not even be written (say, an address an old row holds that
    no header can carry): failed at once, so the outbox shows who was left out and why."""
    now = now_db()
    await tx.execute(
        "INSERT INTO outbox (message_id, kind, recipient, subject, body_text, raw, status,"
        " last_error, next_attempt_at, created_at) VALUES (?, ?, ?, ?, '', X'', 'failed', ?, ?, ?)",
        (message_id, kind, recipient, subject, error[:1000], now, now),
    )


async def claim_due(tx: Tx, *, now: datetime, stale_before: datetime, limit: int) -> list[Row]:
    """Claims pending mail that is due, and mail left 'sending' by a process that died."""
    rows = await tx.fetch_all(
        "SELECT * FROM outbox WHERE (status = 'pending' AND next_attempt_at <= ?)"
        " OR (status = 'sending' AND claimed_at < ?) ORDER BY id LIMIT ?",
        (to_db(now), to_db(stale_before), limit),
    )
    for row in rows:
        await tx.execute(
            "UPDATE outbox SET status = 'sending', claimed_at = ?, attempts = attempts + 1"
            " WHERE id = ?",
            (to_db(now), row["id"]),
        )
    return rows


async def release_claims(tx: Tx, ids: list[int]) -> None:
    """Hands claimed mail back to 'pending' (the attempt did not finish; it does not count)."""
    for outbox_id in ids:
        await tx.execute(
            "UPDATE outbox SET status = 'pending', claimed_at = NULL, attempts = attempts - 1"
            " WHERE id = ? AND status = 'sending'",
            (outbox_id,),
        )


async def mark_sent(tx: Tx, outbox_id: int) -> None:
    await tx.execute(
        "UPDATE outbox SET status = 'sent', sent_at = ?, last_error = '' WHERE id = ?",
        (now_db(), outbox_id),
    )


async def mark_failed_attempt(
    tx: Tx, outbox_id: int, *, error: str, retry_at: datetime | None
) -> None:
    if retry_at is None:
        await tx.execute(
            "UPDATE outbox SET status = 'failed', last_error = ? WHERE id = ?",
            (error[:1000], outbox_id),
        )
    else:
        await tx.execute(
            "UPDATE outbox SET status = 'pending', last_error = ?, next_attempt_at = ?"
            " WHERE id = ?",
            (error[:1000], to_db(retry_at), outbox_id),
        )


async def list_recent(db: Reader, *, limit: int = 200) -> list[Row]:
    return await db.fetch_all(
        "SELECT id, message_id, kind, recipient, subject, body_text, status, attempts,"
        " created_at, sent_at, last_error FROM outbox ORDER BY id DESC LIMIT ?",
        (limit,),
    )


async def get(db: Reader | Tx, outbox_id: int) -> Row | None:
    return await db.fetch_one("SELECT * FROM outbox WHERE id = ?", (outbox_id,))


async def count_by_status(db: Reader) -> dict[str, int]:
    rows = await db.fetch_all("SELECT status, COUNT(*) AS n FROM outbox GROUP BY status")
    return {r["status"]: r["n"] for r in rows}
