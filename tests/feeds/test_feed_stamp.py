"""Feeds answer from a version stamp (issue 10, item 13): a 304 builds nothing, a feed is built
once however many ask at once, and every change to what it shows moves its ETag, whoever made
the change (an action, or SQL from another process)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

from meetings_hub.actions import feeds
from tests.feeds.helpers import WARSAW, fetch, network_named, vevents
from tests.support import LEAD, PARTNER, Server


async def _network_feed(client_factory: Any, net_id: int, who: str = LEAD) -> str:
    client = await client_factory(who)
    status, body = await client.get("/api/v1/feeds")
    assert status == 200
    return next(f["url"] for f in body if f["scope"] == "network" and f["scope_id"] == net_id)


async def _series(lead: Any, network_id: int) -> tuple[dict[str, Any], datetime]:
    start = datetime.now(WARSAW).replace(hour=10, minute=0, second=0, microsecond=0)
    start += timedelta(days=(1 - start.weekday()) % 7 + 7)  # a Tuesday, a week or two ahead
    body = {
        "title": "Klub dyskusyjny",
        "start": start.replace(tzinfo=None).isoformat(),
        "duration_minutes": 90,
        "network_id": network_id,
        "recurrence": {"freq": "WEEKLY", "weekdays": ["TU"], "count": 6},
    }
    status, meeting = await lead.post("/api/v1/meetings", body)
    assert status == 201, meeting
    return meeting, start


def _series_vevent(ics: bytes, meeting_id: int) -> Any:
    (series,) = [
        e
        for e in vevents(ics)
        if str(e["UID"]).startswith(f"meeting-{meeting_id}@") and "RECURRENCE-ID" not in e
    ]
    return series


async def test_a_304_builds_nothing_and_a_repeat_comes_from_memory(
    server: Server, client_factory: Any
) -> None:
    net = await network_named(server, "Morawic")
    lead = await client_factory(LEAD)
    await _series(lead, net.id)
    url = await _network_feed(client_factory, net.id)
    status, headers, body = await fetch(url)
    assert status == 200
    builds = feeds.feed_builds(server.hub)
    for _ in range(3):
        status, again, empty = await fetch(url, headers={"If-None-Match": headers["ETag"]})
        assert (status, empty, again["ETag"]) == (304, b"", headers["ETag"])
        status, _, empty = await fetch(url, headers={"If-Modified-Since": headers["Last-Modified"]})
        assert (status, empty) == (304, b"")
        status, _, same = await fetch(url)
        assert (status, same) == (200, body)
    assert feeds.feed_builds(server.hub) == builds, "no build for a 304 or an unchanged feed"


async def test_every_change_to_a_shown_event_moves_the_etag(
    server: Server, client_factory: Any
) -> None:
    net = await network_named(server, "Morawic")
    lead = await client_factory(LEAD)
    meeting, start = await _series(lead, net.id)
    url = await _network_feed(client_factory, net.id)
    _, headers, body = await fetch(url)
    etags = [headers["ETag"]]
    series = _series_vevent(body, meeting["id"])
    sequence = int(series["SEQUENCE"])

    async def changed() -> bytes:
        status, found, new = await fetch(url, headers={"If-None-Match": etags[-1]})
        assert status == 200, "the old ETag must get the new feed"
        assert found["ETag"] not in etags
        etags.append(found["ETag"])
        return new

    # An edit of the whole series.
    edit = {
        "title": "Klub dyskusyjny — nowa nazwa",
        "start": start.replace(tzinfo=None).isoformat(),
        "duration_minutes": 90,
        "network_id": net.id,
        "recurrence": {"freq": "WEEKLY", "weekdays": ["TU"], "count": 6},
    }
    status, _ = await lead.request("PUT", f"/api/v1/meetings/{meeting['id']}", json=edit)
    assert status == 200
    assert "nowa nazwa" in str(_series_vevent(await changed(), meeting["id"])["SUMMARY"])

    # One date cancelled: an EXDATE, and the series' SEQUENCE goes up with it (item 16).
    second = (start + timedelta(weeks=1)).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    status, _ = await lead.request(
        "DELETE", f"/api/v1/meetings/{meeting['id']}/occurrences/{second}"
    )
    assert status in (200, 204)
    after_cancel = _series_vevent(await changed(), meeting["id"])
    exdate = after_cancel["EXDATE"]
    exdates = [d.dt for e in (exdate if isinstance(exdate, list) else [exdate]) for d in e.dts]
    assert exdates == [start + timedelta(weeks=1)]
    assert int(after_cancel["SEQUENCE"]) > sequence

    # Another process (or the CLI) writing the same database: the triggers move the stamp.
    async with server.hub.db.write() as tx:
        await tx.execute(
            "UPDATE meetings SET agenda = 'Zmienione z zewnątrz' WHERE id = ?", (meeting["id"],)
        )
    assert "Zmienione z zewnątrz" in str(
        _series_vevent(await changed(), meeting["id"])["DESCRIPTION"]
    )

    # An answer does not show in a feed (feeds carry no attendees): a rebuild, same ETag.
    partner = await client_factory(PARTNER)
    status, _ = await partner.post(f"/api/v1/meetings/{meeting['id']}/rsvp", {"answer": "accepted"})
    assert status in (200, 204)
    status, _, _ = await fetch(url, headers={"If-None-Match": etags[-1]})
    assert status == 304


async def test_simultaneous_fetches_of_a_changed_feed_build_it_once(
    server: Server, client_factory: Any
) -> None:
    net = await network_named(server, "Morawic")
    lead = await client_factory(LEAD)
    meeting, _ = await _series(lead, net.id)
    url = await _network_feed(client_factory, net.id)
    await fetch(url)
    async with server.hub.db.write() as tx:
        await tx.execute("UPDATE meetings SET agenda = 'nowe' WHERE id = ?", (meeting["id"],))
    builds = feeds.feed_builds(server.hub)
    answers = await asyncio.gather(*(fetch(url) for _ in range(4)))
    assert {status for status, _, _ in answers} == {200}
    assert len({body for _, _, body in answers}) == 1
    assert feeds.feed_builds(server.hub) == builds + 1


async def test_losing_access_is_seen_at_once_even_with_a_current_etag(
    server: Server, client_factory: Any
) -> None:
    net = await network_named(server, "Morawic")
    url = await _network_feed(client_factory, net.id, PARTNER)
    status, headers, _ = await fetch(url)
    assert status == 200
    async with server.hub.db.write() as tx:
        await tx.execute("UPDATE persons SET active = 0 WHERE email = ?", (PARTNER,))
    status, _, _ = await fetch(url, headers={"If-None-Match": headers["ETag"]})
    assert status == 404
