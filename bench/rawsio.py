"""A minimal Engine.IO v4 / Socket.IO v5 client over one raw aiohttp websocket.

Just enough protocol for the load generator: open, connect to a namespace with an auth payload,
answer the server's pings, emit events with acks, and hand every incoming ``message`` event's
``client_msg_id`` to a callback. A full python-socketio client costs about twice the CPU per
delivery; on a shared two-core machine that would measure the generator, not the server.

Wire format (text frames): ``0{open}`` from the server; ``40/chat,{auth}`` to connect;
``42/chat,<id>["event",{...}]`` an event (``<id>`` when an ack is wanted); ``43/chat,<id>[...]``
the ack; ``44/chat,{...}`` a refused connect; ``2``/``3`` ping/pong.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from typing import Any

import aiohttp
import msgspec

AckCallback = Callable[[Any], None]
MessageCallback = Callable[[str], None]

_KEY = '"client_msg_id"'
_encode = msgspec.json.encode
_decode = msgspec.json.decode


class ConnectRefused(Exception):
    pass


class RawSocket:
    """One Socket.IO connection to one namespace, on one websocket."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        url: str,
        *,
        namespace: str = "/chat",
        auth: dict[str, Any] | None = None,
        cookie: str | None = None,
        compress: bool = False,
        on_message: MessageCallback | None = None,
    ) -> None:
        base = url.replace("http://", "ws://", 1).rstrip("/")
        self._ws_url = f"{base}/socket.io/?EIO=4&transport=websocket"
        self._session = session
        self._ns = namespace
        self._event_prefix = f"42{namespace},"
        self._message_prefix = f'42{namespace},["message"'
        self._ack_prefix = f"43{namespace},"
        self._auth = auth
        self._headers = {"Cookie": cookie} if cookie else {}
        self._compress = compress
        self.on_message = on_message
        self.ws: aiohttp.ClientWebSocketResponse | None = None
        self._acks: dict[int, AckCallback] = {}
        self._next_id = 0
        self._connected: asyncio.Future[Any] | None = None
        self._reader: asyncio.Task[None] | None = None
        self.closed_by_server = False
        self.other_events = 0

    @property
    def compression(self) -> int:
        """The negotiated permessage-deflate window bits (0: no compression)."""
        return self.ws.compress if self.ws is not None else 0

    async def connect(self, seconds: float = 30.0) -> dict[str, Any]:
        self.ws = await self._session.ws_connect(
            self._ws_url,
            headers=self._headers,
            compress=15 if self._compress else 0,
            autoping=True,
            max_msg_size=0,
        )
        opening = await asyncio.wait_for(self.ws.receive(), seconds)
        if opening.type is not aiohttp.WSMsgType.TEXT or not opening.data.startswith("0"):
            raise ConnectionError(f"unexpected Engine.IO opening: {opening!r}")
        self._connected = asyncio.get_running_loop().create_future()
        self._reader = asyncio.create_task(self._read())
        auth = "" if self._auth is None else _encode(self._auth).decode()
        await self.ws.send_str(f"40{self._ns},{auth}")
        return await asyncio.wait_for(self._connected, seconds)

    async def emit(self, event: str, data: Any, ack: AckCallback | None = None) -> None:
        """Sends one event; ``ack`` is called later with the ack's first argument."""
        assert self.ws is not None
        payload = _encode([event, data]).decode()
        if ack is None:
            frame = f"{self._event_prefix}{payload}"
        else:
            self._next_id += 1
            self._acks[self._next_id] = ack
            frame = f"{self._event_prefix}{self._next_id}{payload}"
        # aiohttp writes the frame at once; the await only blocks while the socket's buffer is
        # over its limit (the server stopped reading), which the caller sees as lag.
        await self.ws.send_str(frame)

    async def call(self, event: str, data: Any, seconds: float = 30.0) -> Any:
        """Emits and waits for the ack."""
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()

        def done(value: Any) -> None:
            if not future.done():
                future.set_result(value)

        await self.emit(event, data, done)
        return await asyncio.wait_for(future, seconds)

    async def close(self) -> None:
        if self.ws is not None and not self.ws.closed:
            with contextlib.suppress(Exception):
                await self.ws.close()
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._reader

    async def _read(self) -> None:
        assert self.ws is not None
        ws = self.ws
        message_prefix = self._message_prefix
        on_message = self.on_message
        async for frame in ws:
            if frame.type is not aiohttp.WSMsgType.TEXT:
                continue
            data: str = frame.data
            if data.startswith(message_prefix):
                # Hot path: find the id without decoding the whole message.
                if on_message is not None:
                    at = data.find(_KEY)
                    if at >= 0:
                        start = data.find('"', at + len(_KEY)) + 1
                        on_message(data[start : data.find('"', start)])
            elif data == "2":
                await ws.send_str("3")
            elif data.startswith(self._ack_prefix):
                self._ack(data[len(self._ack_prefix) :])
            elif data.startswith(self._event_prefix):
                self.other_events += 1
            elif data.startswith(f"40{self._ns},"):
                self._resolve_connect(_decode(data[len(self._ns) + 3 :] or "{}"), None)
            elif data.startswith(f"44{self._ns},"):
                detail = _decode(data[len(self._ns) + 3 :] or "{}")
                self._resolve_connect(None, ConnectRefused(detail))
            elif data == "1":
                break
        self.closed_by_server = True
        self._resolve_connect(None, ConnectionError("connection closed"))

    def _resolve_connect(self, value: Any, error: Exception | None) -> None:
        if self._connected is None or self._connected.done():
            return
        if error is not None:
            self._connected.set_exception(error)
        else:
            self._connected.set_result(value)

    def _ack(self, rest: str) -> None:
        bracket = rest.find("[")
        callback = self._acks.pop(int(rest[:bracket]), None)
        if callback is not None:
            args = _decode(rest[bracket:])
            callback(args[0] if args else None)
