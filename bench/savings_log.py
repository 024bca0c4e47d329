"""How long the savings log takes for 10,000 held occurrences × 5 libraries (run by hand).

Builds a database with the demo network and 10,000 frozen records (5 rows each: four partner
libraries and one guest with no place), every figure computed by the real model
(``meetings_hub.savings.model``) and stored by the real store (``storage.savings``); then times
the log's action (``savings_log``: all rows read, totals, months and ranking, one page of
rows), the CSV export (``savings_csv``, every row) and, when it exists, the ``/savings`` page
through a real server. Target: each under 300 ms.

    .venv/bin/python bench/savings_log.py [--occurrences 10000] [--rounds 7]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from meetings_hub.actions import demo, savings
from meetings_hub.actions.savings_freeze import _figures_row
from meetings_hub.domain import Actor
from meetings_hub.savings import model
from meetings_hub.savings.params import DEFAULTS, to_json
from meetings_hub.storage import networks, people
from meetings_hub.storage import savings as store
from meetings_hub.storage.timefmt import to_db
from tests.support import Client, make_settings, start_server

LIBRARIES_PER_OCCURRENCE = 5
WARSAW = ZoneInfo("Europe/Warsaw")
DATES_PER_SERIES = 100


async def build(hub, occurrences: int) -> None:  # type: ignore[no-untyped-def]
    async with hub.db.read() as reader:
        nets = await networks.list_all(reader)
        libs = {lib.id: lib for lib in await store_libraries(reader)}
    series_count = max(1, occurrences // DATES_PER_SERIES)
    first = datetime(2024, 1, 2, 9, 0, tzinfo=UTC)
    made = 0
    for number in range(series_count):
        net = nets[number % len(nets)]
        host = libs[net.lead_library_id]
        partners = [m.library_id for m in net.members if m.library_id != host.id][:4]
        async with hub.db.write() as tx:
            start = first + timedelta(hours=number)
            meeting_id = await tx.execute(
                "INSERT INTO meetings (network_id, host_library_id, title, starts_at, ends_at,"
                " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    net.id,
                    host.id,
                    f"Spotkanie {number}",
                    to_db(start),
                    to_db(start + timedelta(minutes=90)),
                    to_db(start),
                    to_db(start),
                ),
            )
            for date_number in range(DATES_PER_SERIES):
                if made >= occurrences:
                    break
                occ_start = start + timedelta(days=7 * date_number)
                rows = []
                for position, library_id in enumerate(partners):
                    lib = libs[library_id]
                    dist = model.distance(
                        model.Point(lib.latitude, lib.longitude),
                        model.Point(host.latitude, host.longitude),
                        None,
                        DEFAULTS,
                    )
                    fig = model.saved(1 + (date_number + position) % 3, dist, DEFAULTS, Decimal(1))
                    rows.append(_figures_row(library_id, lib.name, fig, None, False))
                rows.append(_figures_row(None, "Gość", model.nothing(1), "no_place", False))
                while len(rows) < LIBRARIES_PER_OCCURRENCE:
                    rows.insert(0, rows[0])
                await store.insert_record(
                    tx,
                    meeting_id=meeting_id,
                    original_start=occ_start,
                    start=occ_start,
                    end=occ_start + timedelta(minutes=90),
                    local_start=occ_start.astimezone(WARSAW).isoformat(timespec="minutes"),
                    version=1,
                    reason="closed",
                    network_id=net.id,
                    host_library_id=host.id,
                    kind="online",
                    parameter_set_version=0,
                    network_parameter_version=None,
                    inputs={"params": to_json(DEFAULTS), "attendees": []},
                    rows=rows[:LIBRARIES_PER_OCCURRENCE],
                )
                made += 1


async def store_libraries(reader):  # type: ignore[no-untyped-def]
    from meetings_hub.storage import libraries

    return await libraries.list_all(reader)


async def timed(label: str, rounds: int, fn) -> float:  # type: ignore[no-untyped-def]
    """Wall-clock median, and CPU time of this process (all threads) per call: on a shared
    machine the CPU figure is the one other work disturbs least."""
    times, cpu = [], []
    for _ in range(rounds):
        started, cpu_started = time.perf_counter(), time.process_time()
        await fn()
        times.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - cpu_started) * 1000)
    median = statistics.median(times)
    print(
        f"{label:<46} median {median:7.1f} ms  (min {min(times):6.1f}, max {max(times):6.1f})"
        f"  CPU {statistics.median(cpu):6.1f} ms"
    )
    return median


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--occurrences", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        server = await start_server(make_settings(Path(tmp)))
        hub = server.hub
        try:
            await demo.load(hub)
            started = time.perf_counter()
            await build(hub, args.occurrences)
            count = await hub.db.fetch_one("SELECT COUNT(*) FROM savings_rows")
            print(
                f"built {args.occurrences} occurrences, {count[0]} rows"
                f" in {time.perf_counter() - started:.1f} s; load average"
                f" {' '.join(f'{x:.1f}' for x in os.getloadavg())}"
            )
            async with hub.db.read() as reader:
                coordinator = Actor(
                    person=await people.get_by_email(reader, "koordynator@example.org")
                )
                lead = Actor(person=await people.get_by_email(reader, "lead@example.org"))
            everything = savings.SavingsFilters()
            log = await savings.savings_log(hub, coordinator, everything)
            print(
                f"log: {log.row_count} rows, {log.totals.sessions} sessions, {log.totals.money} zł"
            )
            await timed(
                "savings_log (coordinator, all)",
                args.rounds,
                lambda: savings.savings_log(hub, coordinator, everything),
            )
            await timed(
                "savings_log (lead, her network)",
                args.rounds,
                lambda: savings.savings_log(hub, lead, everything),
            )
            await timed(
                "savings_csv (coordinator, all, ';')",
                args.rounds,
                lambda: savings.savings_csv(hub, coordinator, everything, delimiter=";"),
            )
            async with aiohttp.ClientSession() as http:
                cookie = await _sign_in(http, server.url)
                for path in ("/api/v1/savings", "/api/v1/savings/export.csv", "/savings"):
                    async with http.get(server.url + path, headers=cookie) as r:
                        status = r.status
                        await r.read()
                    if status != 200:
                        print(f"GET {path}: {status} (not timed)")
                        continue

                    async def get(path: str = path) -> None:
                        async with http.get(server.url + path, headers=cookie) as r:
                            await r.read()

                    await timed(f"GET {path} (HTTP, coordinator)", args.rounds, get)
        finally:
            await server.runner.cleanup()


async def _sign_in(http: aiohttp.ClientSession, url: str) -> dict[str, str]:
    client = Client(url)
    try:
        await client.login("koordynator@example.org")
        token = next(c.value for c in client.session.cookie_jar if c.key == "mh_session")
    finally:
        await client.close()
    return {"Cookie": f"mh_session={token}"}


if __name__ == "__main__":
    asyncio.run(main())
