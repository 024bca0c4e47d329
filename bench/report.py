"""How long the programme report takes for a programme's year (run by hand).

Builds the demo (networks, sessions, guests, savings history, feedback answers), then adds to
every network a weekly online series over the past year with its librarians present at every
date, and times ``report.report`` (coordinator: every network; a lead: hers) and the /report
page through a real server. Target: the coordinator's report under 1 s.

    .venv/bin/python bench/report.py [--weeks 52] [--rounds 5]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from meetings_hub.actions import demo, demo_feedback, demo_savings, demo_sessions, report
from meetings_hub.actions.scheduling import RecurrenceInput, ScheduleInput, schedule
from meetings_hub.domain import Actor
from meetings_hub.storage import networks, people
from meetings_hub.storage import savings as savings_store
from meetings_hub.storage import scheduling as meetings_store
from meetings_hub.storage.timefmt import now_utc
from tests.support import COORDINATOR, LEAD, Client, make_settings, start_server


async def _year_of_sessions(hub, weeks: int) -> int:  # type: ignore[no-untyped-def]
    now = now_utc()
    dates = 0
    async with hub.db.read() as reader:
        every = await networks.list_all(reader)
    for net in every:
        async with hub.db.read() as reader:
            leads = await reader.fetch_all(
                "SELECT id FROM persons WHERE library_id = ? AND role = 'lead_librarian'",
                (net.lead_library_id,),
            )
            lead = await people.get(reader, leads[0]["id"])
            library_ids = await networks.library_ids_in(reader, {net.id}, active_on=now.date())
            staff = await meetings_store.active_people_of_libraries(reader, library_ids)
        start = (now - timedelta(weeks=weeks)).replace(hour=9, minute=0, second=0, microsecond=0)
        meeting_id = await schedule(
            hub,
            Actor(person=lead),
            ScheduleInput(
                title="Bench weekly",
                start=start,
                duration_minutes=60,
                network_id=net.id,
                recurrence=RecurrenceInput(
                    freq="WEEKLY",
                    interval=1,
                    weekdays=[("MO", "TU", "WE", "TH", "FR", "SA", "SU")[start.weekday()]],
                    count=weeks,
                ),
            ),
        )
        async with hub.db.write() as tx:
            meeting = await meetings_store.get(tx, meeting_id)
            room = await tx.fetch_one("SELECT id FROM rooms WHERE meeting_id = ?", (meeting_id,))
            for occ in meeting.occurrences(None, now):
                for person in staff:
                    await savings_store.insert_attendance(
                        tx, room["id"], meeting_id, person_id=person["id"], guest_id=None,
                        joined=occ.start, left=occ.end,
                    )  # fmt: skip
                dates += 1
    return dates


async def main(weeks: int, rounds: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        server = await start_server(make_settings(Path(tmp), reminder_poll_seconds=3600))
        hub = server.hub
        await demo.load(hub)
        await demo_sessions.load_sessions(hub)
        await demo_feedback.add_guests(hub)
        await demo_savings.load(hub)
        added = await _year_of_sessions(hub, weeks)
        answers = await demo_feedback.load_answers(hub)
        print(f"dates added: {added}; feedback answers: {answers}")
        today = now_utc().date()
        filters = report.ReportFilters(date_from=today - timedelta(days=365), date_to=today)
        for email in (COORDINATOR, LEAD):
            async with hub.db.read() as reader:
                person = await people.get_by_email(reader, email)
            timings = []
            for _ in range(rounds):
                began = time.perf_counter()
                view = await report.report(hub, Actor(person=person), filters)
                timings.append((time.perf_counter() - began) * 1000)
            total = next(r for r in view.sessions if r.kind == "total")
            print(
                f"report.report as {email}: median {statistics.median(timings):.0f} ms"
                f" (min {min(timings):.0f}) — {total.held} dates held, {view.answers} answers"
            )
        client = Client(server.url)
        await client.login(COORDINATOR)
        timings = []
        for _ in range(rounds):
            began = time.perf_counter()
            status, _ = await client.get(f"/report?from={today - timedelta(days=365)}")
            assert status == 200
            timings.append((time.perf_counter() - began) * 1000)
        print(f"GET /report (coordinator, a year): median {statistics.median(timings):.0f} ms")
        await client.close()
        await server.runner.cleanup()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--weeks", type=int, default=52)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    asyncio.run(main(args.weeks, args.rounds))
