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
from meetings_hub.realtime import polling
from meetings_hub.realtime.call import Calls
from meetings_hub.realtime.call_sfu import Sfu
from meetings_hub.realtime.chat import ChatNamespace
from meetings_hub.realtime.heartbeats import RedisHeartbeats
from meetings_hub.realtime.janus import JanusClient
from meetings_hub.realtime.manager import FastEmit, FastRedisManager, close_now, websocket_class
from meetings_hub.realtime.roster import RedisRoster
from meetings_hub.realtime.wire_log import WireLog

log = logging.getLogger(__name__)

chat_key: web.AppKey[ChatNamespace] = web.AppKey("chat_namespace")


def create_sio(hub: Hub) -> socketio.AsyncServer:
    settings = hub.settings
    manager: FastEmit = (
        FastRedisManager(settings.redis_url, channel=settings.redis_channel)
        if settings.redis_url
        else FastEmit()
    )
    manager.max_queue = settings.chat_max_queue
    wire_log = WireLog()  # one budget of lines for both libraries
    sio = socketio.AsyncServer(
        async_mode="aiohttp",
        client_manager=manager,
        # No CORS: the pages are served by this app. [] also turns engineio's own Origin check
        # off; csrf_middleware refuses foreign origins (site_url, allowed_origins) instead.
        cors_allowed_origins=[],
        # Compression costs several times the memory per connection; see the chat rooms issue.
        http_compression=False,
        # One line per protocol error, rate-limited: a client sending garbage can't fill the log.
        logger=wire_log,
        engineio_logger=wire_log,
    )
    sio.eio._async = {**sio.eio._async, "websocket": websocket_class(settings.chat_ws_compression)}
    polling.install(sio, max_packets=max(16, settings.chat_max_events_per_10s))
    _release_on_close(sio)
    return sio


def _release_on_close(sio: socketio.AsyncServer) -> None:
    """Ends a closed connection's pending long-poll (or websocket writer) right away.

    python-engineio closes a socket without waking the request that waits for its next packet,
    so a polling client that said goodbye would hold that request (and the server's shutdown)
    for the ping timeout. The ``None`` wakes it, after any CLOSE packet is queued.
    """
    handle_disconnect = sio.eio.handlers["disconnect"]

    async def on_eio_disconnect(eio_sid: str, *args: object) -> None:
        await handle_disconnect(eio_sid, *args)
        sock = sio.eio.sockets.get(eio_sid)
        if sock is not None:
            asyncio.get_running_loop().call_soon(sock.queue.put_nowait, None)

    sio.eio.on("disconnect", on_eio_disconnect)


def attach(sio: socketio.AsyncServer, app: web.Application) -> None:
    sio.attach(app, socketio_path="socket.io")


def install_chat(app: web.Application, sio: socketio.AsyncServer, hub: Hub) -> ChatNamespace:
    """The /chat namespace, its group committer, and their start and stop."""
    committer = GroupCommitter(hub)
    namespace = ChatNamespace(hub, committer)
    sio.register_namespace(namespace)
    sfu = (
        Sfu(
            JanusClient(hub.settings.janus_url, hub.settings.janus_api_secret),
            hub.secret,
            max(2, hub.settings.call_max_participants),
        )
        if hub.settings.janus_url
        else None
    )
    Calls(namespace, sfu).install()
    committer.broadcast = namespace.broadcast
    if isinstance(sio.manager, FastEmit):
        sio.manager.on_local_emit = namespace.on_local_emit
        sio.manager.intercept = namespace.intercept
    hub.emit = namespace.hub_emit
    settings = hub.settings
    beats: attendance.Heartbeats = attendance.DatabaseHeartbeats(hub)
    if settings.redis_url:
        namespace.roster = RedisRoster(
            settings.redis_url, settings.redis_channel, process=hub.process_id
        )
        beats = RedisHeartbeats(settings.redis_url, settings.redis_channel)
    present = attendance.ProcessAttendance(hub, beats)
    app[chat_key] = namespace
    app[chat_committer_key] = committer

    async def start(app: web.Application) -> None:
        # Runs after the database opened (cleanup contexts start first). Starts this process's
        # heartbeat; rows that other processes (or this one's previous run) left open are
        # closed only once their heartbeat has expired.
        await present.start()
        committer.start()
        namespace.start_rechecks()
        await namespace.roster.start()

    async def stop(app: web.Application) -> None:
        await namespace.stop_rechecks()
        # Close every Engine.IO socket now: waiting long-polling requests end at once instead
        # of holding the shutdown for the ping timeout. The database is still open here.
        sockets = list(sio.eio.sockets.values())
        if sockets:
            # abort: do not wait for queued packets to drain (a client that does not read
            # would hold the shutdown); clients reconnect and catch up by replay anyway.
            closes = [close_now(sock) for sock in sockets]
            with contextlib.suppress(Exception):
                await asyncio.wait_for(asyncio.gather(*closes, return_exceptions=True), 5)
        await committer.stop()
        await namespace.order.stop()
        await namespace.roster.stop()
        if sfu is not None:
            await sfu.close()
        with contextlib.suppress(Exception):
            await present.stop()  # this process's rows only: others' people are still there

    app.on_startup.append(start)
    app.on_shutdown.append(stop)
    return namespace
