"""Emailed invitations (iTIP, RFC 5546), queued in the outbox inside the caller's transaction.

Each invitee and guest (except the organiser) gets one mail: multipart/mixed holding
multipart/alternative (text/plain, text/html, ``text/calendar; method=...; charset=utf-8``)
and an ``invite.ics`` attachment. ORGANIZER is the librarian who scheduled the meeting, and
Reply-To carries the same address, so "reply" and the calendar's answer both reach her. From
stays the site's address: mailing as the librarian's own domain would fail SPF/DMARC checks.
"""

from __future__ import annotations

import html
import logging
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Literal
from zoneinfo import ZoneInfo

from calendars.invite import build_invite
from calendars.model import Attendee, Organizer
from meetings_hub.actions import rsvp
from meetings_hub.actions.occurrences import links
from meetings_hub.actions.session import guest_link_token
from meetings_hub.actions.when import day_text, range_text, rule_text
from meetings_hub.hub import Hub
from meetings_hub.mail.compose import (
    Attachment,
    BadAddress,
    Composed,
    address,
    address_of,
    compose,
    header_text,
    new_message_id,
    valid_text,
)
from meetings_hub.scheduling import recurrence
from meetings_hub.scheduling.events import occurrence_event, to_event, whole_days
from meetings_hub.scheduling.model import RSVP_ANSWERS, Meeting
from meetings_hub.storage import guests, outbox
from meetings_hub.storage import scheduling as store
from meetings_hub.storage.db import Tx
from meetings_hub.storage.timefmt import now_utc

log = logging.getLogger(__name__)

Method = Literal["REQUEST", "CANCEL"]
Reason = Literal["new", "update", "details", "cancel", "reminder"]


@dataclass(frozen=True)
class Recipient:
    email: str
    name: str
    language: str
    timezone: str
    person_id: int | None = None
    invitation_id: int | None = None
    rsvp: str = "needs_action"


async def recipients(tx: Tx, meeting: Meeting) -> list[Recipient]:
    found = [
        Recipient(
            r["email"],
            r["full_name"],
            r["language"],
            r["timezone"],
            person_id=r["person_id"],
            rsvp=r["rsvp"],
        )
        for r in await store.list_invitees(tx, meeting.id)
    ]
    for row in await guests.list_invitations(tx, meeting.id):
        if row["email"] and row["revoked_at"] is None:
            found.append(
                Recipient(
                    row["email"],
                    row["name"],
                    row["language"],
                    meeting.timezone,
                    invitation_id=row["id"],
                    rsvp=row["rsvp"],
                )
            )
    return found


def organizer(hub: Hub, meeting: Meeting) -> Organizer:
    if meeting.organizer_email:
        return Organizer(meeting.organizer_email, meeting.organizer_name)
    return Organizer(address_of(hub.settings.mail_from), hub.t("pl", "app.name"))


