"""Reminder mails: queued by the running server, not lost while it is down, never sent twice
across a restart (three real servers on one SQLite file, one real SMTP server)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from meetings_hub.actions import demo
from meetings_hub.actions.reminders import offsets
from meetings_hub.storage.timefmt import to_db
from tests.scheduling.support import Smtp
from tests.support import LEAD, PARTNER, Client, make_settings, start_server


def _reminders(smtp: Smtp) -> list[Any]:
    return [m for m in smtp.inbox.messages if str(m["Subject"]).startswith("Przypomnienie")]


async def test_reminder_survives_restart_and_is_sent_once(tmp_path: Path, smtp: Smtp) -> None:
    base: dict[str, Any] = {"reminder_offsets_minutes": "60", **smtp.settings()}
    # 1. A server that scans only at startup schedules a meeting 30 minutes ahead, then stops
    #    before it ever scans again: the reminder (due 30 minutes ago) is not yet sent.
    first = await start_server(make_settings(tmp_path, reminder_poll_seconds=3600, **base))
    await demo.load(first.hub)
    lead = Client(first.url)
    await lead.login(LEAD)
    start = (datetime.now(UTC) + timedelta(minutes=30)).replace(microsecond=0)
    status, meeting = await lead.post(
        "/api/v1/meetings", {"title": "Przypomnienie", "start": start.isoformat()}
    )
    assert status == 201, meeting
    await lead.post(f"/api/v1/meetings/{meeting['id']}/rsvp", {"answer": "declined"})
    # As if it had been scheduled two hours ago (an offset due before scheduling is skipped).
    async with first.hub.db.write() as tx:
        await tx.execute(
            "UPDATE meetings SET created_at = ? WHERE id = ?",
            (to_db(datetime.now(UTC) - timedelta(hours=2)), meeting["id"]),
        )
    await smtp.inbox.wait_for(lambda msgs: any(PARTNER in str(m["To"]) for m in msgs))
    await lead.close()
    await first.runner.cleanup()
    assert _reminders(smtp) == []
    # 2. After a restart the missed reminder goes out, once per invitee who has not declined.
    for _round in range(2):
        server = await start_server(make_settings(tmp_path, reminder_poll_seconds=0.2, **base))
        async with server.hub.db.read() as reader:
            invitees = await reader.fetch_all(
                "SELECT p.email FROM meeting_invitees i JOIN persons p ON p.id = i.person_id"
                " WHERE meeting_id = ? AND rsvp <> 'declined'",
                (meeting["id"],),
            )
        expected = sorted(r["email"] for r in invitees)
        assert LEAD not in expected
        count = len(expected)
        await smtp.inbox.wait_for(lambda msgs, n=count: len(_reminders(smtp)) >= n)
        await asyncio.sleep(1.5)  # several more scans
        await server.runner.cleanup()
        got = sorted(str(m["To"]).split("<")[-1].rstrip(">") for m in _reminders(smtp))
        assert got == expected, (got, expected)
    reminder = _reminders(smtp)[0]
    plain = reminder.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
    assert "Przypominamy o spotkaniu" in plain and f"/meetings/{meeting['id']}" in plain


def test_offsets_setting() -> None:
    assert offsets("1440,60") == [timedelta(hours=1), timedelta(hours=24)]
    assert offsets(" ") == []
    for bad in ("-5", "soon"):
        try:
            offsets(bad)
        except ValueError:
            continue
        raise AssertionError(bad)
