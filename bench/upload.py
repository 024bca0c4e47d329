"""Upload throughput and memory: meetings_hub against a bare aiohttp handler, in one run.

    .venv/bin/python bench/upload.py                 # 1 GB, 3 rounds each, ports 8750-8751
    .venv/bin/python bench/upload.py --size-mb 256 --rounds 5

Starts two servers as child processes on 127.0.0.1: meetings_hub (``meetings-hub serve`` with
demo data in a fresh data directory, uploading into a network room as a signed-in librarian,
so every check runs: session, CSRF, room access, size cap, hashing, sniffing, the database row
and the file card) and ``bench/upload_bare.py`` (a handler that only streams the multipart body
to disk through SHA-256). Each round uploads the same-sized file of fresh random content to
both, alternating, from this process with a streaming client that sends Content-Length as a
browser does. Reported per server: MB/s (size / time to the answer, MB = 10^6 bytes), MB per
second of the server process's CPU time (user + system, all threads: the figure that other
load on a shared machine disturbs least), and RSS growth (the highest resident memory sampled
every 20 ms during the upload, minus the resident memory just before it), each with the median
and the spread over the rounds.

Targets (issue 6): meetings_hub ≥ 0.9 × the bare handler's MB/s; RSS growth under 20 MB.
The machine is shared: run it several times and report the spread, not the best run.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import os
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

from meetings_hub.actions.demo import DEMO_PASSWORD

REPO = Path(__file__).resolve().parent.parent
BLOCK = 1024 * 1024
LEAD = "lead@example.org"


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of the process (all its threads) so far."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_bytes(pid: int) -> int:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError("no VmRSS")


async def wait_up(url: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    async with aiohttp.ClientSession() as session:
        while time.monotonic() < deadline:
            try:
                async with session.get(url) as r:
                    if r.status < 500:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.2)
    raise RuntimeError(f"{url} did not come up")


@dataclass
class Target:
    name: str
    process: subprocess.Popen[bytes]
    upload_url: str
    headers: dict[str, str] = field(default_factory=dict)
    cookies: dict[str, str] = field(default_factory=dict)
    blobs: Path | None = None  # meetings_hub: where a blob named by its hash must appear
    speeds: list[float] = field(default_factory=list)
    growths: list[int] = field(default_factory=list)
    cpu_speeds: list[float] = field(default_factory=list)  # MB per second of server CPU

    def stored(self, answer: dict[str, object], sha256: str, size: int) -> bool:
        if self.blobs is not None:
            blob = self.blobs / sha256[:2] / sha256
            return answer["size"] == size and blob.exists() and blob.stat().st_size == size
        return answer == {"sha256": sha256, "size": size}


def payload(size: int, boundary: str, tag: bytes, digest: Any) -> tuple[int, AsyncIterator[bytes]]:
    """A multipart body around ``size`` bytes of file content, made while it is sent (hashed
    into ``digest``); a tag in every block makes each upload's content new."""
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
        f'filename="bench.bin"\r\nContent-Type: application/octet-stream\r\n\r\n'
    ).encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    block = bytearray(os.urandom(BLOCK))

    async def body() -> AsyncIterator[bytes]:
        yield head
        left, index = size, 0
        while left > 0:
            take = min(BLOCK, left)
            block[:24] = tag + index.to_bytes(8, "big")
            piece = bytes(block[:take])
            digest.update(piece)
            yield piece
            left -= take
            index += 1
        yield tail

    return len(head) + size + len(tail), body()


async def upload_once(target: Target, size: int) -> None:
    boundary = "bench" + secrets.token_hex(8)
    digest = hashlib.sha256()
    length, body = payload(size, boundary, secrets.token_bytes(16), digest)
    pid = target.process.pid
    before = rss_bytes(pid)
    cpu_before = cpu_seconds(pid)
    peak = before
    done = asyncio.Event()

    async def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, rss_bytes(pid))
            await asyncio.sleep(0.02)

    sampler = asyncio.create_task(sample())
    headers = {
        **target.headers,
        "Content-Type": f"multipart/form-data; boundary={boundary}",
        "Content-Length": str(length),
    }
    timeout = aiohttp.ClientTimeout(total=600)
    async with aiohttp.ClientSession(cookies=target.cookies, timeout=timeout) as session:
        started = time.perf_counter()
        async with session.post(target.upload_url, data=body, headers=headers) as r:
            answer = await r.json()
            elapsed = time.perf_counter() - started
            if r.status != 201:
                raise RuntimeError(f"{target.name}: {r.status} {answer}")
    done.set()
    await sampler
    cpu = cpu_seconds(pid) - cpu_before
    if not target.stored(answer, digest.hexdigest(), size):
        raise RuntimeError(f"{target.name}: the server stored something else: {answer}")
    target.speeds.append(size / elapsed / 1e6)
    target.growths.append(peak - before)
    target.cpu_speeds.append(size / max(cpu, 1e-3) / 1e6)


