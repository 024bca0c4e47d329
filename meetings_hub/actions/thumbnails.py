"""Image thumbnails, made by a child process with a memory limit, one image at a time.

Decoding is the expensive and dangerous part: a small file can claim a huge image. A pixel cap
from the header is not enough — a 381 KB 16-bit RGBA PNG of 7000×7000 is under 50 MP yet took
the server from 150 MB to 980 MB, and the allocator kept 776 MB of it afterwards. So the server
never decodes an image: ``thumbnail_worker.py`` runs in a child under an address-space limit,
and whatever the image does, the server's memory stays where it was (bench/thumbnails.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
from pathlib import Path

from meetings_hub.actions import thumbnail_worker

log = logging.getLogger(__name__)

# Wall-clock limit for one child (its CPU limit is in the worker); a stuck child is killed.
TIMEOUT_SECONDS = 60.0
_WORKER = Path(thumbnail_worker.__file__).resolve()


class Thumbnailer:
    """Runs the thumbnail worker, at most ``workers`` children at a time."""

    def __init__(self, max_pixels: int, workers: int = 1) -> None:
        self.max_pixels = max_pixels
        self._slots = asyncio.Semaphore(workers)

    async def make(self, source: Path, target: Path) -> tuple[int, int] | None:
        """Writes the WebP thumbnail of ``source`` to ``target`` and returns its size, or None
        when the image gets none (too large, broken, hostile: it is still shared)."""
        target.parent.mkdir(parents=True, exist_ok=True)
        async with self._slots:
            try:
                return await self._run(source, target)
            finally:
                with contextlib.suppress(FileNotFoundError):
                    target.with_name(target.name + ".part").unlink()

    async def _run(self, source: Path, target: Path) -> tuple[int, int] | None:
        # -I: the child sees neither PYTHONPATH nor the user's site, only Pillow and the stdlib.
        child = await asyncio.create_subprocess_exec(
            sys.executable,
            "-I",
            str(_WORKER),
            str(source),
            str(target),
            str(self.max_pixels),
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        try:
            out, err = await asyncio.wait_for(child.communicate(), TIMEOUT_SECONDS)
        except TimeoutError:
            log.info("%s: no thumbnail: the worker took over %s s", source.name, TIMEOUT_SECONDS)
            await _stop(child)
            return None
        except asyncio.CancelledError:
            # The upload went away; its child must not outlive it.
            await _stop(child)
            raise
        if child.returncode != 0:
            log.info(
                "%s: no thumbnail (worker exit %s): %s",
                source.name,
                child.returncode,
                err.decode(errors="replace").strip()[-300:],
            )
            return None
        width, height = (int(n) for n in out.split())
        return width, height


async def _stop(child: asyncio.subprocess.Process) -> None:
    with contextlib.suppress(ProcessLookupError):
        child.kill()
    await child.wait()
