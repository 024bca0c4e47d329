"""Reminder emails before each occurrence (default 24 h and 1 h), through the outbox.

Nothing is remembered between scans except the outbox itself: each reminder has a dedupe key
(meeting, occurrence, offset, recipient), so a scan after a restart queues what was missed
while the server was down and never queues anything twice. When several offsets are overdue
at once (the server was down), only the latest one goes out; offsets that fell due before the
meeting was scheduled are skipped (no "tomorrow" reminder for a meeting created an hour ago).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from meetings_hub.actions.invitations import body, compose_to, page_for, recipients
from meetings_hub.actions.periodic import PeriodicScan
from meetings_hub.hub import Hub
from meetings_hub.mail.compose import BadAddress
from meetings_hub.storage import outbox
from meetings_hub.storage import scheduling as store
from meetings_hub.storage.db import Tx
from meetings_hub.storage.timefmt import now_utc, to_db

log = logging.getLogger(__name__)


def offsets(setting: str) -> list[timedelta]:
    """ "1440,60" -> [24 h, 1 h]; blanks ignored; a bad value is a startup error."""
    found = []
    for part in setting.split(","):
        if part.strip():
            minutes = int(part)
            if minutes <= 0:
                raise ValueError(f"reminder offset must be positive, got {minutes}")
            found.append(timedelta(minutes=minutes))
    return sorted(set(found))


async def _queue_for(hub: Hub, tx: Tx, now: datetime, offs: list[timedelta]) -> int:
    horizon = max(offs)
    queued = 0
    for meeting in await store.upcoming_with_reminders(tx, now, now + horizon):
        people = None
        for occ in meeting.occurrences(now, now + horizon):
            if occ.start <= now:
                continue
            due = [o for o in offs if meeting.created_at <= occ.start - o <= now]
            if not due:
                continue
            offset = min(due)
            minutes = int(offset.total_seconds() // 60)
            people = people if people is not None else await recipients(tx, meeting)
            for who in people:
                if who.rsvp == "declined":
                    continue
                subject, text, html = body(
                    hub,
                    meeting,
                    who,
                    reason="reminder",
                    start=occ.start,
                    end=occ.end,
                    page=page_for(hub, meeting, who),
                    answer_links={},
                )
                try:
                    mail = compose_to(hub, who, subject, text, html)
                except BadAddress as error:  # one bad address must not stop the others
                    log.warning("meeting %s: no reminder for %r: %s", meeting.id, who.email, error)
                    continue
                occurrence = to_db(occ.original_start)
                key = f"reminder:{meeting.id}:{occurrence}:{minutes}:{who.email.lower()}"
                row = await outbox.insert(
                    tx,
                    message_id=mail.message_id,
                    dedupe_key=key,
                    kind="meeting_reminder",
                    recipient=mail.recipient,
                    subject=mail.subject,
                    body_text=mail.body_text,
                    raw=mail.raw,
                )
                queued += row is not None
    return queued


async def queue_due(hub: Hub, now: datetime | None = None) -> int:
    """Queues the reminders due at ``now``; returns how many mails were queued."""
    offs = offsets(hub.settings.reminder_offsets_minutes)
    if not offs:
        return 0
    async with hub.db.write() as tx:
        queued = await _queue_for(hub, tx, now or now_utc(), offs)
        if queued:
            tx.after_commit(hub.wake_mail)
    return queued


class ReminderScheduler(PeriodicScan):
    """Scans every ``reminder_poll_seconds``; started and stopped with the app."""

    def __init__(self, hub: Hub) -> None:
        super().__init__(hub, "reminders", queue_due, lambda h: h.settings.reminder_poll_seconds)

    def start(self) -> None:
        offsets(self.hub.settings.reminder_offsets_minutes)  # fail at startup, not in the loop
        super().start()
