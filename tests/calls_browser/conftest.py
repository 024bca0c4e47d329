"""Call tests run in a network namespace of their own, with only a loopback interface.

WebRTC media must not go out on the machine's real interfaces (they are shared), and Janus
gathers no ICE candidates on loopback. Each test marked ``netns`` is run again in a child
``pytest`` under ``unshare -n``: the server, Janus, Chromium and all media stay inside that
namespace, where only ``lo`` and a veth pair (mh0 10.203.0.1, mh1 10.203.0.2, both ends inside)
exist. Between two Chromium pages loopback alone carries the media once Chromium allows it
(``--allow-loopback-in-peer-connection``): measured 2026-12-07, ~3 kB/s of Opus per direction,
connected in under a second.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from _pytest.reports import TestReport

from meetings_hub.actions import demo
from tests.support import (
    IN_CI,
    REPO,
    Server,
    chromium_path,
    free_port,
    make_settings,
    require,
    start_server,
)

INSIDE = "MH_TEST_NETNS"
MEDIA_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--use-fake-device-for-media-stream",
    "--use-fake-ui-for-media-stream",
    "--allow-loopback-in-peer-connection",
    "--autoplay-policy=no-user-gesture-required",
]


def _report(item: pytest.Item, outcome: str, longrepr: Any, duration: float) -> None:
    report = TestReport(
        item.nodeid, item.location, {}, outcome, longrepr, "call", duration=duration
    )
    item.ihook.pytest_runtest_logreport(report=report)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> bool | None:
    if item.get_closest_marker("netns") is None or os.environ.get(INSIDE) == item.nodeid:
        return None
    item.ihook.pytest_runtest_logstart(nodeid=item.nodeid, location=item.location)
    started = time.monotonic()
    tools = [shutil.which("unshare"), shutil.which("ip")]
    if None in tools:
        outcome = "failed" if IN_CI else "skipped"
        reason = "unshare (util-linux) and ip (iproute2) are needed for a network namespace"
        longrepr = reason if IN_CI else (str(item.path), item.location[1] or 0, reason)
        _report(item, outcome, longrepr, 0.0)
    else:
        # Not root: a user namespace of its own gives the rights over the new network one.
        command = [
            "unshare",
            *(["-n"] if os.geteuid() == 0 else ["-r", "-n"]),
            "sh",
            "-c",
            # Janus gathers no candidates on loopback: a veth pair whose both ends stay here.
            "ip link set lo up && ip link add mh0 type veth peer name mh1"
            " && ip addr add 10.203.0.1/24 dev mh0 && ip addr add 10.203.0.2/24 dev mh1"
            ' && ip link set mh0 up && ip link set mh1 up && exec "$@"',
            "sh",
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            item.nodeid,
        ]
        env = {**os.environ, INSIDE: item.nodeid}
        result = subprocess.run(
            command, cwd=REPO, env=env, capture_output=True, text=True, check=False, timeout=580
        )
        output = result.stdout[-20000:] + result.stderr[-5000:]
        if result.returncode == 0 and " passed" in result.stdout:
            _report(item, "passed", None, time.monotonic() - started)
        elif result.returncode == 0 and " skipped" in result.stdout:
            _report(item, "skipped", (str(item.path), 0, output[-500:]), 0.0)
        else:
            _report(item, "failed", f"in the network namespace:\n{output}", 0.0)
    # What earlier tests set up (their modules' fixtures) is torn down as far as the next test
    # needs, as pytest's own run of a test would.
    item.session._setupstate.teardown_exact(nextitem)
    item.ihook.pytest_runtest_logfinish(nodeid=item.nodeid, location=item.location)
    return True


def assert_private_network() -> None:
    """Media must never leave the test's own namespace: only loopback and the veth pair whose
    both ends are in it may exist here."""
    assert os.environ.get(INSIDE), "run only in its own network namespace (see conftest.py)"
    interfaces = sorted(name for _, name in socket.if_nameindex())
    assert interfaces == ["lo", "mh0", "mh1"], interfaces


class Janus:
    """Janus from the Debian package with the shipped config (deploy/janus), on a free port;
    a test may stop and start it again (same port and secret)."""

    def __init__(self, binary: str, tmp_path: Path) -> None:
        self.binary = binary
        self.folder = tmp_path / "janus"
        shutil.copytree(REPO / "deploy" / "janus", self.folder)
        self.port = free_port()
        transport = self.folder / "janus.transport.http.jcfg"
        transport.write_text(transport.read_text().replace("port = 8088", f"port = {self.port}"))
        self.url = f"http://127.0.0.1:{self.port}/janus"
        self.secret = secrets.token_hex(16)
        self.log_path = tmp_path / "janus.log"
        self.proc: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        with self.log_path.open("ab") as log:
            self.proc = await asyncio.create_subprocess_exec(
                self.binary,
                "-F",
                str(self.folder),
                "-C",
                str(self.folder / "janus.jcfg"),
                "--apisecret",
                self.secret,
                "-o",
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        ping = {"janus": "ping", "transaction": "t", "apisecret": self.secret}
        async with aiohttp.ClientSession() as http:
            for _ in range(100):
                try:
                    async with http.post(self.url, json=ping) as response:
                        if response.status == 200:
                            return
                except aiohttp.ClientError:
                    pass
                await asyncio.sleep(0.1)
        raise AssertionError(f"janus did not start: {self.log_path.read_text()[-2000:]}")

    async def stop(self) -> None:
        if self.proc is None or self.proc.returncode is not None:
            return
        self.proc.terminate()
        try:
            await asyncio.wait_for(self.proc.wait(), 10)
        except TimeoutError:
            self.proc.kill()
            await self.proc.wait()


@pytest.fixture
async def janus(tmp_path: Path) -> AsyncIterator[Janus]:
    binary = shutil.which("janus")
    require(binary is not None, "janus (Debian package `janus`; make test installs it)")
    assert binary is not None
    running = Janus(binary, tmp_path)
    await running.start()
    yield running
    await running.stop()


@pytest.fixture
async def sfu_server(tmp_path: Path, janus: Janus) -> AsyncIterator[Server]:
    """A real server whose calls go through the test's Janus."""
    settings = make_settings(tmp_path, janus_url=janus.url, janus_api_secret=janus.secret)
    srv = await start_server(settings)
    await demo.load(srv.hub)
    yield srv
    await srv.runner.cleanup()


@pytest.fixture
async def media_browser() -> AsyncIterator[Any]:
    """Chromium with fake microphone and camera, allowed to send media over loopback."""
    path = chromium_path()
    require(path is not None, "Debian chromium (/usr/bin/chromium)")
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=path, headless=True, args=MEDIA_FLAGS)
        yield browser
        await browser.close()
