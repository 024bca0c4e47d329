"""The python-socketio / python-engineio internals meetings_hub reaches into, checked by name.

`realtime/` relies on a few attributes that are not public API (the fast broadcaster writes
into Engine.IO socket queues; the server swaps the websocket class; shutdown wakes long-polls).
pyproject.toml pins both packages to the minor versions these tests ran on; when an upgrade moves
one of them, this file fails with the name of what disappeared instead of the chat failing later
in some unrelated-looking test.
"""

from __future__ import annotations

import asyncio
import inspect
from importlib.metadata import version

import socketio
from engineio import packet as eio_packet
from engineio.async_drivers import aiohttp as eio_aiohttp
from engineio.async_socket import AsyncSocket
from socketio.async_pubsub_manager import AsyncPubSubManager

from meetings_hub.realtime.manager import FastEmit


def make_server() -> socketio.AsyncServer:
    return socketio.AsyncServer(async_mode="aiohttp", client_manager=FastEmit())


def test_engineio_server_internals() -> None:
    sio = make_server()
    # server.websocket_class replaces the "websocket" entry of this mapping.
    assert isinstance(sio.eio._async, dict), "engineio AsyncServer._async is gone"
    assert "websocket" in sio.eio._async, "engineio AsyncServer._async['websocket'] is gone"
    assert issubclass(sio.eio._async["websocket"], eio_aiohttp.WebSocket)
    # server._release_on_close wraps the registered disconnect handler.
    assert callable(sio.eio.handlers.get("disconnect")), "engineio handlers['disconnect'] gone"
    assert isinstance(sio.eio.sockets, dict), "engineio AsyncServer.sockets is gone"
    assert sio.eio.max_http_buffer_size > 0


def test_engineio_aiohttp_driver_internals() -> None:
    # server.websocket_class builds its own WebSocketResponse through the driver module.
    assert eio_aiohttp.WebSocketResponse is not None
    params = inspect.signature(eio_aiohttp.WebSocket.__call__).parameters
    assert "environ" in params, "engineio aiohttp WebSocket.__call__(environ) changed"


async def test_engineio_socket_queue_and_close() -> None:
    sio = make_server()
    sock = AsyncSocket(sio.eio, "sid-1")
    # manager.FastEmit.deliver puts packets straight into this queue; close_now puts None.
    assert isinstance(sock.queue, asyncio.Queue), "engineio AsyncSocket.queue is gone"
    assert hasattr(sock, "closed") and hasattr(sock, "closing")
    sock.queue.put_nowait(eio_packet.Packet(eio_packet.MESSAGE, "x"))
    assert sock.queue.qsize() == 1
    params = inspect.signature(sock.close).parameters
    assert {"wait", "abort"} <= set(params), "engineio AsyncSocket.close(wait, abort) changed"


def test_socketio_manager_internals() -> None:
    sio = make_server()
    manager = sio.manager
    # chat.py leaves a room for one socket without a round trip through the pub/sub.
    assert callable(getattr(manager, "basic_leave_room", None)), "basic_leave_room is gone"
    assert callable(getattr(manager, "get_participants", None)), "get_participants is gone"
    assert isinstance(manager.rooms, dict), "AsyncManager.rooms is gone"
    assert hasattr(sio, "packet_class"), "AsyncServer.packet_class is gone"
    # FastRedisManager relies on AsyncPubSubManager.emit handing local delivery to super().emit.
    assert issubclass(socketio.AsyncRedisManager, AsyncPubSubManager)


def test_pinned_versions_are_the_tested_ones() -> None:
    """The ranges in pyproject.toml; a newer minor must be tried against this file first."""
    assert version("python-engineio").startswith("4.15."), version("python-engineio")
    assert version("python-socketio").startswith("5.18."), version("python-socketio")
