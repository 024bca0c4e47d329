"""The calendar page over plain HTTP: views, the scope menu, months, who is sent to sign in."""

from __future__ import annotations

from datetime import datetime, timedelta

from tests.feeds.helpers import WARSAW, add_meeting, network_named
from tests.support import COORDINATOR, LEAD, PARTNER


async def test_views_scopes_and_months(server, client_factory) -> None:
    net = await network_named(server, "Morawic")
    korsze = await network_named(server, "Korsz")
    start = datetime.now(WARSAW).replace(day=15, hour=10, minute=0, second=0, microsecond=0)
    await add_meeting(server, net, title="Spotkanie Morawicy", start=start)
    await add_meeting(server, korsze, title="Spotkanie Korsz", start=start + timedelta(hours=2))
    partner = await client_factory(PARTNER)

    status, page = await partner.get("/calendar")
    assert status == 200
    assert "Spotkanie Morawicy" in page and "Spotkanie Korsz" not in page
    assert 'class="cal-grid"' in page and "cal-import" not in page
    status, page = await partner.get(f"/calendar?view=list&show=network:{net.id}")
    assert status == 200 and 'class="cal-list"' in page and "Spotkanie Morawicy" in page
    # Another network is not in her menu: the page falls back to her own meetings.
    status, page = await partner.get(f"/calendar?show=network:{korsze.id}")
    assert status == 200 and "Spotkanie Korsz" not in page
    status, page = await partner.get("/calendar?month=nonsense&view=weird")
    assert status == 200 and 'class="cal-grid"' in page
    status, page = await partner.get("/calendar?month=2031-02")
    assert status == 200 and "Luty 2031" in page and "Spotkanie Morawicy" not in page

    lead = await client_factory(LEAD)
    status, page = await lead.get("/calendar")
    assert status == 200 and 'id="cal-import-form"' in page
    coordinator = await client_factory(COORDINATOR)
    status, page = await coordinator.get("/calendar?view=list&show=programme")
    assert status == 200 and "Spotkanie Morawicy" in page and "Spotkanie Korsz" in page


async def test_anonymous_is_sent_to_sign_in(server, client_factory) -> None:
    anonymous = await client_factory()
    async with anonymous.session.get(server.url + "/calendar", allow_redirects=False) as r:
        assert r.status == 303
        assert r.headers["Location"] == "/login?next=/calendar"
