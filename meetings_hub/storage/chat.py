"""Chat messages, read markers, mentions, presence and search: raw SQL.

``commit_batch`` is the hot path: it runs inside the writer's database thread (see
``Database.write_in_thread``) and stores a whole batch of messages in one transaction, so the
event loop pays one hop per batch, not one per statement.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from meetings_hub.domain import Window, room_refusal
from meetings_hub.storage import rooms as rooms_store
from meetings_hub.storage.db import Reader, Row, Tx
from meetings_hub.storage.timefmt import now_db

log = logging.getLogger(__name__)

# Letters NFKD does not split into a base letter and a mark (ł is its own letter in Unicode).
_FOLD_EXTRA = {"ł": "l", "Ł": "l", "đ": "d", "Đ": "d", "ø": "o", "Ø": "o", "ß": "ss"}


def _strip_marks(char: str) -> str:
    decomposed = unicodedata.normalize("NFKD", _FOLD_EXTRA.get(char, char))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


# Latin-1 and Latin Extended-A (all Polish letters) folded once, so the hot path is translate().
_FOLD_TABLE = {code: _strip_marks(chr(code)) for code in range(0x80, 0x180)}

MESSAGE_COLUMNS = (
    "id, room_id, seq, client_msg_id, author, author_name, kind, text, body, mentions,"
    " created_at, edited_at, deleted_at"
)


def fold(text: str) -> str:
    """Lower case without diacritics: "Żółw Łódź" → "zolw lodz"."""
    folded = text.translate(_FOLD_TABLE).casefold()
    if folded.isascii():
        return folded
    return "".join(_strip_marks(c) if ord(c) > 0x7F else c for c in folded)


@dataclass
class NewMessage:
    room_id: int
    client_msg_id: str
    author: str  # who-key
    author_name: str
    person_id: int | None
    guest_id: int | None
    session_id: str | None  # the sender's auth session; checked still live at commit
    kind: str
    text: str
    body: str | None
    # Person ids, and "g:<id>" who-keys of guests (who have no row in message_mentions).
    mentions: list[int | str] = field(default_factory=list)


@dataclass
class Stored:
    """What the batch did with one NewMessage: stored, found as a resend, or refused."""

    message: dict[str, Any] | None = None
    duplicate: bool = False
    error: str | None = None


def message_dict(row: sqlite3.Row | Row | tuple[Any, ...]) -> dict[str, Any]:
    (
        mid,
        room_id,
        seq,
        cmid,
        author,
        name,
        kind,
        text,
        body,
        mentions,
        created,
        edited,
        deleted,
    ) = tuple(row)
    return {
        "room_id": room_id,
        "id": mid,
        "seq": seq,
        "client_msg_id": cmid,
        "author": author,
        "author_name": name,
        "kind": kind,
        "text": "" if deleted else text,
        "body": None if deleted or body is None else json.loads(body),
        "mentions": json.loads(mentions),
        "time": created,
        "edited_at": edited,
        "deleted": deleted is not None,
    }


def _room_state(
    conn: sqlite3.Connection, room_id: int, now: datetime, window: Window
) -> tuple[int, str | None]:
    """(last_seq, refusal code or None) for a room, read inside the batch's transaction."""
    found = rooms_store.times_in_thread(conn, room_id)
    if found is None:
        return 0, "not_found"
    last_seq, times = found
    return last_seq, room_refusal(times, now, window)


def _sender_refusal(conn: sqlite3.Connection, item: NewMessage, now_text: str) -> str | None:
    if item.session_id is not None:
        live = conn.execute(
            "SELECT 1 FROM auth_sessions WHERE id = ? AND revoked_at IS NULL AND expires_at > ?",
            (item.session_id, now_text),
        ).fetchone()
        if live is None:
            return "unauthenticated"
    banned = conn.execute(
        "SELECT 1 FROM room_bans WHERE room_id = ? AND (person_id = ? OR guest_id = ?)",
        (item.room_id, item.person_id, item.guest_id),
    ).fetchone()
    return "removed" if banned else None


def _existing(
    conn: sqlite3.Connection, items: list[NewMessage]
) -> dict[tuple[int, str], sqlite3.Row]:
    """Messages already stored under the batch's client_msg_ids: one query per room."""
    by_room: dict[int, list[str]] = {}
    for item in items:
        by_room.setdefault(item.room_id, []).append(item.client_msg_id)
    found: dict[tuple[int, str], sqlite3.Row] = {}
    for room_id, ids in by_room.items():
        rows = conn.execute(
            f"SELECT {MESSAGE_COLUMNS} FROM messages WHERE room_id = ? AND client_msg_id IN"
            " (SELECT value FROM json_each(?))",
            (room_id, json.dumps(ids)),
        ).fetchall()
        for row in rows:
            found[(room_id, row[3])] = row
    return found


