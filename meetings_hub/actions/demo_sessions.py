"""Demo sessions for `meetings-hub demo` (and so `make run`): every demo network gets a series of
online meetings every other Tuesday (begun four weeks ago, so past dates exist too), an online
training and an in-person "Noc w bibliotece" at its lead library, all dated from today. The
calendar, the feeds, the session rooms and the outbox then have something to show.

Tests load the network alone (``demo.load``) and schedule what they need themselves.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from meetings_hub import demo_data
from meetings_hub.actions.scheduling import RecurrenceInput, ScheduleInput, schedule
from meetings_hub.domain import Actor
from meetings_hub.hub import Hub
from meetings_hub.storage import networks, people
from meetings_hub.storage.timefmt import now_utc


def _on(day_offset: int, weekday: int, at: time, now: datetime, tz: str) -> datetime:
    """The first ``weekday`` (0 = Monday) on or after today + ``day_offset`` days, at ``at``."""
    local = now.astimezone(ZoneInfo(tz)).date() + timedelta(days=day_offset)
    local += timedelta(days=(weekday - local.weekday()) % 7)
    return datetime.combine(local, at)


async def load_sessions(hub: Hub, now: datetime | None = None) -> int:
    """Schedules the demo sessions through the same action a lead librarian uses (so they get
    rooms, invitations in the outbox and feed entries); returns how many were scheduled."""
    now = now or now_utc()
    tz = hub.settings.timezone
    libraries = {lib.key: lib for lib in demo_data.LIBRARIES}
    leads = {p.library: p.email for p in demo_data.PEOPLE if p.role == "lead_librarian"}
    count = 0
    for net in demo_data.NETWORKS:
        async with hub.db.read() as reader:
            network_id = await networks.find_by_name(reader, net.name)
            lead = await people.get_by_email(reader, leads[net.lead])
        if network_id is None or lead is None:
            continue
        actor = Actor(person=lead)
        town = libraries[net.lead].town
        plans = [
            ScheduleInput(
                title=f"Spotkanie sieci bibliotek — {town}",
                agenda="1. Co u nas słychać\n2. Wspólne wydarzenia w najbliższym miesiącu\n"
                "3. Materiały do wymiany (prześlijcie je w pokoju rozmowy)",
                start=_on(-28, 1, time(10, 0), now, tz),
                duration_minutes=90,
                network_id=network_id,
                recurrence=RecurrenceInput(freq="WEEKLY", interval=2, weekdays=["TU"], count=12),
            ),
            ScheduleInput(
                title="Szkolenie: jak prowadzić spotkanie online",
                agenda="Pokój rozmowy, udostępnianie plików, zaproszenia dla gości.",
                kind="training",
                start=_on(8, 3, time(12, 0), now, tz),
                duration_minutes=120,
                network_id=network_id,
            ),
            ScheduleInput(
                title=f"Noc w bibliotece — {town}",
                agenda="Czytanie, gry planszowe i nocne zwiedzanie biblioteki. Zapraszamy "
                "bibliotekarzy i czytelników z bibliotek partnerskich.",
                kind="in_person",
                address=f"{libraries[net.lead].address}, {libraries[net.lead].town}",
                start=_on(18, 4, time(18, 0), now, tz),
                duration_minutes=240,
                network_id=network_id,
            ),
        ]
        for plan in plans:
            await schedule(hub, actor, plan)
            count += 1
    return count
