"""bench/fanout.py end to end in a tiny configuration: the tooling works, never how fast.

Both servers really run (meetings_hub with its demo data and group rooms, and the bare
python-socketio server), the raw Engine.IO/Socket.IO clients connect, join, send at a trivial
rate, and the results file parses with every message delivered exactly once.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.support import REPO, free_port


def test_quick_run_delivers_everything_once(tmp_path: Path) -> None:
    out = tmp_path / "fanout.json"
    done = subprocess.run(
        [
            sys.executable,
            str(REPO / "bench" / "fanout.py"),
            "--quick",
            "--port",
            str(free_port()),
            "--out",
            str(out),
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    report = json.loads(out.read_text())

    ramps = {run["target"]: run for run in report["ramps"]}
    assert set(ramps) == {"meetings_hub", "baseline"}
    for run in ramps.values():
        assert run["error"] == ""
        (step,) = run["steps"]
        assert step["sent"] == step["due"] > 0
        assert step["acks_ok"] == step["sent"], step
        assert step["expected"] == step["sent"] * (run["room_size"] - 1)
        assert step["missing"] == 0 and step["lost"] == 0 and step["duplicates"] == 0, step
        assert step["disconnected"] == 0

    idle = report["idle"]
    assert {(i["target"], i["compression"]) for i in idle} == {
        (target, compression)
        for target in ("meetings_hub", "baseline")
        for compression in (False, True)
    }
    for entry in idle:
        assert entry["error"] == ""
        assert entry["clients"] == 6
        # Compression is negotiated exactly when the run asked for it.
        assert entry["negotiated"] == (6 if entry["compression"] else 0), entry
    # The summary is there for both servers; its figures are timing, so they are not judged.
    summary = report["summary"]
    assert set(summary["server_us_per_delivery"]) == {"meetings_hub", "baseline"}
    assert isinstance(summary["ratios"], list)

    # The Markdown tables RESULTS.md quotes come from the same file.
    tables = subprocess.run(
        [sys.executable, str(REPO / "bench" / "fanout.py"), "--markdown", str(out)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout
    assert "| meetings_hub | 0 | 20 |" in tables and "| baseline | 0 | 20 |" in tables
    assert "KiB per connection" in tables
