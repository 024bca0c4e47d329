"""One background scan repeated every few seconds, started and stopped with the app: the shape
the meeting reminders and the feedback requests share (a failed scan is logged and the next
one runs on time)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from meetings_hub.hub import Hub

log = logging.getLogger(__name__)


class PeriodicScan:
    """Runs ``scan(hub)`` now and then every ``period(hub)`` seconds until stopped."""

    def __init__(
        self,
        hub: Hub,
        name: str,
        scan: Callable[[Hub], Awaitable[object]],
        period: Callable[[Hub], float],
    ) -> None:
        self.hub = hub
        self.name = name
        self._scan = scan
        self._period = period
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name=self.name)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        while True:
            try:
                await self._scan(self.hub)
            except Exception:
                log.exception("%s scan failed", self.name)
            await asyncio.sleep(self._period(self.hub))
