"""Creates the python-socketio AsyncServer, attaches it to the aiohttp app, wires the chat."""

from __future__ import annotations

import asyncio
import contextlib
import logging

import socketio
from aiohttp import web

from meetings_hub.actions import attendance
from meetings_hub.actions.chat import GroupCommitter
from meetings_hub.hub import Hub
from meetings_hub.keys import chat_committer_key
from meetings_hub.realtime.chat import ChatNamespace
from meetings_hub.realtime.manager import FastEmit, FastRedisManager, websocket_class

log = logging.getLogger(__name__)

chat_key: web.AppKey[ChatNamespace] = web.AppKey("chat_namespace")


def create_sio(hub: Hub) -> socketio.AsyncServer:
    settings = hub.settings
    manager: FastEmit = FastRedisManager(settings.redis_url) if settings.redis_url else FastEmit()
    manager.max_queue = settings.chat_max_queue
    sio = socketio.AsyncServer(
        async_mode="aiohttp",
        client_manager=manager,
        cors_allowed_origins=[],  # same origin only: the pages are served by this app
        # Compression costs several times the memory per connection; see the chat rooms issue.
        http_compression=False,
        logger=False,
        engineio_logger=False,
    )
    sio.eio._async = {**sio.eio._async, "websocket": websocket_class(settings.chat_ws_compression)}
    return sio


def attach(sio: socketio.AsyncServer, app: web.Application) -> None:
    sio.attach(app, socketio_path="socket.io")


def install_chat(app: web.Application, sio: socketio.AsyncServer, hub: Hub) -> ChatNamespace:
    """The /chat namespace, its group committer, and their start and stop."""
    committer = GroupCommitter(hub)
    namespace = ChatNamespace(hub, committer)
    sio.register_namespace(namespace)
    committer.broadcast = namespace.broadcast
    if isinstance(sio.manager, FastEmit):
        sio.manager.on_local_emit = namespace.on_local_emit
    hub.emit = namespace.hub_emit
    app[chat_key] = namespace
    app[chat_committer_key] = committer

    async def start(app: web.Application) -> None:
        # Runs after the database opened (cleanup contexts start first). Nobody can be present
        # before the server runs: close what a crash left open.
        await attendance.close_all(hub)
        committer.start()

    async def stop(app: web.Application) -> None:
        # Close every Engine.IO socket now: waiting long-polling requests end at once instead
        # of holding the shutdown for the ping timeout. The database is still open here.
        with contextlib.suppress(Exception):
            await asyncio.wait_for(sio.eio.disconnect(), timeout=5)
        await committer.stop()
        with contextlib.suppress(Exception):
            await attendance.close_all(hub)

    app.on_startup.append(start)
    app.on_shutdown.append(stop)
    return namespace
