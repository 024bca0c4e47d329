"""Feed tokens and .ics import records: raw SQL."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from meetings_hub.storage.db import Reader, Row, Tx
from meetings_hub.storage.timefmt import now_db, opt_from_db, to_db

SCOPES = ("person", "library", "network", "programme")


@dataclass(frozen=True, slots=True)
class FeedToken:
    id: int
    token: str
    person_id: int
    scope: str
    scope_id: int | None
    created_at: datetime
    etag: str
    content_changed_at: datetime | None
    last_fetched_at: datetime | None
    stamp: str = ""  # what the etag was built from (actions/feeds.py)


def _token(row: Row) -> FeedToken:
    created = opt_from_db(row["created_at"])
    assert created is not None
    return FeedToken(
        id=row["id"],
        token=row["token"],
        person_id=row["person_id"],
        scope=row["scope"],
        scope_id=row["scope_id"],
        created_at=created,
        etag=row["etag"],
        content_changed_at=opt_from_db(row["content_changed_at"]),
        last_fetched_at=opt_from_db(row["last_fetched_at"]),
        stamp=row["stamp"],
    )


async def live_for_person(db: Reader | Tx, person_id: int) -> list[FeedToken]:
    rows = await db.fetch_all(
        "SELECT * FROM feed_tokens WHERE person_id = ? AND revoked_at IS NULL ORDER BY id",
        (person_id,),
    )
    return [_token(r) for r in rows]


async def live_by_token(db: Reader | Tx, token: str) -> FeedToken | None:
    row = await db.fetch_one(
        "SELECT * FROM feed_tokens WHERE token = ? AND revoked_at IS NULL", (token,)
    )
    return _token(row) if row else None


async def live_with_version(db: Reader | Tx, token: str) -> tuple[FeedToken, int] | None:
    """The live token and the calendar version, in one statement: a feed's cheap check."""
    row = await db.fetch_one(
        "SELECT t.*, v.version AS calendar_version FROM feed_tokens t"
        " JOIN calendar_version v ON v.id = 1 WHERE t.token = ? AND t.revoked_at IS NULL",
        (token,),
    )
    return (_token(row), row["calendar_version"]) if row else None


async def live_for(
    db: Reader | Tx, person_id: int, scope: str, scope_id: int | None
) -> FeedToken | None:
    row = await db.fetch_one(
        "SELECT * FROM feed_tokens WHERE person_id = ? AND scope = ?"
        " AND IFNULL(scope_id, 0) = IFNULL(?, 0) AND revoked_at IS NULL",
        (person_id, scope, scope_id),
    )
    return _token(row) if row else None


async def insert(tx: Tx, token: str, person_id: int, scope: str, scope_id: int | None) -> int:
    return await tx.execute(
        "INSERT INTO feed_tokens (token, person_id, scope, scope_id, created_at)"
        " VALUES (?, ?, ?, ?, ?)",
        (token, person_id, scope, scope_id, now_db()),
    )


async def revoke(tx: Tx, token_id: int) -> None:
    await tx.execute(
        "UPDATE feed_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
        (now_db(), token_id),
    )


async def revoke_all_for_person(tx: Tx, person_id: int) -> int:
    return await tx.execute_rowcount(
        "UPDATE feed_tokens SET revoked_at = ? WHERE person_id = ? AND revoked_at IS NULL",
        (now_db(), person_id),
    )


async def record_build(
    tx: Tx, token_id: int, *, etag: str, stamp: str, changed_at: datetime | None
) -> None:
    """Store the ETag of a build and its stamp (and when the content changed, if it did)."""
    await tx.execute(
        "UPDATE feed_tokens SET etag = ?, stamp = ? WHERE id = ?", (etag, stamp, token_id)
    )
    if changed_at is not None:
        await tx.execute(
            "UPDATE feed_tokens SET content_changed_at = ? WHERE id = ?",
            (to_db(changed_at), token_id),
        )


async def event_lines(db: Reader | Tx, meeting_ids: Iterable[int]) -> dict[int, tuple[str, bytes]]:
    """The stored VEVENT lines of these meetings: meeting id -> (key, lines)."""
    rows = await db.fetch_all(
        "SELECT meeting_id, key, body FROM feed_event_bytes"
        " WHERE meeting_id IN (SELECT value FROM json_each(?))",
        (json.dumps(list(meeting_ids)),),
    )
    return {row["meeting_id"]: (row["key"], bytes(row["body"])) for row in rows}


async def store_event_lines(tx: Tx, found: Iterable[tuple[int, str, bytes]]) -> None:
    """Keeps (meeting id, key, lines), replacing what the meeting had; a meeting deleted since
    the feed read it is skipped."""
    await tx.executemany(
        "INSERT INTO feed_event_bytes (meeting_id, key, body)"
        " SELECT ?1, ?2, ?3 WHERE EXISTS (SELECT 1 FROM meetings WHERE id = ?1)"
        " ON CONFLICT (meeting_id) DO UPDATE SET key = excluded.key, body = excluded.body",
        list(found),
    )


async def record_fetch(tx: Tx, token_id: int, *, fetched_at: datetime) -> None:
    """The time of a fetch."""
    await tx.execute(
        "UPDATE feed_tokens SET last_fetched_at = ? WHERE id = ?", (to_db(fetched_at), token_id)
    )


async def imported_keys(db: Reader | Tx, network_id: int) -> set[tuple[str, str]]:
    """(source UID, source RECURRENCE-ID) pairs already imported into the network."""
    rows = await db.fetch_all(
        "SELECT i.source_uid, i.source_recurrence_id FROM ics_imports i"
        " JOIN meetings m ON m.id = i.meeting_id WHERE i.network_id = ?",
        (network_id,),
    )
    return {(r["source_uid"], r["source_recurrence_id"]) for r in rows}


async def record_import(
    tx: Tx,
    *,
    network_id: int,
    source_uid: str,
    source_recurrence_id: str,
    meeting_id: int,
    person_id: int,
) -> None:
    await tx.execute(
        "INSERT INTO ics_imports (network_id, source_uid, source_recurrence_id, meeting_id,"
        " imported_by, imported_at) VALUES (?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (network_id, source_uid, source_recurrence_id)"
        " DO UPDATE SET meeting_id = excluded.meeting_id, imported_by = excluded.imported_by,"
        " imported_at = excluded.imported_at",
        (network_id, source_uid, source_recurrence_id, meeting_id, person_id, now_db()),
    )
