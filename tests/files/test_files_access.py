"""Who may upload and download, and how files are served: members only, Range and ETag,
markup as attachments with nosniff and a sandbox, guests and the room's upload rule."""

from __future__ import annotations

import pytest

from meetings_hub.storage import rooms
from tests.files.support import OUTSIDER, download, guest_client, meeting_room, morawica_room
from tests.files.support import upload as upload_file
from tests.support import COORDINATOR, LEAD, PARTNER

CONTENT = bytes(range(256)) * 40  # 10,240 bytes, each offset recognisable


async def _shared(server, client_factory) -> tuple[int, dict]:
    room_id = await morawica_room(server)
    lead = await client_factory(LEAD)
    status, shared = await upload_file(lead, room_id, "dane.bin", CONTENT)
    assert status == 201
    return room_id, shared


async def test_non_members_cannot_download_list_or_upload(server, client_factory) -> None:
    room_id, shared = await _shared(server, client_factory)
    outsider = await client_factory(OUTSIDER)
    for url in (shared["url"], f"/files/{shared['id']}", f"/api/v1/files/{shared['id']}"):
        response, body = await download(outsider, url)
        assert response.status == 404, url
        assert CONTENT not in body
    assert (await outsider.get(f"/api/v1/rooms/{room_id}/files"))[0] == 404
    status, body = await upload_file(outsider, room_id, "obcy.txt", b"x")
    assert status == 404 and body["error"]["code"] == "not_found"
    anonymous = await client_factory()
    response, _ = await download(anonymous, shared["url"])
    assert response.status == 401
    # The coordinator sees every room.
    coordinator = await client_factory(COORDINATOR)
    response, body = await download(coordinator, shared["url"])
    assert response.status == 200 and body == CONTENT


async def test_membership_is_checked_on_every_download(server, client_factory) -> None:
    room_id, shared = await _shared(server, client_factory)
    partner = await client_factory(PARTNER)
    response, _ = await download(partner, shared["url"])
    assert response.status == 200
    etag = response.headers["ETag"]
    assert response.headers["Cache-Control"] == "private, no-cache"
    async with server.hub.db.write() as tx:
        row = await tx.fetch_one("SELECT id FROM persons WHERE email = ?", (PARTNER,))
        await rooms.ban(tx, room_id, person_id=row["id"], guest_id=None, banned_by=None)
    # Even a conditional request from a browser that has the file cached is refused.
    response, _ = await download(partner, shared["url"], {"If-None-Match": etag})
    assert response.status == 403


async def test_range_and_etag(server, client_factory) -> None:
    _, shared = await _shared(server, client_factory)
    partner = await client_factory(PARTNER)
    response, body = await download(partner, shared["url"], {"Range": "bytes=100-199"})
    assert response.status == 206
    assert body == CONTENT[100:200]
    assert response.headers["Content-Range"] == f"bytes 100-199/{len(CONTENT)}"
    response, body = await download(partner, shared["url"], {"Range": "bytes=-10"})
    assert response.status == 206 and body == CONTENT[-10:]
    response, _ = await download(partner, shared["url"])
    assert response.headers["Accept-Ranges"] == "bytes"
    response, body = await download(
        partner, shared["url"], {"If-None-Match": response.headers["ETag"]}
    )
    assert response.status == 304 and body == b""


@pytest.mark.parametrize(
    ("name", "content", "sniffed"),
    [
        ("strona.html", b"<!DOCTYPE html><html><script>alert(1)</script></html>", "text/html"),
        (
            "obraz.svg",
            b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script/></svg>',
            "image/svg+xml",
        ),
        ("skrypt.js", b"fetch('/api/v1/me').then(r => r.text())", "text/plain"),
        ("nieznany.dat", b"\x00\x01\x02\xff" * 100, "application/octet-stream"),
    ],
)
async def test_markup_and_unknown_types_download_as_attachments(
    server, client_factory, name: str, content: bytes, sniffed: str
) -> None:
    room_id = await morawica_room(server)
    lead = await client_factory(LEAD)
    # The client claims an image; the type is taken from the content.
    status, shared = await upload_file(lead, room_id, name, content, content_type="image/png")
    assert status == 201 and shared["mime"] == sniffed
    assert shared["thumbnail_url"] is None
    for url in (shared["url"], shared["url"] + "?inline=1", f"/files/{shared['id']}?inline=1"):
        response, body = await download(lead, url)
        assert response.status == 200 and body == content
        headers = response.headers
        assert headers["Content-Disposition"].startswith("attachment;")
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Content-Security-Policy"].startswith("sandbox;")
        assert "default-src 'none'" in headers["Content-Security-Policy"]
        assert headers["Content-Type"] in {"application/octet-stream", "text/plain; charset=utf-8"}


