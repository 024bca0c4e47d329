"""Client managers that broadcast without a task per recipient, and drop slow readers.

python-socketio's ``AsyncManager.emit`` creates one asyncio task per recipient and waits for all
of them; for a room of 15 at thousands of messages a second that is most of the server's CPU.
Here the packet is encoded once and put straight into each Engine.IO socket's queue (the same
queue ``socket.send`` would await on, which never blocks: it is unbounded). A socket whose queue
is longer than ``max_queue`` is a client that stopped reading: it is disconnected instead of
buffered without bound, and catches up by replay when it reconnects.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

import socketio
from engineio import packet as eio_packet
from engineio.async_drivers import aiohttp as eio_aiohttp
from socketio import packet

log = logging.getLogger(__name__)

# (event, data, room) for every broadcast this process delivers, local or from Redis.
LocalEmitHook = Callable[[str, Any, Any], None]
# (event, data, room, skip_sid) of a broadcast about to be delivered here, local or from Redis;
# True when the hook takes it, to deliver it itself later (the chat puts messages in seq order).
InterceptHook = Callable[[str, Any, Any, Any], bool]


class FastEmit(socketio.AsyncManager):
    max_queue: int = 1000
    on_local_emit: LocalEmitHook | None = None
    intercept: InterceptHook | None = None

    async def emit(  # type: ignore[override]
        self,
        event: str,
        data: Any,
        namespace: str,
        room: Any = None,
        skip_sid: Any = None,
        callback: Any = None,
        to: Any = None,
        **kwargs: Any,
    ) -> None:
        if callback is not None:
            await super().emit(
                event, data, namespace, room=room, skip_sid=skip_sid, callback=callback, to=to
            )
            return
        if self.intercept is not None and self.intercept(event, data, to or room, skip_sid):
            return
        self.deliver(event, data, namespace, to or room, skip_sid)

    def deliver(
        self,
        event: str,
        data: Any,
        namespace: str,
        room: Any,
        skip_sid: Any = None,
        *,
        bounded: bool = True,
    ) -> None:
        """Queues the event for every local participant, synchronously (no await, no task).

        ``bounded=False`` is for a replay: its size is capped by the replay limit, and a
        client catching up must not be mistaken for one that stopped reading.
        """
        if self.on_local_emit is not None:
            self.on_local_emit(event, data, room)
        if namespace not in self.rooms:
            return
        if isinstance(data, tuple):
            args = list(data)
        elif data is not None:
            args = [data]
        else:
            args = []
        skip = skip_sid if isinstance(skip_sid, list) else [skip_sid]
        encoded = self.server.packet_class(
            packet.EVENT, namespace=namespace, data=[event, *args]
        ).encode()
        parts = encoded if isinstance(encoded, list) else [encoded]
        eio_packets = [eio_packet.Packet(eio_packet.MESSAGE, p) for p in parts]
        sockets = self.server.eio.sockets
        for sid, eio_sid in self.get_participants(namespace, room):
            if sid in skip:
                continue
            sock = sockets.get(eio_sid)
            if sock is None or sock.closed or sock.closing:
                continue
            if bounded and sock.queue.qsize() >= self.max_queue:
                self._drop_slow(eio_sid)
                continue
            for p in eio_packets:
                sock.queue.put_nowait(p)

    def _drop_slow(self, eio_sid: str) -> None:
        sock = self.server.eio.sockets.get(eio_sid)
        if sock is None or sock.closing:
            return
        sock.closing = True  # once: further broadcasts skip it while it closes
        log.info("disconnecting slow reader %s", eio_sid)

        async def close() -> None:
            sock.closing = False  # close() does nothing on a socket already marked closing
            await close_now(sock)

        task = asyncio.get_running_loop().create_task(close())
        self._closing.add(task)
        task.add_done_callback(self._closing.discard)

    @property
    def _closing(self) -> set[asyncio.Task[None]]:
        tasks: set[asyncio.Task[None]] | None = getattr(self, "_closing_tasks", None)
        if tasks is None:
            tasks = self._closing_tasks = set()
        return tasks


async def close_now(sock: Any) -> None:
    """Closes an Engine.IO socket without waiting for its queue to drain.

    ``close(abort=True)`` alone leaves the websocket writer (or a pending long-poll) waiting up
    to the ping timeout for its next packet; the ``None`` in the queue ends it at once.
    """
    await sock.close(wait=False, abort=True)
    sock.queue.put_nowait(None)


class FastRedisManager(socketio.AsyncRedisManager, FastEmit):
    """Redis pub/sub between processes; local delivery by ``FastEmit``.

    ``AsyncPubSubManager.emit`` publishes and hands local delivery to ``super().emit``, which in
    this class's MRO is ``FastEmit.emit``.
    """

    async def publish_only(
        self, event: str, data: Any, namespace: str, room: Any, skip_sid: Any = None
    ) -> None:
        """Sends a broadcast to the other processes only (this one delivered it already), in
        the message format of ``AsyncPubSubManager.emit``."""
        await self._publish(
            {
                "method": "emit",
                "event": event,
                "data": [data],
                "binary": False,
                "namespace": namespace,
                "room": room,
                "skip_sid": skip_sid,
                "callback": None,
                "host_id": self.host_id,
            }
        )


def websocket_class(compress: bool) -> type:
    """Engine.IO's aiohttp websocket with per-message deflate as configured (aiohttp's default
    is on, which costs several times the memory per connection)."""

    class WebSocket(eio_aiohttp.WebSocket):  # type: ignore[misc]
        async def __call__(self, environ: dict[str, Any]) -> Any:
            request = environ["aiohttp.request"]
            self._sock = eio_aiohttp.WebSocketResponse(
                max_msg_size=self.server.max_http_buffer_size, compress=compress
            )
            await self._sock.prepare(request)
            self.environ = environ
            try:
                await self.handler(self)
            except Exception:
                # engineio decodes a frame outside its own error handling: a malformed one (or
                # a broken connection) ends up here. One (rate-limited) line, and the socket
                # closed now, not at its ping timeout.
                self.server.logger.exception("websocket ended by an error")
                sock = getattr(self.handler, "__self__", None)
                if sock is not None:
                    await close_now(sock)
                await self._sock.close()
            return self._sock

    return WebSocket
