"""Chat: check / do / notify for messages, reads, presence, search and history.

Messages go through one ``GroupCommitter`` per process: concurrent sends are stored together in
one transaction (one call into the database thread per batch), and only after that commit are
they acknowledged and broadcast. Everything else (edit, delete, read, presence) is rare and uses
the ordinary ``db.write()`` with events sent after the commit.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from meetings_hub.actions import audit, session
from meetings_hub.actions.access import scope_of
from meetings_hub.actions.occurrences import live_meeting_ids
from meetings_hub.actions.rooms import (
    POSTING_REFUSALS,
    RoomAccess,
    check_room_access,
    posting_refusal,
    posting_window,
    require_posting,
    room_for_meeting,
)
from meetings_hub.actions.validate import parse_int, text_problem
from meetings_hub.domain import Actor
from meetings_hub.errors import AppError, BadRequest, Forbidden, NotFound, Unauthenticated
from meetings_hub.hub import Hub
from meetings_hub.storage import chat, guests, people, rooms
from meetings_hub.storage.chat import NewMessage, Stored, message_dict
from meetings_hub.storage.timefmt import from_db, now_utc

log = logging.getLogger(__name__)

MAX_TEXT = 4000
MAX_BODY_BYTES = 4000
MAX_CLIENT_MSG_ID = 64
MAX_MENTIONS = 50
MAX_DESCRIPTION = 255
STATUSES = ("available", "away", "busy", "invisible", "offline")
# Kinds other features may post; each carries a JSON object in ``body``.
MESSAGE_KINDS = ("text", "file")
# What people may send themselves: a file card is made only by the server, after the file's
# commit, so nobody can post a card for a file that was not shared in that room.
CLIENT_KINDS = ("text",)


class ServerFailure(AppError):
    """One message failed in the database (the rest of its batch was stored): a 500 for it."""

    status = 500
    code = "internal"


_REFUSALS: dict[str, tuple[type[AppError], str]] = {
    "not_found": (NotFound, "Room not found."),
    "room_locked": (Forbidden, "This room is read-only."),
    "not_open": (Forbidden, "The session's room opens 15 minutes before the start."),
    "removed": (Forbidden, "You were removed from this room."),
    "unauthenticated": (Forbidden, "Your session has ended; sign in again."),
    "internal": (ServerFailure, "Your message could not be stored; the failure was logged."),
}


class ChatError(AppError):
    """A refusal with its own code (``too_long``, ``room_locked``...), for socket acks."""

    status = 400


def who_of(actor: Actor) -> str:
    if actor.person is not None:
        return f"p:{actor.person.id}"
    if actor.guest is not None:
        return f"g:{actor.guest.id}"
    raise Unauthenticated("Please sign in.")


def name_of(actor: Actor) -> str:
    if actor.person is not None:
        return actor.person.full_name
    return actor.guest.name if actor.guest else ""


def room_name(room_id: int) -> str:
    """The socket.io room of a chat room."""
    return f"r:{room_id}"


def watch_room(room_id: int) -> str:
    """The socket.io room of those who follow a chat room's activity from the rooms list."""
    return f"watch:{room_id}"


def who_room(who: str) -> str:
    """The socket.io room holding every socket of one person or guest."""
    return f"w:{who}"


# ---- connecting and joining ----------------------------------------------------------------


async def authenticate(hub: Hub, token: str | None) -> Actor:
    """The person or guest behind a session token, or a refusal with its code."""
    actor, _, dead_link = await session.load_session(hub, token)
    if dead_link is not None:
        raise Forbidden(dead_link.message, code=dead_link.code)
    if actor.is_anonymous:
        raise Forbidden("Please sign in or open your invitation link.", code="unauthenticated")
    return actor


def direct_whos(room: Mapping[str, Any]) -> list[str] | None:
    """The two people ("p:<id>") of a direct room's row; None for any other room."""
    if room["kind"] != "direct" or not room["direct_key"]:
        return None
    return [f"p:{p}" for p in str(room["direct_key"]).split(":")]