def body(
    hub: Hub,
    meeting: Meeting,
    who: Recipient,
    *,
    reason: Reason,
    start: datetime,
    end: datetime,
    page: str,
    answer_links: dict[str, str],
) -> tuple[str, str, str]:
    """Subject, plain text and HTML of one mail, in the recipient's language and zone."""
    lang = who.language
    t = hub.t
    if whole_days(meeting):  # a day in every zone: "wtorek, 13 października 2026, cały dzień"
        local = start.astimezone(ZoneInfo(meeting.timezone))
        when = f"{day_text(hub, lang, local)}, {t(lang, 'calendar.import.all_day')}"
    else:
        when = range_text(hub, lang, start, end, who.timezone)
    subject = t(lang, f"sched.mail.subject.{reason}", title=meeting.title, when=when)
    # A guest has no account: the guest link is the only way in, so it is the mail's one link
    # into the meeting, first and prominent (the room's own address would ask for a password).
    guest_entry = page if who.invitation_id is not None and reason != "cancel" else ""
    lines: list[tuple[str, str]] = []
    lines.append((t(lang, "sched.mail.when"), when))
    if meeting.rule is not None and reason != "cancel":
        lines.append(
            (t(lang, "sched.mail.repeats"), rule_text(hub, lang, meeting.rule, who.timezone))
        )
    if meeting.kind == "in_person":
        lines.append((t(lang, "sched.mail.where"), meeting.address))
    elif not guest_entry:
        lines.append((t(lang, "sched.mail.join"), links(hub).join(meeting)))
    lines.append((t(lang, "sched.mail.host"), meeting.host_library_name))
    lines.append((t(lang, "sched.mail.organizer"), meeting.organizer_name))
    intro = t(lang, f"sched.mail.intro.{reason}", title=meeting.title)
    greeting = t(lang, "sched.mail.greeting", name=who.name) if who.name else ""
    enter = t(lang, "sched.mail.guest_enter")
    text = [greeting, "", intro, ""] if greeting else [intro, ""]
    if guest_entry:
        text += [f"{enter}: {guest_entry}", ""]
    text += [f"{label}: {value}" for label, value in lines]
    if meeting.agenda:
        text += ["", t(lang, "sched.mail.agenda") + ":", meeting.agenda]
    if answer_links:
        text += ["", t(lang, "sched.mail.answer")]
        text += [f"  {t(lang, f'sched.rsvp.{a}')}: {u}" for a, u in answer_links.items()]
    if not guest_entry:
        text += ["", f"{t(lang, 'sched.mail.page')}: {page}"]
    e = html.escape
    parts = [f"<p>{e(greeting)}</p>" if greeting else "", f"<p>{e(intro)}</p>"]
    if guest_entry:
        parts.append(
            f'<p style="font-size:1.2em"><a href="{e(guest_entry)}"><strong>{e(enter)}</strong>'
            "</a></p>"
        )
    parts.append("<ul>")
    parts += [f"<li><strong>{e(label)}:</strong> {e(value)}</li>" for label, value in lines]
    parts.append("</ul>")
    if meeting.agenda:
        agenda = e(meeting.agenda).replace("\n", "<br>")
        parts.append(f"<p><strong>{e(t(lang, 'sched.mail.agenda'))}:</strong><br>{agenda}</p>")
    if answer_links:
        parts.append(f"<p>{e(t(lang, 'sched.mail.answer'))}</p><p>")
        parts += [
            f'<a href="{e(u)}">{e(t(lang, f"sched.rsvp.{a}"))}</a> &nbsp; '
            for a, u in answer_links.items()
        ]
        parts.append("</p>")
    if not guest_entry:
        parts.append(f'<p><a href="{e(page)}">{e(t(lang, "sched.mail.page"))}</a></p>')
    body_html = f'<!doctype html><html lang="{lang}"><body>{"".join(parts)}</body></html>'
    return subject, "\n".join(text) + "\n", body_html


def compose_to(
    hub: Hub, who: Recipient, subject: str, text: str, html: str, **parts: Any
) -> Composed:
    """One scheduling mail from the site's address; ``parts``: reply_to, alternatives..."""
    return compose(
        sender=hub.settings.mail_from,
        recipient=who.email,
        recipient_name=who.name,
        subject=subject,
        text=text,
        html=html,
        domain=hub.settings.site_domain,
        **parts,
    )


def page_for(hub: Hub, meeting: Meeting, who: Recipient) -> str:
    """Guests come in through their guest link; everyone else through the meeting page."""
    if who.invitation_id is not None:
        return hub.url(f"/guest/{guest_link_token(hub, who.invitation_id, meeting.id)}")
    return links(hub).page(meeting.id)