def launch_hub(port: int, data: Path, size: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "MEETINGS_HUB_DATA_DIR": str(data),
        "MEETINGS_HUB_PORT": str(port),
        "MEETINGS_HUB_SITE_URL": f"http://127.0.0.1:{port}",
        "MEETINGS_HUB_DEMO_MODE": "true",
        "MEETINGS_HUB_FILE_MAX_BYTES": str(size + BLOCK),
        "MEETINGS_HUB_LOG_LEVEL": "WARNING",
    }
    cli = [sys.executable, "-m", "meetings_hub.cli"]
    subprocess.run([*cli, "migrate"], env=env, check=True, capture_output=True)
    subprocess.run([*cli, "demo", "--if-empty"], env=env, check=True, capture_output=True)
    return subprocess.Popen([*cli, "serve"], env=env, stdout=subprocess.DEVNULL)


def launch_bare(port: int, folder: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, str(REPO / "bench" / "upload_bare.py"), str(port), str(folder)],
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )


async def hub_target(process: subprocess.Popen[bytes], port: int, data: Path) -> Target:
    """Signs in as the demo lead librarian and opens her network's room to upload into."""
    base = f"http://127.0.0.1:{port}"
    await wait_up(base + "/healthz")
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as session:
        async with session.get(base + "/api/v1/auth/csrf") as r:
            anonymous = {"X-CSRF-Token": (await r.json())["csrf_token"]}
        async with session.post(
            base + "/api/v1/auth/login",
            json={"email": LEAD, "password": DEMO_PASSWORD},
            headers=anonymous,
        ) as r:
            signed = await r.json()
            if r.status != 200:
                raise RuntimeError(f"login failed: {r.status} {signed}")
            cookies = {"mh_session": r.cookies["mh_session"].value}
        headers = {"X-CSRF-Token": signed["csrf_token"]}
        async with session.get(base + "/api/v1/networks", cookies=cookies) as r:
            network_id = (await r.json())[0]["id"]
        async with session.post(
            f"{base}/api/v1/networks/{network_id}/room", cookies=cookies, headers=headers
        ) as r:
            room = await r.json()
            if r.status >= 300:
                raise RuntimeError(f"no room: {room}")
    return Target(
        "meetings_hub",
        process,
        f"{base}/api/v1/rooms/{room['id']}/files",
        headers,
        cookies,
        blobs=data / "files" / "blobs",
    )


async def bare_target(process: subprocess.Popen[bytes], port: int) -> Target:
    await wait_up(f"http://127.0.0.1:{port}/")
    return Target("bare aiohttp", process, f"http://127.0.0.1:{port}/upload")


def spread(values: list[float]) -> str:
    return f"median {statistics.median(values):.1f} (min {min(values):.1f}, max {max(values):.1f})"


async def run(args: argparse.Namespace, hub_process: Any, bare_process: Any, work: Path) -> int:
    size = args.size_mb * 1_000_000
    hub = await hub_target(hub_process, args.port, work / "hub")
    bare = await bare_target(bare_process, args.port + 1)
    targets = [bare, hub]
    for target in targets:  # warm-up: first-request costs stay out of the figures
        await upload_once(target, 8 * BLOCK)
        target.speeds.clear()
        target.growths.clear()
        target.cpu_speeds.clear()
    for round_no in range(args.rounds):
        order = targets if round_no % 2 == 0 else targets[::-1]
        for target in order:
            await upload_once(target, size)
            print(
                f"round {round_no + 1} {target.name:>13}: {target.speeds[-1]:7.1f} MB/s,"
                f" {target.cpu_speeds[-1]:7.1f} MB per CPU-s,"
                f" RSS +{target.growths[-1] / 1e6:5.1f} MB",
                flush=True,
            )
            for leftover in (work / "bare").glob("*"):
                leftover.unlink()
    print(f"\n{args.size_mb} MB upload, {args.rounds} rounds, read chunk as meetings_hub")
    for target in targets:
        growth = [g / 1e6 for g in target.growths]
        print(f"{target.name:>13}: MB/s {spread(target.speeds)}")
        print(f"{'':>13}  MB per server CPU-second {spread(target.cpu_speeds)}")
        print(f"{'':>13}  RSS growth MB {spread(growth)}")
    ratio = statistics.median(hub.speeds) / statistics.median(bare.speeds)
    cpu_ratio = statistics.median(hub.cpu_speeds) / statistics.median(bare.cpu_speeds)
    worst = max(hub.growths) / 1e6
    print(
        f"meetings_hub / bare = {ratio:.2f} by MB/s, {cpu_ratio:.2f} by MB per CPU-second"
        f" (target ≥ 0.90); worst RSS growth {worst:.1f} MB (target < 20)"
    )
    return 0 if ratio >= 0.9 and worst < 20 else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size-mb", type=int, default=1000, help="upload size, MB (10^6 bytes)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--port", type=int, default=8750, help="meetings_hub; bare gets port+1")
    args = parser.parse_args()
    size = args.size_mb * 1_000_000
    work = Path(tempfile.mkdtemp(prefix="mh-upload-bench-"))
    processes = []
    try:
        processes.append(launch_hub(args.port, work / "hub", size))
        processes.append(launch_bare(args.port + 1, work / "bare"))
        return asyncio.run(run(args, *processes, work))
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=30)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