async def direct_members(hub: Hub, room_id: int) -> list[str] | None:
    """The two people of a direct room, looked up by id; None for any other room."""
    async with hub.db.read() as reader:
        room = await rooms.get(reader, room_id)
    return direct_whos(room) if room is not None else None


async def room_access(hub: Hub, actor: Actor, room_id: int) -> RoomAccess:
    """The actor's access to a room it is already in (no opening-time check)."""
    async with hub.db.read() as reader:
        return await check_room_access(reader, actor, room_id)


async def check_join(hub: Hub, actor: Actor, room_id: int) -> RoomAccess:
    """May this actor enter the room now? Session rooms open shortly before the start (for
    their moderators earlier); a read-only room may still be entered, to read it."""
    async with hub.db.read() as reader:
        access = await check_room_access(reader, actor, room_id)
        refusal = await posting_refusal(hub, reader, room_id)
    if refusal == "not_open" and not access.may_moderate:
        raise ChatError(POSTING_REFUSALS["not_open"], code="not_open")
    return access


async def replay(hub: Hub, room_id: int, last_seq: int, limit: int) -> list[dict[str, Any]]:
    async with hub.db.read() as reader:
        rows = await chat.after_seq(reader, room_id, last_seq, limit)
    return [message_dict(r) for r in rows]


async def replay_changes(
    hub: Hub, room_id: int, last_change: int, up_to_seq: int, limit: int
) -> tuple[list[dict[str, Any]], int]:
    """Messages the client holds (``seq <= up_to_seq``) that were edited or deleted after its
    ``last_change``, as they are now; and the room's change number to remember."""
    async with hub.db.read() as reader:
        rows, now = await chat.changed_after(reader, room_id, last_change, up_to_seq, limit)
    return [message_dict(r) for r in rows], now


async def room_reads(hub: Hub, room_id: int) -> list[dict[str, Any]]:
    async with hub.db.read() as reader:
        rows = await chat.reads(reader, room_id)
    return [{"who": r["reader"], "seq": r["last_read_seq"]} for r in rows]


async def presence_of(hub: Hub, whos: list[str]) -> dict[str, tuple[str, str]]:
    async with hub.db.read() as reader:
        return await chat.presence_of(reader, whos)


# ---- checks on raw input (the socket sends arbitrary JSON) ----------------------------------


def require_int(data: dict[str, Any], name: str, *, required: bool = True) -> int | None:
    value = data.get(name)
    if value is None and not required:
        return None
    if type(value) is not int or not 0 <= value < 2**62:
        raise ChatError(f"{name} must be a whole number.", code="bad_request")
    return value


def require_str(
    data: dict[str, Any],
    name: str,
    *,
    max_len: int,
    code: str = "too_long",
    multiline: bool = False,
) -> str:
    """A text field of a socket event, checked by the same rule as every REST body field."""
    value = data.get(name, "")
    if not isinstance(value, str):
        raise ChatError(f"{name} must be text.", code="bad_request")
    if len(value) > max_len:
        raise ChatError(f"{name} is over {max_len} characters.", code=code)
    check_text(name, value, multiline=multiline)
    return value


def check_text(name: str, value: str, *, multiline: bool = False) -> None:
    """Refuses what ``validate.text_problem`` refuses (control characters, lone surrogates...):
    such text would fail in the database or in what is built from it, for others too."""
    problem = text_problem(value, multiline=multiline)
    if problem is not None:
        raise ChatError(f"{name}: {problem}", code="invalid_text", details={name: problem})


def check_message_text(text: str) -> str:
    """A message's text as sent or edited: stripped, not empty, not too long, allowed."""
    check_text("text", text, multiline=True)
    text = text.strip()
    if len(text) > MAX_TEXT:
        raise ChatError(f"The message is over {MAX_TEXT} characters.", code="too_long")
    if not text:
        raise ChatError("The message is empty.", code="empty")
    return text