def commit_batch(
    conn: sqlite3.Connection, items: list[NewMessage], now: datetime, window: Window
) -> list[Stored]:
    """Stores a batch in the open transaction; results are in the order of ``items``.

    Runs in the database thread. The batch holds the messages of every room of the process, so
    one item that fails in the database must not fail the others: the whole batch is tried in
    a savepoint, and if it fails, each item in its own savepoint, in order, so the failing one
    is answered ``internal`` and the rest are stored as if it had never been sent.
    """
    try:
        return _in_savepoint(conn, lambda: _store_batch(conn, items, now, window))
    except Exception:
        if len(items) == 1:
            log.exception("storing a chat message failed")
            return [Stored(error="internal")]
    results = []
    for item in items:
        try:
            results.extend(_in_savepoint(conn, lambda i=item: _store_batch(conn, [i], now, window)))
        except Exception:
            log.exception("storing a chat message failed; the rest of its batch goes on")
            results.append(Stored(error="internal"))
    return results


def _in_savepoint(conn: sqlite3.Connection, run: Callable[[], list[Stored]]) -> list[Stored]:
    conn.execute("SAVEPOINT chat_batch")
    try:
        result = run()
    except BaseException:
        conn.execute("ROLLBACK TO chat_batch")
        conn.execute("RELEASE chat_batch")
        raise
    conn.execute("RELEASE chat_batch")
    return result


def _store_batch(
    conn: sqlite3.Connection, items: list[NewMessage], now: datetime, window: Window
) -> list[Stored]:
    """Dedupe, checks, seqs, inserts, index, read markers for a batch, in one go."""
    now_text = now.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    results: list[Stored] = []
    rooms: dict[int, tuple[int, str | None]] = {}
    senders: dict[tuple[str | None, str, int], str | None] = {}
    seen: dict[tuple[int, str], Stored] = {}
    next_id = conn.execute("SELECT COALESCE(MAX(id), 0) + 1 FROM messages").fetchone()[0]
    existing = _existing(conn, items)
    inserts: list[tuple[Any, ...]] = []
    fts: list[tuple[int, str]] = []
    mentions: list[tuple[int, int, int, int]] = []
    reads: dict[tuple[int, str], int] = {}
    for item in items:
        key = (item.room_id, item.client_msg_id)
        if key in seen:  # the same message twice in one batch (a fast resend)
            first = seen[key]
            results.append(Stored(first.message, duplicate=True, error=first.error))
            continue
        if item.room_id not in rooms:
            rooms[item.room_id] = _room_state(conn, item.room_id, now, window)
        last_seq, room_refusal = rooms[item.room_id]
        old = existing.get(key)
        if old is not None:
            stored = Stored(message_dict(old), duplicate=True)
        else:
            sender_key = (item.session_id, item.author, item.room_id)
            if sender_key not in senders:
                senders[sender_key] = _sender_refusal(conn, item, now_text)
            refusal = room_refusal or senders[sender_key]
            if refusal is not None:
                stored = Stored(error=refusal)
            else:
                seq = last_seq + 1
                rooms[item.room_id] = (seq, None)
                mentions_json = json.dumps(item.mentions) if item.mentions else "[]"
                row = (
                    next_id,
                    item.room_id,
                    seq,
                    item.client_msg_id,
                    item.person_id,
                    item.guest_id,
                    item.author,
                    item.author_name,
                    item.kind,
                    item.text,
                    item.body,
                    mentions_json,
                    now_text,
                )
                inserts.append(row)
                fts.append((next_id, fold(item.text)))
                if item.mentions:
                    mentions.extend(
                        (next_id, item.room_id, seq, pid)
                        for pid in item.mentions
                        if isinstance(pid, int)
                    )
                reads[(item.room_id, item.author)] = seq
                stored = Stored(
                    {
                        "room_id": item.room_id,
                        "id": next_id,
                        "seq": seq,
                        "client_msg_id": item.client_msg_id,
                        "author": item.author,
                        "author_name": item.author_name,
                        "kind": item.kind,
                        "text": item.text,
                        "body": None if item.body is None else json.loads(item.body),
                        "mentions": item.mentions,
                        "time": now_text,
                        "edited_at": None,
                        "deleted": False,
                    }
                )
                next_id += 1
        seen[key] = stored
        results.append(stored)
    if inserts:
        conn.executemany(
            "INSERT INTO messages (id, room_id, seq, client_msg_id, person_id, guest_id, author,"
            " author_name, kind, text, body, mentions, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            inserts,
        )
        conn.executemany("INSERT INTO messages_fts (rowid, folded) VALUES (?, ?)", fts)
        if mentions:
            conn.executemany(
                "INSERT OR IGNORE INTO message_mentions (message_id, room_id, seq, person_id)"
                " VALUES (?, ?, ?, ?)",
                mentions,
            )
        conn.executemany(
            "UPDATE rooms SET last_seq = ? WHERE id = ?",
            [(seq, room_id) for room_id, (seq, refusal) in rooms.items() if refusal is None],
        )
        conn.executemany(
            "INSERT INTO room_reads (room_id, reader, last_read_seq) VALUES (?, ?, ?)"
            " ON CONFLICT (room_id, reader) DO UPDATE SET"
            " last_read_seq = MAX(last_read_seq, excluded.last_read_seq)",
            [(room_id, reader, seq) for (room_id, reader), seq in reads.items()],
        )
    return results


