"""Uploads and downloads through the real server: big files, the size cap, interrupted uploads,
content-addressed storage."""

from __future__ import annotations

import asyncio
import hashlib
import os
import time
from pathlib import Path

import aiohttp
from yarl import URL

from meetings_hub.actions.files import TEMP_GRACE
from meetings_hub.storage.blobs import BlobStore
from tests.files.support import (
    count_rows,
    download_sha256,
    files_server,
    morawica_room,
    stored_files,
    upload,
)
from tests.support import LEAD, PARTNER, Client

MB = 1024 * 1024


async def _signed_in(server, email: str) -> Client:
    client = Client(server.url)
    await client.login(email)
    return client


async def test_50_mb_upload_and_download_match(server, client_factory, tmp_path: Path) -> None:
    room_id = await morawica_room(server)
    source = tmp_path / "nagranie.bin"
    digest = hashlib.sha256()
    with source.open("wb") as f:
        for _ in range(50):
            block = os.urandom(MB)
            digest.update(block)
            f.write(block)
    lead = await client_factory(LEAD)
    with source.open("rb") as f:  # FormData streams an open file; it is never read whole here
        form = aiohttp.FormData()
        form.add_field("file", f, filename="nagranie.bin")
        async with lead.session.post(
            f"{server.url}/api/v1/rooms/{room_id}/files",
            data=form,
            headers={"X-CSRF-Token": lead.csrf},
        ) as r:
            assert r.status == 201, await r.text()
            shared = await r.json()
    assert shared["size"] == 50 * MB and shared["name"] == "nagranie.bin"
    partner = await client_factory(PARTNER)
    status, got, size = await download_sha256(partner, shared["url"])
    assert status == 200 and size == 50 * MB
    assert got == digest.hexdigest()
    # Stored under its hash, never under the client's name.
    on_disk = stored_files(server)
    assert [p.name for p in on_disk["blobs"]] == [digest.hexdigest()]
    assert on_disk["tmp"] == []


async def test_identical_files_are_stored_once(server, client_factory) -> None:
    room_id = await morawica_room(server)
    lead = await client_factory(LEAD)
    partner = await client_factory(PARTNER)
    content = b"Program spotkania\n" * 1000
    s1, first = await upload(lead, room_id, "program.txt", content)
    s2, second = await upload(partner, room_id, "kopia programu.txt", content)
    assert s1 == s2 == 201
    assert first["id"] != second["id"]
    assert await count_rows(server, "room_files") == 2
    assert await count_rows(server, "blobs") == 1
    assert len(stored_files(server)["blobs"]) == 1


async def test_over_the_cap_is_413_and_nothing_is_stored(tmp_path: Path) -> None:
    async with files_server(tmp_path, file_max_bytes=MB) as server:
        room_id = await morawica_room(server)
        lead = await _signed_in(server, LEAD)
        try:
            # Declared length over the cap: refused before the body is read.
            status, body = await upload(lead, room_id, "duzy.bin", os.urandom(3 * MB))
            assert status == 413
            assert body["error"]["code"] == "file_too_large"
            assert "1 MB" in body["error"]["message"]

            # No length declared (chunked): the running count stops it mid-stream.
            async def chunks():
                yield b"--b\r\nContent-Disposition: form-data; name=file; filename=x.bin\r\n\r\n"
                for _ in range(3 * 16):
                    yield os.urandom(64 * 1024)
                yield b"\r\n--b--\r\n"

            async with lead.session.post(
                f"{server.url}/api/v1/rooms/{room_id}/files",
                data=chunks(),
                headers={
                    "X-CSRF-Token": lead.csrf,
                    "Content-Type": "multipart/form-data; boundary=b",
                },
            ) as r:
                assert r.status == 413
                assert (await r.json())["error"]["code"] == "file_too_large"
            # Exactly at the cap is fine.
            status, _ = await upload(lead, room_id, "rowno.bin", os.urandom(MB))
            assert status == 201
            assert await count_rows(server, "room_files") == 1
            assert stored_files(server)["tmp"] == []
            assert len(stored_files(server)["blobs"]) == 1
        finally:
            await lead.close()


async def test_interrupted_upload_leaves_nothing(server, client_factory) -> None:
    room_id = await morawica_room(server)
    lead = await client_factory(LEAD)
    cookie = lead.session.cookie_jar.filter_cookies(URL(server.url))["mh_session"].value
    host, port = server.settings.host, server.settings.port
    _, writer = await asyncio.open_connection(host, port)
    head = b'--b\r\nContent-Disposition: form-data; name="file"; filename="przerwany.bin"\r\n\r\n'
    writer.write(
        (
            f"POST /api/v1/rooms/{room_id}/files HTTP/1.1\r\nHost: {host}:{port}\r\n"
            f"Cookie: mh_session={cookie}\r\nX-CSRF-Token: {lead.csrf}\r\n"
            "Content-Type: multipart/form-data; boundary=b\r\n"
            f"Content-Length: {len(head) + 10 * MB}\r\n\r\n"
        ).encode()
        + head
    )
    for _ in range(32):  # 2 MB of the promised 10 MB, then the line drops
        writer.write(os.urandom(64 * 1024))
        await writer.drain()
    await asyncio.sleep(0.3)
    assert len(stored_files(server)["tmp"]) == 1  # the upload was under way
    writer.transport.abort()
    for _ in range(50):
        if not stored_files(server)["tmp"]:
            break
        await asyncio.sleep(0.1)
    assert stored_files(server) == {"tmp": [], "blobs": [], "thumbs": []}
    assert await count_rows(server, "room_files") == 0
    status, listing = await lead.get(f"/api/v1/rooms/{room_id}/files")
    assert status == 200 and listing["files"] == []


async def test_leftover_temp_files_are_removed_at_start(tmp_path: Path) -> None:
    store = BlobStore(tmp_path / "var" / "files")
    store.ensure_dirs()
    leftover = store.tmp / "upload-cut-off.part"
    leftover.write_bytes(b"half a file")
    old = time.time() - TEMP_GRACE.total_seconds() - 60
    os.utime(leftover, (old, old))
    # A young one may be an upload under way on another process sharing the data directory.
    under_way = store.tmp / "upload-elsewhere.part"
    under_way.write_bytes(b"still coming")
    async with files_server(tmp_path):
        assert not leftover.exists()
        assert under_way.exists()


async def test_upload_needs_one_file_field(server, client_factory) -> None:
    room_id = await morawica_room(server)
    lead = await client_factory(LEAD)
    status, body = await lead.request(
        "POST", f"/api/v1/rooms/{room_id}/files", json={"file": "not a file"}
    )
    assert status == 400 and body["error"]["code"] == "unsupported_media_type"
    form = aiohttp.FormData()
    form.add_field("other", b"x", filename="x.txt")
    async with lead.session.post(
        f"{server.url}/api/v1/rooms/{room_id}/files", data=form, headers={"X-CSRF-Token": lead.csrf}
    ) as r:
        assert r.status == 400 and (await r.json())["error"]["code"] == "no_file"
    assert await count_rows(server, "room_files") == 0
