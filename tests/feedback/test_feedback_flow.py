"""Feedback after a date: asked once (mail + room card) only who attended; one answer per
person per date, editable while open; anonymous guest answers keep no link to the guest; one
reminder two days later through the outbox, never to those who answered or were absent."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from meetings_hub.actions import feedback_requests
from tests.feedback.support import (
    add_guest,
    attend,
    held_session,
    link_in,
    outbox_rows,
    person_id,
)
from tests.support import LEAD, PARTNER, Client, Server

COLLEAGUE = "barbara.lis@checiny.example.org"
GUEST_EMAIL = "wojt@gmina.example.org"
ANSWER: dict[str, Any] = {
    "outcomes": ["knowledge", "further_cooperation"],
    "advantages": ["saved_time"],
    "difficulties": ["other"],
    "difficulty_other": "Echo w sali",
    "plans": [{"kind": "workshops", "date": "2027-03-01"}, {"kind": "other", "text": "Rajd"}],
    "rating": 4,
    "comment": "Bardzo <b>dobre</b> spotkanie",
    "may_quote": True,
}


async def _session(server: Server) -> dict[str, Any]:
    hub = server.hub
    start = (datetime.now(UTC) - timedelta(hours=3)).replace(microsecond=0)
    made = await held_session(hub, LEAD, start, minutes=60)
    guest = await add_guest(hub, made["meeting_id"], GUEST_EMAIL, "Wójt Gminy")
    for who in (await person_id(hub, LEAD), await person_id(hub, PARTNER)):
        await attend(
            hub,
            made["room_id"],
            made["meeting_id"],
            start,
            start + timedelta(minutes=50),
            person=who,
        )
    await attend(hub, made["room_id"], made["meeting_id"], start, None, guest=guest)
    # Someone present only the day before (another date's window) was not at this date.
    colleague = await person_id(hub, COLLEAGUE)
    day_before = start - timedelta(days=1)
    await attend(
        hub,
        made["room_id"],
        made["meeting_id"],
        day_before,
        day_before + timedelta(minutes=30),
        person=colleague,
    )
    return {**made, "start": start, "guest_id": guest}


async def test_asked_once_answered_reminded_once(server: Server) -> None:
    hub = server.hub
    made = await _session(server)
    assert await feedback_requests.scan(hub) == 3
    assert await feedback_requests.scan(hub) == 0  # nobody is asked twice
    asks = await outbox_rows(hub, "feedback_ask")
    assert sorted(r["recipient"].split("<")[-1].rstrip(">") for r in asks) == sorted(
        [LEAD, PARTNER, GUEST_EMAIL]
    )
    links = {r["recipient"].split("<")[-1].rstrip(">"): link_in(r["body_text"]) for r in asks}

    anonymous = Client(server.url)  # no account, no session: the signed link is the key
    try:
        status, page = await anonymous.get(links[PARTNER])
        assert status == 200 and "feedback-form" in page
        status, view = await anonymous.request("PUT", "/api/v1" + links[PARTNER], json=ANSWER)
        assert status == 200, view
        assert view["answered"] and view["answer"]["rating"] == 4
        status, view = await anonymous.request(
            "PUT", "/api/v1" + links[PARTNER], json={**ANSWER, "rating": 5, "plans": []}
        )
        assert status == 200 and view["answer"]["rating"] == 5 and view["answer"]["plans"] == []
        # The guest answers anonymously: stored with no guest id (not merely hidden).
        status, view = await anonymous.request(
            "PUT", "/api/v1" + links[GUEST_EMAIL], json={**ANSWER, "anonymous": True}
        )
        assert status == 200 and view["answered_anonymously"] and view["answer"] is None
        status, again = await anonymous.request("PUT", "/api/v1" + links[GUEST_EMAIL], json=ANSWER)
        assert status == 422, again
        status, page = await anonymous.get(links[GUEST_EMAIL])
        assert status == 200 and "Echo w sali" not in page
    finally:
        await anonymous.close()
    async with hub.db.read() as reader:
        rows = await reader.fetch_all(
            "SELECT person_id, guest_id, respondent, answered_on FROM feedback_answers"
            " WHERE meeting_id = ?",
            (made["meeting_id"],),
        )
    assert sorted(r["respondent"] for r in rows) == ["anonymous", "librarian"]
    anon = next(r for r in rows if r["respondent"] == "anonymous")
    assert anon["person_id"] is None and anon["guest_id"] is None
    assert len(anon["answered_on"]) == 10  # a day, no time to match against the request

    # Two days later: one reminder, to the lead only (answered and absent people get none).
    later = datetime.now(UTC) + timedelta(days=2, minutes=1)
    assert await feedback_requests.scan(hub, later) == 1
    assert await feedback_requests.scan(hub, later + timedelta(days=1)) == 0
    reminders = await outbox_rows(hub, "feedback_reminder")
    assert [r["recipient"].split("<")[-1].rstrip(">") for r in reminders] == [LEAD]


async def test_bad_links_and_bad_answers(server: Server) -> None:
    hub = server.hub
    await _session(server)
    await feedback_requests.scan(hub)
    asks = await outbox_rows(hub, "feedback_ask")
    lead_link = next(link_in(r["body_text"]) for r in asks if LEAD in r["recipient"])
    partner_link = next(link_in(r["body_text"]) for r in asks if PARTNER in r["recipient"])
    client = Client(server.url)
    try:
        for bad in ("/feedback/nonsense", lead_link[:-3] + "AAA", lead_link + "x"):
            status, body = await client.get("/api/v1" + bad)
            assert status == 404 and body["error"]["code"] == "invalid_feedback_link", bad
        for wrong in (
            {"rating": 6},
            {"outcomes": ["bribes"]},
            {"outcomes": ["knowledge", "knowledge"]},
            {"plans": [{"kind": "rocket"}]},
            {"plans": [{"kind": "other", "text": ""}]},
            {"comment": "x" * 2001},
            {"comment": "bad \x07 bell"},
            {"difficulty_other": "no tick"},
            {"anonymous": True},  # a librarian's answer always carries her name
            {"unknown": 1},
        ):
            status, body = await client.request("PUT", "/api/v1" + partner_link, json=wrong)
            assert status == 422, (wrong, body)
        async with hub.db.read() as reader:
            assert (await reader.fetch_one("SELECT COUNT(*) AS n FROM feedback_answers"))["n"] == 0
        # Closed after seven days: nothing changes any more.
        async with hub.db.write() as tx:
            await tx.execute(
                "UPDATE feedback_requests SET closes_at = '2000-01-01T00:00:00.000000Z'"
            )
        status, body = await client.request("PUT", "/api/v1" + partner_link, json=ANSWER)
        assert status == 422 and body["error"]["details"] == {"status": "closed"}
    finally:
        await client.close()


async def test_room_card_until_answered(server: Server) -> None:
    hub = server.hub
    made = await _session(server)
    await feedback_requests.scan(hub)
    partner = Client(server.url)
    try:
        await partner.login(PARTNER)
        status, page = await partner.get(f"/rooms/{made['room_id']}")
        assert status == 200 and 'id="feedback-card"' in page
        card_link = page.split('id="feedback-card"')[1].split('href="')[1].split('"')[0]
        status, view = await partner.request("PUT", "/api/v1" + card_link, json=ANSWER)
        assert status == 200, view
        status, page = await partner.get(f"/rooms/{made['room_id']}")
        assert 'id="feedback-card"' not in page
    finally:
        await partner.close()


async def test_asked_when_the_room_closes_not_before(server: Server) -> None:
    """Who was there is final only when the room closes (chat_session_close_minutes after the
    end): someone may still come in after the scheduled end."""
    hub = server.hub
    start = (datetime.now(UTC) - timedelta(minutes=70)).replace(microsecond=0)
    made = await held_session(hub, LEAD, start, minutes=60)
    partner = await person_id(hub, PARTNER)
    await attend(hub, made["room_id"], made["meeting_id"], start, None, person=partner)
    assert await feedback_requests.scan(hub) == 0
    closes = start + timedelta(minutes=60 + hub.settings.chat_session_close_minutes)
    assert await feedback_requests.scan(hub, closes + timedelta(minutes=1)) == 1
    assert await feedback_requests.scan(hub, closes + timedelta(minutes=2)) == 0
