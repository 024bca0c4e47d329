"""Past held sessions for the demo (`meetings-hub demo`), so the savings log is full at once.

Every demo network gets a past online series (every four weeks, six dates) and a past
in-person event; librarians of its libraries were in the rooms of those dates and of the past
dates of the network's standing series (demo_sessions), with the ordinary mix: most stay,
some reconnect, one in a while leaves after ten minutes. The figures are then computed by the
real freezing code (``savings_freeze.freeze_due``), never written here.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from meetings_hub import demo_data
from meetings_hub.actions import rooms as room_actions
from meetings_hub.actions.demo_sessions import _on
from meetings_hub.actions.savings_freeze import freeze_due
from meetings_hub.actions.scheduling import RecurrenceInput, ScheduleInput, schedule
from meetings_hub.domain import Actor
from meetings_hub.hub import Hub
from meetings_hub.storage import networks, people
from meetings_hub.storage import savings as store
from meetings_hub.storage import scheduling as meetings_store
from meetings_hub.storage.db import Row, Tx
from meetings_hub.storage.timefmt import now_utc


async def _past_meetings(
    hub: Hub, actor: Actor, network_id: int, town: str, address: str, now: datetime
) -> tuple[int, int]:
    tz = hub.settings.timezone
    series = await schedule(
        hub,
        actor,
        ScheduleInput(
            title=f"Kawiarenka bibliotekarska — {town}",
            agenda="Rozmowa o nowościach wydawniczych i klubach czytelniczych.",
            start=_on(-7 * 25, 2, time(11, 0), now, tz),
            duration_minutes=60,
            network_id=network_id,
            recurrence=RecurrenceInput(freq="WEEKLY", interval=4, weekdays=["WE"], count=6),
        ),
    )
    event = await schedule(
        hub,
        actor,
        ScheduleInput(
            title=f"Warsztaty dla bibliotekarzy — {town}",
            agenda="Warsztaty w bibliotece wiodącej.",
            kind="in_person",
            address=address,
            start=_on(-45, 3, time(10, 0), now, tz),
            duration_minutes=240,
            network_id=network_id,
        ),
    )
    return series, event


async def load(hub: Hub, now: datetime | None = None) -> int:
    """Adds the past sessions and their attendance, then freezes; returns records frozen."""
    now = now or now_utc()
    leads = {p.library: p.email for p in demo_data.PEOPLE if p.role == "lead_librarian"}
    libraries = {lib.key: lib for lib in demo_data.LIBRARIES}
    for net in demo_data.NETWORKS:
        async with hub.db.read() as reader:
            network_id = await networks.find_by_name(reader, net.name)
            lead = await people.get_by_email(reader, leads[net.lead])
        if network_id is None or lead is None:
            continue
        actor = Actor(person=lead)
        home = libraries[net.lead]
        _, event_id = await _past_meetings(
            hub, actor, network_id, home.town, f"{home.address}, {home.town}", now
        )
        async with hub.db.read() as reader:
            standing = [
                m
                for m in await meetings_store.in_window_for_networks(
                    reader, [network_id], now - timedelta(days=400), now
                )
                if m.kind != "in_person"
            ]
            library_ids = await networks.library_ids_in(reader, {network_id}, active_on=now.date())
            staff = await meetings_store.active_people_of_libraries(reader, library_ids)
        async with hub.db.write() as tx:
            for position, library_id in enumerate(sorted(library_ids)):
                if library_id == lead.library_id:
                    continue
                await meetings_store.set_library_answer(
                    tx,
                    event_id,
                    library_id,
                    librarians=1 + position % 2,
                    readers=position % 4,
                    cars=1 + position % 3 // 2,
                    answered_by=lead.id,
                )
        for meeting in standing:
            room_id = await room_actions.room_for_meeting(hub, actor, meeting.id)
            async with hub.db.write() as tx:
                for index, occ in enumerate(meeting.occurrences(None, now)):
                    if occ.end > now:
                        continue
                    await _attend(tx, room_id, meeting.id, occ.start, occ.end, staff, index)
    return await freeze_due(hub, now - timedelta(days=400), now)


async def _attend(
    tx: Tx,
    room_id: int,
    meeting_id: int,
    start: datetime,
    end: datetime,
    staff: list[Row],
    index: int,
) -> None:
    """Who was in the room: most stayed throughout; a few came late, left early or
    reconnected; one in seven missed the date."""
    for number, person in enumerate(staff):
        turn = (index + number) % 7
        if turn == 6:
            continue
        joined = start - timedelta(minutes=5) + timedelta(minutes=3 * (number % 3))
        if turn == 5:  # looked in for ten minutes: under the threshold
            left: datetime | None = joined + timedelta(minutes=10)
        else:
            left = end + timedelta(minutes=number % 4)
        if turn == 3:  # lost the connection and came back
            middle = joined + (left - joined) / 2
            await store.insert_attendance(
                tx,
                room_id,
                meeting_id,
                person_id=person["id"],
                guest_id=None,
                joined=joined,
                left=middle,
            )
            joined = middle + timedelta(minutes=2)
        await store.insert_attendance(
            tx,
            room_id,
            meeting_id,
            person_id=person["id"],
            guest_id=None,
            joined=joined,
            left=left,
        )
