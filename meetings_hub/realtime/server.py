"""Creates the python-socketio AsyncServer and attaches it to the aiohttp app."""

from __future__ import annotations

import socketio
from aiohttp import web

from meetings_hub.hub import Hub


def create_sio(hub: Hub) -> socketio.AsyncServer:
    sio = socketio.AsyncServer(
        async_mode="aiohttp",
        cors_allowed_origins=[],  # same origin only: the pages are served by this app
        # Compression costs several times the memory per connection; see the chat rooms issue.
        http_compression=False,
        logger=False,
        engineio_logger=False,
    )
    return sio


def attach(sio: socketio.AsyncServer, app: web.Application) -> None:
    sio.attach(app, socketio_path="socket.io")
