"""The /report page: who may open it, that it shows every section with its CSV link, and that
free text (quotes, plans) is escaped."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from meetings_hub.actions import feedback_requests
from tests.feedback.support import attend, held_session, link_in, outbox_rows, person_id
from tests.support import COORDINATOR, LEAD, PARTNER, Client, Server


async def test_report_page_access_and_escaping(server: Server) -> None:
    hub = server.hub
    start = (datetime.now(UTC) - timedelta(hours=5)).replace(microsecond=0)
    made = await held_session(hub, LEAD, start)
    await attend(
        hub,
        made["room_id"],
        made["meeting_id"],
        start,
        start + timedelta(minutes=40),
        person=await person_id(hub, PARTNER),
    )
    await feedback_requests.scan(hub)
    (ask,) = await outbox_rows(hub, "feedback_ask")
    anonymous = Client(server.url)
    try:
        status, _ = await anonymous.request(
            "PUT",
            "/api/v1" + link_in(ask["body_text"]),
            json={"comment": "<img src=x onerror=alert(1)>", "may_quote": True,
                  "plans": [{"kind": "other", "text": "<b>Rajd</b>"}]},
        )  # fmt: skip
        assert status == 200
        status, page = await anonymous.get("/report")
        assert status == 200 and 'name="password"' in page  # the sign-in page
    finally:
        await anonymous.close()
    for email, wanted in ((COORDINATOR, 200), (LEAD, 200), (PARTNER, 403)):
        client = Client(server.url)
        await client.login(email)
        try:
            status, page = await client.get("/report")
            assert status == wanted, (email, page[:300])
            if wanted != 200:
                continue
            for table in (
                "sessions",
                "participants",
                "answers",
                "plans",
                "quotes",
                "sustainability",
                "savings",
            ):
                assert f"/api/v1/report/csv/{table}?" in page, table
            assert "&lt;img src=x onerror=alert(1)&gt;" in page and "<img src=x" not in page
            assert "&lt;b&gt;Rajd&lt;/b&gt;" in page
            assert "/meetings/new?network_id=" in page  # one click to schedule the plan
        finally:
            await client.close()