def check_new_message(
    access: RoomAccess,
    actor: Actor,
    data: dict[str, Any],
    *,
    kinds: tuple[str, ...] = CLIENT_KINDS,
) -> NewMessage:
    client_msg_id = data.get("client_msg_id")
    if not isinstance(client_msg_id, str) or not 1 <= len(client_msg_id) <= MAX_CLIENT_MSG_ID:
        raise ChatError(
            f"client_msg_id must be text of 1 to {MAX_CLIENT_MSG_ID} characters.",
            code="bad_request",
        )
    check_text("client_msg_id", client_msg_id)
    kind = data.get("kind", "text")
    if kind not in kinds:
        raise ChatError(f"kind must be one of {', '.join(kinds)}.", code="bad_request")
    body_json: str | None = None
    if kind == "text":
        text = check_message_text(require_str(data, "text", max_len=MAX_TEXT, multiline=True))
    else:
        text = require_str(data, "text", max_len=MAX_TEXT).strip()
        body = data.get("body")
        if not isinstance(body, dict):
            raise ChatError("body must be an object for this kind.", code="bad_request")
        body_json = json.dumps(body, ensure_ascii=False)
        if len(body_json.encode()) > MAX_BODY_BYTES:
            raise ChatError(f"body is over {MAX_BODY_BYTES} bytes.", code="too_long")
    raw_mentions = data.get("mentions", [])
    if not isinstance(raw_mentions, list) or len(raw_mentions) > MAX_MENTIONS:
        raise ChatError(
            f"mentions must be a list of at most {MAX_MENTIONS} ids.", code="bad_request"
        )
    # Person ids, or "g:<id>" for a guest (guests have no person id); anything else is dropped.
    mentions: list[int | str] = sorted(
        {m for m in raw_mentions if type(m) is int and 0 < m < 2**62}
    )
    mentions += sorted({m for m in raw_mentions if type(m) is str and _guest_key(m) is not None})
    return NewMessage(
        room_id=access.room_id,
        client_msg_id=client_msg_id,
        author=who_of(actor),
        author_name=name_of(actor),
        person_id=actor.person.id if actor.person else None,
        guest_id=actor.guest.id if actor.guest else None,
        session_id=actor.session_id,
        kind=kind,
        text=text,
        body=body_json,
        mentions=mentions,
    )


async def new_message(
    hub: Hub,
    access: RoomAccess,
    actor: Actor,
    data: dict[str, Any],
    *,
    kinds: tuple[str, ...] = CLIENT_KINDS,
) -> NewMessage:
    """``check_new_message``, keeping only the mentions of people who may read the room.

    Anyone else (a person of another network, a missing id) is dropped alike: a mention
    neither notifies an outsider (the room's id and seq) nor tells ids apart. Mentions are
    few (at most 50) and rare, so the check per mentioned person costs the hot path nothing.
    """
    item = check_new_message(access, actor, data, kinds=kinds)
    if not item.mentions:
        return item
    kept: list[int | str] = []
    async with hub.db.read() as reader:
        for mentioned in item.mentions:
            if isinstance(mentioned, str):
                guest_id = _guest_key(mentioned)
                guest = await guests.get_guest(reader, guest_id) if guest_id else None
                someone = Actor(guest=guest) if guest is not None else None
            else:
                person = await people.get(reader, mentioned)
                someone = Actor(person=person) if person is not None and person.active else None
            if someone is None:
                continue
            try:
                await check_room_access(reader, someone, item.room_id)
            except (NotFound, Forbidden):
                continue
            kept.append(mentioned)
    return dataclasses.replace(item, mentions=kept)


def _guest_key(value: str) -> int | None:
    """The guest id of a "g:<id>" mention, else None."""
    if len(value) > 24 or not value.startswith("g:"):
        return None
    return parse_int(value[2:], low=1)


# ---- the group committer --------------------------------------------------------------------

