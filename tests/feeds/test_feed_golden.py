"""A network feed built by the whole app (store, scheduling, feed action) from fixed data,
compared byte for byte with tests/calendars/data/server_network_feed.ics.

Regenerate after an intended change with
    UPDATE_GOLDEN=1 .venv/bin/pytest tests/feeds/test_feed_golden.py
and review the diff before committing it.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from calendars import document
from meetings_hub.actions import demo, feeds
from meetings_hub.domain import Actor
from meetings_hub.scheduling.recurrence import Change, Rule
from meetings_hub.storage import people
from meetings_hub.storage import scheduling as store
from meetings_hub.storage.timefmt import to_db
from tests.feeds.helpers import WARSAW, add_meeting, check_interop, event_of, network_named
from tests.support import LEAD, REPO, Server, make_settings, start_server

GOLDEN = REPO / "tests" / "calendars" / "data" / "server_network_feed.ics"
NOW = datetime(2025, 10, 1, 12, tzinfo=UTC)
CREATED = datetime(2025, 8, 20, 9, 15, tzinfo=UTC)
CHANGED = datetime(2025, 9, 22, 14, 30, tzinfo=UTC)


@pytest.fixture
async def fixed_server(tmp_path: Path) -> AsyncIterator[Server]:
    """Fixed addresses: the site's URL and domain end up in the file."""
    settings = make_settings(
        tmp_path, site_url="https://spotkania.example.org", site_domain="spotkania.example.org"
    )
    server = await start_server(settings)
    await demo.load(server.hub)
    yield server
    await server.runner.cleanup()


async def _fill(server: Server) -> list[int]:
    net = await network_named(server, "Morawic")
    first = datetime(2025, 9, 2, 10, tzinfo=WARSAW)
    moved = datetime(2025, 10, 14, 10, tzinfo=WARSAW).astimezone(UTC)
    series = await add_meeting(
        server,
        net,
        title="Dyskusyjny Klub Książki",
        agenda="Lektury na jesień; zapraszamy wszystkie biblioteki sieci.",
        start=first,
        rule=Rule("WEEKLY", 1, ("TU",), until=datetime(2025, 12, 16, 23, tzinfo=UTC)),
        changes=(
            Change(
                moved,
                "override",
                start=moved + timedelta(days=1, hours=2),
                end=moved + timedelta(days=1, hours=3, minutes=30),
                title="Dyskusyjny Klub Książki (w środę)",
            ),
            Change(datetime(2025, 10, 28, 9, tzinfo=UTC), "exception"),
        ),
    )
    night = await add_meeting(
        server,
        net,
        title="Noc w bibliotece",
        start=datetime(2025, 10, 18, 18, tzinfo=WARSAW),
        minutes=300,
        kind="in_person",
        address="ul. Długa 5, 26-060 Chęciny",
    )
    off = await add_meeting(
        server, net, title="Spotkanie autorskie", start=datetime(2025, 10, 9, 17, tzinfo=WARSAW)
    )
    old = await add_meeting(
        server, net, title="Dawne", start=datetime(2025, 1, 7, 10, tzinfo=WARSAW)
    )
    async with server.hub.db.write() as tx:
        await store.cancel(tx, off)
        await tx.execute(
            "UPDATE meetings SET created_at = ?, updated_at = ?, changed_at = ?,"
            " cancelled_at = CASE WHEN cancelled_at IS NULL THEN NULL ELSE ? END",
            (to_db(CREATED), to_db(CHANGED), to_db(CHANGED), to_db(CHANGED)),
        )
    return [series, night, off, old]


async def test_network_feed_matches_the_golden_file(fixed_server: Server) -> None:
    series, night, off, old = await _fill(fixed_server)
    hub = fixed_server.hub
    async with hub.db.read() as reader:
        lead = await people.get_by_email(reader, LEAD)
    links = await feeds.my_feeds(hub, Actor(person=lead))
    url = next(link.url for link in links if link.scope is feeds.FeedScope.NETWORK)
    token = url.rsplit("/", 1)[1].removesuffix(".ics")
    body = (await feeds.feed_file(hub, token, now=NOW)).body
    assert (await feeds.feed_file(hub, token, now=NOW)).body == body, "byte-identical"
    if os.environ.get("UPDATE_GOLDEN") == "1":
        GOLDEN.write_bytes(body)
    assert GOLDEN.is_file(), f"missing {GOLDEN}; run with UPDATE_GOLDEN=1 to create it"
    assert body == GOLDEN.read_bytes(), "the feed changed; see the module docstring"
    assert b"meeting-%d@spotkania.example.org" % old not in body
    # After a restart the VEVENT lines come from the database (feed_event_bytes), and with
    # an empty table icalendar writes them all again: the same file either way.
    for empty_table in (False, True):
        document.forget_lines()
        hub.caches.pop("feeds", None)
        if empty_table:
            async with hub.db.write() as tx:
                await tx.execute("DELETE FROM feed_event_bytes")
        else:
            assert await hub.db.fetch_all("SELECT 1 FROM feed_event_bytes")
        assert (await feeds.feed_file(hub, token, now=NOW)).body == body, empty_table
    check_interop(body, [await event_of(fixed_server, i) for i in (series, night, off)])
