"""Asking for feedback when a date is over (its room closed), and the one reminder two days
later (outbox mail).

Nothing is kept between scans: a date is "asked" once its request rows exist (one per
attendee, unique), and each mail has a dedupe key, so a scan after a restart asks who was
missed and never mails anyone twice. The reminder goes once (``reminded_at`` and its own
dedupe key), only to people who were asked (so attended) and have not answered.
"""

from __future__ import annotations

import html
import logging
from datetime import datetime, timedelta

from meetings_hub.actions import attended
from meetings_hub.actions.feedback import OPEN_FOR, Target, link, occurrence_of
from meetings_hub.actions.periodic import PeriodicScan
from meetings_hub.actions.when import range_text
from meetings_hub.hub import Hub
from meetings_hub.mail.compose import BadAddress, compose
from meetings_hub.scheduling.recurrence import Occurrence
from meetings_hub.storage import feedback as store
from meetings_hub.storage import outbox, rooms
from meetings_hub.storage import scheduling as meetings_store
from meetings_hub.storage.db import Tx
from meetings_hub.storage.timefmt import from_db, now_utc, to_db

log = logging.getLogger(__name__)

REMIND_AFTER = timedelta(days=2)
# Dates that ended this long ago are no longer asked about (answers close after OPEN_FOR).
LOOK_BACK = OPEN_FOR


async def _recipient(tx: Tx, person_id: int | None, guest_id: int | None) -> dict[str, str] | None:
    if person_id is not None:
        row = await tx.fetch_one(
            "SELECT email, full_name AS name, language, timezone FROM persons"
            " WHERE id = ? AND active = 1",
            (person_id,),
        )
    else:
        row = await tx.fetch_one(
            "SELECT i.email, g.name, i.language, 'Europe/Warsaw' AS timezone FROM guests g"
            " JOIN guest_invitations i ON i.id = g.invitation_id WHERE g.id = ?",
            (guest_id,),
        )
    if row is None or not row["email"]:
        return None
    return dict(row)


async def _mail(
    hub: Hub,
    tx: Tx,
    target: Target,
    closes_at: datetime,
    occ: Occurrence,
    *,
    title: str,
    reminder: bool,
) -> bool:
    who = await _recipient(tx, target.person_id, target.guest_id)
    if who is None:
        return False
    lang = who["language"]
    when = range_text(hub, lang, occ.start, occ.end, who["timezone"])
    kind = "reminder" if reminder else "ask"
    subject = hub.t(lang, f"feedback.mail.subject_{kind}", title=title)
    url = link(hub, target, closes_at)
    intro = hub.t(lang, f"feedback.mail.intro_{kind}", title=title, when=when)
    button = hub.t(lang, "feedback.mail.open")
    text = f"{intro}\n\n{button}: {url}\n\n{hub.t(lang, 'feedback.mail.until')}\n"
    e = html.escape
    body = (
        f'<!doctype html><html lang="{lang}"><body><p>{e(intro)}</p>'
        f'<p style="font-size:1.2em"><a href="{e(url)}"><strong>{e(button)}</strong></a></p>'
        f"<p>{e(hub.t(lang, 'feedback.mail.until'))}</p></body></html>"
    )
    try:
        mail = compose(
            sender=hub.settings.mail_from,
            recipient=who["email"],
            recipient_name=who["name"],
            subject=subject,
            text=text,
            html=body,
            domain=hub.settings.site_domain,
        )
    except BadAddress as error:  # one bad address must not stop the others
        log.warning("feedback %s: no mail for request: %s", kind, error)
        return False
    whom = f"p{target.person_id}" if target.person_id is not None else f"g{target.guest_id}"
    key = f"feedback_{kind}:{target.meeting_id}:{to_db(target.original_start)}:{whom}"
    row = await outbox.insert(
        tx,
        message_id=mail.message_id,
        dedupe_key=key,
        kind=f"feedback_{kind}",
        recipient=mail.recipient,
        subject=mail.subject,
        body_text=mail.body_text,
        raw=mail.raw,
    )
    return row is not None


async def _ask(hub: Hub, tx: Tx, now: datetime) -> int:
    queued = 0
    for meeting in await meetings_store.in_window_for_networks(tx, None, now - LOOK_BACK, now):
        if meeting.cancelled or meeting.kind == "in_person":
            continue
        room = await rooms.by_meeting(tx, meeting.id)
        if room is None:
            continue
        ended_at = from_db(room["ended_at"]) if room["ended_at"] else None
        for occ in meeting.occurrences(now - LOOK_BACK - timedelta(days=1), now):
            # A date is over when its room closes (a while after the end, or when the host
            # ends the session): who was there is final then, so it is asked about once.
            opens, closes = attended.room_window(occ, ended_at, hub.settings)
            closes_at = occ.end + OPEN_FOR
            if closes > now or closes_at <= now:
                continue
            if await store.was_asked(tx, meeting.id, occ.original_start):
                continue
            title = occ.title or meeting.title
            for who in await attended.attendees(tx, meeting, opens, closes):
                kind, raw_id = who.split(":")
                target = Target(
                    meeting.id,
                    occ.original_start,
                    person_id=int(raw_id) if kind == "p" else None,
                    guest_id=int(raw_id) if kind == "g" else None,
                )
                new = await store.add_request(
                    tx,
                    meeting_id=meeting.id,
                    original_start=occ.original_start,
                    person_id=target.person_id,
                    guest_id=target.guest_id,
                    closes_at=closes_at,
                )
                if new:
                    queued += await _mail(
                        hub, tx, target, closes_at, occ, title=title, reminder=False
                    )
    return queued


async def _remind(hub: Hub, tx: Tx, now: datetime) -> int:
    queued = 0
    for row in await store.due_reminders(tx, now - REMIND_AFTER, now):
        meeting = await meetings_store.get(tx, row["meeting_id"])
        await store.mark_reminded(tx, row["id"])
        if meeting is None or meeting.cancelled:
            continue
        target = Target(
            row["meeting_id"], from_db(row["original_start"]), row["person_id"], row["guest_id"]
        )
        occ = occurrence_of(meeting, target.original_start)
        if occ is None:  # the date was deleted since
            continue
        closes_at = from_db(row["closes_at"])
        title = occ.title or meeting.title
        queued += await _mail(hub, tx, target, closes_at, occ, title=title, reminder=True)
    return queued


async def scan(hub: Hub, now: datetime | None = None) -> int:
    """Asks about the dates that ended and sends due reminders; returns mails queued."""
    now = now or now_utc()
    async with hub.db.write() as tx:
        queued = await _ask(hub, tx, now) + await _remind(hub, tx, now)
        if queued:
            tx.after_commit(hub.wake_mail)
    return queued


class FeedbackScheduler(PeriodicScan):
    """Scans every ``reminder_poll_seconds`` (the meeting reminders' pace)."""

    def __init__(self, hub: Hub) -> None:
        super().__init__(hub, "feedback", scan, lambda h: h.settings.reminder_poll_seconds)
