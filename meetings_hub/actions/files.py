"""Files shared in rooms: who may upload and download, receiving an upload, listing, storage
use, retention.

Like every action: ``check_*`` (room access, the room's upload rule), ``do_*`` (one transaction
that makes the file visible), ``notify_*`` (the file card, only after the commit). An upload is
streamed to a temporary file while it is hashed; nothing is in the database until the last byte
arrived, so an interrupted upload leaves no record.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import msgspec

from meetings_hub.actions import chat
from meetings_hub.actions.access import require_coordinator
from meetings_hub.actions.file_names import clean_name
from meetings_hub.actions.file_types import THUMBNAIL_TYPES, sniff
from meetings_hub.actions.rooms import RoomAccess, check_room_access, posting_refusal, room_event
from meetings_hub.actions.thumbnails import Thumbnailer
from meetings_hub.domain import Actor
from meetings_hub.errors import AppError, Forbidden, NotFound, TooLarge
from meetings_hub.hub import Hub
from meetings_hub.storage import chat as chat_store
from meetings_hub.storage import files, rooms
from meetings_hub.storage.blobs import BlobStore, TempFile
from meetings_hub.storage.db import Reader, Row, Tx
from meetings_hub.storage.timefmt import from_db, now_utc, to_db

# Pieces are gathered to this size and written by a worker thread while the next ones arrive
# (bench/upload.py: 1 MiB cost ~10% more CPU per MB than the bare handler, 4 MiB grew RSS by
# 14 MB, 2 MiB is as cheap as the bare handler with RSS growth under 8 MB).
WRITE_BATCH = 2 * 1024 * 1024
LIST_LIMIT = 200


@dataclass
class FileRuntime:
    """What the files feature keeps open for the process: the blob folders, the thumbnailer."""

    blobs: BlobStore
    thumbnailer: Thumbnailer

    @classmethod
    def for_hub(cls, hub: Hub) -> FileRuntime:
        settings = hub.settings
        return cls(
            BlobStore(settings.data_dir / "files"),
            Thumbnailer(settings.thumbnail_max_pixels, workers=1),
        )


class SharedFile(msgspec.Struct):
    id: int
    room_id: int
    name: str
    size: int
    mime: str
    uploader: str  # "p:<person id>" or "g:<guest id>", as in chat messages
    uploader_name: str
    created_at: datetime
    url: str
    thumbnail_url: str | None
    thumb_width: int | None
    thumb_height: int | None
    removed: bool


class RoomFiles(msgspec.Struct):
    files: list[SharedFile]
    may_upload: bool
    may_moderate: bool
    guests_may_upload: bool
    max_file_bytes: int
    next_before_id: int | None


class FileSettingsInput(msgspec.Struct, forbid_unknown_fields=True):
    guests_may_upload: bool


class RoomUsage(msgspec.Struct):
    room_id: int
    kind: str
    title: str
    files: int
    bytes: int


class LibraryUsage(msgspec.Struct):
    library_id: int | None
    name: str
    files: int
    bytes: int


class StorageUsage(msgspec.Struct):
    stored_bytes: int  # on disk, each distinct content once
    blobs: int
    shared_bytes: int  # as shared: a file posted in two rooms counts twice
    files: int
    max_file_bytes: int
    retention_days: int
    rooms: list[RoomUsage]
    libraries: list[LibraryUsage]


@dataclass(frozen=True)
class CleanupReport:
    files_removed: int  # by the retention period
    files_withdrawn: int  # their card was deleted
    blobs_deleted: int
    orphans_deleted: int
    temp_deleted: int


def who_key(person_id: int | None, guest_id: int | None) -> str:
    return f"p:{person_id}" if person_id is not None else f"g:{guest_id}"


def to_shared(row: Row) -> SharedFile:
    removed = row["removed_at"] is not None
    has_thumb = row["thumb_width"] is not None and not removed
    return SharedFile(
        id=row["id"],
        room_id=row["room_id"],
        name=row["name"],
        size=row["size"],
        mime=row["mime"],
        uploader=who_key(row["person_id"], row["guest_id"]),
        uploader_name=row["uploader_name"],
        created_at=from_db(row["created_at"]),
        url=f"/files/{row['id']}/{quote(row['name'], safe='')}",
        thumbnail_url=f"/files/{row['id']}/thumbnail" if has_thumb else None,
        thumb_width=row["thumb_width"] if has_thumb else None,
        thumb_height=row["thumb_height"] if has_thumb else None,
        removed=removed,
    )


# --- check ---------------------------------------------------------------------------------


def may_upload(access: RoomAccess) -> bool:
    return not access.locked and (not access.is_guest or bool(access.room["guests_may_upload"]))


async def _require_upload(hub: Hub, db: Reader | Tx, access: RoomAccess) -> None:
    """The chat's rule for posting (the file card is a chat message), then the guests' rule."""
    refusal = await posting_refusal(hub, db, access.room_id)
    if refusal == "not_open":
        raise Forbidden("The session's room opens 15 minutes before the start.", code="not_open")
    if refusal is not None:
        raise Forbidden(
            "This room is read-only now; files can no longer be shared here.", code="room_locked"
        )
    if not may_upload(access):
        raise Forbidden("Guests may not share files in this room.", code="guest_upload_forbidden")


async def check_upload(hub: Hub, actor: Actor, room_id: int) -> RoomAccess:
    """Before the first byte is read: may this actor share a file in this room at all?"""
    async with hub.db.read() as reader:
        access = await check_room_access(reader, actor, room_id)
        await _require_upload(hub, reader, access)
    return access


async def _visible_file(db: Reader | Tx, actor: Actor, file_id: int) -> Row:
    """The file's row if its room is open to the actor. A file in a room she cannot enter
    answers exactly as a missing one ("File not found."), so file ids are no oracle."""
    row = await files.get(db, file_id)
    if row is None:
        raise NotFound("File not found.")
    try:
        # Every download asks again: someone removed from the room loses their links at once.
        await check_room_access(db, actor, row["room_id"])
    except NotFound:
        raise NotFound("File not found.") from None
    return row


async def _check_file(db: Reader | Tx, actor: Actor, file_id: int) -> Row:
    row = await _visible_file(db, actor, file_id)
    if row["removed_at"] is not None or row["sha256"] is None:
        raise NotFound(
            "This file was removed (its card was deleted, or its retention period passed).",
            code="file_removed",
        )
    return row


# --- do ------------------------------------------------------------------------------------


async def _stream_to(temp: TempFile, chunks: AsyncIterator[bytes], max_bytes: int) -> str:
    """Writes the pieces to ``temp`` (hashing them) and returns the SHA-256; TooLarge as soon as
    the running total passes ``max_bytes``, before the rest is read."""
    received = 0
    batch: list[bytes] = []
    batched = 0
    writing: asyncio.Future[None] | None = None
    try:
        async for chunk in chunks:
            received += len(chunk)
            if received > max_bytes:
                raise TooLarge(
                    f"The file is larger than the limit of {_megabytes(max_bytes)}.",
                    code="file_too_large",
                    details={"max_bytes": max_bytes},
                )
            batch.append(chunk)
            batched += len(chunk)
            if batched >= WRITE_BATCH:
                if writing is not None:
                    await writing
                writing = asyncio.ensure_future(asyncio.to_thread(temp.write, batch))
                batch, batched = [], 0
        if writing is not None:
            await writing
            writing = None
        if batch:
            await asyncio.to_thread(temp.write, batch)
        return temp.finish()
    finally:
        if writing is not None:
            # The worker thread must be done with the file before the caller deletes it.
            with contextlib.suppress(BaseException):
                await asyncio.shield(writing)


def _megabytes(size: int) -> str:
    return f"{size / 1_000_000:.0f} MB"


async def receive_upload(
    hub: Hub,
    runtime: FileRuntime,
    committer: chat.GroupCommitter,
    actor: Actor,
    room_id: int,
    filename: str | None,
    chunks: AsyncIterator[bytes],
) -> SharedFile:
    """Stores one uploaded file and shares it in the room; the card goes out after the commit."""
    await check_upload(hub, actor, room_id)
    name = clean_name(filename)
    temp = runtime.blobs.new_temp()
    try:
        sha256 = await _stream_to(temp, chunks, hub.settings.file_max_bytes)
        async with hub.db.read() as reader:
            known = await files.blob(reader, sha256)
        mime = known["mime"] if known else sniff(temp.head)
        thumb: tuple[int, int] | None = None
        if known is not None and known["thumb_width"] is not None:
            thumb = (known["thumb_width"], known["thumb_height"])
        elif mime in THUMBNAIL_TYPES:
            thumb = await runtime.thumbnailer.make(temp.path, runtime.blobs.thumb_path(sha256))
        shared = await _do_share(hub, runtime, actor, room_id, temp, sha256, name, mime, thumb)
    finally:
        temp.discard()
    await notify_file_shared(hub, committer, actor, shared)
    return shared


async def _do_share(
    hub: Hub,
    runtime: FileRuntime,
    actor: Actor,
    room_id: int,
    temp: TempFile,
    sha256: str,
    name: str,
    mime: str,
    thumb: tuple[int, int] | None,
) -> SharedFile:
    async with hub.db.write() as tx:
        # Asked again: the upload may have taken minutes, and the room may have been locked or
        # the uploader removed meanwhile.
        await _require_upload(hub, tx, await check_room_access(tx, actor, room_id))
        # Placed inside the transaction: `cleanup` deletes unreferenced blobs inside its own
        # write transaction, so it can never delete this one between the move and the insert.
        runtime.blobs.place(temp.path, sha256)
        await files.insert_blob(tx, sha256, temp.size, mime, thumb)
        if thumb is not None:
            await files.set_thumb(tx, sha256, thumb)
        file_id = await files.insert_file(
            tx,
            room_id=room_id,
            sha256=sha256,
            name=name,
            size=temp.size,
            mime=mime,
            person_id=actor.person.id if actor.person else None,
            guest_id=actor.guest.id if actor.guest else None,
            uploader_name=actor.person.full_name if actor.person else actor.guest.name,  # type: ignore[union-attr]
            library_id=await _counted_library(tx, actor, room_id),
        )
        row = await files.get(tx, file_id)
    assert row is not None
    return to_shared(row)


async def _counted_library(tx: Tx, actor: Actor, room_id: int) -> int | None:
    if actor.person is not None and actor.person.library_id is not None:
        return actor.person.library_id
    return await files.room_library(tx, room_id)


async def open_download(
    hub: Hub, actor: Actor, file_id: int, runtime: FileRuntime, *, name: str | None = None
) -> Download:
    """The file to send; with ``name`` (from a /files/<id>/<name> link) only if it is its name,
    so a link never serves one file under another's name."""
    async with hub.db.read() as reader:
        row = await _check_file(reader, actor, file_id)
    if name is not None and name != row["name"]:
        raise NotFound("File not found.")
    path = runtime.blobs.blob_path(row["sha256"])
    if not path.exists():
        raise NotFound("The file's contents are missing on the server.", code="file_missing")
    return Download(path=path, name=row["name"], mime=row["mime"], size=row["size"])


