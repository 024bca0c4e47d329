"""bench/thumbnails.py and bench/auth_timing.py end to end in a tiny configuration: the tooling
works (a real server starts, every upload and request is answered), never how fast: the exit
status, which says whether a target was met, is not checked."""

from __future__ import annotations

import subprocess
import sys

from tests.support import REPO, free_port


def _run(script: str, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, str(REPO / "bench" / script), "--port", str(free_port()), *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode in (0, 1), done.stdout + done.stderr
    return done.stdout


def test_thumbnails_bench_runs() -> None:
    out = _run("thumbnails.py", "--rounds", "1")
    assert out.count("answer 201") == 9, out
    assert "worst peak RSS growth" in out


def test_auth_timing_bench_runs() -> None:
    out = _run("auth_timing.py", "--resets", "20", "--seconds", "1", "--logins", "1")
    assert "difference of the medians" in out and "sign-ins add" in out, out
