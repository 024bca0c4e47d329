"""bench/scheduling_feeds.py end to end in a tiny configuration, "cold after restart" (new
processes on the same database) included: the tooling works, never how fast."""

from __future__ import annotations

import subprocess
import sys

from tests.support import REPO


def test_feeds_bench_runs_with_restarts() -> None:
    done = subprocess.run(
        [sys.executable, str(REPO / "bench" / "scheduling_feeds.py"), "--rounds", "2",
         "--restarts", "1", "--shapes", "series"],
        cwd=REPO, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert "cold after restart (stored lines)" in done.stdout, done.stdout
    assert "cold after restart (table emptied)" in done.stdout, done.stdout