async def open_thumbnail(hub: Hub, actor: Actor, file_id: int, runtime: FileRuntime) -> Path:
    async with hub.db.read() as reader:
        row = await _check_file(reader, actor, file_id)
    path = runtime.blobs.thumb_path(row["sha256"])
    if row["thumb_width"] is None or not path.exists():
        raise NotFound("This file has no thumbnail.")
    return path


@dataclass(frozen=True)
class Download:
    path: Path
    name: str
    mime: str
    size: int


async def list_room_files(
    hub: Hub, actor: Actor, room_id: int, *, before_id: int | None = None, limit: int = 100
) -> RoomFiles:
    limit = max(1, min(limit, LIST_LIMIT))
    async with hub.db.read() as reader:
        access = await check_room_access(reader, actor, room_id)
        rows = await files.in_room(reader, room_id, limit=limit + 1, before_id=before_id)
    page = [to_shared(r) for r in rows[:limit]]
    return RoomFiles(
        files=page,
        may_upload=may_upload(access),
        may_moderate=access.may_moderate,
        guests_may_upload=bool(access.room["guests_may_upload"]),
        max_file_bytes=hub.settings.file_max_bytes,
        next_before_id=page[-1].id if len(rows) > limit else None,
    )


async def get_file(hub: Hub, actor: Actor, file_id: int) -> SharedFile:
    async with hub.db.read() as reader:
        row = await _visible_file(reader, actor, file_id)
    return to_shared(row)