# Called once per committed batch, synchronously, before any ack is released: (message, origin).
Broadcast = Callable[[list[tuple[dict[str, Any], Any]]], None]


def _no_broadcast(batch: list[tuple[dict[str, Any], Any]]) -> None:
    return None


@dataclass
class _Pending:
    item: NewMessage
    origin: Any  # the sending socket's sid, skipped by the broadcast; None for server posts
    future: asyncio.Future[Stored]


class GroupCommitter:
    """Collects concurrent sends and stores each batch in one transaction.

    While one batch is in the database thread, the next collects in the queue: the pipeline
    needs no extra code, because ``submit`` only enqueues.
    """

    def __init__(self, hub: Hub) -> None:
        self.hub = hub
        self.broadcast: Broadcast = _no_broadcast
        self._queue: asyncio.Queue[_Pending] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None
        self._window = posting_window(hub)

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="chat-group-commit")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        while not self._queue.empty():
            pending = self._queue.get_nowait()
            if not pending.future.done():
                pending.future.set_exception(
                    ChatError("The server is shutting down; send again.", code="unavailable")
                )

    async def submit(self, item: NewMessage, origin: Any = None) -> Stored:
        future: asyncio.Future[Stored] = asyncio.get_running_loop().create_future()
        self._queue.put_nowait(_Pending(item, origin, future))
        return await future

    async def _run(self) -> None:
        limit = self.hub.settings.chat_batch_max
        while True:
            batch = [await self._queue.get()]
            while len(batch) < limit and not self._queue.empty():
                batch.append(self._queue.get_nowait())
            try:
                items = [p.item for p in batch]
                now = now_utc()
                results: list[Stored] = await self.hub.db.write_in_thread(
                    lambda conn, items=items, now=now: chat.commit_batch(
                        conn, items, now, self._window
                    )
                )
            except asyncio.CancelledError:
                for p in batch:
                    if not p.future.done():
                        p.future.set_exception(
                            ChatError(
                                "The server is shutting down; send again.", code="unavailable"
                            )
                        )
                raise
            except Exception as exc:
                log.exception("chat batch of %d failed", len(batch))
                for p in batch:
                    if not p.future.done():
                        p.future.set_exception(exc)
                continue
            fresh = [
                (r.message, p.origin)
                for p, r in zip(batch, results, strict=True)
                if r.message is not None and not r.duplicate
            ]
            if fresh:
                try:
                    self.broadcast(fresh)
                except Exception:
                    log.exception("chat broadcast failed")
            for p, r in zip(batch, results, strict=True):
                if not p.future.done():
                    p.future.set_result(r)


def raise_refusal(stored: Stored) -> dict[str, Any]:
    """The stored message, or the refusal as the error it stands for."""
    if stored.error is not None:
        kind, message = _REFUSALS.get(stored.error, (Forbidden, "Refused."))
        raise kind(message, code=stored.error)
    assert stored.message is not None
    return stored.message


async def post_message(
    hub: Hub,
    committer: GroupCommitter,
    actor: Actor,
    room_id: int,
    data: dict[str, Any],
    *,
    kinds: tuple[str, ...] = CLIENT_KINDS,
) -> tuple[dict[str, Any], bool]:
    """For posts outside the socket (REST; file cards with ``kinds=MESSAGE_KINDS``): check
    access, store, broadcast."""
    async with hub.db.read() as reader:
        access = await check_room_access(reader, actor, room_id)
    stored = await committer.submit(await new_message(hub, access, actor, data, kinds=kinds))
    return raise_refusal(stored), stored.duplicate


# ---- edits, deletes, reads, presence --------------------------------------------------------


async def _message_in_room(
    hub: Hub, actor: Actor, room_id: int, message_id: int
) -> tuple[RoomAccess, dict[str, Any]]:
    async with hub.db.read() as reader:
        access = await check_room_access(reader, actor, room_id)
        row = await chat.get_message(reader, message_id)
    if row is None or row["room_id"] != room_id:
        raise NotFound("Message not found.")
    return access, message_dict(row)