def _attendees(meeting: Meeting, people: list[Recipient]) -> tuple[Attendee, ...]:
    """Everyone invited; the organiser as the meeting's accepted chair (what Google and Outlook
    write), not as one more person who has yet to answer her own invitation."""
    return tuple(
        Attendee(p.email, p.name, partstat="ACCEPTED", role="CHAIR", rsvp=False)
        if _is_organizer(meeting, p)
        else Attendee(p.email, p.name)
        for p in people
    )


def _is_organizer(meeting: Meeting, who: Recipient) -> bool:
    return who.person_id is not None and who.person_id == meeting.created_by


def _writable(email: str) -> bool:
    try:
        address(email)
    except BadAddress:
        return False
    return True


async def _sendable(
    hub: Hub, tx: Tx, meeting: Meeting, people: list[Recipient], kind: str
) -> list[Recipient]:
    """The recipients whose address a header can carry; the others are recorded as failed
    mail (shown on /outbox) so that one bad row never stops the whole action."""
    good = []
    for who in people:
        try:
            address(who.email, who.name)
        except BadAddress as error:
            log.warning("meeting %s: not mailing %r: %s", meeting.id, who.email, error)
            await outbox.insert_unsendable(
                tx,
                message_id=new_message_id(hub.settings.site_domain),
                kind=kind,
                recipient=valid_text(who.email),
                subject=header_text(meeting.title),
                error=str(error),
            )
        else:
            good.append(who)
    return good


async def queue_for_meeting(
    hub: Hub,
    tx: Tx,
    meeting_id: int,
    *,
    method: Method,
    reason: Reason,
    occurrence: datetime | None = None,
    sequence: int | None = None,
) -> int:
    """Queues one REQUEST or CANCEL per recipient; ``occurrence`` limits it to that one.

    The organiser is listed as an attendee but not mailed her own invitation."""
    meeting = await store.get(tx, meeting_id)
    assert meeting is not None
    kind = f"meeting_{method.lower()}"
    people = await _sendable(hub, tx, meeting, await recipients(tx, meeting), kind)
    if not any(not _is_organizer(meeting, p) for p in people):
        return 0
    org = organizer(hub, meeting)
    event = to_event(meeting, links(hub), organizer=org, attendees=_attendees(meeting, people))
    if occurrence is not None:
        event = occurrence_event(event, occurrence)
    if sequence is not None:
        event = replace(event, sequence=sequence)
    # DTSTAMP of an iTIP message is when the message was made (RFC 5546 2.1.5), not the
    # meeting's last change: a per-date CANCEL used to carry the previous change's stamp.
    ics = build_invite(event, method=method, stamp=now_utc())
    _, last_end = recurrence.span(meeting.start, meeting.end, meeting.timezone, meeting.rule)
    reply_to = org.email if _writable(org.email) else None
    queued = 0
    for who in people:
        if _is_organizer(meeting, who):
            continue
        page = page_for(hub, meeting, who)
        answer_links = {}
        if method == "REQUEST":
            answer_links = {
                a: rsvp.link(
                    hub,
                    rsvp.RsvpTarget(meeting.id, a, who.person_id, who.invitation_id),
                    last_end,
                )
                for a in RSVP_ANSWERS
            }
        subject, text, body_html = body(
            hub,
            meeting,
            who,
            reason=reason,
            start=event.start,
            end=event.end,
            page=page,
            answer_links=answer_links,
        )
        mail = compose_to(
            hub,
            who,
            subject,
            text,
            body_html,
            reply_to=reply_to,
            alternatives=(
                Attachment(
                    "invite.ics",
                    ics,
                    "text",
                    "calendar",
                    {"method": method, "charset": "utf-8"},
                ),
            ),
            attachments=(Attachment("invite.ics", ics, "application", "ics"),),
        )
        await outbox.insert(
            tx,
            message_id=mail.message_id,
            dedupe_key=None,
            kind=kind,
            recipient=mail.recipient,
            subject=mail.subject,
            body_text=mail.body_text,
            raw=mail.raw,
        )
        queued += 1
    return queued
