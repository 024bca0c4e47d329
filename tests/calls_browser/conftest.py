"""Call tests run in a network namespace of their own, with only a loopback interface.

WebRTC media must not go out on the machine's real interfaces (they are shared, and Janus will
not use loopback at all: /work/shared/notes/calls-janus.md). Each test marked ``netns`` is run
again in a child ``pytest`` under ``unshare -n``: the server, Chromium and all media stay inside
that namespace, where only ``lo`` exists. Between two Chromium pages, loopback carries the
media once Chromium allows it (``--allow-loopback-in-peer-connection``): measured 2026-12-07,
~3 kB/s of Opus per direction, connected in under a second.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
from _pytest.reports import TestReport

from tests.support import IN_CI, REPO, chromium_path, require

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
    if None in tools or os.geteuid() != 0:
        outcome = "failed" if IN_CI else "skipped"
        reason = "unshare, ip and root are needed for a network namespace"
        longrepr = reason if IN_CI else (str(item.path), item.location[1] or 0, reason)
        _report(item, outcome, longrepr, 0.0)
    else:
        command = [
            "unshare",
            "-n",
            "sh",
            "-c",
            'ip link set lo up && exec "$@"',
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
    """Media must never leave the test's own namespace: only loopback may exist here."""
    assert os.environ.get(INSIDE), "run only in its own network namespace (see conftest.py)"
    interfaces = sorted(name for _, name in socket.if_nameindex())
    assert interfaces == ["lo"], interfaces


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
