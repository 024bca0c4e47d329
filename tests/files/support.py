"""Helpers for the files tests: rooms to share in, uploads and downloads over real HTTP."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import aiohttp

from meetings_hub.actions import demo, rooms, session
from meetings_hub.domain import Actor, GuestCategory
from meetings_hub.storage import guests, people
from meetings_hub.storage.timefmt import now_utc, to_db
from tests.support import LEAD, Client, Server, make_settings, start_server

OUTSIDER = "joanna.sadowska@korsze.example.org"  # lead of another network


@asynccontextmanager
async def files_server(tmp_path: Path, **overrides: Any) -> AsyncIterator[Server]:
    """A real server with the demo network and the given settings."""
    srv = await start_server(make_settings(tmp_path, **overrides))
    await demo.load(srv.hub)
    try:
        yield srv
    finally:
        await srv.runner.cleanup()


async def actor_for(server: Server, email: str) -> Actor:
    async with server.hub.db.read() as reader:
        person = await people.get_by_email(reader, email)
    assert person is not None
    return Actor(person=person)


async def morawica_room(server: Server) -> int:
    """The standing room of the Morawica network (lead and partner are in it)."""
    actor = await actor_for(server, LEAD)
    network_id = await _network_id(server, "Sieć bibliotek wokół Morawicy")
    return await rooms.room_for_network(server.hub, actor, network_id)


async def _network_id(server: Server, name: str) -> int:
    row = await server.hub.db.fetch_one("SELECT id FROM networks WHERE name = ?", (name,))
    assert row is not None
    return int(row["id"])


@dataclass
class Meeting:
    meeting_id: int
    room_id: int


async def meeting_room(server: Server) -> Meeting:
    """A meeting of the Morawica network happening now, and its session room."""
    lead = await actor_for(server, LEAD)
    network_id = await _network_id(server, "Sieć bibliotek wokół Morawicy")
    assert lead.person is not None and lead.person.library_id is not None
    start = now_utc() - timedelta(minutes=5)
    async with server.hub.db.write() as tx:
        meeting_id = await tx.execute(
            "INSERT INTO meetings (network_id, host_library_id, title, starts_at, ends_at,"
            " created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                network_id,
                lead.person.library_id,
                "Spotkanie o plikach",
                to_db(start),
                to_db(start + timedelta(hours=1)),
                lead.person.id,
                to_db(start),
                to_db(start),
            ),
        )
    room_id = await rooms.room_for_meeting(server.hub, lead, meeting_id)
    return Meeting(meeting_id, room_id)


async def guest_client(server: Server, meeting_id: int) -> Client:
    """A browser-like client signed in as a guest of the meeting, through the real link."""
    async with server.hub.db.write() as tx:
        invitation_id = await guests.insert_invitation(
            tx,
            meeting_id=meeting_id,
            email="",
            name="Gość",
            category=GuestCategory.EXPERT.value,
            created_by=None,
            expires_at=now_utc() + timedelta(days=1),
        )
    token = session.guest_link_token(server.hub, invitation_id, meeting_id)
    client = Client(server.url)
    status, body = await client.post(
        "/api/v1/guest/enter", {"token": token, "name": "Ekspert Zewnętrzny", "category": "expert"}
    )
    assert status == 200, body
    client.csrf = body["csrf_token"]
    return client


def multipart_body(
    filename: str | bytes,
    content: bytes,
    *,
    field: str = "file",
    content_type: str = "application/octet-stream",
) -> tuple[bytes, str]:
    """A multipart/form-data body as browsers write it: the name's raw UTF-8 bytes in the
    quoted filename (aiohttp's FormData would percent-encode them), any bytes allowed."""
    boundary = "----mh" + uuid.uuid4().hex
    raw_name = filename.encode("utf-8") if isinstance(filename, str) else filename
    body = (
        f"--{boundary}\r\n".encode()
        + f'Content-Disposition: form-data; name="{field}"; filename="'.encode()
        + raw_name
        + f'"\r\nContent-Type: {content_type}\r\n\r\n'.encode()
        + content
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return body, f"multipart/form-data; boundary={boundary}"


async def upload(
    client: Client,
    room_id: int,
    filename: str | bytes,
    content: bytes,
    *,
    content_type: str = "application/octet-stream",
) -> tuple[int, Any]:
    """Uploads like a browser's FormData (one field 'file'); returns status and JSON body."""
    if not client.csrf:
        await client.refresh_csrf()
    body, type_header = multipart_body(filename, content, content_type=content_type)
    async with client.session.post(
        f"{client.base}/api/v1/rooms/{room_id}/files",
        data=body,
        headers={"X-CSRF-Token": client.csrf, "Content-Type": type_header},
    ) as r:
        return r.status, await r.json(content_type=None)


async def download(
    client: Client, url: str, headers: dict[str, str] | None = None
) -> tuple[aiohttp.ClientResponse, bytes]:
    async with client.session.get(client.base + url, headers=headers or {}) as r:
        return r, await r.read()


async def download_sha256(client: Client, url: str) -> tuple[int, str, int]:
    """Streams a download through SHA-256 without keeping it; returns status, digest, size."""
    digest, size = hashlib.sha256(), 0
    async with client.session.get(client.base + url) as r:
        async for chunk in r.content.iter_chunked(1 << 20):
            digest.update(chunk)
            size += len(chunk)
        return r.status, digest.hexdigest(), size


def stored_files(server: Server) -> dict[str, list[Path]]:
    root = server.settings.data_dir / "files"
    return {
        part: sorted(p for p in (root / part).rglob("*") if p.is_file())
        for part in ("tmp", "blobs", "thumbs")
    }


async def count_rows(server: Server, table: str) -> int:
    assert table in {"room_files", "blobs"}
    row = await server.hub.db.fetch_one(f"SELECT COUNT(*) AS n FROM {table}")  # noqa: S608
    assert row is not None
    return int(row["n"])
