"""Long-polling POSTs: every packet of a body is read and handled, or the client is told.

python-engineio reads a polling POST with one ``read(Content-Length)``, which on aiohttp returns
only what has arrived so far, and refuses a body of more than
``engineio.payload.Payload.max_decode_packets`` (16) packets with a ValueError that it logs and
answers 200: every event in it is lost and the client never learns it (a room page resending
its unsent messages after a reconnect sends more than 16 at once). Here the whole body is read;
the limit is raised to as many packets as one socket may send events in 10 seconds (more would
be refused by the rate limit anyway), and a body over it is answered 400, which engine.io
takes as a transport error: the client reconnects and sends again what has no ack.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any, NoReturn

import socketio
from engineio import exceptions
from engineio.payload import Payload

from meetings_hub.realtime.manager import close_now

log = logging.getLogger(__name__)

# A flood of refused bodies must not fill the log: one line per this many seconds.
_LOG_EVERY_SECONDS = 60.0


class RefusedBody(exceptions.EngineIOError):
    """engineio answers a POST that raises an EngineIOError 400 (after closing the session,
    which here is closed already: engineio's own close would wait for the session's queue to
    be read by a client that has stopped reading)."""


class _Refusals:
    def __init__(self) -> None:
        self.logged_at = -_LOG_EVERY_SECONDS
        self.unlogged = 0

    def note(self, why: str) -> None:
        now = time.monotonic()
        if now - self.logged_at < _LOG_EVERY_SECONDS:
            self.unlogged += 1
            return
        more = f" (and {self.unlogged} more since the last report)" if self.unlogged else ""
        log.warning("refused a long-polling POST: %s%s", why, more)
        self.logged_at, self.unlogged = now, 0


class _WholeBody:
    """The ``wsgi.input`` engineio reads a POST from: all of it, and not too many packets."""

    def __init__(
        self,
        stream: Any,
        max_packets: int,
        refusals: _Refusals,
        close: Callable[[], Awaitable[None]],
    ) -> None:
        self.stream = stream
        self.max_packets = max_packets
        self.refusals = refusals
        self.close = close

    async def read(self, length: int = -1) -> bytes:
        if length <= 0:
            return b""
        try:
            body: bytes = await self.stream.readexactly(length)
        except asyncio.IncompleteReadError:
            await self.refuse("the body ended before its Content-Length")
        packets = body.count(b"\x1e") + 1
        if packets > self.max_packets:
            await self.refuse(f"{packets} packets, over the limit of {self.max_packets}")
        return body

    async def refuse(self, why: str) -> NoReturn:
        self.refusals.note(why)
        await self.close()
        raise RefusedBody(why)


def install(sio: socketio.AsyncServer, max_packets: int) -> None:
    """Reads polling POSTs of ``sio`` whole, allowing ``max_packets`` packets in one."""
    # engineio's limit is a class attribute shared by the whole process (its client too); ours
    # is checked first, so this only has to be at least as high.
    Payload.max_decode_packets = max(Payload.max_decode_packets, max_packets)
    translate = sio.eio._async["translate_request"]
    refusals = _Refusals()

    async def translate_request(request: Any) -> dict[str, Any]:
        environ = translate(request)
        if inspect.isawaitable(environ):
            environ = await environ
        if environ.get("REQUEST_METHOD") == "POST":
            sid = request.query.get("sid")

            async def close() -> None:
                sock = sio.eio.sockets.get(sid)
                if sock is not None:
                    await close_now(sock)

            environ["wsgi.input"] = _WholeBody(environ["wsgi.input"], max_packets, refusals, close)
        return environ  # type: ignore[no-any-return]

    sio.eio._async = {**sio.eio._async, "translate_request": translate_request}
