"""What a feed holds, read back by ical.js and recurring-ical-events and checked against
zoneinfo across the March and October changes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import icalendar

from meetings_hub.scheduling.recurrence import Change, Rule
from meetings_hub.storage import scheduling as store
from meetings_hub.storage.timefmt import to_db
from tests.feeds.helpers import (
    WARSAW,
    add_meeting,
    check_interop,
    dst_series_start,
    event_of,
    fetch,
    last_sunday,
    network_named,
    vevents,
)
from tests.support import LEAD

LONG_POLISH = (
    "Zażółć gęślą jaźń; spotkanie, na którym omówimy: czytelnictwo, \\ ukośniki, przecinki, "
    "średniki i długie opisy — źdźbło, łódź, żółw, ćma, gęś. " * 3
).strip()


async def _network_feed_url(client_factory, net_id: int) -> str:
    lead = await client_factory(LEAD)
    status, body = await lead.get("/api/v1/feeds")
    assert status == 200
    return next(f["url"] for f in body if f["scope"] == "network" and f["scope_id"] == net_id)


def _by_uid(ics: bytes) -> dict[str, list[icalendar.Event]]:
    found: dict[str, list[icalendar.Event]] = {}
    for vevent in vevents(ics):
        found.setdefault(str(vevent["UID"]), []).append(vevent)
    return found


async def test_network_feed_content_and_interop_across_dst(server, client_factory) -> None:
    net = await network_named(server, "Morawic")
    first = dst_series_start()
    march = last_sunday(first.year, 3)
    october = last_sunday(first.year, 10)
    # Weekly on Tuesdays to four weeks after the October change: crosses both changes.
    until = datetime(october.year, october.month, october.day, 23, tzinfo=WARSAW) + timedelta(
        days=28
    )
    moved_from = (first + timedelta(weeks=2)).astimezone(UTC)
    deleted = (first + timedelta(weeks=3)).astimezone(UTC)
    series = await add_meeting(
        server,
        net,
        title="Klub dyskusyjny bibliotekarek",
        start=first,
        agenda="Lektury na wiosnę",
        rule=Rule("WEEKLY", 1, ("TU",), until=until.astimezone(UTC)),
        changes=(
            Change(
                moved_from,
                "override",
                start=moved_from + timedelta(days=1, hours=2),
                end=moved_from + timedelta(days=1, hours=3, minutes=30),
                title="Klub dyskusyjny (przeniesiony na środę)",
            ),
            Change(deleted, "exception"),
        ),
    )
    now = datetime.now(WARSAW).replace(minute=0, second=0, microsecond=0)
    in_person = await add_meeting(
        server,
        net,
        title="Noc w bibliotece — Chęciny",
        start=now + timedelta(days=20),
        minutes=240,
        kind="in_person",
        address="ul. Długa 5, 26-060 Chęciny; sala „Pod Żurawiem”",
        agenda=LONG_POLISH,
    )
    cancelled = await add_meeting(
        server, net, title="Spotkanie autorskie", start=now + timedelta(days=10)
    )
    forgotten = await add_meeting(
        server, net, title="Dawno odwołane", start=now + timedelta(days=12)
    )
    too_old = await add_meeting(server, net, title="Stare", start=now - timedelta(days=120))
    too_far = await add_meeting(server, net, title="Daleko", start=now + timedelta(days=400))
    async with server.hub.db.write() as tx:
        await store.cancel(tx, cancelled)
        await store.cancel(tx, forgotten)
        await tx.execute(
            "UPDATE meetings SET cancelled_at = ? WHERE id = ?",
            (to_db(datetime.now(UTC) - timedelta(days=31)), forgotten),
        )

    url = await _network_feed_url(client_factory, net.id)
    status, _, ics = await fetch(url)
    assert status == 200
    domain = server.settings.site_domain
    by_uid = _by_uid(ics)
    assert sorted(by_uid) == sorted(
        f"meeting-{i}@{domain}" for i in (series, in_person, cancelled)
    ), "too old, too far and long-cancelled meetings stay out"
    assert not {forgotten, too_old, too_far} & {int(u.split("-")[1].split("@")[0]) for u in by_uid}

    calendar = icalendar.Calendar.from_ical(ics)
    assert "METHOD" not in calendar
    assert (
        str(calendar["NAME"])
        == str(calendar["X-WR-CALNAME"])
        == ("Sieć: Sieć bibliotek wokół Morawicy")
    )
    assert str(calendar["X-WR-TIMEZONE"]) == "Europe/Warsaw"
    assert b"\r\nREFRESH-INTERVAL;VALUE=DURATION:PT1H\r\n" in ics
    assert b"\r\nX-PUBLISHED-TTL:PT1H\r\n" in ics
    timezones = calendar.walk("VTIMEZONE")
    assert [str(tz["TZID"]) for tz in timezones] == ["Europe/Warsaw"]
    assert b"RDATE" not in ics and b"RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3" in ics

    # Folded at 75 octets, never inside a UTF-8 character.
    for line in ics.split(b"\r\n"):
        assert len(line) <= 75
        line.decode("utf-8")

    master, override = sorted(
        by_uid[f"meeting-{series}@{domain}"], key=lambda e: "RECURRENCE-ID" in e
    )
    assert master["RRULE"]["FREQ"] == ["WEEKLY"] and master["RRULE"]["BYDAY"] == ["TU"]
    assert master["DTSTART"].params["TZID"] == "Europe/Warsaw"
    assert [d.dt for ex in [master["EXDATE"]] for d in ex.dts] == [deleted.astimezone(WARSAW)]
    assert override["RECURRENCE-ID"].dt == moved_from.astimezone(WARSAW)
    assert str(override["SUMMARY"]) == "Klub dyskusyjny (przeniesiony na środę)"
    for name in ("DTSTAMP", "LAST-MODIFIED", "LOCATION", "URL", "DESCRIPTION", "CONFERENCE",
                 "STATUS", "TRANSP", "SEQUENCE", "CATEGORIES"):  # fmt: skip
        assert name in override, name
    page = f"{server.url}/meetings/{series}/room"  # online sessions are joined in their room
    assert str(master["LOCATION"]) == page and str(master["URL"]) == page
    assert str(master["CONFERENCE"]) == page
    assert master["CONFERENCE"].params["VALUE"] == "URI"
    assert page in str(master["DESCRIPTION"])
    meeting = await event_of(server, series)
    assert (
        master["DTSTAMP"].dt
        == master["LAST-MODIFIED"].dt
        == meeting.last_modified.replace(microsecond=0)
    )

    (place,) = by_uid[f"meeting-{in_person}@{domain}"]
    assert str(place["LOCATION"]) == "ul. Długa 5, 26-060 Chęciny; sala „Pod Żurawiem”"
    assert b"LOCATION:ul. D\xc5\x82uga 5\\, 26-060 Ch\xc4\x99ciny\\; sala" in ics.replace(
        b"\r\n ", b""
    )
    assert str(place["DESCRIPTION"]) == LONG_POLISH
    assert "CONFERENCE" not in place

    (off,) = by_uid[f"meeting-{cancelled}@{domain}"]
    assert str(off["SUMMARY"]) == "ODWOŁANE: Spotkanie autorskie"
    assert (str(off["STATUS"]), str(off["TRANSP"]), off["SEQUENCE"]) == (
        "CANCELLED",
        "TRANSPARENT",
        1,
    )

    events = [await event_of(server, i) for i in (series, in_person, cancelled)]
    occurrences = check_interop(ics, events)
    starts = [o.start_utc for o in occurrences if o.uid == f"meeting-{series}@{domain}"]
    before_march = first.astimezone(UTC)
    assert before_march.hour == 9  # CET
    assert starts[0] == before_march.strftime("%Y-%m-%dT%H:%M:%SZ")
    after_march = datetime(march.year, march.month, march.day + 2, 10, tzinfo=WARSAW)
    assert after_march.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") in starts
    assert after_march.astimezone(UTC).hour == 8  # CEST
    after_october = datetime(october.year, october.month, october.day, 10, tzinfo=WARSAW)
    after_october += timedelta(days=2)
    assert after_october.astimezone(UTC).hour == 9
    assert after_october.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") in starts
    assert deleted.strftime("%Y-%m-%dT%H:%M:%SZ") not in starts


async def test_sequence_and_last_modified_follow_a_change_of_time(server, client_factory) -> None:
    net = await network_named(server, "Morawic")
    start = datetime.now(WARSAW).replace(hour=10, minute=0, second=0, microsecond=0)
    start += timedelta(days=14)
    meeting_id = await add_meeting(server, net, title="Szkolenie z katalogowania", start=start)
    url = await _network_feed_url(client_factory, net.id)
    _, _, before = await fetch(url)
    (old,) = _by_uid(before)[f"meeting-{meeting_id}@{server.settings.site_domain}"]
    assert old["SEQUENCE"] == 0
    async with server.hub.db.write() as tx:
        await store.update(
            tx,
            meeting_id,
            host_library_id=net.lead_library_id,
            kind="online",
            title="Szkolenie z katalogowania",
            agenda="",
            start=start + timedelta(hours=2),
            end=start + timedelta(hours=3, minutes=30),
            address="",
            whole_network=True,
            join_url="",
            bump_sequence=True,
        )
    _, _, after = await fetch(url)
    (new,) = _by_uid(after)[f"meeting-{meeting_id}@{server.settings.site_domain}"]
    assert new["SEQUENCE"] == 1
    assert new["DTSTART"].dt == (start + timedelta(hours=2)).astimezone(WARSAW)
    assert new["LAST-MODIFIED"].dt >= old["LAST-MODIFIED"].dt
    assert new["DTSTAMP"].dt == new["LAST-MODIFIED"].dt
    check_interop(after, [await event_of(server, meeting_id)])