async def after_seq(db: Reader | Tx, room_id: int, last_seq: int, limit: int) -> list[Row]:
    return await db.fetch_all(
        f"SELECT {MESSAGE_COLUMNS} FROM messages WHERE room_id = ? AND seq > ?"
        " ORDER BY seq LIMIT ?",
        (room_id, last_seq, limit),
    )


async def changed_after(
    db: Reader | Tx, room_id: int, last_change: int, up_to_seq: int, limit: int
) -> tuple[list[Row], int]:
    """Messages up to ``up_to_seq`` edited or deleted after change ``last_change``, oldest
    change first, and the room's change number now."""
    rows = await db.fetch_all(
        f"SELECT {MESSAGE_COLUMNS} FROM messages WHERE room_id = ? AND change_seq > ?"
        " AND seq <= ? ORDER BY change_seq LIMIT ?",
        (room_id, last_change, up_to_seq, limit),
    )
    room = await db.fetch_one("SELECT last_change FROM rooms WHERE id = ?", (room_id,))
    return rows, int(room[0]) if room is not None else 0


async def page_before(
    db: Reader | Tx, room_id: int, before_seq: int | None, limit: int
) -> list[Row]:
    return await db.fetch_all(
        f"SELECT {MESSAGE_COLUMNS} FROM messages WHERE room_id = ? AND seq < ?"
        " ORDER BY seq DESC LIMIT ?",
        (room_id, before_seq if before_seq is not None else 2**62, limit),
    )


async def get_message(db: Reader | Tx, message_id: int) -> Row | None:
    return await db.fetch_one(f"SELECT {MESSAGE_COLUMNS} FROM messages WHERE id = ?", (message_id,))


async def _next_change(tx: Tx, message_id: int) -> int:
    """Gives the message its room's next change number (what a rejoining client asks after)."""
    row = await tx.fetch_one(
        "UPDATE rooms SET last_change = last_change + 1"
        " WHERE id = (SELECT room_id FROM messages WHERE id = ?) RETURNING last_change",
        (message_id,),
    )
    assert row is not None
    return int(row[0])


async def mark_file_card_removed(tx: Tx, room_id: int, file_id: int) -> None:
    """The card of a file removed by retention says so (``"removed": true`` in its body), as a
    change of the message, so clients that were away learn it when they rejoin."""
    row = await tx.fetch_one(
        "SELECT id FROM messages WHERE room_id = ? AND client_msg_id = ? AND deleted_at IS NULL",
        (room_id, f"file:{file_id}"),
    )
    if row is None:
        return
    change = await _next_change(tx, row["id"])
    await tx.execute(
        "UPDATE messages SET body = json_set(COALESCE(body, '{}'), '$.removed', json('true')),"
        " change_seq = ? WHERE id = ?",
        (change, row["id"]),
    )


async def edit_message(tx: Tx, message_id: int, text: str) -> None:
    change = await _next_change(tx, message_id)
    await tx.execute(
        "UPDATE messages SET text = ?, edited_at = ?, change_seq = ? WHERE id = ?",
        (text, now_db(), change, message_id),
    )
    await tx.execute("UPDATE messages_fts SET folded = ? WHERE rowid = ?", (fold(text), message_id))


async def delete_message(tx: Tx, message_id: int, by: str) -> None:
    change = await _next_change(tx, message_id)
    await tx.execute(
        "UPDATE messages SET deleted_at = ?, deleted_by = ?, text = '', body = NULL,"
        " change_seq = ? WHERE id = ?",
        (now_db(), by, change, message_id),
    )
    await tx.execute("DELETE FROM messages_fts WHERE rowid = ?", (message_id,))
    await tx.execute("DELETE FROM message_mentions WHERE message_id = ?", (message_id,))


