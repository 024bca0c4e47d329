"""The group commit's cost with its savepoint, and a poisoned batch's fallback (issue 10, item 7).

Times ``storage.chat.commit_batch`` (the batch in a savepoint, item by item if it fails) against
the bare ``_store_batch`` on a real SQLite file with the demo data, in alternating order, and a
200-message batch with one item refused by a trigger. Run by hand::

    PYTHONPATH=. .venv/bin/python bench/commit_batch.py [--reps 100] [--size 200]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from meetings_hub.actions import demo
from meetings_hub.domain import Window
from meetings_hub.storage import chat
from meetings_hub.storage.timefmt import now_utc
from tests.files.support import actor_for, morawica_room
from tests.support import LEAD, make_settings, start_server


def _summary(name: str, times: list[float]) -> str:
    ordered = sorted(times)
    p90 = ordered[int(len(ordered) * 0.9)]
    return f"{name}: median {statistics.median(times):.2f} ms, p90 {p90:.2f} ms"


async def main(reps: int, size: int) -> None:
    server = await start_server(make_settings(Path(tempfile.mkdtemp())))
    await demo.load(server.hub)
    room = await morawica_room(server)
    lead = await actor_for(server, LEAD)
    assert lead.person is not None
    person = lead.person.id
    window = Window(timedelta(minutes=15), timedelta(minutes=60))

    def batch(poisoned: bool = False) -> list[chat.NewMessage]:
        items = [
            chat.NewMessage(
                room,
                uuid.uuid4().hex,
                f"p:{person}",
                "Anna",
                person,
                None,
                None,
                "text",
                "Dzień dobry wszystkim, zaczynamy za chwilę.",
                None,
            )
            for _ in range(size)
        ]
        if poisoned:
            items[size // 2].text = "poison"
        return items

    async def timed(fn: Callable[..., Any], items: list[chat.NewMessage]) -> float:
        start = time.perf_counter()
        await server.hub.db.write_in_thread(lambda c: fn(c, items, now_utc(), window))
        return (time.perf_counter() - start) * 1000

    results: dict[str, list[float]] = {"commit_batch (savepoint)": [], "_store_batch (bare)": []}
    runs = [
        ("commit_batch (savepoint)", chat.commit_batch),
        ("_store_batch (bare)", chat._store_batch),
    ]
    for rep in range(reps):
        for name, fn in runs if rep % 2 else runs[::-1]:
            results[name].append(await timed(fn, batch()))
    async with server.hub.db.write() as tx:
        await tx.execute(
            "CREATE TRIGGER poison BEFORE INSERT ON messages WHEN NEW.text = 'poison'"
            " BEGIN SELECT RAISE(ABORT, 'poisoned'); END"
        )
    logging.disable(logging.CRITICAL)  # the fallback logs each failing item
    poisoned = [
        await timed(chat.commit_batch, batch(poisoned=True)) for _ in range(max(reps // 10, 5))
    ]
    await server.runner.cleanup()
    print(f"{size}-message batches, {reps} repeats each")
    for name, times in results.items():
        print(_summary(name, times))
    print(_summary("one item poisoned (fallback item by item)", poisoned))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reps", type=int, default=100)
    parser.add_argument("--size", type=int, default=200)
    args = parser.parse_args()
    asyncio.run(main(args.reps, args.size))
