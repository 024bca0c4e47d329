"""A server killed (kill -9) before a room closed freezes it after the restart, once.

Two `meetings-hub serve` processes restart on the same database at once: each scans on start,
and the unique (meeting, date, version) with INSERT ... DO NOTHING keeps the record single.
"""

from __future__ import annotations

import signal
import sqlite3
import time
from datetime import timedelta
from pathlib import Path

from meetings_hub.storage.timefmt import now_utc, to_db
from tests.foundation.process_support import ServeProcess, env_for, run_cli

SECONDS = 4


def _db(data_dir: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(data_dir / "meetings_hub.sqlite3", timeout=10)
    conn.row_factory = sqlite3.Row
    return conn


def _held_meeting(data_dir: Path) -> int:
    """A session ending in a few seconds, its room and two librarians in it (as the realtime
    layer writes them)."""
    start = now_utc() - timedelta(minutes=30)
    end = now_utc() + timedelta(seconds=SECONDS)
    with _db(data_dir) as conn:
        network = conn.execute(
            "SELECT id, lead_library_id FROM networks WHERE name LIKE '%Morawicy%'"
        ).fetchone()
        lead = conn.execute("SELECT id FROM persons WHERE email = 'lead@example.org'").fetchone()
        partner = conn.execute(
            "SELECT id FROM persons WHERE email = 'partner@example.org'"
        ).fetchone()
        meeting_id = conn.execute(
            "INSERT INTO meetings (network_id, host_library_id, title, starts_at, ends_at,"
            " created_by, created_at, updated_at) VALUES (?, ?, 'Przed awarią', ?, ?, ?, ?, ?)",
            (
                network["id"],
                network["lead_library_id"],
                to_db(start),
                to_db(end),
                lead["id"],
                to_db(start),
                to_db(start),
            ),
        ).lastrowid
        room_id = conn.execute(
            "INSERT INTO rooms (kind, meeting_id, network_id, title, created_by, created_at)"
            " VALUES ('session', ?, ?, 'Przed awarią', ?, ?)",
            (meeting_id, network["id"], lead["id"], to_db(start)),
        ).lastrowid
        for person in (lead["id"], partner["id"]):
            conn.execute(
                "INSERT INTO attendance (room_id, meeting_id, person_id, joined_at, left_at)"
                " VALUES (?, ?, ?, ?, ?)",
                (room_id, meeting_id, person, to_db(start), to_db(end)),
            )
    assert meeting_id is not None
    return meeting_id


def _records(data_dir: Path, meeting_id: int) -> int:
    with _db(data_dir) as conn:
        return int(
            conn.execute(
                "SELECT COUNT(*) FROM savings_records WHERE meeting_id = ?", (meeting_id,)
            ).fetchone()[0]
        )


def test_killed_before_the_room_closed_freezes_after_restart_once(tmp_path: Path) -> None:
    data_dir = tmp_path / "var"
    env = env_for(
        data_dir,
        {
            "MEETINGS_HUB_CHAT_SESSION_CLOSE_MINUTES": "0",
            "MEETINGS_HUB_SAVINGS_POLL_SECONDS": "0.3",
        },
    )
    loaded = run_cli(["demo"], env, timeout=120)
    assert loaded.returncode == 0, loaded.stderr
    server = ServeProcess(env)
    try:
        meeting_id = _held_meeting(data_dir)
        server.stop(signal.SIGKILL)
    finally:
        server.kill()
    time.sleep(SECONDS + 1)  # the room closes while no server runs
    assert _records(data_dir, meeting_id) == 0

    first, second = ServeProcess(env), ServeProcess(env)
    try:
        deadline = time.monotonic() + 30
        while _records(data_dir, meeting_id) == 0 and time.monotonic() < deadline:
            time.sleep(0.2)
        time.sleep(1.5)  # several more scans by both processes
        assert _records(data_dir, meeting_id) == 1
        with _db(data_dir) as conn:
            row = conn.execute(
                "SELECT r.version, r.reason, s.persons, s.counted FROM savings_records r"
                " JOIN savings_rows s ON s.record_id = r.id WHERE r.meeting_id = ?",
                (meeting_id,),
            ).fetchall()
        assert [tuple(r) for r in row] == [(1, "closed", 1, 1)]  # Chęciny; the host has no row
    finally:
        for proc in (first, second):
            proc.stop()
            proc.kill()
