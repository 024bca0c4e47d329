"""Sign-in, sign-out, passwords, emailed single-use links, and guests entering by link."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import msgspec

from meetings_hub import auth
from meetings_hub.actions import mailing
from meetings_hub.actions.access import require_person
from meetings_hub.actions.access_events import access_changed
from meetings_hub.actions.validate import FieldErrors
from meetings_hub.domain import Actor, GuestCategory, Person, TokenPurpose
from meetings_hub.errors import AppError, BadRequest, NotFound, RateLimited, Unauthenticated
from meetings_hub.hub import Hub
from meetings_hub.scheduling.model import Meeting
from meetings_hub.storage import guests, people, sessions
from meetings_hub.storage import scheduling as scheduling_store
from meetings_hub.storage.db import Reader, Tx
from meetings_hub.storage.timefmt import from_db, now_utc

GUEST_LINK = "guest-link"


class LoginInput(msgspec.Struct, forbid_unknown_fields=True):
    email: str
    password: str


class PasswordChangeInput(msgspec.Struct, forbid_unknown_fields=True):
    current_password: str
    new_password: str


class ResetRequestInput(msgspec.Struct, forbid_unknown_fields=True):
    email: str


class TokenPasswordInput(msgspec.Struct, forbid_unknown_fields=True):
    token: str
    new_password: str


class GuestEnterInput(msgspec.Struct, forbid_unknown_fields=True):
    token: str
    name: str
    category: GuestCategory


@dataclass(frozen=True)
class NewSession:
    token: str  # goes into the cookie; the database keeps only its hash
    csrf_token: str
    actor: Actor


def dead_guest_link(invitation: Mapping[str, Any] | None) -> NotFound | None:
    """Why a guest link (and every session entered through it) no longer works, or None.

    The one home of "is this link live": entering, every request and every socket of a guest
    ask here, so an expired link ends its guests' sessions exactly as a withdrawn one does.
    """
    if invitation is None:
        return NotFound("This invitation link is not valid.", code="invalid_guest_link")
    if invitation["revoked_at"] is not None:
        return NotFound("This invitation link was withdrawn.", code="revoked_guest_link")
    if from_db(invitation["expires_at"]) <= now_utc():
        return NotFound("This invitation link has expired.", code="expired_guest_link")
    return None


async def load_actor(hub: Hub, token: str | None) -> tuple[Actor, str | None]:
    """The actor behind a session cookie, and the session's CSRF token.

    A guest whose link expired or was withdrawn is nobody, on every request.
    """
    actor, csrf, _ = await load_session(hub, token)
    return actor, csrf


async def load_session(hub: Hub, token: str | None) -> tuple[Actor, str | None, AppError | None]:
    """Like ``load_actor``, plus why a guest's session ended (for the socket's refusal)."""
    if not token or len(token) > 100:
        return Actor(), None, None
    session_id = auth.token_id(token)
    async with hub.db.read() as reader:
        row = await sessions.get_live(reader, session_id, now_utc())
    if row is None:
        return Actor(), None, None
    if row["person_id"] is not None:
        async with hub.db.read() as reader:
            person = await people.get(reader, row["person_id"])
        if person is None or not person.active:
            return Actor(), None, None
        actor = Actor(person=person, session_id=session_id)
    else:
        async with hub.db.read() as reader:
            guest = await guests.get_guest(reader, row["guest_id"])
            invitation = await guests.get_invitation(reader, guest.invitation_id) if guest else None
        dead = dead_guest_link(invitation)
        if guest is None or dead is not None:
            return Actor(), None, dead
        actor = Actor(guest=guest, session_id=session_id)
    # Sliding expiry, written at most once an hour per session to keep reads read-only.
    if now_utc() - from_db(row["last_seen_at"]) > timedelta(hours=1):
        async with hub.db.write() as tx:
            await sessions.touch(
                tx, session_id, now_utc() + timedelta(days=hub.settings.session_days)
            )
    return actor, row["csrf_token"], None


async def login(hub: Hub, data: LoginInput, *, client: str, user_agent: str) -> NewSession:
    email = data.email.strip()
    window = now_utc() - timedelta(minutes=hub.settings.login_window_minutes)
    async with hub.db.read() as reader:
        per_email, per_client = await sessions.failures_since(
            reader, email=email, client=client, since=window
        )
        person = await people.get_by_email(reader, email)
        stored = await people.password_hash(reader, person.id) if person else None
        if (
            person is not None
            and not hub.settings.demo_mode
            and await people.is_demo(reader, person.id)
        ):
            stored = None  # demo accounts exist only while the server runs in demo mode
    if (
        per_email >= hub.settings.login_max_failures
        or per_client >= hub.settings.login_max_failures_per_ip
    ):
        raise RateLimited(
            "Too many failed sign-in attempts. Wait a few minutes or reset your password.",
            details={"retry_after_minutes": hub.settings.login_window_minutes},
        )
    ok = await hub.passwords.verify(stored, data.password) and person is not None and person.active
    # Hashed before the write transaction: it holds the single writer.
    rehashed = None
    if ok and stored and auth.needs_rehash(stored):
        rehashed = await hub.passwords.hash(data.password)
    async with hub.db.write() as tx:
        await sessions.record_login_attempt(tx, email=email, client=client, succeeded=ok)
        if not ok or person is None:
            failed = True
        else:
            failed = False
            new = await _open_session(
                hub, tx, person_id=person.id, guest_id=None, user_agent=user_agent
            )
            if rehashed is not None:
                await people.set_password_hash(tx, person.id, rehashed)
    if failed:
        raise Unauthenticated("Wrong email or password.", code="bad_credentials")
    assert person is not None
    return NewSession(new[0], new[1], Actor(person=person, session_id=auth.token_id(new[0])))


async def _open_session(
    hub: Hub, tx: Tx, *, person_id: int | None, guest_id: int | None, user_agent: str
) -> tuple[str, str]:
    token, csrf = auth.new_token(), auth.new_token()
    await sessions.insert(
        tx,
        session_id=auth.token_id(token),
        person_id=person_id,
        guest_id=guest_id,
        csrf_token=csrf,
        expires_at=now_utc() + timedelta(days=hub.settings.session_days),
        user_agent=user_agent,
    )
    return token, csrf


async def logout(hub: Hub, actor: Actor) -> None:
    if actor.session_id:
        async with hub.db.write() as tx:
            await sessions.revoke(tx, actor.session_id)
            if actor.person is not None:
                tx.after_commit(access_changed(hub, who=f"p:{actor.person.id}"))
            elif actor.guest is not None:
                tx.after_commit(access_changed(hub, who=f"g:{actor.guest.id}"))


async def change_password(hub: Hub, actor: Actor, data: PasswordChangeInput) -> None:
    require_person(actor)  # a guest is signed in but has no password: 403, not 401
    assert actor.person is not None
    errors = FieldErrors()
    errors.password("new_password", data.new_password, auth.MIN_PASSWORD_LENGTH)
    errors.raise_if_any()
    async with hub.db.read() as reader:
        stored = await people.password_hash(reader, actor.person.id)
    if not await hub.passwords.verify(stored, data.current_password):
        errors.add("current_password", "The current password is wrong.")
        errors.raise_if_any()
    new_hash = await hub.passwords.hash(data.new_password)
    async with hub.db.write() as tx:
        await people.set_password_hash(tx, actor.person.id, new_hash)
        # Every other session of this person ends: a changed password locks out whoever had it.
        await sessions.revoke_all_for_person(tx, actor.person.id, except_id=actor.session_id)
        tx.after_commit(access_changed(hub, who=f"p:{actor.person.id}"))


async def request_password_reset(hub: Hub, data: ResetRequestInput) -> None:
    """Always answers the same, in the same time, so the form does not tell which addresses
    have accounts: the request only queues the lookup; the link and its mail are made after
    the answer has gone (``hub.later``)."""
    email = data.email.strip()
    errors = FieldErrors()
    errors.email("email", email)
    errors.raise_if_any()
    await hub.later.add(lambda: _send_reset_link(hub, email))


async def _send_reset_link(hub: Hub, email: str) -> None:
    async with hub.db.read() as reader:
        person = await people.get_by_email(reader, email)
    if person is not None and person.active:
        await issue_link(hub, person, TokenPurpose.PASSWORD_RESET)


async def issue_link(hub: Hub, person: Person, purpose: TokenPurpose) -> None:
    token = auth.new_token()
    lifetime = (
        timedelta(hours=hub.settings.reset_link_hours)
        if purpose is TokenPurpose.PASSWORD_RESET
        else timedelta(days=hub.settings.invitation_link_days)
    )
    path = "/password/reset" if purpose is TokenPurpose.PASSWORD_RESET else "/invitation/accept"
    async with hub.db.write() as tx:
        await sessions.insert_token(
            tx,
            token_id=auth.token_id(token),
            purpose=purpose.value,
            person_id=person.id,
            expires_at=now_utc() + lifetime,
        )
        await mailing.queue_link_mail(hub, tx, person, purpose, hub.url(f"{path}?token={token}"))
        tx.after_commit(hub.wake_mail)


async def complete_with_token(hub: Hub, purpose: TokenPurpose, data: TokenPasswordInput) -> None:
    errors = FieldErrors()
    errors.password("new_password", data.new_password, auth.MIN_PASSWORD_LENGTH)
    errors.raise_if_any()
    # Hashed before the write transaction (which holds the single writer), even if the token
    # turns out to be spent: checking it first would need a second transaction.
    new_hash = await hub.passwords.hash(data.new_password)
    async with hub.db.write() as tx:
        person_id = await sessions.use_token(
            tx, token_id=auth.token_id(data.token), purpose=purpose.value, now=now_utc()
        )
        if person_id is None:
            raise BadRequest(
                "This link is invalid, expired or already used. Ask for a new one.",
                code="invalid_token",
            )
        await people.set_password_hash(tx, person_id, new_hash)
        await sessions.revoke_all_for_person(tx, person_id)
        tx.after_commit(access_changed(hub, who=f"p:{person_id}"))


async def token_is_live(hub: Hub, purpose: TokenPurpose, token: str) -> bool:
    async with hub.db.read() as reader:
        found = await sessions.peek_token(
            reader, token_id=auth.token_id(token), purpose=purpose.value, now=now_utc()
        )
    return found is not None


def guest_link_token(hub: Hub, invitation_id: int, meeting_id: int) -> str:
    return auth.sign(hub.secret, GUEST_LINK, {"i": invitation_id, "m": meeting_id})


async def live_guest_invitation(hub: Hub, reader: Reader, token: str) -> dict[str, object]:
    """The invitation behind a guest link, if it is genuine, unexpired and not revoked."""
    payload = auth.unsign(hub.secret, GUEST_LINK, token)
    if payload is None or not isinstance(payload.get("i"), int):
        raise NotFound("This invitation link is not valid.", code="invalid_guest_link")
    row = await guests.get_invitation(reader, int(payload["i"]))
    if row is None or row["meeting_id"] != payload.get("m"):
        raise NotFound("This invitation link is not valid.", code="invalid_guest_link")
    dead = dead_guest_link(row)
    if dead is not None:
        raise dead
    return dict(row)


@dataclass(frozen=True)
class GuestLanding:
    """What the guest's landing page shows: the invitation, its meeting, and the date the guest
    comes to (the next one of a series, else the meeting's own)."""

    invitation: dict[str, object]
    meeting: Meeting
    start: datetime
    end: datetime


async def guest_invitation_view(hub: Hub, token: str) -> GuestLanding:
    async with hub.db.read() as reader:
        invitation = await live_guest_invitation(hub, reader, token)
        meeting = await scheduling_store.get(reader, int(invitation["meeting_id"]))  # type: ignore[call-overload]
    if meeting is None:
        raise NotFound("This invitation link is not valid.", code="invalid_guest_link")
    now = now_utc()
    coming = [o for o in meeting.occurrences(now - timedelta(hours=12)) if o.end > now]
    start, end = (coming[0].start, coming[0].end) if coming else (meeting.start, meeting.end)
    return GuestLanding(dict(invitation), meeting, start, end)


async def guest_enter(hub: Hub, data: GuestEnterInput, *, user_agent: str) -> NewSession:
    errors = FieldErrors()
    errors.text("name", data.name, max_len=100)
    errors.raise_if_any()
    async with hub.db.read() as reader:
        invitation = await live_guest_invitation(hub, reader, data.token)
    async with hub.db.write() as tx:
        guest_id = await guests.insert_guest(
            tx,
            invitation_id=int(invitation["id"]),  # type: ignore[call-overload]
            meeting_id=int(invitation["meeting_id"]),  # type: ignore[call-overload]
            name=data.name.strip(),
            category=data.category,
        )
        token, csrf = await _open_session(
            hub, tx, person_id=None, guest_id=guest_id, user_agent=user_agent
        )
        guest = await guests.get_guest(tx, guest_id)
    return NewSession(token, csrf, Actor(guest=guest, session_id=auth.token_id(token)))
