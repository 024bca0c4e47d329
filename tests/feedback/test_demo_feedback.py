"""The demo (as `meetings-hub demo` loads it) fills the report: held sessions with librarians
and guests, and a realistic spread of answers, anonymous guests among them."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from meetings_hub.actions import demo, demo_feedback, demo_savings, demo_sessions
from meetings_hub.actions.report import GUEST_CATEGORIES
from tests.support import COORDINATOR, LEAD, Client, make_settings, start_server


async def test_demo_populates_the_report(tmp_path: Path) -> None:
    server = await start_server(make_settings(tmp_path, reminder_poll_seconds=3600))
    try:
        hub = server.hub
        await demo.load(hub)
        await demo_sessions.load_sessions(hub)
        assert await demo_feedback.add_guests(hub) > 0
        await demo_savings.load(hub)
        answers = await demo_feedback.load_answers(hub)
        assert answers >= 40
        async with hub.db.read() as reader:
            anonymous = await reader.fetch_one(
                "SELECT COUNT(*) AS n FROM feedback_answers WHERE respondent = 'anonymous'"
                " AND person_id IS NULL AND guest_id IS NULL"
            )
        assert anonymous["n"] > 0
        client = Client(server.url)
        await client.login(COORDINATOR)
        try:
            today = date.today()
            status, got = await client.get(f"/api/v1/report?from={today - timedelta(days=365)}")
            assert status == 200, got
        finally:
            await client.close()
        total = next(r for r in got["sessions"] if r["kind"] == "total")
        assert total["held"] >= 20 and Decimal(total["average_attendance"]) > 3
        guests = {
            r["category"]
            for r in got["participants"]
            if r["category"] in GUEST_CATEGORIES and r["people"]
        }
        assert len(guests) >= 5, guests
        assert got["answers"] == answers
        shares = {(r["group"], r["code"]): Decimal(r["percent"]) for r in got["shares"]}
        # A spread, not all or nothing: common outcomes often, rare ones seldom.
        assert (
            shares[("outcomes", "experience_exchange")]
            > shares[("outcomes", "authorities_image")]
            > 0
        )
        assert Decimal(50) < shares[("advantages", "saved_time")] < Decimal(100)
        assert got["quotes"] and got["plans"]
        assert 3 < Decimal(got["average_rating"]) < 5
        assert got["savings"]["sessions"] > 0
        lead = Client(server.url)
        await lead.login(LEAD)
        try:
            status, page = await lead.get("/report")
            assert status == 200 and "Cytaty" in page
        finally:
            await lead.close()
    finally:
        await server.runner.cleanup()
