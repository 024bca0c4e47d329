"""Server-side login sessions and guests' sessions: raw SQL. Only token hashes are stored."""

from __future__ import annotations

from datetime import datetime

from meetings_hub.storage.db import Reader, Row, Tx
from meetings_hub.storage.timefmt import now_db, to_db


async def insert(
    tx: Tx,
    *,
    session_id: str,
    person_id: int | None,
    guest_id: int | None,
    csrf_token: str,
    expires_at: datetime,
    user_agent: str,
) -> None:
    now = now_db()
    await tx.execute(
        "INSERT INTO auth_sessions (id, person_id, guest_id, csrf_token, created_at, last_seen_at,"
        " expires_at, user_agent) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (
            session_id,
            person_id,
            guest_id,
            csrf_token,
            now,
            now,
            to_db(expires_at),
            user_agent[:300],
        ),
    )


async def get_live(db: Reader | Tx, session_id: str, now: datetime) -> Row | None:
    return await db.fetch_one(
        "SELECT * FROM auth_sessions WHERE id = ? AND revoked_at IS NULL AND expires_at > ?",
        (session_id, to_db(now)),
    )


async def touch(tx: Tx, session_id: str, expires_at: datetime) -> None:
    await tx.execute(
        "UPDATE auth_sessions SET last_seen_at = ?, expires_at = ? WHERE id = ?",
        (now_db(), to_db(expires_at), session_id),
    )


async def revoke(tx: Tx, session_id: str) -> None:
    await tx.execute(
        "UPDATE auth_sessions SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
        (now_db(), session_id),
    )


async def revoke_all_for_person(tx: Tx, person_id: int, *, except_id: str | None = None) -> None:
    await tx.execute(
        "UPDATE auth_sessions SET revoked_at = ? WHERE person_id = ? AND revoked_at IS NULL"
        " AND id IS NOT ?",
        (now_db(), person_id, except_id),
    )


async def revoke_all_for_guest(tx: Tx, guest_id: int) -> None:
    await tx.execute(
        "UPDATE auth_sessions SET revoked_at = ? WHERE guest_id = ? AND revoked_at IS NULL",
        (now_db(), guest_id),
    )


async def record_login_attempt(tx: Tx, *, email: str, client: str, succeeded: bool) -> None:
    await tx.execute(
        "INSERT INTO login_attempts (email, client, succeeded, at) VALUES (?, ?, ?, ?)",
        (email, client, int(succeeded), now_db()),
    )


async def failures_since(
    db: Reader | Tx, *, email: str, client: str, since: datetime
) -> tuple[int, int]:
    """(failures for the address, failures from the client) since a moment."""
    row = await db.fetch_one(
        "SELECT"
        " (SELECT COUNT(*) FROM login_attempts WHERE email = ? AND succeeded = 0 AND at > ?),"
        " (SELECT COUNT(*) FROM login_attempts WHERE client = ? AND succeeded = 0 AND at > ?)",
        (email, to_db(since), client, to_db(since)),
    )
    assert row is not None
    return row[0], row[1]


async def insert_token(
    tx: Tx, *, token_id: str, purpose: str, person_id: int, expires_at: datetime
) -> None:
    await tx.execute(
        "INSERT INTO one_time_tokens (id, purpose, person_id, created_at, expires_at)"
        " VALUES (?, ?, ?, ?, ?)",
        (token_id, purpose, person_id, now_db(), to_db(expires_at)),
    )


async def use_token(tx: Tx, *, token_id: str, purpose: str, now: datetime) -> int | None:
    """Marks a live token used and returns its person; None when unknown, used or expired."""
    row = await tx.fetch_one(
        "SELECT person_id FROM one_time_tokens WHERE id = ? AND purpose = ? AND used_at IS NULL"
        " AND expires_at > ?",
        (token_id, purpose, to_db(now)),
    )
    if row is None:
        return None
    await tx.execute("UPDATE one_time_tokens SET used_at = ? WHERE id = ?", (to_db(now), token_id))
    return row["person_id"]


async def peek_token(db: Reader | Tx, *, token_id: str, purpose: str, now: datetime) -> int | None:
    row = await db.fetch_one(
        "SELECT person_id FROM one_time_tokens WHERE id = ? AND purpose = ? AND used_at IS NULL"
        " AND expires_at > ?",
        (token_id, purpose, to_db(now)),
    )
    return row["person_id"] if row else None