async def set_room_file_settings(
    hub: Hub, actor: Actor, room_id: int, data: FileSettingsInput
) -> RoomFiles:
    async with hub.db.write() as tx:
        access = await check_room_access(tx, actor, room_id)
        if not access.may_moderate:
            raise Forbidden("Only the room's moderators may change who can share files.")
        await files.set_guests_may_upload(tx, room_id, data.guests_may_upload)
        room = await rooms.get(tx, room_id)
        assert room is not None
        event = room_event(dict(room))
        # Guests already in the room see their share button follow the rule at once.
        tx.after_commit(lambda: hub.emit("room_updated", event, chat.room_name(room_id)))
    return await list_room_files(hub, actor, room_id, limit=1)


async def storage_usage(hub: Hub, actor: Actor) -> StorageUsage:
    require_coordinator(actor)
    async with hub.db.read() as reader:
        totals = await files.stored_totals(reader)
        by_room = await files.usage_by_room(reader)
        by_library = await files.usage_by_library(reader)
    return StorageUsage(
        stored_bytes=totals["stored_bytes"],
        blobs=totals["blobs"],
        shared_bytes=totals["shared_bytes"],
        files=totals["files"],
        max_file_bytes=hub.settings.file_max_bytes,
        retention_days=hub.settings.file_retention_days,
        rooms=[
            RoomUsage(r["room_id"], r["kind"], r["title"], r["files"], r["bytes"]) for r in by_room
        ],
        libraries=[
            LibraryUsage(
                r["library_id"],
                f"{r['name']} ({r['town']})" if r["name"] else "",
                r["files"],
                r["bytes"],
            )
            for r in by_library
        ],
    )


