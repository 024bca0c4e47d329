"""`meetings-hub demo` schedules sessions for every demo network: they reach the lead's
calendar page and network feed (read by ical.js and recurring-ical-events), and their
invitations wait in the outbox."""

from __future__ import annotations

from meetings_hub.actions import demo_sessions
from meetings_hub.demo_data import NETWORKS
from tests.feeds.helpers import fetch, vevents
from tests.support import LEAD, PARTNER


async def test_demo_sessions_fill_calendar_feed_and_outbox(server, client_factory) -> None:
    assert await demo_sessions.load_sessions(server.hub) == 3 * len(NETWORKS)

    lead = await client_factory(LEAD)
    status, feeds = await lead.get("/api/v1/feeds")
    assert status == 200
    network_feed = next(f["url"] for f in feeds if f["scope"] == "network")
    status, _, ics = await fetch(network_feed)  # both parsers read it and agree
    assert status == 200
    by_title = {str(v["SUMMARY"]): v for v in vevents(ics)}
    series = by_title["Spotkanie sieci bibliotek — Morawica"]
    assert series["RRULE"]["FREQ"] == ["WEEKLY"] and series["RRULE"]["INTERVAL"] == [2]
    assert by_title["Noc w bibliotece — Morawica"]["LOCATION"].startswith("ul.")
    assert "Szkolenie: jak prowadzić spotkanie online" in by_title
    # Only this network's sessions: the lead of Morawica does not see Korsze's.
    assert not any("Korsze" in title for title in by_title)

    partner = await client_factory(PARTNER)
    status, html = await partner.get("/calendar?view=list")
    assert status == 200 and "Spotkanie sieci bibliotek — Morawica" in html
    # The home page opens with the next meetings of her own calendar.
    status, home = await partner.get("/")
    assert status == 200
    upcoming = home.split('id="h-upcoming"', 1)[1].split("</section>", 1)[0]
    assert "Moje najbliższe spotkania" in upcoming
    assert upcoming.count("<li>") == 5  # the first five of her next two months
    for title in ("Spotkanie sieci bibliotek — Morawica", "Szkolenie", "Noc w bibliotece"):
        assert title in upcoming
    assert "Korsz" not in upcoming

    async with server.hub.db.read() as reader:
        rows = await reader.fetch_all("SELECT subject FROM outbox")
    assert len(rows) >= 3 * len(NETWORKS)
