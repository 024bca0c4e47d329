"""The bare baseline for bench/upload.py: one aiohttp handler that streams a multipart upload to
disk while hashing it with SHA-256 — nothing else (no sign-in, no database, no checks).

Run by bench/upload.py as ``python bench/upload_bare.py PORT FOLDER``. It reads the multipart
stream in the same piece size as meetings_hub (``meetings_hub.api.files.READ_CHUNK``) and writes
each piece straight from the event loop, the way a minimal handler would.
"""

from __future__ import annotations

import hashlib
import sys
import uuid
from pathlib import Path

from aiohttp import BodyPartReader, web

from meetings_hub.api.files import READ_CHUNK

FOLDER = web.AppKey("folder", Path)


async def upload(request: web.Request) -> web.Response:
    folder = request.app[FOLDER]
    reader = await request.multipart()
    part = await reader.next()
    assert isinstance(part, BodyPartReader)
    digest = hashlib.sha256()
    size = 0
    target = folder / uuid.uuid4().hex
    with target.open("wb") as out:
        while chunk := await part.read_chunk(READ_CHUNK):
            digest.update(chunk)
            out.write(chunk)
            size += len(chunk)
    return web.json_response({"sha256": digest.hexdigest(), "size": size}, status=201)


def main() -> None:
    port, folder = int(sys.argv[1]), Path(sys.argv[2])
    folder.mkdir(parents=True, exist_ok=True)
    app = web.Application()
    app[FOLDER] = folder
    app.router.add_post("/upload", upload)
    web.run_app(app, host="127.0.0.1", port=port, print=None)


if __name__ == "__main__":
    main()
