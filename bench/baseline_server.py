"""A bare python-socketio broadcast server: rooms and emit only — the yardstick for fanout.py.

It speaks the same events as meetings_hub's ``/chat`` namespace, so the load generator drives
both alike: ``join {"room_id"}`` puts the socket in the room, ``send {"room_id", ...}`` broadcasts
the payload to the room (all but the sender) as ``message`` and acks ``{"ok": true}``. No
authentication, no storage, no validation: whatever meetings_hub does on top of this is what the
benchmark prices.

    python bench/baseline_server.py --port 8801 [--ws-compression]
"""

from __future__ import annotations

import argparse
import time
from typing import Any

import socketio
from aiohttp import web

NAMESPACE = "/chat"


class Broadcast(socketio.AsyncNamespace):
    async def on_connect(self, sid: str, environ: dict[str, Any], auth: Any = None) -> None:
        return None

    async def on_join(self, sid: str, data: dict[str, Any]) -> dict[str, Any]:
        await self.enter_room(sid, f"room:{data['room_id']}")
        return {"ok": True}

    async def on_send(self, sid: str, data: dict[str, Any]) -> dict[str, Any]:
        message = {**data, "time": time.time()}
        await self.emit("message", message, room=f"room:{data['room_id']}", skip_sid=sid)
        return {"ok": True}


def build_app(*, ws_compression: bool) -> web.Application:
    sio = socketio.AsyncServer(async_mode="aiohttp", logger=False, engineio_logger=False)
    sio.register_namespace(Broadcast(NAMESPACE))
    app = web.Application()
    sio.attach(app, socketio_path="socket.io")
    if not ws_compression:
        _refuse_ws_compression()
    return app


def _refuse_ws_compression() -> None:
    # aiohttp's WebSocketResponse accepts permessage-deflate whenever a client asks; engine.io
    # has no switch for it, so the bare server turns it off the same way an operator would.
    from engineio.async_drivers import aiohttp as eio_aiohttp

    original = eio_aiohttp.WebSocketResponse

    class NoCompression(original):  # type: ignore[misc, valid-type]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            kwargs["compress"] = False
            super().__init__(*args, **kwargs)

    eio_aiohttp.WebSocketResponse = NoCompression


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8801)
    parser.add_argument(
        "--ws-compression",
        action="store_true",
        help="Accept websocket permessage-deflate when the client asks (off by default).",
    )
    args = parser.parse_args()
    app = build_app(ws_compression=args.ws_compression)
    print(f"baseline serves on http://{args.host}:{args.port}", flush=True)
    web.run_app(app, host=args.host, port=args.port, print=None)


if __name__ == "__main__":
    main()
