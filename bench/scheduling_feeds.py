"""How long a calendar feed takes to build and how big it is (run by hand, not a test).

A network with two years of weekly sessions, in two shapes: one weekly series (what the
schedule form makes) and 104 separate sessions (what an import of single events makes), each
with some moved and cancelled occurrences; and a third, "thousand": 1,000 sessions in the
feed's window. A real server on a free port in 8400-8499 serves the network feed; we time full
GETs, 304 answers to If-None-Match, and the build alone (the action, no HTTP), each after one
meeting changed (so the feed is built again) and unchanged (answered from the stamp).

Targets (issue 10): 1,000 events built in under 100 ms after a change, a 304 in under 1 ms
(the handler), and no other request (/healthz) delayed by more than 50 ms while four feed
fetches of a changed feed run.

"Cold after restart": a new process (``--restarts`` of them, one after another) starts a
server on the same database and times its first build of the feed, once with each event's
VEVENT lines stored in the database (feed_event_bytes, what a restart finds) and once with
that table emptied first (a database from before migration 0021: every VEVENT written again).

    .venv/bin/python bench/scheduling_feeds.py [--rounds 50] [--restarts 5]
        [--shapes series,singles,thousand]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from calendars import document
from meetings_hub.actions import demo, feeds
from meetings_hub.domain import Actor
from meetings_hub.scheduling import recurrence
from meetings_hub.scheduling.recurrence import Change, Rule
from meetings_hub.storage import networks, people
from meetings_hub.storage import scheduling as store
from tests.support import make_settings, start_server

WARSAW = ZoneInfo("Europe/Warsaw")
AGENDA = (
    "Spotkanie sieci: omówienie lektur, plan zajęć dla dzieci, sprawy bieżące. "
    "Prowadzi Biblioteka Wiodąca; prosimy o przygotowanie krótkiej informacji o działaniach."
)


def _port() -> int:
    for port in range(8400, 8500):
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise SystemExit("no free port in 8400-8499")


async def _insert(hub, network_id: int, host: int, title: str, start: datetime, rule, changes):  # type: ignore[no-untyped-def]
    end = start + timedelta(minutes=90)
    async with hub.db.write() as tx:
        meeting_id = await store.insert(
            tx, network_id=network_id, host_library_id=host, kind="online", title=title,
            agenda=AGENDA, start=start, end=end, timezone="Europe/Warsaw", address="",
            whole_network=True, join_url="", created_by=None,
        )  # fmt: skip
        await store.set_rule(tx, meeting_id, rule)
        for change in changes:
            await store.save_change(tx, meeting_id, change)
        first, last = recurrence.span(start, end, "Europe/Warsaw", rule, changes)
        await store.set_span(tx, meeting_id, first, last)
    return meeting_id


async def _fill(hub, shape: str, network_id: int, host: int) -> None:  # type: ignore[no-untyped-def]
    # Two years of Tuesdays, from a year ago to a year ahead: the feed's window (90 days back,
    # 12 months ahead) cuts into both ends.
    today = datetime.now(WARSAW).replace(hour=10, minute=0, second=0, microsecond=0)
    first = today - timedelta(days=365)
    first += timedelta(days=(1 - first.weekday()) % 7)
    starts = [first + timedelta(weeks=i) for i in range(104)]
    if shape == "thousand":
        for i in range(1000):  # seven hours apart: 1,000 sessions in the next ten weeks
            start = today + timedelta(hours=7 * i)
            await _insert(hub, network_id, host, f"Spotkanie nr {i + 1}", start, None, ())
        return
    if shape == "series":
        changes = []
        for i in range(0, 104, 10):  # every tenth meeting moved by an hour, every 13th deleted
            original = starts[i].astimezone(UTC)
            changes.append(
                Change(original, "override", start=original + timedelta(hours=1),
                       end=original + timedelta(hours=2, minutes=30), title="Przeniesione")
            )  # fmt: skip
        for i in range(5, 104, 13):
            changes.append(Change(starts[i].astimezone(UTC), "exception"))
        rule = Rule("WEEKLY", 1, ("TU",), count=104)
        await _insert(hub, network_id, host, "Spotkanie sieci", first, rule, changes)
    else:
        for i, start in enumerate(starts):
            meeting_id = await _insert(
                hub, network_id, host, f"Spotkanie sieci nr {i + 1}", start, None, ()
            )
            if i % 13 == 5:
                async with hub.db.write() as tx:
                    await store.cancel(tx, meeting_id)


async def _time_get(url: str, rounds: int, headers: dict[str, str]) -> tuple[list[float], int]:
    times, size = [], 0
    async with aiohttp.ClientSession() as session:
        for _ in range(rounds):
            begin = time.perf_counter()
            async with session.get(url, headers=headers) as response:
                body = await response.read()
                status = response.status
            times.append(time.perf_counter() - begin)
            size = len(body) if status == 200 else size
    return times, size


async def _delays(feed_url: str, probe_url: str, touch, rounds: int) -> list[float]:  # type: ignore[no-untyped-def]
    """/healthz answer times, probed every 10 ms while four clients fetch a just-changed feed."""
    found: list[float] = []
    async with aiohttp.ClientSession() as session:

        async def get(url: str) -> None:
            async with session.get(url) as response:
                await response.read()

        for _ in range(rounds):
            await touch()
            fetches = asyncio.gather(*(get(feed_url) for _ in range(4)))
            while not fetches.done():
                begin = time.perf_counter()
                await get(probe_url)
                found.append(time.perf_counter() - begin)
                await asyncio.sleep(0.01)
            await fetches
    return found


async def _cold_child(data_dir: str, site_url: str, token: str, empty: bool) -> None:
    """In a new process: a server on the given database, and its first build of the feed."""
    port = _port()
    settings = make_settings(
        Path(data_dir).parent,
        data_dir=Path(data_dir),
        port=port,
        site_url=site_url,
        log_level="WARNING",
    )
    server = await start_server(settings)
    try:
        if empty:
            async with server.hub.db.write() as tx:
                await tx.execute("DELETE FROM feed_event_bytes")
        # CPU time of the whole process (every thread) next to the wall time: on a loaded
        # machine the wall time mostly measures the wait for a core.
        begin, cpu = time.perf_counter(), time.process_time()
        await feeds.feed_file(server.hub, token)
        took, cpu = time.perf_counter() - begin, time.process_time() - cpu
    finally:
        await server.runner.cleanup()
    print(json.dumps({"seconds": took, "cpu": cpu}))


def _restarts(
    data_dir: Path, site_url: str, token: str, count: int, empty: bool
) -> tuple[list[float], list[float]]:
    """Wall and CPU times of the first build in ``count`` new processes."""
    found, cpu = [], []
    for _ in range(count):
        child = subprocess.run(
            [sys.executable, __file__, "--cold-child", str(data_dir), site_url, token]
            + (["--empty"] if empty else []),
            capture_output=True,
            check=True,
            text=True,
        )
        answer = json.loads(child.stdout.strip().splitlines()[-1])
        found.append(answer["seconds"])
        cpu.append(answer["cpu"])
    return found, cpu


def _list(values: list[float]) -> str:
    return ", ".join(f"{value * 1000:.0f}" for value in values)


def _ms(values: list[float]) -> str:
    ordered = sorted(values)
    p95 = ordered[max(0, int(len(ordered) * 0.95) - 1)]
    return f"median {statistics.median(values) * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms"


async def run(shape: str, rounds: int, restarts: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        port = _port()
        settings = make_settings(
            Path(folder), port=port, site_url=f"http://127.0.0.1:{port}", log_level="WARNING"
        )
        server = await start_server(settings)
        try:
            hub = server.hub
            await demo.load(hub)
            async with hub.db.read() as reader:
                network = next(n for n in await networks.list_all(reader) if "Morawic" in n.name)
                lead = await people.get_by_email(reader, "lead@example.org")
            await _fill(hub, shape, network.id, network.lead_library_id)
            links = await feeds.my_feeds(hub, Actor(person=lead))
            feed = next(f for f in links if f.scope == "network" and f.scope_id == network.id)
            token = feed.url.rsplit("/", 1)[1].removesuffix(".ics")
            meeting_id = (await hub.db.fetch_all("SELECT max(id) AS id FROM meetings"))[0]["id"]
            counter = 0

            async def touch() -> None:
                nonlocal counter
                counter += 1
                async with hub.db.write() as tx:
                    await tx.execute(
                        "UPDATE meetings SET agenda = ? WHERE id = ?",
                        (f"zmiana {counter}", meeting_id),
                    )

            begin = time.perf_counter()
            file = await feeds.feed_file(hub, token)
            cold = time.perf_counter() - begin
            rebuild, rebuild_cpu, unchanged, head = [], [], [], []
            for _ in range(rounds):
                await touch()
                begin, cpu = time.perf_counter(), time.process_time()
                file = await feeds.feed_file(hub, token)
                rebuild.append(time.perf_counter() - begin)
                rebuild_cpu.append(time.process_time() - cpu)
                begin = time.perf_counter()
                await feeds.feed_file(hub, token)
                unchanged.append(time.perf_counter() - begin)
                begin = time.perf_counter()
                await feeds.feed_head(hub, token)
                head.append(time.perf_counter() - begin)
            full, size = await _time_get(feed.url, rounds, {})
            cached, _ = await _time_get(feed.url, rounds, {"If-None-Match": file.etag})
            probe = settings.site_url + "/healthz"
            delays = await _delays(feed.url, probe, touch, rounds=5)

            async def touch_cold() -> None:
                await touch()
                document.forget_lines()  # every VEVENT written again (or read back)

            cold_delays = await _delays(feed.url, probe, touch_cold, rounds=2)
            data_dir, site = settings.data_dir, settings.site_url
            restarted = _restarts(data_dir, site, token, restarts, empty=False)
            from_scratch = _restarts(data_dir, site, token, restarts, empty=True)
            events = file.body.count(b"BEGIN:VEVENT")
            print(f"{shape}: {size} bytes ({size / 1024:.1f} KiB), {events} VEVENTs")
            print(f"  first build after start (cold):  {cold * 1000:.1f} ms")
            for label, (wall, cpu) in (
                ("stored lines", restarted),
                ("table emptied", from_scratch),
            ):
                print(f"  cold after restart ({label}), wall: {_ms(wall)}")
                print(f"    CPU: {_ms(cpu)}; wall values {_list(wall)} ms")
            print(f"  build after one change (action):  {_ms(rebuild)}")
            print(f"    CPU: {_ms(rebuild_cpu)}")
            print(f"  unchanged feed (action):          {_ms(unchanged)}")
            print(f"  304 decision (action feed_head):  {_ms(head)}")
            print(f"  GET 200 over HTTP (unchanged):    {_ms(full)}")
            print(f"  GET 304 over HTTP (If-None-Match):{_ms(cached)}")
            for label, found in (("changed", delays), ("cold", cold_delays)):
                print(f"  /healthz during 4 fetches of a {label} feed: {_ms(found)},")
                print(f"    max {max(found) * 1000:.1f} ms over {len(found)} probes")
        finally:
            await server.runner.cleanup()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=50)
    parser.add_argument("--restarts", type=int, default=5)
    parser.add_argument("--shapes", default="series,singles,thousand")
    parser.add_argument("--cold-child", nargs=3, metavar=("DATA_DIR", "SITE_URL", "TOKEN"))
    parser.add_argument("--empty", action="store_true")
    args = parser.parse_args()
    if args.cold_child:
        asyncio.run(_cold_child(*args.cold_child, empty=args.empty))
        return
    for shape in args.shapes.split(","):
        asyncio.run(run(shape, args.rounds, args.restarts))


if __name__ == "__main__":
    main()
