"""A meeting on now says so in every list: "Trwa teraz" with a join button and my answer on the
home page, the meetings list and the API; once the host ends it, the lists say "Zakończone" and
the meeting page no longer offers to join (the conversation stays readable)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from meetings_hub.storage.timefmt import now_utc
from tests.support import LEAD, PARTNER, Server

WARSAW = ZoneInfo("Europe/Warsaw")


async def test_live_then_ended(server: Server, client_factory: Any) -> None:
    lead, partner = await client_factory(LEAD), await client_factory(PARTNER)
    start = (now_utc() + timedelta(minutes=5)).astimezone(WARSAW).replace(second=0, microsecond=0)
    status, meeting = await lead.post(
        "/api/v1/meetings",
        {"title": "Spotkanie teraz", "start": start.strftime("%Y-%m-%dT%H:%M:%S")},
    )
    assert status == 201, meeting
    window = "from=" + (now_utc() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    window += "&to=" + (now_utc() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")

    async def mine(client: Any) -> dict:
        status, found = await client.get(f"/api/v1/occurrences?{window}")
        assert status == 200, found
        return next(o for o in found if o["meeting_id"] == meeting["id"])

    item = await mine(partner)
    assert (item["now_state"], item["my_rsvp"]) == ("live", "needs_action")
    assert (await mine(lead))["my_rsvp"] == "accepted"  # the organiser
    assert (await partner.post(f"/api/v1/meetings/{meeting['id']}/rsvp", {"answer": "accepted"}))[
        0
    ] == 204
    for path in ("/", "/meetings"):
        status, html = await partner.get(path)
        assert status == 200
        # (the page's inlined translation table holds every text: look at the marks)
        assert '<span class="badge badge-live">Trwa teraz</span>' in html, path
        assert f'href="/meetings/{meeting["id"]}/room">Dołącz</a>' in html, path
        assert ">Moja odpowiedź: Wezmę udział</span>" in html, path

    # The rooms list (API and the page's script) marks the session room as on now.
    status, listed = await partner.get("/api/v1/rooms")
    (session,) = [r for r in listed if r["meeting_id"] == meeting["id"]]
    assert session["live"] is True
    assert not [r for r in listed if r["live"] and r["meeting_id"] != meeting["id"]]
    # The host ends the session: no more joining, the lists say so.
    status, room = await lead.post(f"/api/v1/meetings/{meeting['id']}/room", {})
    assert status in (200, 201), room
    status, _ = await lead.post(f"/api/v1/rooms/{room['id']}/end", {})
    assert status in (200, 204), _
    assert (await mine(partner))["now_state"] == "ended"
    status, listed = await partner.get("/api/v1/rooms")
    assert not [r for r in listed if r["live"]]
    status, html = await partner.get("/")
    assert '<span class="badge">Zakończone</span>' in html
    assert 'class="badge badge-live"' not in html
    status, html = await partner.get(f"/meetings/{meeting['id']}")
    assert '<p class="note" role="status">Spotkanie zakończone przez prowadzących' in html
    assert ">Dołącz do spotkania</a>" not in html
    assert f'href="/meetings/{meeting["id"]}/room">Zobacz zapis rozmowy' in html
