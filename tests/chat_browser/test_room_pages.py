"""The chat pages over plain HTTP: who gets which page, and where guests land."""

from __future__ import annotations

import re

from tests.chat.support import network_id_of, signed_in
from tests.chat_browser.support import meeting_with_guest_link
from tests.support import LEAD, PARTNER, Client, Server


async def _get(client: Client, path: str) -> tuple[int, str, str]:
    async with client.session.get(client.base + path, allow_redirects=False) as r:
        return r.status, r.headers.get("Location", ""), await r.text()


async def test_pages_need_someone_signed_in(server: Server) -> None:
    anonymous = Client(server.url)
    try:
        for path in ("/rooms", "/rooms/1", "/rooms/guest", "/meetings/1/room"):
            status, location, _ = await _get(anonymous, path)
            assert status == 303 and location.startswith("/login?next="), (path, status)
    finally:
        await anonymous.close()


async def test_room_page_only_for_those_who_may_enter(server: Server) -> None:
    korsze, _ = await signed_in(server, "joanna.sadowska@korsze.example.org")
    partner, _ = await signed_in(server, PARTNER)
    try:
        _, body = await korsze.post(f"/api/v1/networks/{await network_id_of(server, 'Korsz')}/room")
        other_room = body["id"]
        _, body = await partner.post(
            f"/api/v1/networks/{await network_id_of(server, 'Morawic')}/room"
        )
        own_room = body["id"]
        status, _, html = await _get(partner, f"/rooms/{own_room}")
        assert status == 200 and 'id="composer-text"' in html
        # No moderator tools for a partner librarian in the network room.
        assert 'id="mod-tools"' not in html
        for path in (f"/rooms/{other_room}", "/rooms/999999", "/rooms/abc"):
            status, _, _ = await _get(partner, path)
            assert status == 404, path
        status, _, html = await _get(partner, "/rooms")
        assert status == 200 and "Rozmowy" in html
    finally:
        await korsze.close()
        await partner.close()


async def test_guest_lands_in_their_session_room(server: Server) -> None:
    meeting_id, link = await meeting_with_guest_link(server)
    guest = Client(server.url)
    lead, _ = await signed_in(server, LEAD)
    try:
        token = link.rsplit("/", 1)[1]
        status, body = await guest.post(
            "/api/v1/guest/enter", {"token": token, "name": "Jan", "category": "expert"}
        )
        assert status == 200, body
        guest.csrf = body["csrf_token"]
        status, location, _ = await _get(guest, "/rooms/guest")
        assert status == 303 and re.fullmatch(r"/rooms/\d+", location)
        status, again, _ = await _get(guest, "/rooms")
        assert status == 303 and again == "/rooms/guest"
        status, _, html = await _get(guest, location)
        assert status == 200 and "Jan" in html and 'href="/rooms"' not in html
        # The meeting page's link leads the lead into the same room.
        status, lead_location, _ = await _get(lead, f"/meetings/{meeting_id}/room")
        assert status == 303 and lead_location == location
        # The guest cannot open any other room.
        _, body = await lead.post(f"/api/v1/networks/{await network_id_of(server, 'Morawic')}/room")
        status, _, _ = await _get(guest, f"/rooms/{body['id']}")
        assert status == 404
    finally:
        await guest.close()
        await lead.close()
