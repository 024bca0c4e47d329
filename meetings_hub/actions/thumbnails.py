"""Image thumbnails made with Pillow in a worker thread, a bounded number at a time.

Decoding is the expensive and dangerous part: a small PNG can claim 100,000 × 100,000 pixels
(a decompression bomb). The header's pixel count is checked before anything is decoded, JPEGs
are decoded at a reduced scale (``draft``), and only one or two images are decoded at once, so
memory stays bounded whatever is uploaded.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from pathlib import Path

from PIL import Image, ImageOps

log = logging.getLogger(__name__)

BOX = 320  # longest side of a thumbnail, in pixels (cards show it at 160 CSS px, sharp on HiDPI)


def make_thumbnail(source: Path, target: Path, max_pixels: int, box: int = BOX) -> tuple[int, int]:
    """Writes a WebP thumbnail of ``source``; returns its size. Raises ValueError when the image
    is too large or unreadable (the caller then shows no thumbnail)."""
    try:
        with Image.open(source) as image:
            width, height = image.size
            if width <= 0 or height <= 0 or width * height > max_pixels:
                raise ValueError(f"image of {width}×{height} pixels is over the limit")
            image.draft("RGB", (box, box))
            image.seek(0)  # the first frame of an animation
            small = ImageOps.exif_transpose(image) or image
            small.thumbnail((box, box))
            if small.mode not in ("RGB", "RGBA"):
                alpha = small.mode in ("LA", "PA") or "transparency" in small.info
                small = small.convert("RGBA" if alpha else "RGB")
            target.parent.mkdir(parents=True, exist_ok=True)
            partial = target.with_name(target.name + ".part")
            small.save(partial, "WEBP", quality=80, method=4)
            os.replace(partial, target)
            return small.size
    except (OSError, SyntaxError, EOFError, Image.DecompressionBombError) as exc:
        # Pillow reports broken or hostile files through these; none of them is our bug.
        raise ValueError(f"no thumbnail: {exc}") from exc


class Thumbnailer:
    """Runs make_thumbnail in worker threads, at most ``workers`` at a time."""

    def __init__(self, max_pixels: int, workers: int = 1) -> None:
        self.max_pixels = max_pixels
        self._slots = asyncio.Semaphore(workers)

    async def make(self, source: Path, target: Path) -> tuple[int, int] | None:
        async with self._slots:
            try:
                return await asyncio.to_thread(make_thumbnail, source, target, self.max_pixels)
            except ValueError as exc:
                log.info("%s: %s", source.name, exc)
                with contextlib.suppress(FileNotFoundError):
                    target.with_name(target.name + ".part").unlink()
                return None
