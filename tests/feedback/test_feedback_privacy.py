"""Feedback in the data export and the erasure (issue 17): a librarian's own answers are in her
ZIP; a guest's anonymous answer is in nobody's; erasing a person keeps her ticks counted but
drops what she wrote."""

from __future__ import annotations

import asyncio
import io
import json
import zipfile
from datetime import UTC, datetime, timedelta

from meetings_hub.actions import feedback_requests
from tests.feedback.support import (
    add_guest,
    attend,
    held_session,
    link_in,
    outbox_rows,
    person_id,
)
from tests.support import COORDINATOR, LEAD, PARTNER, Client, Server

V1 = "/api/v1"


async def _zip(client: Client, server: Server, body: dict[str, int]) -> zipfile.ZipFile:
    status, made = await client.post(f"{V1}/exports", body)
    assert status == 201, made
    for _ in range(200):
        status, done = await client.get(f"{V1}/exports/{made['id']}")
        if done["status"] == "ready":
            break
        await asyncio.sleep(0.05)
    async with client.session.get(server.url + done["download_url"]) as r:
        return zipfile.ZipFile(io.BytesIO(await r.read()))


async def test_export_and_erasure_of_feedback(server: Server) -> None:
    hub = server.hub
    start = (datetime.now(UTC) - timedelta(hours=3)).replace(microsecond=0)
    made = await held_session(hub, LEAD, start)
    guest = await add_guest(hub, made["meeting_id"], "gosc@example.org", "Gość Anonimowy")
    partner_id = await person_id(hub, PARTNER)
    end = start + timedelta(minutes=50)
    await attend(hub, made["room_id"], made["meeting_id"], start, end, person=partner_id)
    await attend(hub, made["room_id"], made["meeting_id"], start, end, guest=guest)
    await feedback_requests.scan(hub)
    links = {
        r["recipient"]: link_in(r["body_text"]) for r in await outbox_rows(hub, "feedback_ask")
    }
    anyone = Client(server.url)
    try:
        for recipient, path in links.items():
            body = {"outcomes": ["knowledge"], "comment": "Mój komentarz", "may_quote": True}
            if "gosc@" in recipient:
                body = {"outcomes": ["knowledge"], "comment": "Sekret gościa", "anonymous": True}
            status, _ = await anyone.request("PUT", V1 + path, json=body)
            assert status == 200
    finally:
        await anyone.close()

    coordinator = Client(server.url)
    await coordinator.login(COORDINATOR)
    try:
        mine = await _zip(coordinator, server, {"person_id": partner_id})
        data = json.loads(mine.read("feedback.json"))
        assert [a["comment"] for a in data["answers"]] == ["Mój komentarz"]
        assert len(data["asked"]) == 1 and data["asked"][0]["answered_on"]
        theirs = await _zip(coordinator, server, {"guest_id": guest})
        data = json.loads(theirs.read("feedback.json"))
        assert data["answers"] == [] and len(data["asked"]) == 1  # the answer is nobody's
        assert "Sekret gościa" not in json.dumps(data)

        status, _ = await coordinator.post(f"{V1}/people/{partner_id}/erase", {})
        assert status == 200
        async with hub.db.read() as reader:
            row = await reader.fetch_one(
                "SELECT outcomes, comment, may_quote FROM feedback_answers WHERE person_id = ?",
                (partner_id,),
            )
        assert (row["outcomes"], row["comment"], row["may_quote"]) == ('["knowledge"]', "", 0)
    finally:
        await coordinator.close()