def _within_edit_window(hub: Hub, message: dict[str, Any]) -> bool:
    age = now_utc() - from_db(message["time"])
    return age <= timedelta(minutes=hub.settings.chat_edit_minutes)


async def edit_message(
    hub: Hub, actor: Actor, room_id: int, message_id: int, text: str
) -> dict[str, Any]:
    text = check_message_text(text)
    access, message = await _message_in_room(hub, actor, room_id, message_id)
    if message["author"] != who_of(actor):
        raise Forbidden("Only the author may edit a message.", code="forbidden")
    if message["deleted"]:
        raise NotFound("Message not found.")
    await require_posting(hub, access.room_id)
    if not _within_edit_window(hub, message):
        raise ChatError("Messages can be changed for 15 minutes only.", code="edit_window_passed")
    async with hub.db.write() as tx:
        await chat.edit_message(tx, message_id, text)
        row = await chat.get_message(tx, message_id)
        assert row is not None
        updated = message_dict(row)
        tx.after_commit(lambda: hub.emit("message_updated", updated, room_name(room_id)))
    return updated


async def delete_message(hub: Hub, actor: Actor, room_id: int, message_id: int) -> dict[str, Any]:
    access, message = await _message_in_room(hub, actor, room_id, message_id)
    if message["deleted"]:
        return message
    own = message["author"] == who_of(actor)
    if not access.may_moderate:
        # As for an edit, a read-only room keeps its messages; moderators still remove what
        # must go (lock a flooded room, then clear it).
        await require_posting(hub, access.room_id)
        if not own:
            raise Forbidden("Only the author or a moderator may delete a message.")
        if not _within_edit_window(hub, message):
            raise ChatError(
                "Messages can be changed for 15 minutes only.", code="edit_window_passed"
            )
    async with hub.db.write() as tx:
        await chat.delete_message(tx, message_id, who_of(actor))
        if not own:
            await audit.record(
                tx,
                actor,
                "message.delete_other",
                f"room:{room_id}/message:{message_id}",
                {"author": message["author"]},
            )
        row = await chat.get_message(tx, message_id)
        assert row is not None
        updated = message_dict(row)
        tx.after_commit(lambda: hub.emit("message_updated", updated, room_name(room_id)))
    return updated


async def mark_read(hub: Hub, actor: Actor, room_id: int, seq: int) -> int:
    """Moves my read marker; answers how many messages stay unread."""
    who = who_of(actor)
    async with hub.db.write() as tx:
        access = await check_room_access(tx, actor, room_id)
        seq = min(seq, int(access.room["last_seq"]))
        marker = await chat.mark_read(tx, room_id, who, seq)
        counts = await chat.unread_counts(
            tx, [room_id], who, actor.person.id if actor.person else None
        )
        event = {"room_id": room_id, "who": who, "seq": marker}
        tx.after_commit(lambda: hub.emit("read", event, room_name(room_id)))
    return counts.get(room_id, (0, 0))[0]


def check_presence(data: dict[str, Any]) -> tuple[str, str]:
    status = data.get("status")
    if status not in STATUSES:
        raise ChatError(f"status must be one of {', '.join(STATUSES)}.", code="bad_request")
    description = require_str(data, "description", max_len=MAX_DESCRIPTION)
    return str(status), description.strip()


async def set_presence(hub: Hub, actor: Actor, status: str, description: str) -> None:
    async with hub.db.write() as tx:
        await chat.set_presence(tx, who_of(actor), status, description)


def shown_status(status: str) -> str:
    """What others see: invisible people look offline."""
    return "offline" if status == "invisible" else status


# ---- rooms list, history, search ------------------------------------------------------------


