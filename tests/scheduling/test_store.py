"""The scheduling store on a real SQLite file: series, changes and window queries."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from meetings_hub.actions.occurrences import Target, calendar_meetings, occurrence_views
from meetings_hub.scheduling.recurrence import Change, Rule
from meetings_hub.storage import networks
from meetings_hub.storage import scheduling as store
from tests.support import Server

WARSAW = ZoneInfo("Europe/Warsaw")


async def _network(server: Server) -> tuple[int, int]:
    async with server.hub.db.read() as reader:
        nets = await networks.list_all(reader)
    net = nets[0]
    return net.id, net.lead_library_id


async def test_series_with_override_and_exception_listed_by_window(server: Server) -> None:
    network_id, lead_library = await _network(server)
    start = datetime(2026, 10, 13, 10, tzinfo=WARSAW)
    rule = Rule("WEEKLY", 1, ("TU",), count=4)
    async with server.hub.db.write() as tx:
        meeting_id = await store.insert(
            tx,
            network_id=network_id,
            host_library_id=lead_library,
            kind="online",
            title="Klub",
            agenda="",
            start=start,
            end=start + timedelta(minutes=90),
            timezone="Europe/Warsaw",
            address="",
            whole_network=True,
            join_url="",
            created_by=None,
        )
        await store.set_rule(tx, meeting_id, rule)
        moved = datetime(2026, 10, 20, 8, tzinfo=UTC)
        await store.save_change(
            tx,
            meeting_id,
            Change(
                moved,
                "override",
                start=moved + timedelta(days=1),
                end=moved + timedelta(days=1, minutes=90),
            ),
        )
        await store.save_change(
            tx, meeting_id, Change(datetime(2026, 10, 27, 9, tzinfo=UTC), "exception")
        )
        await store.set_span(tx, meeting_id, start, datetime(2026, 11, 3, 10, 30, tzinfo=UTC))
    window = (datetime(2026, 10, 1, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=UTC))
    async with server.hub.db.read() as reader:
        found = await calendar_meetings(reader, Target(library_id=lead_library), *window)
        by_network = await calendar_meetings(reader, Target(network_id=network_id), *window)
        outside = await calendar_meetings(
            reader,
            Target(network_id=network_id),
            datetime(2027, 1, 1, tzinfo=UTC),
            datetime(2027, 2, 1, tzinfo=UTC),
        )
    assert [m.id for m in found] == [meeting_id] == [m.id for m in by_network]
    assert outside == []
    views = occurrence_views(server.hub, found, *window)
    assert [v.start for v in views] == [
        datetime(2026, 10, 13, 8, tzinfo=UTC),
        datetime(2026, 10, 21, 8, tzinfo=UTC),
        datetime(2026, 11, 3, 9, tzinfo=UTC),
    ]
    assert [v.overridden for v in views] == [False, True, False]
    assert views[0].join_url == f"/meetings/{meeting_id}/room"  # relative: see page_links
