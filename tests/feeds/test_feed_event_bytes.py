"""Each meeting's VEVENT lines kept in the database (issue 10, item 13): the first feed build
after a restart joins stored lines instead of writing every event again, and a stored body is
used only while it is exactly what icalendar would write now.

A "restart" here drops everything the process keeps (the lines in memory and the built feeds);
a "reference" build also empties the table, so icalendar writes every event. After each change
made through the real API, the warm, restarted and reference builds must give the same bytes,
and the reference must differ from the one before (the change shows)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from calendars import document
from meetings_hub.actions import feeds
from meetings_hub.hub import Hub
from tests.feeds.helpers import WARSAW, network_named
from tests.support import COORDINATOR, LEAD, Server, make_settings, start_server


def _restart(hub: Hub) -> None:
    document.forget_lines()
    hub.caches.pop("feeds", None)


async def _stored(hub: Hub) -> dict[int, tuple[str, bytes]]:
    rows = await hub.db.fetch_all("SELECT meeting_id, key, body FROM feed_event_bytes")
    return {row["meeting_id"]: (row["key"], bytes(row["body"])) for row in rows}


async def _reference(hub: Hub, token: str) -> bytes:
    """The feed with nothing kept anywhere: every VEVENT written by icalendar (and kept again,
    in memory and in the table)."""
    _restart(hub)
    async with hub.db.write() as tx:
        await tx.execute("DELETE FROM feed_event_bytes")
    return (await feeds.feed_file(hub, token)).body


async def _token(client_factory: Any, net_id: int) -> str:
    client = await client_factory(LEAD)
    status, found = await client.get("/api/v1/feeds")
    assert status == 200
    url = next(f["url"] for f in found if f["scope"] == "network" and f["scope_id"] == net_id)
    return str(url).rsplit("/", 1)[1].removesuffix(".ics")


def _z(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


async def test_every_change_a_vevent_shows_gives_the_bytes_icalendar_writes(
    server: Server, client_factory: Any
) -> None:
    hub = server.hub
    net = await network_named(server, "Morawic")
    lead = await client_factory(LEAD)
    coordinator = await client_factory(COORDINATOR)
    start = datetime.now(WARSAW).replace(hour=10, minute=0, second=0, microsecond=0)
    start += timedelta(days=(1 - start.weekday()) % 7 + 7)  # a Tuesday, a week or two ahead
    series = {
        "title": "Klub dyskusyjny",
        "start": start.replace(tzinfo=None).isoformat(),
        "duration_minutes": 90,
        "network_id": net.id,
        "recurrence": {"freq": "WEEKLY", "weekdays": ["TU"], "count": 6},
    }
    status, meeting = await lead.post("/api/v1/meetings", series)
    assert status == 201, meeting
    single = {"title": "Spotkanie autorskie", "network_id": net.id, "duration_minutes": 60}
    single["start"] = (start + timedelta(days=2)).replace(tzinfo=None).isoformat()
    status, other = await lead.post("/api/v1/meetings", single)
    assert status == 201, other
    token = await _token(client_factory, net.id)
    first = await _reference(hub, token)
    assert first == (await feeds.feed_file(hub, token)).body
    assert {meeting["id"], other["id"]} <= set(await _stored(hub)), "kept on the first build"

    def put(**changes: Any) -> tuple[str, str, dict[str, Any]]:
        nonlocal series
        series = {**series, **changes}
        return "PUT", f"/api/v1/meetings/{meeting['id']}", series

    steps: list[tuple[str, tuple[str, str, Any]]] = [
        ("title", put(title="Klub dyskusyjny — jesień")),
        ("agenda", put(agenda="Lektura: „Chłopi”.")),
        ("time", put(start=(start + timedelta(hours=2)).replace(tzinfo=None).isoformat())),
        ("length", put(duration_minutes=120)),
        ("recurrence", put(recurrence={"freq": "WEEKLY", "weekdays": ["TU"], "count": 8})),
        ("join link", put(join_url="https://meet.example.org/klub")),
        ("kind and address", put(kind="in_person", address="ul. Długa 5, Chęciny")),
        ("back online", put(kind="online", address="")),
    ]
    done: list[bytes] = [first]
    for what, (method, path, body) in steps:
        status, answer = await lead.request(method, path, json=body)
        assert status == 200, (what, answer)
        await _check(hub, token, what, done)
    # A date is computed after the edits above (the start moved by two hours).
    moved_start = start + timedelta(hours=2)
    second, third = moved_start + timedelta(weeks=2), moved_start + timedelta(weeks=3)
    moved = {
        "start": _z(third + timedelta(days=1)),
        "end": _z(third + timedelta(days=1, hours=1)),
        "title": "Klub w środę",
    }
    path = f"/api/v1/meetings/{meeting['id']}/occurrences/{_z(third)}"
    status, answer = await lead.request("PUT", path, json=moved)
    assert status == 200, answer
    await _check(hub, token, "a moved date", done)
    moved["title"] = "Klub w środę (sala 2)"
    status, answer = await lead.request("PUT", path, json=moved)
    assert status == 200, answer
    await _check(hub, token, "a moved date edited again", done)
    path = f"/api/v1/meetings/{meeting['id']}/occurrences/{_z(second)}"
    status, _ = await lead.request("DELETE", path)
    assert status in (200, 204)
    await _check(hub, token, "a cancelled date", done)
    status, _ = await lead.post(f"/api/v1/meetings/{meeting['id']}/cancel")
    assert status in (200, 204)
    await _check(hub, token, "the series cancelled", done)
    # Another process (or the CLI, or an import) writing the row, moving neither SEQUENCE nor
    # changed_at: a key of those alone would keep the old lines.
    async with hub.db.write() as tx:
        await tx.execute(
            "UPDATE meetings SET agenda = 'Zmienione z zewnątrz' WHERE id = ?", (meeting["id"],)
        )
    await _check(hub, token, "a write from outside the app", done)
    # The host library's new name: what a feed shows of it must follow too (its VEVENTs show
    # none today; the comparison holds whatever they come to show).
    status, _ = await coordinator.request(
        "PATCH", f"/api/v1/libraries/{net.lead_library_id}", json={"name": "Biblioteka Nowa"}
    )
    assert status == 200
    await _check(hub, token, "the host library's name", done, must_differ=False)


async def _check(
    hub: Hub, token: str, what: str, done: list[bytes], *, must_differ: bool = True
) -> None:
    # Lines of unchanged events from memory (kept by the last reference build).
    warm = (await feeds.feed_file(hub, token)).body
    _restart(hub)
    cold = (await feeds.feed_file(hub, token)).body  # lines from the database
    reference = await _reference(hub, token)
    assert warm == reference, f"{what}: the build with lines in memory differs"
    assert cold == reference, f"{what}: the build with stored lines differs"
    if must_differ:
        assert reference != done[-1], f"{what}: the change does not show in the feed"
    done.append(reference)


async def test_stored_lines_are_what_a_cold_build_uses(server: Server, client_factory: Any) -> None:
    """The stored lines really are read: a marker put in their place (under the right key)
    shows up after a restart, and is gone once the meeting changes (a new key)."""
    hub = server.hub
    net = await network_named(server, "Morawic")
    lead = await client_factory(LEAD)
    start = (datetime.now(WARSAW) + timedelta(days=3)).replace(microsecond=0, tzinfo=None)
    status, meeting = await lead.post(
        "/api/v1/meetings",
        {"title": "Warsztaty", "start": start.isoformat(), "duration_minutes": 60,
         "network_id": net.id},
    )  # fmt: skip
    assert status == 201
    token = await _token(client_factory, net.id)
    body = (await feeds.feed_file(hub, token)).body
    key, lines = (await _stored(hub))[meeting["id"]]
    assert lines in body
    marked = lines.replace(b"SUMMARY:Warsztaty", b"SUMMARY:Z bazy")
    async with hub.db.write() as tx:
        await tx.execute(
            "UPDATE feed_event_bytes SET body = ? WHERE meeting_id = ?", (marked, meeting["id"])
        )
    _restart(hub)
    async with hub.db.write() as tx:  # a new stamp, so the feed is built again
        await tx.execute("UPDATE networks SET name = name WHERE id = ?", (net.id,))
    assert b"SUMMARY:Z bazy" in (await feeds.feed_file(hub, token)).body
    edit = {"title": "Warsztaty", "start": start.isoformat(), "duration_minutes": 75}
    status, _ = await lead.request(
        "PUT", f"/api/v1/meetings/{meeting['id']}", json={**edit, "network_id": net.id}
    )
    assert status == 200
    _restart(hub)
    body = (await feeds.feed_file(hub, token)).body
    assert b"Z bazy" not in body and b"SUMMARY:Warsztaty" in body
    assert (await _stored(hub))[meeting["id"]][0] != key


async def test_a_new_process_on_the_same_database_builds_from_stored_lines(
    tmp_path: Path, server: Server, client_factory: Any
) -> None:
    """A second server on the same file gives the same feed; one with another site address
    (other URLs in every VEVENT, the same UIDs) or another domain (other UIDs) does not reuse
    the stored lines."""
    hub = server.hub
    net = await network_named(server, "Morawic")
    lead = await client_factory(LEAD)
    start = (datetime.now(WARSAW) + timedelta(days=4)).replace(microsecond=0, tzinfo=None)
    status, _ = await lead.post(
        "/api/v1/meetings",
        {"title": "Szkolenie", "start": start.isoformat(), "duration_minutes": 60,
         "network_id": net.id},
    )  # fmt: skip
    assert status == 201
    token = await _token(client_factory, net.id)
    body = (await feeds.feed_file(hub, token)).body
    stored = await _stored(hub)
    same = (hub.settings.site_url, hub.settings.site_domain)
    for site, domain in (
        same,
        ("https://inna.example.org", same[1]),
        (same[0], "inna.example.org"),
    ):
        _restart(hub)
        settings = make_settings(tmp_path, site_url=site, site_domain=domain)
        other = await start_server(settings)
        try:
            again = (await feeds.feed_file(other.hub, token)).body
            reference = await _reference(other.hub, token)
        finally:
            await other.runner.cleanup()
        assert again == reference, (site, domain)
        assert (again == body) is ((site, domain) == same)
    assert stored != await _stored(hub), "the other address's lines replaced the stored ones"
