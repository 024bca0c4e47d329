"""The server's memory while image bombs are uploaded: small files that decode to huge images.

    .venv/bin/python bench/thumbnails.py               # port 8760, each bomb uploaded 3 times

Starts ``meetings-hub serve`` with demo data in a fresh data directory (bench/upload.py's
launcher), signs in as the demo lead and uploads each file of bench/image_bombs.py into her
network's room, sampling the server process's resident memory every 10 ms. Reported per file:
the answer, the thumbnail's size or "none", the wall time to the answer, the peak RSS growth
during the upload over the RSS just before it, and the RSS growth that stayed after it (both
against the RSS after a warm-up upload of a small image, so first-request costs are out).

Target (issue 10, item 5): the server's RSS grows by under 100 MB for any upload.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp
import image_bombs
from upload import Target, hub_target, launch_hub, rss_bytes

TARGET_MB = 100.0


async def upload_file(target: Target, name: str, content: bytes) -> tuple[int, Any, float, int]:
    """Uploads one file; returns status, answer, seconds and the peak RSS seen meanwhile."""
    pid = target.process.pid
    peak = rss_bytes(pid)
    done = asyncio.Event()

    async def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, rss_bytes(pid))
            await asyncio.sleep(0.01)

    sampler = asyncio.create_task(sample())
    form = aiohttp.FormData()
    form.add_field("file", content, filename=name, content_type="application/octet-stream")
    async with aiohttp.ClientSession(cookies=target.cookies) as session:
        started = time.perf_counter()
        async with session.post(target.upload_url, data=form, headers=target.headers) as r:
            answer = await r.json()
            elapsed = time.perf_counter() - started
    done.set()
    await sampler
    return r.status, answer, elapsed, max(peak, rss_bytes(pid))


async def run(args: argparse.Namespace, process: subprocess.Popen[bytes], work: Path) -> int:
    target = await hub_target(process, args.port, work / "hub")
    bombs = image_bombs.write_all(work / "bombs")
    await upload_file(target, "warm-up.png", image_bombs.png(64, 64, 8, 6))
    base = rss_bytes(process.pid)
    print(f"server RSS after warm-up: {base / 1e6:.1f} MB")
    worst = 0.0
    for name, size in bombs.items():
        content = (work / "bombs" / name).read_bytes()
        growths, kept, times = [], [], []
        for round_no in range(args.rounds):
            # A new byte at the end makes new content, so no round reuses a stored thumbnail.
            before = rss_bytes(process.pid)
            status, answer, elapsed, peak = await upload_file(
                target, name, content + bytes([round_no])
            )
            await asyncio.sleep(0.5)
            growths.append((peak - before) / 1e6)
            kept.append((rss_bytes(process.pid) - base) / 1e6)
            times.append(elapsed)
            if status != 201:
                print(f"  {name}: {status} {answer}")
        thumb = "none"
        if answer.get("thumb_width"):
            thumb = f"{answer['thumb_width']}×{answer['thumb_height']}"
        worst = max(worst, *growths)
        print(
            f"{name:<34} {size / 1000:7.1f} KB  answer {status}  thumbnail {thumb:<8}"
            f"  {statistics.median(times):5.2f} s  peak RSS growth {max(growths):5.1f} MB"
            f"  kept {max(kept):5.1f} MB",
            flush=True,
        )
    print(f"\nworst peak RSS growth {worst:.1f} MB (target < {TARGET_MB:.0f} MB)")
    return 0 if worst < TARGET_MB else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--port", type=int, default=8760)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="mh-thumb-bench-"))
    process = launch_hub(args.port, work / "hub", 10_000_000)
    try:
        return asyncio.run(run(args, process, work))
    finally:
        process.terminate()
        process.wait(timeout=30)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
