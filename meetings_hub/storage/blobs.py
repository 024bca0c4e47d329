"""File contents on disk, named by SHA-256: data_dir/files/{tmp,blobs,thumbs}.

An upload streams into ``tmp/`` while it is hashed; only a complete file is moved (one atomic
rename on the same file system) to ``blobs/ab/<sha256>``. Identical contents share one blob.
Nothing here knows rooms or people: the database rows in storage/files.py say who may see what.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import re
import secrets
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

_SHA256 = re.compile(r"^[0-9a-f]{64}$")
THUMB_SUFFIX = ".webp"


@dataclass
class TempFile:
    """A file being written: its bytes so far, their hash and the first bytes for sniffing."""

    path: Path
    size: int = 0
    head: bytes = b""

    def __post_init__(self) -> None:
        self._hash = hashlib.sha256()
        self._file = self.path.open("xb")

    def write(self, pieces: list[bytes]) -> None:
        """Hashes and writes pieces as they came (no joining copy); called in a worker thread:
        hashlib and write release the GIL, so the event loop parses the next pieces meanwhile."""
        for data in pieces:
            if len(self.head) < 8192:
                self.head += data[: 8192 - len(self.head)]
            self._hash.update(data)
            self._file.write(data)
            self.size += len(data)

    def finish(self) -> str:
        self._file.close()
        return self._hash.hexdigest()

    def discard(self) -> None:
        self._file.close()
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()


class BlobStore:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.tmp = root / "tmp"
        self.blobs = root / "blobs"
        self.thumbs = root / "thumbs"

    def ensure_dirs(self) -> None:
        for folder in (self.tmp, self.blobs, self.thumbs):
            folder.mkdir(parents=True, exist_ok=True)

    @staticmethod
    def valid_sha(sha256: str) -> bool:
        return bool(_SHA256.match(sha256))

    def blob_path(self, sha256: str) -> Path:
        if not self.valid_sha(sha256):
            raise ValueError("not a sha256 hex digest")
        return self.blobs / sha256[:2] / sha256

    def thumb_path(self, sha256: str) -> Path:
        if not self.valid_sha(sha256):
            raise ValueError("not a sha256 hex digest")
        return self.thumbs / sha256[:2] / (sha256 + THUMB_SUFFIX)

    def new_temp(self) -> TempFile:
        self.tmp.mkdir(parents=True, exist_ok=True)
        return TempFile(self.tmp / f"upload-{secrets.token_hex(12)}.part")

    def place(self, temp: Path, sha256: str) -> bool:
        """Moves a finished temp file to its blob path; False if that content was there already
        (the temp file is then left for the caller to remove)."""
        target = self.blob_path(sha256)
        if target.exists():
            return False
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(temp, target)
        return True

    def exists(self, sha256: str) -> bool:
        return self.blob_path(sha256).exists()

    def remove(self, sha256: str) -> None:
        for path in (self.blob_path(sha256), self.thumb_path(sha256)):
            with contextlib.suppress(FileNotFoundError):
                path.unlink()

    def clear_temp(self, older_than_seconds: float = 0.0) -> int:
        """Removes unfinished uploads; at start-up all of them, from `cleanup` only old ones
        (a running server may be writing the young ones)."""
        if not self.tmp.exists():
            return 0
        cutoff = time.time() - older_than_seconds
        removed = 0
        for path in self.tmp.iterdir():
            try:
                if older_than_seconds <= 0 or path.stat().st_mtime < cutoff:
                    path.unlink()
                    removed += 1
            except FileNotFoundError:
                continue
        if removed:
            log.info("removed %d unfinished upload(s) from %s", removed, self.tmp)
        return removed

    def stored(self) -> Iterator[tuple[str, Path]]:
        """Every blob on disk, as (sha256, path)."""
        if not self.blobs.exists():
            return
        for folder in self.blobs.iterdir():
            if folder.is_dir():
                for path in folder.iterdir():
                    if self.valid_sha(path.name):
                        yield path.name, path

    def disk_bytes(self) -> int:
        return sum(path.stat().st_size for _, path in self.stored())
