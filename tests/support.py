"""Test helpers: start the real server, a browser-like HTTP client, tool checks."""

from __future__ import annotations

import os
import shutil
import socket
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from meetings_hub.actions import demo
from meetings_hub.app import create_app
from meetings_hub.keys import hub_key
from meetings_hub.settings import Settings

IN_CI = os.environ.get("CI", "").lower() == "true"
REPO = Path(__file__).resolve().parent.parent


def require(condition: bool, what: str) -> None:
    """Skip locally when a tool is missing, but fail in CI: CI must never pass by skipping."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"{what} is missing in CI (make test installs it)")
    pytest.skip(f"{what} is not installed; run `make test`")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    url: str
    app: web.Application
    settings: Settings
    runner: web.AppRunner

    @property
    def hub(self):  # type: ignore[no-untyped-def]
        return self.app[hub_key]


async def start_server(settings: Settings) -> Server:
    app = await create_app(settings)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, settings.host, settings.port)
    await site.start()
    return Server(f"http://{settings.host}:{settings.port}", app, settings, runner)


def make_settings(tmp_path: Path, **overrides: Any) -> Settings:
    port = free_port()
    values: dict[str, Any] = {
        "host": "127.0.0.1",
        "port": port,
        "data_dir": tmp_path / "var",
        "site_url": f"http://127.0.0.1:{port}",
        "secret_key": "test-secret-key-0123456789",
        "demo_mode": True,
        "mail_poll_seconds": 0.2,
    }
    values.update(overrides)
    return Settings(**values)


class Client:
    """An HTTP client that behaves like the browser: a cookie jar and the CSRF header."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.session = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
        self.csrf = ""

    async def close(self) -> None:
        await self.session.close()

    async def refresh_csrf(self) -> None:
        async with self.session.get(self.base + "/api/v1/auth/csrf") as r:
            self.csrf = (await r.json())["csrf_token"]

    async def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        data: Any = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, Any]:
        if not self.csrf:
            await self.refresh_csrf()
        all_headers = {"X-CSRF-Token": self.csrf, **(headers or {})}
        async with self.session.request(
            method, self.base + path, json=json, data=data, headers=all_headers
        ) as r:
            text = await r.text()
            body: Any = None
            if text and r.content_type == "application/json":
                body = await r.json(content_type=None)
            elif text:
                body = text
            return r.status, body

    async def get(self, path: str) -> tuple[int, Any]:
        return await self.request("GET", path)

    async def post(self, path: str, json: Any = None) -> tuple[int, Any]:
        return await self.request("POST", path, json=json)

    async def login(self, email: str, password: str = demo.DEMO_PASSWORD) -> dict[str, Any]:
        status, body = await self.post("/api/v1/auth/login", {"email": email, "password": password})
        assert status == 200, body
        self.csrf = body["csrf_token"]
        return body


def chromium_path() -> str | None:
    return shutil.which("chromium") or (
        "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None
    )


COORDINATOR = "koordynator@example.org"
LEAD = "lead@example.org"
PARTNER = "partner@example.org"
