"""bench/savings_log.py in a tiny configuration: the tooling works, never how fast."""

from __future__ import annotations

import subprocess
import sys

from tests.support import REPO


def test_quick_run_builds_and_times_everything() -> None:
    done = subprocess.run(
        [
            sys.executable,
            str(REPO / "bench" / "savings_log.py"),
            "--occurrences",
            "40",
            "--rounds",
            "1",
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "built 40 occurrences, 200 rows" in done.stdout
    assert "log: 200 rows, 40 sessions" in done.stdout
    for label in ("savings_log (coordinator", "savings_csv", "GET /api/v1/savings/export.csv"):
        assert label in done.stdout, done.stdout
