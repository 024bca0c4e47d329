"""The file card: a chat message of kind "file", broadcast live after the commit, kept in the
room's history and replayed to those who come back."""

from __future__ import annotations

from datetime import timedelta

from meetings_hub.actions import files, rooms
from tests.chat.support import ChatClient, add_meeting, session_token, wait_for
from tests.files.support import actor_for, download, meeting_room, morawica_room, upload
from tests.support import LEAD, PARTNER


async def test_card_reaches_the_room_live_and_stays_in_history(server, client_factory) -> None:
    room_id = await morawica_room(server)
    lead = await client_factory(LEAD)
    partner = await client_factory(PARTNER)
    watcher = ChatClient("partner")
    await watcher.connect(server, session_token(partner))
    try:
        await watcher.join(room_id, last_seq=0)
        status, shared = await upload(lead, room_id, "sprawozdanie_łódź.pdf", b"%PDF-1.4\n...")
        assert status == 201
        await wait_for(lambda: bool(watcher.messages.get(room_id)))
        card = watcher.messages[room_id][0]
        assert card["kind"] == "file" and card["text"] == "sprawozdanie_łódź.pdf"
        assert card["author_name"] == "Anna Kowalczyk"
        assert card["body"]["file_id"] == shared["id"]
        assert card["body"]["mime"] == "application/pdf"
        assert card["body"]["size"] == len(b"%PDF-1.4\n...")
        # History (REST) and replay (socket) both carry it.
        status, page = await partner.get(f"/api/v1/rooms/{room_id}/messages")
        assert status == 200
        assert [m["kind"] for m in page["messages"]] == ["file"]
        late = ChatClient("late")
        await late.connect(server, session_token(lead))
        try:
            await late.join(room_id, last_seq=0)
            await wait_for(lambda: bool(late.messages.get(room_id)))
            assert late.messages[room_id][0]["body"]["file_id"] == shared["id"]
        finally:
            await late.close()
    finally:
        await watcher.close()


async def test_no_card_and_no_file_before_the_session_room_opens(server, client_factory) -> None:
    row = await server.hub.db.fetch_one("SELECT id FROM networks ORDER BY id LIMIT 1")
    meeting_id = await add_meeting(server, row["id"], starts_in=timedelta(hours=3))

    room_id = await rooms.room_for_meeting(server.hub, await actor_for(server, LEAD), meeting_id)
    partner = await client_factory(PARTNER)
    status, body = await upload(partner, room_id, "za wcześnie.txt", b"x")
    assert status == 403 and body["error"]["code"] == "not_open"
    status, listing = await partner.get(f"/api/v1/rooms/{room_id}/files")
    assert listing["files"] == []


async def test_session_room_takes_files_during_the_meeting(server, client_factory) -> None:
    meeting = await meeting_room(server)
    partner = await client_factory(PARTNER)
    status, _ = await upload(partner, meeting.room_id, "w trakcie.txt", b"x")
    assert status == 201
    status, page = await partner.get(f"/api/v1/rooms/{meeting.room_id}/messages")
    assert [m["text"] for m in page["messages"]] == ["w trakcie.txt"]


async def test_deleting_the_card_withdraws_the_file(server, client_factory) -> None:
    room_id = await morawica_room(server)
    lead = await client_factory(LEAD)
    partner = await client_factory(PARTNER)
    _, shared = await upload(lead, room_id, "pomylka.txt", b"nie ten plik")
    _, kept = await upload(lead, room_id, "dobry.txt", b"ten plik")
    status, page = await lead.get(f"/api/v1/rooms/{room_id}/messages")
    card = next(m for m in page["messages"] if m["text"] == "pomylka.txt")
    status, _ = await lead.request("DELETE", f"/api/v1/rooms/{room_id}/messages/{card['id']}")
    assert status in (200, 204)
    response, _ = await download(partner, shared["url"])
    assert response.status == 404
    assert (await response.json())["error"]["code"] == "file_removed"
    status, listing = await partner.get(f"/api/v1/rooms/{room_id}/files")
    assert [f["name"] for f in listing["files"]] == ["dobry.txt"]
    report = await files.cleanup(server.hub, files.FileRuntime.for_hub(server.hub))
    assert (report.files_withdrawn, report.blobs_deleted) == (1, 1)
    response, body = await download(partner, kept["url"])
    assert response.status == 200 and body == b"ten plik"
