"""Retention, by time travel: `apply(now=...)` as the cleanup would run on later days."""

from __future__ import annotations

import subprocess
import sys
from datetime import timedelta
from pathlib import Path

from meetings_hub import auth
from meetings_hub.actions import audit, retention
from meetings_hub.domain import Actor
from meetings_hub.storage import sessions
from meetings_hub.storage.timefmt import from_db, now_utc
from tests.foundation.walk_support import start_world
from tests.privacy.support import GUEST_EMAIL, GUEST_NAME, named_guest, post


async def _one(world, sql: str, params: tuple = ()):  # type: ignore[no-untyped-def]
    async with world.hub.db.read() as reader:
        return await reader.fetch_one(sql, params)


async def test_each_kind_goes_after_its_own_period(tmp_path: Path) -> None:
    server, world = await start_world(tmp_path)
    try:
        hub = world.hub
        guest = await named_guest(world)
        person_id = world.ids["person_id"]
        room_id = (await _one(world, "SELECT id FROM rooms WHERE kind = 'network'"))["id"]
        await post(world, room_id, f"p:{person_id}", "Ktoś", "stara wiadomość")
        async with hub.db.write() as tx:
            await sessions.record_login_attempt(
                tx, email="x@example.org", client="10.0.0.9", succeeded=False
            )
            await sessions.insert(
                tx,
                session_id=auth.token_id(auth.new_token()),
                person_id=person_id,
                guest_id=None,
                csrf_token="c",
                expires_at=now_utc() + timedelta(days=3650),
                user_agent="stays signed in",
            )
            await tx.execute("UPDATE outbox SET status = 'sent', sent_at = created_at")
            await audit.record(tx, Actor(), "test.action")
        meeting = await _one(
            world,
            "SELECT COALESCE(span_end_at, ends_at) AS end_at FROM meetings WHERE id = ?",
            (world.ids["meeting_id"],),
        )
        meeting_end = from_db(meeting["end_at"])
        now = now_utc()

        # Tomorrow nothing is due: chats are kept by default, the meeting is recent.
        report = await retention.apply(hub, now=now + timedelta(days=1))
        assert report == retention.RetentionReport()
        # Sign-ins and mail bodies go after 30 days; the live session stays.
        report = await retention.apply(hub, now=now + timedelta(days=31))
        assert report.sign_ins_deleted >= 1 and report.mail_bodies_blanked >= 1
        assert await _one(world, "SELECT 1 FROM login_attempts") is None
        assert await _one(
            world, "SELECT 1 FROM auth_sessions WHERE user_agent = ?", ("stays signed in",)
        )
        mail = await _one(world, "SELECT * FROM outbox WHERE recipient = ?", (GUEST_EMAIL,))
        assert mail["body_text"] == "" and mail["raw"] == b"" and mail["subject"] == "Zaproszenie"

        # 90 days after the meeting the guest's name and address go; the category stays.
        report = await retention.apply(hub, now=meeting_end + timedelta(days=89))
        assert report.guests_anonymised == 0
        report = await retention.apply(hub, now=meeting_end + timedelta(days=91))
        assert report.guests_anonymised >= 1 and report.invitations_anonymised >= 1
        row = await _one(world, "SELECT name, category FROM guests WHERE id = ?", (guest.guest_id,))
        assert tuple(row) == (f"Gość #{guest.guest_id}", "ngo")
        row = await _one(
            world, "SELECT name, email FROM guest_invitations WHERE id = ?", (guest.invitation_id,)
        )
        assert tuple(row) == ("", "")
        row = await _one(
            world, "SELECT author_name FROM messages WHERE id = ?", (guest.message_id,)
        )
        assert row["author_name"] == f"Gość #{guest.guest_id}"
        mail = await _one(world, "SELECT recipient FROM outbox WHERE subject = 'Zaproszenie'")
        assert mail["recipient"] == "[usunięto]"
        for table in ("guests", "guest_invitations", "messages", "outbox"):
            async with hub.db.read() as reader:
                rows = await reader.fetch_all(f"SELECT * FROM {table}")  # noqa: S608
            text = repr([tuple(r) for r in rows])
            assert GUEST_NAME not in text and GUEST_EMAIL not in text, table

        # Twice is once.
        again = await retention.apply(hub, now=meeting_end + timedelta(days=91))
        assert (again.guests_anonymised, again.invitations_anonymised) == (0, 0)

        # The audit log by its own period; chats only when a period is set.
        report = await retention.apply(hub, now=now + timedelta(days=731))
        assert report.audit_entries_deleted >= 1 and report.messages_deleted == 0
        hub.settings = hub.settings.replace(chat_retention_days=10)
        report = await retention.apply(hub, now=now + timedelta(days=9))
        assert report.messages_deleted == 0
        report = await retention.apply(hub, now=now + timedelta(days=11))
        assert report.messages_deleted >= 2
        assert await _one(world, "SELECT 1 FROM messages WHERE created_at < ?", ("9999",)) is None
        assert await _one(world, "SELECT 1 FROM messages_fts") is None
    finally:
        await server.runner.cleanup()


def test_cleanup_command_applies_retention(tmp_path: Path) -> None:
    env = {"MEETINGS_HUB_DATA_DIR": str(tmp_path / "var"), "PATH": "/usr/bin:/bin"}
    result = subprocess.run(
        [sys.executable, "-m", "meetings_hub.cli", "cleanup"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "files kept forever" in result.stdout
    assert "retention: 0 chat messages deleted" in result.stdout


async def test_the_server_runs_retention_in_the_background(tmp_path: Path) -> None:
    """The runner is registered with the app: one run does the files and the retention."""
    from meetings_hub.pages_privacy import retention_key

    server, world = await start_world(tmp_path)
    try:
        runner = server.app[retention_key]
        assert runner._task is not None and not runner._task.done()
        async with world.hub.db.write() as tx:
            await tx.execute(
                "INSERT INTO login_attempts (email, client, succeeded, at)"
                " VALUES ('old@example.org', 'x', 0, '2000-01-01T00:00:00.000000Z')"
            )
        report = await runner.run_once()
        assert report.sign_ins_deleted == 1
    finally:
        await server.runner.cleanup()
    assert runner._task is None
