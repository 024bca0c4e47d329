"""Answers to invitations: accept / tentative / decline, on the meeting page or by emailed link.

An emailed link carries a signed token naming the meeting, the person (or guest invitation),
the answer and an expiry. Opening it (GET) only shows a confirmation page; the answer is
recorded by the POST that page sends, so mail scanners that follow links answer nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from meetings_hub import auth
from meetings_hub.actions.access import not_found_unless, scope_of
from meetings_hub.actions.occurrences import check_occurrence, may_see
from meetings_hub.domain import Actor
from meetings_hub.errors import Forbidden, NotFound, ValidationFailed
from meetings_hub.hub import Hub
from meetings_hub.scheduling.model import RSVP_ANSWERS, Meeting
from meetings_hub.storage import guests
from meetings_hub.storage import scheduling as store
from meetings_hub.storage.db import Reader, Tx
from meetings_hub.storage.timefmt import now_utc

PURPOSE = "rsvp"
# Links keep working until a week after the last occurrence (late "I was there" answers).
GRACE = timedelta(days=7)


@dataclass(frozen=True)
class RsvpTarget:
    meeting_id: int
    answer: str
    person_id: int | None = None
    invitation_id: int | None = None


def token(hub: Hub, target: RsvpTarget, expires: datetime) -> str:
    payload: dict[str, int | str] = {
        "m": target.meeting_id,
        "a": target.answer,
        "x": int((expires + GRACE).timestamp()),
    }
    if target.person_id is not None:
        payload["p"] = target.person_id
    if target.invitation_id is not None:
        payload["g"] = target.invitation_id
    return auth.sign(hub.secret, PURPOSE, payload)


def link(hub: Hub, target: RsvpTarget, expires: datetime) -> str:
    return hub.url(f"/rsvp/{token(hub, target, expires)}")


def read_token(hub: Hub, raw: str) -> RsvpTarget:
    """The target of a genuine, unexpired token; 404 otherwise (forged, altered or old)."""
    payload = auth.unsign(hub.secret, PURPOSE, raw)
    if payload is None:
        raise NotFound("This answer link is not valid.", code="invalid_rsvp_link")
    meeting_id, answer, expires = payload.get("m"), payload.get("a"), payload.get("x")
    person_id, invitation_id = payload.get("p"), payload.get("g")
    if (
        not isinstance(meeting_id, int)
        or answer not in RSVP_ANSWERS
        or not isinstance(expires, int)
        or not (isinstance(person_id, int) or isinstance(invitation_id, int))
    ):
        raise NotFound("This answer link is not valid.", code="invalid_rsvp_link")
    if expires < now_utc().timestamp():
        raise NotFound("This answer link has expired.", code="expired_rsvp_link")
    return RsvpTarget(
        meeting_id,
        str(answer),
        person_id if isinstance(person_id, int) else None,
        invitation_id if isinstance(invitation_id, int) else None,
    )


async def _meeting_for(db: Reader | Tx, target: RsvpTarget) -> Meeting:
    meeting = await store.get(db, target.meeting_id)
    if meeting is None:
        raise NotFound("This answer link is not valid.", code="invalid_rsvp_link")
    if target.invitation_id is not None:
        invitation = await guests.get_invitation(db, target.invitation_id)
        if invitation is None or invitation["meeting_id"] != meeting.id:
            raise NotFound("This answer link is not valid.", code="invalid_rsvp_link")
        if invitation["revoked_at"] is not None:
            raise NotFound("This invitation was withdrawn.", code="revoked_guest_link")
    elif target.person_id is not None:
        if await store.get_invitee(db, meeting.id, target.person_id) is None:
            raise NotFound("You are no longer invited.", code="not_invited")
    return meeting


async def preview(hub: Hub, raw: str) -> tuple[RsvpTarget, Meeting]:
    """What the confirmation page shows; records nothing."""
    target = read_token(hub, raw)
    async with hub.db.read() as reader:
        meeting = await _meeting_for(reader, target)
    return target, meeting


async def answer_by_token(hub: Hub, raw: str) -> RsvpTarget:
    target = read_token(hub, raw)
    async with hub.db.write() as tx:
        meeting = await _meeting_for(tx, target)
        if meeting.cancelled:
            raise ValidationFailed("This meeting was cancelled.", details={"status": "cancelled"})
        if target.invitation_id is not None:
            await store.set_guest_rsvp(tx, target.invitation_id, target.answer)
        elif target.person_id is not None:
            await store.set_rsvp(tx, meeting.id, target.person_id, target.answer)
    return target


def _check_answer(answer: str) -> None:
    if answer not in RSVP_ANSWERS:
        raise ValidationFailed(
            "Some fields are not valid.",
            details={"answer": "One of: accepted, tentative, declined."},
        )


async def answer(hub: Hub, actor: Actor, meeting_id: int, value: str) -> None:
    """The signed-in invitee (or the guest of this meeting) answers on the meeting page, for
    the whole meeting or series (which clears her answers for single dates)."""
    _check_answer(value)
    async with hub.db.write() as tx:
        if actor.guest is not None:
            not_found_unless(actor.guest.meeting_id == meeting_id, "Meeting")
            meeting = await store.get(tx, meeting_id)
            assert meeting is not None
            if meeting.cancelled:
                raise ValidationFailed("This meeting was cancelled.", details={"status": "x"})
            await store.set_guest_rsvp(tx, actor.guest.invitation_id, value)
            return
        await _answerable(tx, actor, meeting_id)
        assert actor.person is not None
        await store.set_rsvp(tx, meeting_id, actor.person.id, value)
        await store.clear_date_rsvps(tx, meeting_id, actor.person.id)


async def answer_date(
    hub: Hub, actor: Actor, meeting_id: int, original: datetime, value: str
) -> None:
    """An invitee answers for one date of a series only ("not on 15 December")."""
    _check_answer(value)
    if actor.guest is not None:
        raise Forbidden("Guests answer for the whole meeting.")
    async with hub.db.write() as tx:
        meeting = await _answerable(tx, actor, meeting_id)
        assert actor.person is not None
        original = original.astimezone(UTC)
        check_occurrence(meeting, original, not_cancelled=True)
        if await store.get_invitee(tx, meeting_id, actor.person.id) is None:
            # Invited through her library (or taking part as a manager): on the list first.
            await store.set_rsvp(tx, meeting_id, actor.person.id, "needs_action")
        await store.set_date_rsvp(tx, meeting_id, actor.person.id, original, value)


async def _answerable(tx: Tx, actor: Actor, meeting_id: int) -> Meeting:
    """The meeting, if this person may answer it: visible, not cancelled, and invited (or
    managing its network, or its organiser)."""
    scope = await scope_of(tx, actor)
    meeting = await store.get(tx, meeting_id)
    not_found_unless(meeting is not None and await may_see(tx, actor, scope, meeting), "Meeting")
    assert meeting is not None and actor.person is not None
    if meeting.cancelled:
        raise ValidationFailed("This meeting was cancelled.", details={"status": "cancelled"})
    invited = await store.get_invitee(tx, meeting_id, actor.person.id) is not None
    library_id = actor.person.library_id
    through_library = library_id is not None and await store.library_is_invited(
        tx, meeting_id, library_id, date.today()
    )
    # Coordinators and the network's lead may take part in any of its meetings.
    manages = scope.manages_network(meeting.network_id)
    if not (invited or through_library or manages or meeting.created_by == actor.person.id):
        raise Forbidden("Only invited people answer.")
    return meeting
