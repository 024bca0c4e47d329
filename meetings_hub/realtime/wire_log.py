"""The logger python-socketio and python-engineio write to: one line per record, rate-limited.

What they log at WARNING and above is almost always caused by what a client sent (a malformed
frame or payload, an event for a namespace it never joined), and they log it with a full
traceback. A client sending garbage in a loop would fill the disk; a line with the exception's
type, message and innermost frame tells an operator as much. Their INFO chatter (one line per
packet) is dropped.
"""

from __future__ import annotations

import logging
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

LOGGER_NAME = "meetings_hub.realtime.wire"


class WireLog(logging.LoggerAdapter):  # type: ignore[type-arg]
    """At most ``burst`` lines per ``period`` seconds; then one line counting the rest."""

    def __init__(
        self,
        logger: logging.Logger | None = None,
        *,
        burst: int = 20,
        period: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(logger or logging.getLogger(LOGGER_NAME), {})
        self.burst = burst
        self.period = period
        self.clock = clock
        self._window_start = clock()
        self._lines = 0
        self.suppressed = 0

    def isEnabledFor(self, level: int) -> bool:
        return level >= logging.WARNING and self.logger.isEnabledFor(level)

    def log(self, level: int, msg: object, *args: object, **kwargs: Any) -> None:
        if not self.isEnabledFor(level):
            return
        exc_info = kwargs.get("exc_info")
        now = self.clock()
        if now - self._window_start >= self.period:
            if self.suppressed:
                self.logger.warning(
                    "socket.io: %d more lines like these were not logged in %.0f s",
                    self.suppressed,
                    now - self._window_start,
                )
            self._window_start, self._lines, self.suppressed = now, 0, 0
        if self._lines >= self.burst:
            self.suppressed += 1
            return
        self._lines += 1
        text = _format(msg, args)
        if exc_info:
            text += " — " + _exception_summary(exc_info)
        self.logger.log(level, "socket.io: %s", text)


def _format(msg: object, args: tuple[object, ...]) -> str:
    try:
        text = str(msg) % args if args else str(msg)
    except (TypeError, ValueError):
        text = f"{msg} {args!r}"
    return _one_line(text)


def _one_line(text: str, limit: int = 300) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[:limit] + "…"


def _exception_summary(exc_info: object) -> str:
    if isinstance(exc_info, BaseException):
        exc: BaseException | None = exc_info
    elif isinstance(exc_info, tuple):
        exc = exc_info[1]
    else:
        exc = sys.exc_info()[1]
    if exc is None:
        return "no exception"
    where = ""
    frames = traceback.extract_tb(exc.__traceback__)
    if frames:
        last = frames[-1]
        where = f" at {Path(last.filename).name}:{last.lineno}"
    return f"{type(exc).__name__}: {_one_line(str(exc), 200)}{where}"