# --- retention and housekeeping ------------------------------------------------------------

# Blobs on disk without a row are left alone this long: an upload moves its blob into place
# moments before its transaction commits.
ORPHAN_GRACE = timedelta(hours=1)
# `cleanup` may run beside a live server, whose uploads in progress are young temp files.
TEMP_GRACE = timedelta(days=1)


async def cleanup(hub: Hub, runtime: FileRuntime, *, now: datetime | None = None) -> CleanupReport:
    """Applies the retention setting and deletes bytes nothing refers to any more."""
    now = now or now_utc()
    removed = 0
    days = hub.settings.file_retention_days
    async with hub.db.write() as tx:
        withdrawn = await files.remove_withdrawn(tx)
        if days > 0:
            expired = await files.remove_older_than(tx, to_db(now - timedelta(days=days)))
            for file_id, room_id in expired:
                await chat_store.mark_file_card_removed(tx, room_id, file_id)
            removed = len(expired)
        unreferenced = await files.unreferenced_blobs(tx)
        for sha256 in unreferenced:
            await files.delete_blob(tx, sha256)
            runtime.blobs.remove(sha256)
        known = await files.known_shas(tx)
    orphans = 0
    cutoff = (now - ORPHAN_GRACE).timestamp()
    for sha256, path in list(runtime.blobs.stored()):
        if sha256 not in known and path.stat().st_mtime < cutoff:
            runtime.blobs.remove(sha256)
            orphans += 1
    temp = runtime.blobs.clear_temp(older_than_seconds=TEMP_GRACE.total_seconds())
    return CleanupReport(removed, withdrawn, len(unreferenced), orphans, temp)


async def notify_file_shared(
    hub: Hub, committer: chat.GroupCommitter, actor: Actor, shared: SharedFile
) -> None:
    """Posts the file card: a chat message of kind "file", stored, ordered, replayed and
    broadcast like any other message, only after the file's own commit.

    The group committer stores messages in its own transaction, so the two cannot be one. If the
    room refuses the card (locked a moment ago, the uploader just removed), the file is taken
    back: a file is in a room only with its card.
    """
    try:
        await chat.post_message(
            hub,
            committer,
            actor,
            shared.room_id,
            {
                # Derived from the file, so a retried post can never make a second card.
                "client_msg_id": f"file:{shared.id}",
                "kind": "file",
                "text": shared.name,
                "body": file_card_body(shared),
            },
            kinds=chat.MESSAGE_KINDS,
        )
    except AppError:
        async with hub.db.write() as tx:
            await files.delete_file(tx, shared.id)
        raise


def file_card_body(shared: SharedFile) -> dict[str, Any]:
    """The ``body`` of the chat message that shows the file in the room (kind "file")."""
    return {
        "file_id": shared.id,
        "name": shared.name,
        "size": shared.size,
        "mime": shared.mime,
        "url": shared.url,
        "thumbnail_url": shared.thumbnail_url,
        "thumb_width": shared.thumb_width,
        "thumb_height": shared.thumb_height,
    }
