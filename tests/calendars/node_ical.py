"""Run tests/node/ical_expand.mjs: how ical.js (Thunderbird, web calendars) reads our files."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
SCRIPT = REPO_ROOT / "tests" / "node" / "ical_expand.mjs"


def require_node() -> str:
    """The node binary; fails under CI=true and skips elsewhere when ical.js is missing."""
    node = shutil.which("node")
    missing = []
    if node is None:
        missing.append("the `node` binary")
    if not (REPO_ROOT / "node_modules" / "ical.js" / "package.json").is_file():
        missing.append("node_modules/ical.js (run `npm ci` in the repository root)")
    if missing:
        message = "ical.js checks need " + " and ".join(missing)
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    assert node is not None
    return node


def _run(args: list[str], stdin: bytes) -> object:
    node = require_node()
    completed = subprocess.run(
        [node, str(SCRIPT), *args],
        input=stdin,
        cwd=REPO_ROOT,
        capture_output=True,
        timeout=120,
        check=False,
    )
    if completed.returncode != 0:
        raise AssertionError(f"ical_expand.mjs failed: {completed.stderr.decode(errors='replace')}")
    return json.loads(completed.stdout)


def expand(ics: bytes, *, start: str = "1990-01-01T00:00:00Z", end: str = "2045-01-01T00:00:00Z"):
    """Every occurrence ical.js sees in [start, end), sorted by start."""
    result = _run(["--from", start, "--to", end, "-"], ics)
    assert isinstance(result, list)
    return result


def local_offsets(ics_path: Path, tzid: str, wall_clocks: list[str]) -> list[int]:
    """The UTC offset (seconds) ical.js gives each local wall-clock time in the file's TZID."""
    result = _run(["--local-offsets", tzid, str(ics_path)], json.dumps(wall_clocks).encode())
    assert isinstance(result, list)
    return result