def _room_summary(row: Any, counts: tuple[int, int], live: bool = False) -> dict[str, Any]:
    return {
        "id": row["id"],
        "kind": row["kind"],
        "title": row["title"],
        "meeting_id": row["meeting_id"],
        "network_id": row["network_id"],
        "last_seq": row["last_seq"],
        "unread": counts[0],
        "mentions": counts[1],
        "locked": row["locked_at"] is not None,
        "ended": row["ended_at"] is not None,
        # A session room whose meeting has a date on now (from its opening to its end).
        "live": live,
    }


async def room_ids_of(hub: Hub, actor: Actor) -> list[int]:
    """The rooms this person or guest may follow: those of their rooms list."""
    return [int(room["id"]) for room in await list_rooms(hub, actor)]


async def list_rooms(hub: Hub, actor: Actor) -> list[dict[str, Any]]:
    """The rooms I can enter with unread counts and unread mentions (the offline summary)."""
    who = who_of(actor)
    if actor.guest is not None:
        room_id = await room_for_meeting(hub, actor, actor.guest.meeting_id)
        async with hub.db.read() as reader:
            await check_room_access(reader, actor, room_id)
            room = await rooms.get(reader, room_id)
            counts = await chat.unread_counts(reader, [room_id], who, None)
        assert room is not None
        return [_room_summary(room, counts.get(room_id, (0, 0)))]
    assert actor.person is not None
    async with hub.db.read() as reader:
        scope = await scope_of(reader, actor)
        rows = await rooms.visible_rooms(
            reader,
            actor.person.id,
            actor.person.library_id,
            set(scope.network_ids),
            set(scope.led_network_ids),
            scope.everything,
        )
        rows = [
            r for r in rows if not await rooms.is_banned(reader, r["id"], person_id=actor.person.id)
        ]
        counts = await chat.unread_counts(reader, [r["id"] for r in rows], who, actor.person.id)
        live = await live_meeting_ids(
            hub, reader, [r["meeting_id"] for r in rows if r["meeting_id"] and not r["ended_at"]]
        )
    titles = await _direct_titles(hub, actor, rows)
    result = []
    for row in rows:
        summary = _room_summary(row, counts.get(row["id"], (0, 0)), row["meeting_id"] in live)
        if row["kind"] == "direct":
            summary["title"] = titles.get(row["id"], summary["title"])
        result.append(summary)
    return result


async def _direct_titles(hub: Hub, actor: Actor, rows: list[Any]) -> dict[int, str]:
    """A direct room is titled with the other person's name."""
    assert actor.person is not None
    titles: dict[int, str] = {}
    direct = [r for r in rows if r["kind"] == "direct"]
    if not direct:
        return titles
    async with hub.db.read() as reader:
        for r in direct:
            a, b = (int(x) for x in r["direct_key"].split(":"))
            other = b if a == actor.person.id else a
            row = await reader.fetch_one("SELECT full_name FROM persons WHERE id = ?", (other,))
            titles[r["id"]] = row["full_name"] if row else ""
    return titles


async def history(
    hub: Hub, actor: Actor, room_id: int, before_seq: int | None, limit: int
) -> dict[str, Any]:
    limit = max(1, min(limit, 200))
    async with hub.db.read() as reader:
        access = await check_room_access(reader, actor, room_id)
        rows = await chat.page_before(reader, room_id, before_seq, limit)
        read_rows = await chat.reads(reader, room_id)
    return {
        "room_id": room_id,
        "last_seq": access.room["last_seq"],
        "messages": [message_dict(r) for r in rows],
        "reads": [{"who": r["reader"], "seq": r["last_read_seq"]} for r in read_rows],
    }


async def search(hub: Hub, actor: Actor, room_id: int, query: str) -> list[dict[str, Any]]:
    if len(query) > 200:
        raise BadRequest("The search text is over 200 characters.", code="too_long")
    async with hub.db.read() as reader:
        await check_room_access(reader, actor, room_id)
        rows = await chat.search(reader, room_id, query, 100)
    return [message_dict(r) for r in rows]