# Inside a quoted FTS5 string a NUL ends the query ("unterminated string") and a lone
# surrogate cannot be encoded; both (and every control character) only separate words anyway.
_NOT_TEXT = frozenset({"Cc", "Cs"})


def match_expression(query: str) -> str | None:
    """The FTS5 MATCH text for any user input: each word a quoted prefix phrase, so FTS syntax
    in the query is plain text; None when nothing searchable is left."""
    cleaned = "".join(" " if unicodedata.category(c) in _NOT_TEXT else c for c in fold(query))
    words = cleaned.split()
    if not words:
        return None
    return " ".join('"' + w.replace('"', '""') + '"*' for w in words)


async def search(db: Reader | Tx, room_id: int, query: str, limit: int) -> list[Row]:
    match = match_expression(query)
    if match is None:
        return []
    return await db.fetch_all(
        f"SELECT {', '.join('m.' + c.strip() for c in MESSAGE_COLUMNS.split(','))}"
        " FROM messages_fts f JOIN messages m ON m.id = f.rowid"
        " WHERE messages_fts MATCH ? AND m.room_id = ? AND m.deleted_at IS NULL"
        " ORDER BY m.seq DESC LIMIT ?",
        (match, room_id, limit),
    )


async def reads(db: Reader | Tx, room_id: int) -> list[Row]:
    return await db.fetch_all(
        "SELECT reader, last_read_seq FROM room_reads WHERE room_id = ? ORDER BY reader",
        (room_id,),
    )


async def mark_read(tx: Tx, room_id: int, reader: str, seq: int) -> int:
    """Moves the marker forward (never back); returns the marker after the move."""
    await tx.execute(
        "INSERT INTO room_reads (room_id, reader, last_read_seq) VALUES (?, ?, ?)"
        " ON CONFLICT (room_id, reader) DO UPDATE SET"
        " last_read_seq = MAX(last_read_seq, excluded.last_read_seq)",
        (room_id, reader, seq),
    )
    row = await tx.fetch_one(
        "SELECT last_read_seq FROM room_reads WHERE room_id = ? AND reader = ?", (room_id, reader)
    )
    return int(row["last_read_seq"]) if row else 0


async def unread_counts(
    db: Reader | Tx, room_ids: list[int], reader: str, person_id: int | None
) -> dict[int, tuple[int, int]]:
    """(unread messages by others, unread mentions of me) per room."""
    if not room_ids:
        return {}
    ids = json.dumps(room_ids)
    rows = await db.fetch_all(
        "SELECT r.id AS room_id,"
        " (SELECT COUNT(*) FROM messages m WHERE m.room_id = r.id"
        "   AND m.seq > COALESCE(rr.last_read_seq, 0) AND m.author <> ?"
        "   AND m.deleted_at IS NULL) AS unread,"
        " (SELECT COUNT(*) FROM message_mentions mm WHERE mm.room_id = r.id"
        "   AND mm.person_id = ? AND mm.seq > COALESCE(rr.last_read_seq, 0)) AS mentions"
        " FROM rooms r LEFT JOIN room_reads rr ON rr.room_id = r.id AND rr.reader = ?"
        " WHERE r.id IN (SELECT value FROM json_each(?))",
        (reader, person_id if person_id is not None else -1, reader, ids),
    )
    return {r["room_id"]: (r["unread"], r["mentions"]) for r in rows}


async def get_presence(db: Reader | Tx, who: str) -> tuple[str, str]:
    row = await db.fetch_one("SELECT status, description FROM chat_presence WHERE who = ?", (who,))
    return (row["status"], row["description"]) if row else ("available", "")


async def presence_of(db: Reader | Tx, whos: list[str]) -> dict[str, tuple[str, str]]:
    rows = await db.fetch_all(
        "SELECT who, status, description FROM chat_presence"
        " WHERE who IN (SELECT value FROM json_each(?))",
        (json.dumps(whos),),
    )
    return {r["who"]: (r["status"], r["description"]) for r in rows}


async def set_presence(tx: Tx, who: str, status: str, description: str) -> None:
    await tx.execute(
        "INSERT INTO chat_presence (who, status, description, updated_at) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (who) DO UPDATE SET status = excluded.status,"
        " description = excluded.description, updated_at = excluded.updated_at",
        (who, status, description, now_db()),
    )
