"""Image bombs under the pixel cap: small files that decode to huge images, uploaded to a real
server. Each is shared (with a thumbnail or without one), and the server never decodes them
itself, so its memory does not follow the image (bench/thumbnails.py measures how much)."""

from __future__ import annotations

import io
import resource
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from tests.files.support import download, morawica_room, stored_files, upload
from tests.support import LEAD, REPO

# The server of these tests runs in the pytest process. Without the child process one
# 16-bit 7000×7000 PNG raised the peak by ~560 MB; with it the peak does not move.
PEAK_GROWTH_LIMIT = 100 * 1024 * 1024


@pytest.fixture(scope="module")
def bombs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Made by a child process: encoding the JPEG, GIF and WebP ones holds the whole image."""
    out = tmp_path_factory.mktemp("bombs")
    done = subprocess.run(
        [sys.executable, str(REPO / "bench" / "image_bombs.py"), str(out)],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return {line.split()[0]: out / line.split()[0] for line in done.stdout.splitlines()}


def _peak_rss() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


async def test_bombs_are_shared_without_the_server_decoding_them(
    server, client_factory, bombs: dict[str, Path]
) -> None:
    room_id = await morawica_room(server)
    lead = await client_factory(LEAD)
    assert len(bombs) >= 8
    before = _peak_rss()
    for name, path in bombs.items():
        content = path.read_bytes()
        assert len(content) < 1_000_000, name  # small files...
        status, shared = await upload(lead, room_id, name, content)
        assert status == 201, (name, shared)
        assert shared["mime"].startswith("image/"), (name, shared)
        if shared["thumbnail_url"] is not None:
            response, body = await download(lead, shared["thumbnail_url"])
            assert response.status == 200, name
            with Image.open(io.BytesIO(body)) as thumb:
                assert thumb.format == "WEBP" and max(thumb.size) <= 320, name
        status, health = await lead.get("/healthz")
        assert status == 200, (name, health)
    # ...that claim 49 MP each: the server's process peak did not follow them.
    assert _peak_rss() - before < PEAK_GROWTH_LIMIT
    # Refused or failed children leave no partial thumbnail behind.
    assert not [p for p in stored_files(server)["thumbs"] if p.suffix == ".part"]
    # The 16-bit RGBA PNG of the report gets its thumbnail, in a child that may hold it.
    status, again = await upload(
        lead, room_id, "again.png", bombs["png16-rgba-7000x7000.png"].read_bytes()
    )
    assert status == 201 and again["thumb_width"] == 320
