"""Makes one thumbnail in a child process: ``python -I thumbnail_worker.py SOURCE TARGET PIXELS``.

Run by ``actions/thumbnails.py``, never imported by the server. Decoding is where a small file
becomes a huge image (a 381 KB PNG of 7000×7000 16-bit pixels grew the server by 900 MB, and
the allocator kept most of it), so it happens here, under an address-space limit: whatever an
image claims, the child fails with MemoryError instead of growing, and everything it took goes
back to the system when it exits. Imports only the standard library and Pillow.
"""

from __future__ import annotations

import os
import resource
import sys
from pathlib import Path

from PIL import Image, ImageOps

BOX = 320  # longest side of a thumbnail, in pixels (cards show it at 160 CSS px, sharp on HiDPI)
# The child's whole address space. Measured peaks (bench/image_bombs.py, 7000×7000 each):
# 16-bit RGBA PNG 525 MB, GIF 545 MB, JPEG 110 MB (decoded at 1/8 scale); a WebP needs ~980 MB
# and is refused here, so it gets no thumbnail, which is better than a child of a gigabyte.
MEMORY_LIMIT = 768 * 1024 * 1024
CPU_SECONDS = 30
# Below the server's priority: a decode (up to a second of CPU) never keeps the event loop
# from a core on a small machine.
NICE = 10
REFUSED = 3  # exit status: the image is too large or unreadable (no thumbnail, not our bug)


def make_thumbnail(source: Path, target: Path, max_pixels: int, box: int = BOX) -> tuple[int, int]:
    """Writes a WebP thumbnail of ``source``; returns its size. Raises ValueError when the image
    is too large or unreadable."""
    try:
        with Image.open(source) as image:
            width, height = image.size
            # Checked from the header, before anything is decoded.
            if width <= 0 or height <= 0 or width * height > max_pixels:
                raise ValueError(f"image of {width}×{height} pixels is over the limit")
            image.draft("RGB", (box, box))  # JPEG: decoded at 1/2, 1/4 or 1/8 scale
            image.seek(0)  # the first frame of an animation
            small = ImageOps.exif_transpose(image) or image
            small.thumbnail((box, box))
            if small.mode not in ("RGB", "RGBA"):
                alpha = small.mode in ("LA", "PA") or "transparency" in small.info
                small = small.convert("RGBA" if alpha else "RGB")
            partial = target.with_name(target.name + ".part")
            small.save(partial, "WEBP", quality=80, method=4)
            os.replace(partial, target)
            return small.size
    except (OSError, SyntaxError, EOFError, MemoryError, Image.DecompressionBombError) as exc:
        # Pillow reports broken or hostile files through these; none of them is our bug.
        raise ValueError(f"no thumbnail: {type(exc).__name__}: {exc}") from exc


def main(argv: list[str]) -> int:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
    resource.setrlimit(resource.RLIMIT_CPU, (CPU_SECONDS, CPU_SECONDS))
    os.nice(NICE)
    source, target, max_pixels = Path(argv[1]), Path(argv[2]), int(argv[3])
    try:
        width, height = make_thumbnail(source, target, max_pixels)
    except ValueError as exc:
        print(str(exc)[:300], file=sys.stderr)
        return REFUSED
    print(width, height)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
