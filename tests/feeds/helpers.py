"""Shared by the feed tests: meetings in the real database, fetching feeds like a calendar app,
and reading every feed with ical.js and recurring-ical-events."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp
import icalendar

from calendars.model import Event
from meetings_hub.actions.occurrences import links
from meetings_hub.scheduling import recurrence
from meetings_hub.scheduling.events import to_event
from meetings_hub.scheduling.recurrence import Change, Rule
from meetings_hub.storage import networks, people
from meetings_hub.storage import scheduling as store
from tests.calendars import expected, node_ical
from tests.support import Server

WARSAW = ZoneInfo("Europe/Warsaw")


@dataclass(frozen=True)
class Net:
    id: int
    lead_library_id: int
    partner_library_ids: tuple[int, ...]


async def network_named(server: Server, fragment: str) -> Net:
    async with server.hub.db.read() as reader:
        for net in await networks.list_all(reader):
            if fragment in net.name:
                partners = tuple(m.library_id for m in net.members if m.role.value == "partner")
                return Net(net.id, net.lead_library_id, partners)
    raise AssertionError(f"no network named like {fragment!r}")


async def person_id(server: Server, email: str) -> int:
    async with server.hub.db.read() as reader:
        person = await people.get_by_email(reader, email)
    assert person is not None
    return person.id


async def add_meeting(
    server: Server,
    net: Net,
    *,
    title: str,
    start: datetime,
    minutes: int = 90,
    kind: str = "online",
    address: str = "",
    agenda: str = "",
    rule: Rule | None = None,
    changes: Sequence[Change] = (),
    whole_network: bool = True,
    library_ids: Sequence[int] = (),
    created_by: int | None = None,
) -> int:
    """A meeting written through the scheduling store (the feeds only read it)."""
    end = start + timedelta(minutes=minutes)
    async with server.hub.db.write() as tx:
        meeting_id = await store.insert(
            tx,
            network_id=net.id,
            host_library_id=net.lead_library_id,
            kind=kind,
            title=title,
            agenda=agenda,
            start=start,
            end=end,
            timezone="Europe/Warsaw",
            address=address,
            whole_network=whole_network,
            join_url="",
            created_by=created_by,
        )
        await store.set_rule(tx, meeting_id, rule)
        for change in changes:
            await store.save_change(tx, meeting_id, change)
        first, last = recurrence.span(start, end, "Europe/Warsaw", rule, changes)
        await store.set_span(tx, meeting_id, first, last)
        await store.set_libraries(tx, meeting_id, library_ids or [net.lead_library_id])
    return meeting_id


async def event_of(server: Server, meeting_id: int) -> Event:
    async with server.hub.db.read() as reader:
        meeting = await store.get(reader, meeting_id)
    assert meeting is not None
    return to_event(meeting, links(server.hub))


def last_sunday(year: int, month: int) -> date:
    day = date(year + (month == 12), month % 12 + 1, 1) - timedelta(days=1)
    return day - timedelta(days=(day.weekday() + 1) % 7)


def dst_series_start() -> datetime:
    """A Tuesday 10:00 Warsaw four weeks before the next March change, so that a weekly series
    from there crosses March and then October, and is well inside the feed's window."""
    today = date.today()
    year = today.year + (today >= last_sunday(today.year, 3) - timedelta(days=35))
    march = last_sunday(year, 3)
    day = march - timedelta(days=26)  # Sunday - 26 days = Tuesday
    assert day.weekday() == 1
    return datetime(day.year, day.month, day.day, 10, tzinfo=WARSAW)


async def fetch(
    url: str, *, method: str = "GET", headers: dict[str, str] | None = None
) -> tuple[int, Any, bytes]:
    """Fetch like a calendar app: no cookies, no CSRF token. Every feed fetched this way is
    also read by ical.js and by recurring-ical-events, which must see the same occurrences."""
    async with aiohttp.ClientSession() as session:
        async with session.request(method, url, headers=headers or {}) as response:
            status, found, body = response.status, response.headers, await response.read()
    if status == 200 and body and found["Content-Type"].startswith("text/calendar"):
        both_parsers_agree(body)
    return status, found, body


def both_parsers_agree(ics: bytes) -> None:
    rows = node_ical.expand(ics, start="2020-01-01T00:00:00Z", end="2040-01-01T00:00:00Z")
    assert expected.ical_js_side(rows) == expected.python_side(ics, *WIDE)


def vevents(ics: bytes) -> list[icalendar.Event]:
    return list(icalendar.Calendar.from_ical(ics).walk("VEVENT"))


def uids(ics: bytes) -> set[str]:
    return {str(event["UID"]) for event in vevents(ics)}


WIDE = (datetime(2020, 1, 1, tzinfo=UTC), datetime(2040, 1, 1, tzinfo=UTC))


def check_interop(ics: bytes, events: Sequence[Event]) -> list[expected.Occurrence]:
    """ical.js (Node) and recurring-ical-events both read the feed, and the UTC instants of
    every occurrence they expand equal the ones zoneinfo gives; returns those occurrences."""
    want = sorted(item for event in events for item in expected.occurrences(event, ""))
    assert expected.python_side(ics, *WIDE) == want
    rows = node_ical.expand(ics, start="2020-01-01T00:00:00Z", end="2040-01-01T00:00:00Z")
    assert expected.ical_js_side(rows) == want
    return want
