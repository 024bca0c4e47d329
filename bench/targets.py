"""The two servers fanout.py measures: start one pinned to a core, prepare its clients, stop it.

``meetings_hub``: a fresh data directory with the demo data; the demo people sign in through the
JSON API (their session cookies authenticate the sockets, as a browser's would), and the
coordinator creates group rooms of ``room_size`` members. ``baseline``: bench/baseline_server.py,
no authentication, rooms numbered 1..n.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp

REPO = Path(__file__).resolve().parent.parent
BENCH = REPO / "bench"
SESSION_COOKIE = "mh_session"

# Settings the benchmark changes from their defaults, and why: the generator's sockets send far
# more than a person types, so the per-socket rate limit would refuse them (it is a guard
# against a misbehaving client, not part of the cost being measured).
HUB_ENV = {
    "MEETINGS_HUB_CHAT_MAX_EVENTS_PER_10S": "1000000",
    "MEETINGS_HUB_LOG_LEVEL": "WARNING",
}


@dataclass
class Seat:
    """One socket's place: which room it joins and how it authenticates."""

    room_id: int
    cookie: str | None = None


@dataclass
class Running:
    name: str
    url: str
    process: subprocess.Popen[bytes]
    seats: list[list[Seat]] = field(default_factory=list)  # one list of seats per room
    workdir: Path | None = None

    @property
    def pid(self) -> int:
        return self.process.pid


def pin(core: int | None) -> list[str]:
    return [] if core is None else ["taskset", "-c", str(core)]


async def wait_ready(running: Running, seconds: float = 60) -> None:
    """Waits until the server answers an Engine.IO handshake; stops it when it never does."""
    deadline = time.monotonic() + seconds
    try:
        async with aiohttp.ClientSession() as session:
            while time.monotonic() < deadline:
                if running.process.poll() is not None:
                    code = running.process.returncode
                    raise RuntimeError(f"{running.name} exited with {code} before it was ready")
                with contextlib.suppress(aiohttp.ClientError, OSError):
                    probe = f"{running.url}/socket.io/?EIO=4&transport=polling"
                    async with session.get(probe) as response:
                        if response.status == 200:
                            return
                await asyncio.sleep(0.2)
        raise TimeoutError(f"{running.name} at {running.url} not ready after {seconds:.0f}s")
    except BaseException:
        stop(running)
        raise


def _hub_env(workdir: Path, port: int, compression: bool, extra: dict[str, str]) -> dict[str, str]:
    env = dict(os.environ)
    env.update(HUB_ENV)
    env.update(
        {
            "MEETINGS_HUB_DATA_DIR": str(workdir),
            "MEETINGS_HUB_PORT": str(port),
            "MEETINGS_HUB_HOST": "127.0.0.1",
            "MEETINGS_HUB_SITE_URL": f"http://127.0.0.1:{port}",
            "MEETINGS_HUB_SECRET_KEY": "bench-secret-key-not-for-production",
            "MEETINGS_HUB_DEMO_MODE": "true",
            "MEETINGS_HUB_CHAT_WS_COMPRESSION": "true" if compression else "false",
        }
    )
    env.update(extra)
    return env


def launch_hub(
    port: int,
    *,
    core: int | None,
    compression: bool = False,
    extra_env: dict[str, str] | None = None,
    log: Path | None = None,
) -> Running:
    workdir = Path(tempfile.mkdtemp(prefix="fanout-hub-"))
    env = _hub_env(workdir, port, compression, extra_env or {})
    cli = [sys.executable, "-m", "meetings_hub.cli"]
    # `demo` migrates the new database, then loads the demo network.
    subprocess.run([*cli, "demo"], env=env, cwd=REPO, check=True, capture_output=True, timeout=120)
    out = open(log, "ab") if log else subprocess.DEVNULL  # the child keeps it open
    process = subprocess.Popen(
        [*pin(core), *cli, "serve"], env=env, cwd=REPO, stdout=out, stderr=subprocess.STDOUT
    )
    return Running("meetings_hub", f"http://127.0.0.1:{port}", process, workdir=workdir)


