"""Small image files that decode to huge images, all under the default 50 MP pixel cap.

    .venv/bin/python bench/image_bombs.py OUT_DIR      # writes them, prints "name size" lines

Used by bench/thumbnails.py and tests/files/test_files_bombs.py. Run as a child process: making
the JPEG, GIF and WebP ones holds the full image in memory, which must not count against the
process that measures. The PNGs are written row by row through zlib and never held whole.
"""

from __future__ import annotations

import struct
import sys
import zlib
from pathlib import Path

# name: (width, height, PNG bit depth, PNG colour type) — colour type 6 is RGBA, 0 grey, 3 palette
PNGS = {
    "png16-rgba-7000x7000.png": (7000, 7000, 16, 6),  # the report's 381 KB file
    "png-rgba-50000x900.png": (50000, 900, 8, 6),
    "png16-grey-7000x7000.png": (7000, 7000, 16, 0),
    "png-palette-7000x7000.png": (7000, 7000, 8, 3),
}
# name: (Pillow format, mode, save options); all 7000×7000
ENCODED = {
    "jpeg-7000x7000.jpg": ("JPEG", "RGB", {"quality": 10}),
    "jpeg-progressive-7000x7000.jpg": ("JPEG", "RGB", {"quality": 10, "progressive": True}),
    "gif-7000x7000.gif": ("GIF", "P", {}),
    "webp-rgba-7000x7000.webp": ("WEBP", "RGBA", {"lossless": True, "method": 0}),
}
SIDE = 7000
BMP = "bmp-rle8-7000x7000.bmp"


def _chunk(kind: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(kind + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


def png(width: int, height: int, depth: int, colour: int) -> bytes:
    """A PNG of one colour: every row is a filter byte and zeros, which zlib shrinks ~1000×."""
    channels = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}[colour]
    row = bytes(1 + width * channels * depth // 8)
    packer = zlib.compressobj(9)
    data = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    header = struct.pack(">IIBBBBB", width, height, depth, colour, 0, 0, 0)
    palette = _chunk(b"PLTE", b"\x0b\x53\x94") if colour == 3 else b""
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + palette
        + _chunk(b"IDAT", data)
        + _chunk(b"IEND", b"")
    )


def bmp_rle8(width: int, height: int) -> bytes:
    """A BMP whose run-length data is only "move 255 rows up" records: ~1 KB that decodes to
    width × height pixels."""
    palette = b"\x94\x53\x0b\x00" * 256
    data = b"\x00\x02\x00\xff" * (height // 255 + 1) + b"\x00\x01"
    info = struct.pack("<IiiHHIIiiII", 40, width, height, 1, 8, 1, len(data), 2835, 2835, 256, 0)
    offset = 14 + len(info) + len(palette)
    header = b"BM" + struct.pack("<IHHI", offset + len(data), 0, 0, offset)
    return header + info + palette + data


def write_all(out: Path) -> dict[str, int]:
    from PIL import Image

    out.mkdir(parents=True, exist_ok=True)
    sizes: dict[str, int] = {}
    for name, (width, height, depth, colour) in PNGS.items():
        (out / name).write_bytes(png(width, height, depth, colour))
    (out / BMP).write_bytes(bmp_rle8(SIDE, SIDE))
    for name, (fmt, mode, options) in ENCODED.items():
        with Image.new(mode, (SIDE, SIDE), 0) as image:
            image.save(out / name, fmt, **options)
    for name in [*PNGS, BMP, *ENCODED]:
        sizes[name] = (out / name).stat().st_size
    return sizes


if __name__ == "__main__":
    for name, size in write_all(Path(sys.argv[1])).items():
        print(name, size)
