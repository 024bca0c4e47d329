"""What a file is (sniffed), image thumbnails (bounded, bomb-proof), retention and cleanup."""

from __future__ import annotations

import io
import os
import struct
import subprocess
import sys
import zlib
from datetime import timedelta
from pathlib import Path

import pytest
from PIL import Image

from meetings_hub.actions import files
from meetings_hub.actions.file_types import INLINE_SAFE, RUNNABLE, serve_inline, sniff
from meetings_hub.storage.timefmt import now_utc
from tests.files.support import (
    download,
    files_server,
    morawica_room,
    stored_files,
    upload,
)
from tests.support import LEAD, PARTNER, Client


def _image(fmt: str, size: tuple[int, int] = (1200, 800), mode: str = "RGB") -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size, "#0b5394").save(buffer, fmt)
    return buffer.getvalue()


def _png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims a huge image: the decompression bomb's opening move."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 1024))
        + chunk(b"IEND", b"")
    )


@pytest.mark.parametrize(
    ("content", "mime"),
    [
        (_image("PNG"), "image/png"),
        (_image("JPEG"), "image/jpeg"),
        (_image("GIF", mode="P"), "image/gif"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", "application/pdf"),
        (b"PK\x03\x04" + b"\x00" * 60, "application/zip"),
        ("Zażółć gęślą jaźń\n".encode(), "text/plain"),
        (b"\xef\xbb\xbf<html><body>hi</body></html>", "text/html"),
        (b"  <svg viewBox='0 0 1 1'></svg>", "image/svg+xml"),
        (b"<?xml version='1.0'?><note/>", "application/xml"),
        (b"\x00\xff\x10\x80" * 10, "application/octet-stream"),
        (b"", "text/plain"),
    ],
)
def test_sniff(content: bytes, mime: str) -> None:
    assert sniff(content) == mime


async def test_images_get_bounded_webp_thumbnails(server, client_factory) -> None:
    room_id = await morawica_room(server)
    lead = await client_factory(LEAD)
    status, shared = await upload(lead, room_id, "plakat.png", _image("PNG", (1600, 900)))
    assert status == 201 and shared["mime"] == "image/png"
    assert shared["thumbnail_url"] == f"/files/{shared['id']}/thumbnail"
    assert (shared["thumb_width"], shared["thumb_height"]) == (320, 180)
    partner = await client_factory(PARTNER)
    response, body = await download(partner, shared["thumbnail_url"])
    assert response.status == 200
    assert response.headers["Content-Type"] == "image/webp"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    with Image.open(io.BytesIO(body)) as thumb:
        assert thumb.format == "WEBP" and thumb.size == (320, 180)
    # Images may be shown in the page (?inline=1); they still carry the sandbox.
    response, _ = await download(partner, shared["url"] + "?inline=1")
    assert response.headers["Content-Disposition"].startswith("inline;")
    assert response.headers["Content-Type"] == "image/png"
    # The same picture again reuses the stored thumbnail.
    status, again = await upload(partner, room_id, "kopia.png", _image("PNG", (1600, 900)))
    assert again["thumbnail_url"] and len(stored_files(server)["thumbs"]) == 1


@pytest.mark.parametrize(("width", "height"), [(9000, 9000), (40000, 40000)])
async def test_decompression_bombs_get_no_thumbnail(
    server, client_factory, width: int, height: int
) -> None:
    """Over our limit (50 MP), and far over Pillow's own bomb limit: no thumbnail, no crash."""
    room_id = await morawica_room(server)
    lead = await client_factory(LEAD)
    status, shared = await upload(lead, room_id, "bomba.png", _png_claiming(width, height))
    assert status == 201
    assert shared["mime"] == "image/png" and shared["thumbnail_url"] is None
    assert stored_files(server)["thumbs"] == []
    response, _ = await download(lead, f"/files/{shared['id']}/thumbnail")
    assert response.status == 404


def test_only_pictures_audio_and_video_are_ever_inline() -> None:
    """docs/files.md: "?inline=1 shows pictures, audio and video; everything else (PDF
    included) always downloads"."""
    assert all(mime.split("/")[0] in {"image", "audio", "video"} for mime in INLINE_SAFE)
    assert not serve_inline("application/pdf")
    assert not any(serve_inline(mime) for mime in RUNNABLE)


async def test_a_pdf_always_downloads(server, client_factory) -> None:
    room_id = await morawica_room(server)
    lead = await client_factory(LEAD)
    pdf = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n%%EOF\n"
    status, shared = await upload(lead, room_id, "program.pdf", pdf)
    assert status == 201 and shared["mime"] == "application/pdf"
    for url in (shared["url"], shared["url"] + "?inline=1", f"/files/{shared['id']}?inline=1"):
        response, body = await download(lead, url)
        assert response.status == 200 and body == pdf
        assert response.headers["Content-Disposition"].startswith("attachment;"), url
        assert response.headers["Content-Type"] == "application/pdf"
        assert response.headers["Content-Security-Policy"].startswith("sandbox;")


async def test_broken_images_are_still_shared(server, client_factory) -> None:
    room_id = await morawica_room(server)
    lead = await client_factory(LEAD)
    broken = _image("JPEG")[:200]
    status, shared = await upload(lead, room_id, "uciete.jpg", broken)
    assert status == 201 and shared["mime"] == "image/jpeg"
    assert shared["thumbnail_url"] is None


async def test_retention_removes_old_files_and_their_bytes(tmp_path: Path) -> None:
    async with files_server(tmp_path, file_retention_days=30) as server:
        room_id = await morawica_room(server)
        lead = Client(server.url)
        try:
            await lead.login(LEAD)
            _, old = await upload(lead, room_id, "stary.png", _image("PNG"))
            _, kept = await upload(lead, room_id, "nowy.txt", b"nowy")
            async with server.hub.db.write() as tx:
                await tx.execute(
                    "UPDATE room_files SET created_at = '2020-01-01T00:00:00.000000Z' WHERE id = ?",
                    (old["id"],),
                )
            runtime = files.FileRuntime.for_hub(server.hub)
            report = await files.cleanup(server.hub, runtime)
            assert (report.files_removed, report.blobs_deleted) == (1, 1)
            assert len(stored_files(server)["blobs"]) == 1
            assert stored_files(server)["thumbs"] == []
            response, _ = await download(lead, old["url"])
            assert response.status == 404
            assert (await response.json())["error"]["code"] == "file_removed"
            status, listing = await lead.get(f"/api/v1/rooms/{room_id}/files")
            assert [f["name"] for f in listing["files"]] == ["nowy.txt"]
            # The removed file keeps its row for the room's history.
            status, detail = await lead.get(f"/api/v1/files/{old['id']}")
            assert status == 200 and detail["removed"] is True and detail["url"]
            response, body = await download(lead, kept["url"])
            assert body == b"nowy"
            # Its card in the conversation says so (and is a change a rejoining client gets).
            status, history = await lead.get(f"/api/v1/rooms/{room_id}/messages")
            cards = {m["body"]["file_id"]: m for m in history["messages"] if m["kind"] == "file"}
            assert cards[old["id"]]["body"]["removed"] is True
            assert "removed" not in cards[kept["id"]]["body"]
            changed = await server.hub.db.fetch_one(
                "SELECT r.last_change, m.change_seq FROM messages m"
                " JOIN rooms r ON r.id = m.room_id WHERE m.id = ?",
                (cards[old["id"]]["id"],),
            )
            assert changed is not None and changed[0] == changed[1] == 1
            # Nothing else is due; a second run changes nothing.
            report = await files.cleanup(server.hub, runtime, now=now_utc() + timedelta(days=1))
            assert report == files.CleanupReport(0, 0, 0, 0, 0)
        finally:
            await lead.close()


async def test_cleanup_clears_orphans_and_stale_uploads(server, client_factory) -> None:
    runtime = files.FileRuntime.for_hub(server.hub)
    orphan = runtime.blobs.blob_path("a" * 64)
    orphan.parent.mkdir(parents=True, exist_ok=True)
    orphan.write_bytes(b"left by a crash between the move and the commit")
    stale = runtime.blobs.tmp / "upload-old.part"
    stale.write_bytes(b"half")
    # Young ones are left alone: a live upload may own them.
    report = await files.cleanup(server.hub, runtime)
    assert report == files.CleanupReport(0, 0, 0, 0, 0)
    old = (now_utc() - timedelta(days=3)).timestamp()
    os.utime(orphan, (old, old))
    os.utime(stale, (old, old))
    report = await files.cleanup(server.hub, runtime)
    assert (report.orphans_deleted, report.temp_deleted) == (1, 1)
    assert not orphan.exists() and not stale.exists()


def test_cleanup_command(tmp_path: Path) -> None:
    env = {"MEETINGS_HUB_DATA_DIR": str(tmp_path / "var"), "MEETINGS_HUB_FILE_RETENTION_DAYS": "7"}
    result = subprocess.run(
        [sys.executable, "-m", "meetings_hub.cli", "cleanup"],
        capture_output=True,
        text=True,
        env={**env, "PATH": "/usr/bin:/bin"},
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "files kept 7 days: 0 removed by retention" in result.stdout