def launch_baseline(
    port: int, *, core: int | None, compression: bool = False, log: Path | None = None
) -> Running:
    command = [*pin(core), sys.executable, str(BENCH / "baseline_server.py"), "--port", str(port)]
    if compression:
        command.append("--ws-compression")
    out = open(log, "ab") if log else subprocess.DEVNULL  # the child keeps it open
    process = subprocess.Popen(command, cwd=REPO, stdout=out, stderr=subprocess.STDOUT)
    return Running("baseline", f"http://127.0.0.1:{port}", process)


def stop(running: Running) -> None:
    if running.process.poll() is None:
        running.process.terminate()
        try:
            running.process.wait(timeout=3)
        except subprocess.TimeoutExpired:
            running.process.kill()
            running.process.wait()
    if running.workdir is not None:
        shutil.rmtree(running.workdir, ignore_errors=True)


async def baseline_seats(running: Running, rooms: int, room_size: int) -> None:
    running.seats = [[Seat(room_id=r + 1) for _ in range(room_size)] for r in range(rooms)]


async def hub_seats(running: Running, rooms: int, room_size: int) -> None:
    """Signs in the demo people the rooms need; the coordinator creates the group rooms."""
    from meetings_hub.actions.demo import DEMO_PASSWORD
    from meetings_hub.demo_data import PEOPLE

    if room_size > len(PEOPLE):
        raise ValueError(f"room_size {room_size} > {len(PEOPLE)} demo people")
    api = f"{running.url}/api/v1"
    creator = next(p for p in PEOPLE if p.role == "coordinator")
    others = [p for p in PEOPLE if p is not creator]
    # A different set of people in each room, so a person has sockets in several rooms; only
    # the people some room needs sign in (each login is a deliberately slow argon2 check).
    rosters = [[others[(r + i) % len(others)] for i in range(room_size - 1)] for r in range(rooms)]
    needed = [creator, *{p.email: p for roster in rosters for p in roster}.values()]
    signed: dict[str, tuple[int, str, str]] = {}  # email: person id, session token, csrf
    for person in needed:
        signed[person.email] = await _login(api, person.email, DEMO_PASSWORD)
    _, creator_token, csrf = signed[creator.email]
    headers = {"X-CSRF-Token": csrf, "Cookie": f"{SESSION_COOKIE}={creator_token}"}
    async with aiohttp.ClientSession() as session:
        for r, roster in enumerate(rosters):
            members = [signed[p.email][0] for p in roster]
            body = {"title": f"bench room {r + 1}", "member_ids": members}
            async with session.post(f"{api}/rooms", json=body, headers=headers) as response:
                if response.status not in (200, 201):
                    text = await response.text()
                    raise RuntimeError(f"create room: {response.status} {text[:300]}")
                room_id = (await response.json())["id"]
            running.seats.append(
                [
                    Seat(room_id=room_id, cookie=f"{SESSION_COOKIE}={signed[p.email][1]}")
                    for p in [creator, *roster]
                ]
            )


async def _login(api: str, email: str, password: str) -> tuple[int, str, str]:
    """Signs in as a browser does (anonymous CSRF token first); (person id, token, csrf)."""
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as session:
        async with session.get(f"{api}/auth/csrf") as response:
            anonymous_csrf = (await response.json())["csrf_token"]
        body = {"email": email, "password": password}
        headers = {"X-CSRF-Token": anonymous_csrf}
        async with session.post(f"{api}/auth/login", json=body, headers=headers) as response:
            if response.status != 200:
                text = await response.text()
                raise RuntimeError(f"login {email}: {response.status} {text[:300]}")
            signed_in = await response.json()
            token = response.cookies[SESSION_COOKIE].value
    return signed_in["person"]["id"], token, signed_in["csrf_token"]
