"""`meetings-hub serve` as a real process: SIGTERM with open connections, health, metrics."""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path

import aiohttp
import socketio

from tests.foundation.process_support import ServeProcess, env_for
from tests.foundation.walk_support import demo_data_dir


async def test_sigterm_exits_promptly_and_closes_the_database(tmp_path: Path) -> None:
    data_dir = await demo_data_dir(tmp_path)
    env = env_for(data_dir, {"MEETINGS_HUB_LOG_LEVEL": "INFO"})
    proc = ServeProcess(env)
    secret = "Zm9vYmFyYmF6cXV4cXV1eHF1dXhxdXV4cXV1eA"
    sio = socketio.AsyncClient(reconnection=False)
    try:
        async with aiohttp.ClientSession() as http:
            # A kept-alive HTTP connection and a live socket.io connection stay open on purpose.
            async with http.get(proc.url + "/api/v1/auth/csrf") as r:
                assert r.status == 200
            # Emailed-link tokens must not end up in the access log, nor via the Referer.
            for path in (f"/password/reset?token={secret}", f"/guest/{secret}.abcdefghijkl"):
                async with http.get(proc.url + path, headers={"Referer": proc.url + path}):
                    pass
            await sio.connect(proc.url, transports=["websocket"], wait_timeout=10)
            assert sio.connected
            code, took, err = await asyncio.to_thread(proc.stop, signal.SIGTERM)
    finally:
        if sio.connected:
            await sio.disconnect()
        proc.kill()
    assert code == 0, err
    assert took < 10, f"SIGTERM took {took:.1f}s"
    assert "Traceback" not in err, err
    assert "/password/reset?token=[redacted]" in err, err[-2000:]
    assert secret not in err
    # The last connection to close checkpoints the WAL and removes it: every one was closed.
    assert not (data_dir / "meetings_hub.sqlite3-wal").exists()


async def test_healthz_and_metrics(tmp_path: Path) -> None:
    from tests.foundation.walk_support import start_world

    server, _ = await start_world(tmp_path)
    try:
        async with aiohttp.ClientSession() as http:
            async with http.get(server.url + "/healthz") as r:
                body = await r.json()
                assert r.status == 200
                assert body == {"status": "ok", "database": "ok", "pending_migrations": []}
            async with http.get(server.url + "/metrics") as r:
                text = await r.text()
                assert r.status == 200 and r.content_type == "text/plain"
            assert "meetings_hub_people " in text
            assert "# TYPE meetings_hub_outbox_mail gauge" in text
        # A migration recorded as missing makes the service unhealthy (503), never a 500.
        async with server.hub.db.write() as tx:
            await tx.execute("DELETE FROM schema_migrations WHERE version = 1")
        async with aiohttp.ClientSession() as http:
            async with http.get(server.url + "/healthz") as r:
                body = await r.json()
                assert r.status == 503 and body["status"] == "migrations_pending"
                assert body["pending_migrations"] == ["0001_foundation.sql"]
    finally:
        await server.runner.cleanup()
