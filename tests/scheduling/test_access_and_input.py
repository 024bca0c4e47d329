"""Who may schedule, see and answer; bad input gets 422 with field errors and stores nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from meetings_hub.actions import demo
from meetings_hub.actions.session import guest_link_token
from tests.support import COORDINATOR, LEAD, PARTNER, Client, Server, make_settings, start_server

OTHER_LEAD = "joanna.sadowska@korsze.example.org"
OTHER_PARTNER = "elzbieta.gorska@reszel.example.org"
GOOD = {"title": "Warsztaty", "start": "2027-10-19T10:00:00"}


async def _create(client: Client, **extra: Any) -> dict[str, Any]:
    status, body = await client.post("/api/v1/meetings", {**GOOD, **extra})
    assert status == 201, body
    return body


async def test_roles(server: Server, client_factory: Any) -> None:
    lead, partner = await client_factory(LEAD), await client_factory(PARTNER)
    other_lead, other_partner = (
        await client_factory(OTHER_LEAD),
        await client_factory(OTHER_PARTNER),
    )
    coordinator, anonymous = await client_factory(COORDINATOR), await client_factory()
    meeting = await _create(lead)
    mid = meeting["id"]
    # Partners do not schedule; a lead schedules only in her own network.
    status, body = await partner.post("/api/v1/meetings", GOOD)
    assert status == 403, body
    status, body = await other_lead.post(
        "/api/v1/meetings", {**GOOD, "network_id": meeting["network_id"]}
    )
    # A network she cannot see is "unknown" (like 404: ids of other networks reveal nothing).
    assert status == 422 and "network_id" in body["error"]["details"], body
    # The coordinator schedules in any network, naming it.
    status, body = await coordinator.post("/api/v1/meetings", GOOD)
    assert status == 422 and "network_id" in body["error"]["details"]
    status, body = await coordinator.post(
        "/api/v1/meetings", {**GOOD, "network_id": meeting["network_id"]}
    )
    assert status == 201, body
    # The invited partner reads and answers; she cannot edit or cancel.
    status, body = await partner.get(f"/api/v1/meetings/{mid}")
    assert status == 200 and body["may_manage"] is False
    assert "email" not in str([g for g in body["guests"] if g["email"]])
    status, _ = await partner.post(f"/api/v1/meetings/{mid}/rsvp", {"answer": "tentative"})
    assert status == 204
    status, _ = await partner.post(f"/api/v1/meetings/{mid}/cancel")
    assert status == 403
    status, _ = await partner.request("PUT", f"/api/v1/meetings/{mid}", json=GOOD)
    assert status == 403
    # Another network's people do not see it at all (404, not 403).
    for outsider in (other_lead, other_partner):
        status, body = await outsider.get(f"/api/v1/meetings/{mid}")
        assert status == 404, body
        status, body = await outsider.post(f"/api/v1/meetings/{mid}/rsvp", {"answer": "accepted"})
        assert status == 404, body
        status, listed = await outsider.get(
            "/api/v1/occurrences?from=2027-10-01T00:00:00Z&to=2027-11-01T00:00:00Z"
            f"&network_id={meeting['network_id']}"
        )
        assert status == 404, listed
    status, listed = await other_partner.get(
        "/api/v1/occurrences?from=2027-10-01T00:00:00Z&to=2027-11-01T00:00:00Z"
    )
    assert status == 200 and listed == []
    status, listed = await partner.get(
        "/api/v1/occurrences?from=2027-10-01T00:00:00Z&to=2027-11-01T00:00:00Z"
    )
    assert [o["meeting_id"] for o in listed] == [mid, mid + 1]
    # Not signed in: 401.
    status, body = await anonymous.get(f"/api/v1/meetings/{mid}")
    assert status == 401, body
    status, body = await anonymous.post("/api/v1/meetings", GOOD)
    assert status == 401, body


async def test_partner_not_invited_does_not_see_meeting_of_other_libraries(
    server: Server, client_factory: Any
) -> None:
    lead, partner = await client_factory(LEAD), await client_factory(PARTNER)
    status, defaults = await lead.get("/api/v1/meetings/defaults")
    assert status == 200
    host = defaults["host_library_id"]
    meeting = await _create(lead, whole_network=False, library_ids=[host])
    status, _ = await partner.get(f"/api/v1/meetings/{meeting['id']}")
    assert status == 404
    # Nobody of the network has attended yet: the mark would be on everyone, so it is on no one.
    assert not [p for p in defaults["people"] if p["never_attended"]]
    assert defaults["end"] > defaults["start"]
    status, me = await lead.get("/api/v1/me")
    assert status == 200
    assert me["id"] not in [p["id"] for p in defaults["people"]]  # the organiser is not listed
    # Once one librarian has attended a session, the others are marked.
    first = defaults["people"][0]
    status, room = await lead.post(f"/api/v1/meetings/{meeting['id']}/room", {})
    assert status in (200, 201), room
    async with server.hub.db.write() as tx:
        await tx.execute(
            "INSERT INTO attendance (room_id, meeting_id, person_id, joined_at, left_at)"
            " VALUES (?, ?, ?, '2026-01-01T10:00:00.000000Z', '2026-01-01T11:00:00.000000Z')",
            (room["id"], meeting["id"], first["id"]),
        )
    status, defaults = await lead.get("/api/v1/meetings/defaults")
    marked = {p["id"] for p in defaults["people"] if p["never_attended"]}
    assert marked == {p["id"] for p in defaults["people"]} - {first["id"]}


async def test_guest_sees_only_her_meeting(server: Server, client_factory: Any) -> None:
    lead = await client_factory(LEAD)
    first = await _create(lead, guests=[{"email": "gosc@example.net", "category": "ngo"}])
    second = await _create(lead)
    async with server.hub.db.read() as reader:
        rows = await reader.fetch_all(
            "SELECT id FROM guest_invitations WHERE meeting_id = ?", (first["id"],)
        )
    token = guest_link_token(server.hub, rows[0]["id"], first["id"])
    guest = await client_factory()
    status, body = await guest.post(
        "/api/v1/guest/enter", {"token": token, "name": "Gość", "category": "ngo"}
    )
    assert status == 200, body
    guest.csrf = body["csrf_token"]
    status, body = await guest.get(f"/api/v1/meetings/{first['id']}")
    assert status == 200 and body["my_rsvp"] == "needs_action"
    status, _ = await guest.post(f"/api/v1/meetings/{first['id']}/rsvp", {"answer": "accepted"})
    assert status == 204
    status, body = await guest.get(f"/api/v1/meetings/{first['id']}")
    assert body["my_rsvp"] == "accepted"
    status, _ = await guest.get(f"/api/v1/meetings/{second['id']}")
    assert status == 404
    status, page = await guest.get(f"/meetings/{first['id']}")
    assert status == 200 and "Warsztaty" in page and "Wezmę udział" in page
    status, _ = await guest.get(f"/meetings/{second['id']}")
    assert status == 404
    status, _ = await guest.post("/api/v1/meetings", GOOD)
    assert status == 403


async def test_bad_input_gets_field_errors_and_stores_nothing(tmp_path: Path) -> None:
    srv = await start_server(make_settings(tmp_path, max_invitees=3))
    await demo.load(srv.hub)
    lead = Client(srv.url)
    try:
        await lead.login(LEAD)
        cases = [
            ({"end": "2027-10-19T09:00:00"}, "end"),
            (
                {"recurrence": {"freq": "WEEKLY", "weekdays": ["TU"], "until": "2030-01-01"}},
                "recurrence.until",
            ),
            (
                {"recurrence": {"freq": "WEEKLY", "weekdays": ["WE"], "count": 3}},
                "recurrence.weekdays",
            ),
            (
                {"recurrence": {"freq": "MONTHLY", "nth": 2, "nth_weekday": "TU", "count": 3}},
                "recurrence.nth",
            ),
            ({"whole_network": False, "library_ids": [99999]}, "library_ids"),
            ({"host_library_id": 99999}, "host_library_id"),
            ({"guests": [{"email": "not-an-email"}]}, "guests.0.email"),
            ({}, "invitees"),
            ({"title": ""}, "title"),
            ({"kind": "in_person"}, "address"),
            ({"timezone": "Mars/Olympus"}, "timezone"),
            ({"join_url": "javascript:alert(1)"}, "join_url"),
        ]
        for extra, field in cases:
            status, body = await lead.post("/api/v1/meetings", {**GOOD, **extra})
            assert status == 422, (extra, body)
            assert field in body["error"]["details"], (extra, body)
        status, body = await lead.post("/api/v1/meetings", {**GOOD, "kind": "party"})
        assert status == 422 and "kind" in body["error"]["details"]
        status, body = await lead.post("/api/v1/meetings", {**GOOD, "surprise": 1})
        assert status == 422
        status, body = await lead.get("/api/v1/occurrences?from=2027-01-01&to=2026-01-01")
        assert status == 422
        status, body = await lead.get("/api/v1/occurrences?from=yesterday&to=2026-01-01")
        assert status == 400
        status, body = await lead.get("/api/v1/meetings/99999")
        assert status == 404
        async with srv.hub.db.read() as reader:
            row = await reader.fetch_one("SELECT COUNT(*) FROM meetings")
            mail = await reader.fetch_one("SELECT COUNT(*) FROM outbox WHERE kind LIKE 'meeting%'")
        assert row[0] == 0 and mail[0] == 0
    finally:
        await lead.close()
        await srv.runner.cleanup()