async def test_guests_upload_unless_the_room_forbids_it(server, client_factory) -> None:
    meeting = await meeting_room(server)
    guest = await guest_client(server, meeting.meeting_id)
    try:
        status, shared = await upload_file(guest, meeting.room_id, "od gościa.txt", b"notatki")
        assert status == 201
        assert shared["uploader"].startswith("g:")
        assert shared["uploader_name"] == "Ekspert Zewnętrzny"
        response, body = await download(guest, shared["url"])
        assert response.status == 200 and body == b"notatki"
        # A guest sees only their meeting's room.
        network_room = await morawica_room(server)
        assert (await upload_file(guest, network_room, "x.txt", b"x"))[0] == 404
        # Only moderators change the rule.
        partner = await client_factory(PARTNER)
        path = f"/api/v1/rooms/{meeting.room_id}/file-settings"
        status, _ = await partner.request("PUT", path, json={"guests_may_upload": False})
        assert status == 403
        status, _ = await guest.request("PUT", path, json={"guests_may_upload": False})
        assert status == 403
        lead = await client_factory(LEAD)
        status, settings = await lead.request("PUT", path, json={"guests_may_upload": False})
        assert status == 200 and settings["guests_may_upload"] is False
        status, body = await upload_file(guest, meeting.room_id, "drugi.txt", b"y")
        assert status == 403 and body["error"]["code"] == "guest_upload_forbidden"
        status, listing = await guest.get(f"/api/v1/rooms/{meeting.room_id}/files")
        assert status == 200 and listing["may_upload"] is False
        assert [f["name"] for f in listing["files"]] == ["od gościa.txt"]
        # Librarians still may.
        assert (await upload_file(partner, meeting.room_id, "p.txt", b"p"))[0] == 201
    finally:
        await guest.close()


async def test_locked_rooms_take_no_files(server, client_factory) -> None:
    room_id = await morawica_room(server)
    async with server.hub.db.write() as tx:
        await rooms.set_locked(tx, room_id, True)
    lead = await client_factory(LEAD)
    status, body = await upload_file(lead, room_id, "x.txt", b"x")
    assert status == 403 and body["error"]["code"] == "room_locked"


async def test_listing_is_newest_first_with_who_and_when(server, client_factory) -> None:
    room_id = await morawica_room(server)
    lead = await client_factory(LEAD)
    partner = await client_factory(PARTNER)
    for i, who in enumerate([lead, partner, lead]):
        assert (await upload_file(who, room_id, f"plik{i}.txt", f"tresc {i}".encode()))[0] == 201
    status, listing = await partner.get(f"/api/v1/rooms/{room_id}/files?limit=2")
    assert status == 200
    assert [f["name"] for f in listing["files"]] == ["plik2.txt", "plik1.txt"]
    assert listing["files"][1]["uploader_name"] == "Tomasz Zieliński"
    assert listing["files"][0]["created_at"].endswith("Z")
    assert listing["may_upload"] is True and listing["max_file_bytes"] == 200_000_000
    before = listing["next_before_id"]
    status, older = await partner.get(f"/api/v1/rooms/{room_id}/files?before_id={before}")
    assert [f["name"] for f in older["files"]] == ["plik0.txt"]
    assert older["next_before_id"] is None
    status, _ = await partner.get(f"/api/v1/rooms/{room_id}/files?limit=x")
    assert status == 400


async def test_storage_use_for_coordinators(server, client_factory) -> None:
    room_id = await morawica_room(server)
    lead = await client_factory(LEAD)
    partner = await client_factory(PARTNER)
    await upload_file(lead, room_id, "a.bin", b"a" * 1000)
    await upload_file(partner, room_id, "b.bin", b"b" * 500)
    await upload_file(partner, room_id, "b-kopia.bin", b"b" * 500)
    assert (await partner.get("/api/v1/files/storage"))[0] == 403
    coordinator = await client_factory(COORDINATOR)
    status, usage = await coordinator.get("/api/v1/files/storage")
    assert status == 200
    assert usage["stored_bytes"] == 1500 and usage["shared_bytes"] == 2000
    assert usage["rooms"] == [
        {
            "room_id": room_id,
            "kind": "network",
            "title": usage["rooms"][0]["title"],
            "files": 3,
            "bytes": 2000,
        }
    ]
    by_name = {lib["name"].split(" (")[0]: lib for lib in usage["libraries"]}
    assert sorted(lib["bytes"] for lib in by_name.values()) == [1000, 1000]
    # The page shows the same figures.
    status, html = await coordinator.get("/storage")
    assert status == 200 and "2 kB" in html
    assert (await partner.get("/storage"))[0] == 403


async def test_unknown_files_are_404(server, client_factory) -> None:
    _, shared = await _shared(server, client_factory)
    lead = await client_factory(LEAD)
    response, _ = await download(lead, f"/files/{shared['id']}/inna-nazwa.bin")
    assert response.status == 404  # a link never serves a file under another name
    for url in ("/files/999", "/files/999/thumbnail", "/files/999/x.pdf"):
        response, _ = await download(lead, url)
        assert response.status == 404
    assert (await lead.get("/api/v1/files/999"))[0] == 404
