"""The central object every action receives: settings, database, translations, secret, hooks.

Like Datasette's ``Datasette`` instance: one place that holds what the process has open, passed
explicitly (never a module global), so tests can run several hubs side by side.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from meetings_hub.auth import Passwords
from meetings_hub.i18n import Translations
from meetings_hub.settings import Settings
from meetings_hub.storage.db import Database

Emit = Callable[[str, Any, str], Awaitable[None]]
Job = Callable[[], Awaitable[None]]

log = logging.getLogger(__name__)


async def _no_emit(event: str, data: Any, room: str) -> None:
    return None


class Later:
    """Work that a request queues and one task does after the answer has gone.

    For answers that must not reveal, by how long they take, what the work found: a reset
    request for a known email wrote a token and a mail (5.3 ms), for an unknown one it did
    nothing (1.3 ms). Both now only queue the same job. Jobs run one at a time, in order; a
    full queue makes the request wait (the same for everyone). Queued jobs live in memory:
    a crash loses them, which for a reset request means asking again. Without a running task
    (the CLI, a hub without the app) a job runs at once.
    """

    STOP_SECONDS = 5.0

    def __init__(self, limit: int = 1000) -> None:
        self._queue: asyncio.Queue[Job | None] = asyncio.Queue(limit)
        self._task: asyncio.Task[None] | None = None

    async def add(self, job: Job) -> None:
        if self._task is None:
            await job()
        else:
            await self._queue.put(job)

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="later")

    async def stop(self) -> None:
        """Runs what is queued (bounded), then ends; called before the database closes."""
        if self._task is None:
            return
        task, self._task = self._task, None
        await self._queue.put(None)
        done, _ = await asyncio.wait({task}, timeout=self.STOP_SECONDS)
        if not done:
            log.warning("queued work did not finish within %s s", self.STOP_SECONDS)
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _run(self) -> None:
        while (job := await self._queue.get()) is not None:
            try:
                await job()
            except Exception:
                log.exception("queued work failed")


@dataclass
class Hub:
    settings: Settings
    db: Database
    translations: Translations
    secret: bytes
    # Set by the app once the mail sender and socket server exist; actions call them after commit.
    wake_mail: Callable[[], None] = field(default=lambda: None)
    # Set by the app once the savings freezer runs: a session ended by its host closes its room.
    wake_savings: Callable[[], None] = field(default=lambda: None)
    emit: Emit = field(default=_no_emit)
    # What actions keep in memory for this process, by name (e.g. "feeds": built feed files).
    caches: dict[str, Any] = field(default_factory=dict)
    # argon2 in threads of its own (auth.Passwords), never on the event loop.
    passwords: Passwords = field(default_factory=Passwords)
    later: Later = field(default_factory=Later)
    # This server process among those sharing the database (attendance rows, Redis roster).
    process_id: str = field(default_factory=lambda: uuid.uuid4().hex)

    def t(self, language: str, key: str, **values: object) -> str:
        return self.translations.get(language, key, **values)

    def url(self, path: str) -> str:
        return self.settings.site_url.rstrip("/") + path
