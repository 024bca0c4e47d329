"""Scheduling sessions: check_* (who may, is the input valid), do_* (one transaction that also
queues the invitation mails in the outbox), then the mail sender is woken after the commit."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import msgspec

from meetings_hub.actions import invitations
from meetings_hub.actions import rooms as rooms_actions
from meetings_hub.actions.access import Scope, not_found_unless, scope_of
from meetings_hub.actions.access_events import access_changed
from meetings_hub.actions.occurrences import check_occurrence
from meetings_hub.actions.validate import FieldErrors, Id, Int
from meetings_hub.domain import Actor, GuestCategory, Language, Role
from meetings_hub.errors import Forbidden, ValidationFailed
from meetings_hub.hub import Hub
from meetings_hub.scheduling import recurrence
from meetings_hub.scheduling.model import Meeting
from meetings_hub.scheduling.recurrence import Change, Rule, RuleError
from meetings_hub.storage import guests, networks, rooms
from meetings_hub.storage import scheduling as store
from meetings_hub.storage.db import Reader, Tx

Kind = Literal["online", "training", "in_person"]
MAX_DURATION = timedelta(hours=24)


class RecurrenceInput(msgspec.Struct, forbid_unknown_fields=True):
    """Weekly (every ``interval`` weeks on ``weekdays``) or monthly (``nth`` ``nth_weekday``,
    e.g. 2 and "TU" = second Tuesday), until a last day (inclusive) or ``count`` meetings."""

    freq: Literal["WEEKLY", "MONTHLY"]
    interval: Int = 1
    weekdays: list[str] = msgspec.field(default_factory=list)
    nth: Int | None = None
    nth_weekday: str | None = None
    until: date | None = None
    count: Int | None = None


class GuestInput(msgspec.Struct, forbid_unknown_fields=True):
    email: str
    name: str = ""
    category: GuestCategory = GuestCategory.OTHER
    language: Language = Language.PL


class ScheduleInput(msgspec.Struct, forbid_unknown_fields=True):
    """A new session or series; ``start``/``end`` without an offset are read in ``timezone``."""

    title: str
    start: datetime
    end: datetime | None = None
    duration_minutes: Int | None = None
    agenda: str = ""
    kind: Kind = "online"
    timezone: str = "Europe/Warsaw"
    address: str = ""
    network_id: Id | None = None
    host_library_id: Id | None = None
    whole_network: bool = True
    library_ids: list[Id] = msgspec.field(default_factory=list)
    person_ids: list[Id] = msgspec.field(default_factory=list)
    guests: list[GuestInput] = msgspec.field(default_factory=list)
    recurrence: RecurrenceInput | None = None
    join_url: str = ""


class OccurrenceInput(msgspec.Struct, forbid_unknown_fields=True):
    """Moves or edits one occurrence of a series (an override)."""

    start: datetime
    end: datetime
    title: str | None = None
    agenda: str | None = None
    address: str | None = None


@dataclass(frozen=True)
class _Resolved:
    network_id: int
    host_library_id: int
    start: datetime
    end: datetime
    rule: Rule | None
    library_ids: frozenset[int]
    invitees: dict[int, str]


def _aware(value: datetime, tz: str) -> datetime:
    return value.replace(tzinfo=ZoneInfo(tz)) if value.tzinfo is None else value


def _rule(data: RecurrenceInput, tz: str) -> Rule:
    until = None
    if data.until is not None:
        # The last day counts whole: any meeting starting that day (local time) is in.
        until = datetime.combine(data.until, time(23, 59, 59), ZoneInfo(tz)).astimezone(UTC)
    return Rule(
        freq=data.freq,
        interval=data.interval,
        weekdays=tuple(data.weekdays),
        nth=data.nth,
        nth_weekday=data.nth_weekday,
        until=until,
        count=data.count,
    )


def _check_fields(errors: FieldErrors, data: ScheduleInput) -> tuple[datetime, datetime] | None:
    errors.text("title", data.title, max_len=200)
    errors.text("agenda", data.agenda, required=False, max_len=5000, multiline=True)
    errors.text("address", data.address, required=data.kind == "in_person", max_len=300)
    errors.timezone("timezone", data.timezone)
    if data.join_url:
        parts = urlsplit(data.join_url)
        if parts.scheme not in ("http", "https") or not parts.netloc or len(data.join_url) > 500:
            errors.add("join_url", "Must be an http(s) link.")
        # urlsplit silently skips tabs and line breaks, which calendars and mails would keep.
        errors.text("join_url", data.join_url)
    for i, guest in enumerate(data.guests):
        errors.email(f"guests.{i}.email", guest.email)
        errors.text(f"guests.{i}.name", guest.name, required=False, max_len=100)
    if "timezone" in errors.errors:
        return None
    start = _aware(data.start, data.timezone)
    if data.end is not None:
        end = _aware(data.end, data.timezone)
    else:
        minutes = 90 if data.duration_minutes is None else data.duration_minutes
        if not 5 <= minutes <= 24 * 60:
            errors.add("duration_minutes", "Between 5 minutes and 24 hours.")
            return None
        end = start + timedelta(minutes=minutes)
    if end <= start:
        errors.add("end", "The end must be after the start.")
    elif end - start > MAX_DURATION:
        errors.add("end", "A meeting lasts at most 24 hours.")
    return start, end


async def _managed_network(db: Reader | Tx, actor: Actor, scope: Scope, wanted: int | None) -> int:
    if actor.role is Role.PARTNER_LIBRARIAN:
        raise Forbidden("Only a lead librarian or a coordinator schedules sessions.")
    if wanted is None:
        if len(scope.led_network_ids) == 1:
            return next(iter(scope.led_network_ids))
        raise ValidationFailed(
            "Some fields are not valid.", details={"network_id": "Choose the network."}
        )
    network = await networks.get(db, wanted)
    if network is None or not scope.sees_network(wanted):
        raise ValidationFailed(
            "Some fields are not valid.", details={"network_id": "Unknown network."}
        )
    if not scope.manages_network(wanted):
        raise Forbidden("Only the network's lead librarian or a coordinator may do this.")
    return wanted


async def _resolve(
    hub: Hub, db: Reader | Tx, actor: Actor, data: ScheduleInput, network_id: int | None
) -> _Resolved:
    errors = FieldErrors()
    times = _check_fields(errors, data)
    scope = await scope_of(db, actor)
    network_id = await _managed_network(db, actor, scope, network_id)
    network = await networks.get(db, network_id)
    assert network is not None
    members = {m.library_id for m in network.members if m.active}
    host = data.host_library_id or network.lead_library_id
    if host not in members:
        errors.add("host_library_id", "The host must be a library of the network.")
    listed = set(data.library_ids)
    if listed - members:
        errors.add("library_ids", f"Not libraries of the network: {sorted(listed - members)}.")
    libraries = frozenset(members if data.whole_network else listed | {host})
    staff = await store.active_people_of_libraries(db, members)
    staff_ids = {r["id"] for r in staff}
    named = set(data.person_ids)
    if named - staff_ids:
        errors.add("person_ids", f"Not people of the network: {sorted(named - staff_ids)}.")
    invitees = {r["id"]: "library" for r in staff if r["library_id"] in libraries}
    invitees.update({pid: "person" for pid in named if pid in staff_ids})
    total = len(invitees) + len(data.guests)
    if total > hub.settings.max_invitees:
        errors.add(
            "invitees",
            f"{total} invitees; at most {hub.settings.max_invitees} per meeting.",
        )
    rule = None
    if times is not None and data.recurrence is not None:
        rule = _rule(data.recurrence, data.timezone)
        try:
            recurrence.check_rule(rule, times[0], data.timezone)
        except RuleError as exc:
            errors.add(exc.field, str(exc))
    errors.raise_if_any()
    assert times is not None
    return _Resolved(network_id, host, times[0], times[1], rule, libraries, invitees)


async def _save_span(tx: Tx, meeting_id: int) -> Meeting:
    meeting = await store.get(tx, meeting_id)
    assert meeting is not None
    first, last = recurrence.span(
        meeting.start, meeting.end, meeting.timezone, meeting.rule, meeting.changes
    )
    await store.set_span(tx, meeting_id, first, last)
    return meeting


async def _add_guests(
    hub: Hub, tx: Tx, actor: Actor, meeting: Meeting, wanted: list[GuestInput]
) -> None:
    """Invites guests by email (once per address); their link lasts past the last occurrence."""
    _, last_end = recurrence.span(meeting.start, meeting.end, meeting.timezone, meeting.rule)
    known = {
        str(r["email"]).lower()
        for r in await guests.list_invitations(tx, meeting.id)
        if r["revoked_at"] is None
    }
    for guest in wanted:
        email = guest.email.strip()
        if email.lower() in known:
            continue
        known.add(email.lower())
        invitation_id = await guests.insert_invitation(
            tx,
            meeting_id=meeting.id,
            email=email,
            name=guest.name.strip(),
            category=guest.category.value,
            created_by=actor.person.id if actor.person else None,
            expires_at=last_end + timedelta(days=hub.settings.guest_link_days),
        )
        await store.set_guest_language(tx, invitation_id, guest.language.value)


async def _save_plan(
    hub: Hub, tx: Tx, actor: Actor, meeting_id: int, r: _Resolved, data: ScheduleInput
) -> None:
    """What create and edit both save after the meeting row: rule, span, who is invited."""
    await store.set_rule(tx, meeting_id, r.rule)
    meeting = await _save_span(tx, meeting_id)
    await store.set_libraries(tx, meeting_id, r.library_ids)
    await store.set_invitees(tx, meeting_id, r.invitees)
    await _add_guests(hub, tx, actor, meeting, data.guests)


async def schedule(
    hub: Hub,
    actor: Actor,
    data: ScheduleInput,
    *,
    also: Callable[[Tx, int], Awaitable[None]] | None = None,
) -> int:
    """Creates the session (or series), invites, and queues the REQUEST mails; returns its id.

    ``also(tx, meeting_id)`` runs in the same transaction (the .ics import notes there where
    the session came from, so a crash cannot leave a session the next import would repeat)."""
    async with hub.db.write() as tx:
        r = await _resolve(hub, tx, actor, data, data.network_id)
        assert actor.person is not None
        meeting_id = await store.insert(
            tx,
            network_id=r.network_id,
            host_library_id=r.host_library_id,
            kind=data.kind,
            title=data.title.strip(),
            agenda=data.agenda.strip(),
            start=r.start,
            end=r.end,
            timezone=data.timezone,
            address=data.address.strip(),
            whole_network=data.whole_network,
            join_url=data.join_url,
            created_by=actor.person.id,
        )
        await _save_plan(hub, tx, actor, meeting_id, r, data)
        if data.kind != "in_person":
            await rooms_actions.open_session_room(tx, meeting_id)
        if also is not None:
            await also(tx, meeting_id)
        await invitations.queue_for_meeting(hub, tx, meeting_id, method="REQUEST", reason="new")
        tx.after_commit(hub.wake_mail)
    return meeting_id


async def check_manage(db: Reader | Tx, actor: Actor, meeting_id: int) -> Meeting:
    """The meeting, if the actor may change it: its organiser, its network's lead, a coordinator."""
    scope = await scope_of(db, actor)
    meeting = await store.get(db, meeting_id)
    not_found_unless(meeting is not None and scope.sees_network(meeting.network_id), "Meeting")
    assert meeting is not None and actor.person is not None
    if not (scope.manages_network(meeting.network_id) or meeting.created_by == actor.person.id):
        raise Forbidden("Only the organiser, the network's lead library or a coordinator may.")
    return meeting


def _time_or_place_changed(old: Meeting, data: ScheduleInput, r: _Resolved) -> bool:
    return (
        old.start != r.start
        or old.end != r.end
        or old.rule != r.rule
        or old.address != data.address.strip()
        or old.kind != data.kind
        or old.join_url != data.join_url
    )


async def update_series(hub: Hub, actor: Actor, meeting_id: int, data: ScheduleInput) -> None:
    """Edits the whole meeting or series; a change of time or place resends REQUEST with a
    higher SEQUENCE. One-off changes of dates the edited series no longer has are dropped."""
    async with hub.db.write() as tx:
        old = await check_manage(tx, actor, meeting_id)
        if old.cancelled:
            raise ValidationFailed(
                "A cancelled meeting cannot be edited.", details={"status": "cancelled"}
            )
        if data.network_id is not None and data.network_id != old.network_id:
            raise ValidationFailed(
                "Some fields are not valid.",
                details={"network_id": "A meeting stays in its network."},
            )
        r = await _resolve(hub, tx, actor, data, old.network_id)
        bump = _time_or_place_changed(old, data, r)
        if old.start != r.start or old.rule != r.rule:
            # A moved or cancelled date stays while it is still a date of the series (say, the
            # series was made longer or shorter); one the new rule no longer has goes with it.
            def gone(originals: list[datetime]) -> list[datetime]:
                return [
                    original
                    for original in originals
                    if r.rule is None
                    or not recurrence.is_occurrence(r.rule, r.start, data.timezone, original)
                ]

            await store.drop_changes(tx, meeting_id, gone([c.original_start for c in old.changes]))
            answered = list(await store.date_rsvps(tx, meeting_id))
            await store.drop_date_rsvps(tx, meeting_id, gone(answered))
        await store.update(
            tx,
            meeting_id,
            host_library_id=r.host_library_id,
            kind=data.kind,
            title=data.title.strip(),
            agenda=data.agenda.strip(),
            start=r.start,
            end=r.end,
            address=data.address.strip(),
            whole_network=data.whole_network,
            join_url=data.join_url,
            bump_sequence=bump,
        )
        await _save_plan(hub, tx, actor, meeting_id, r, data)
        await invitations.queue_for_meeting(
            hub, tx, meeting_id, method="REQUEST", reason="update" if bump else "details"
        )
        room = await rooms.by_meeting(tx, meeting_id)
        if room is not None:  # who is invited may have changed: so has who may be in its room
            tx.after_commit(access_changed(hub, room_id=room["id"]))
        tx.after_commit(hub.wake_mail)


def _next_sequence(meeting: Meeting, original: datetime) -> int:
    own = [c.sequence for c in meeting.changes if c.original_start == original]
    return max([meeting.sequence, *own]) + 1


async def move_occurrence(
    hub: Hub, actor: Actor, meeting_id: int, original: datetime, data: OccurrenceInput
) -> None:
    """Moves or edits one occurrence (an override); times without an offset are read in the
    meeting's zone. Sends REQUEST for that RECURRENCE-ID with a higher SEQUENCE."""
    original = original.astimezone(UTC)
    async with hub.db.write() as tx:
        meeting = await check_manage(tx, actor, meeting_id)
        errors = FieldErrors()
        start, end = _aware(data.start, meeting.timezone), _aware(data.end, meeting.timezone)
        if end <= start:
            errors.add("end", "The end must be after the start.")
        elif end - start > MAX_DURATION:
            errors.add("end", "A meeting lasts at most 24 hours.")
        if data.title is not None:
            errors.text("title", data.title, max_len=200)
        errors.text("agenda", data.agenda, required=False, max_len=5000, multiline=True)
        errors.text("address", data.address, required=False, max_len=300)
        errors.raise_if_any()
        check_occurrence(meeting, original)
        if meeting.cancelled:
            raise ValidationFailed("This meeting was cancelled.", details={"status": "cancelled"})
        change = Change(
            original_start=original,
            kind="override",
            start=start,
            end=end,
            title=data.title.strip() if data.title else None,
            agenda=data.agenda.strip() if data.agenda is not None else None,
            address=data.address.strip() if data.address is not None else None,
            sequence=_next_sequence(meeting, original),
        )
        await store.save_change(tx, meeting_id, change)
        await _save_span(tx, meeting_id)
        await invitations.queue_for_meeting(
            hub, tx, meeting_id, method="REQUEST", reason="update", occurrence=original
        )
        tx.after_commit(hub.wake_mail)


async def cancel_occurrence(hub: Hub, actor: Actor, meeting_id: int, original: datetime) -> None:
    """Deletes one occurrence (an EXDATE) and sends CANCEL for that RECURRENCE-ID."""
    original = original.astimezone(UTC)
    async with hub.db.write() as tx:
        meeting = await check_manage(tx, actor, meeting_id)
        check_occurrence(meeting, original)
        sequence = _next_sequence(meeting, original)
        # The CANCEL is built before the exception hides the occurrence from the series.
        await invitations.queue_for_meeting(
            hub,
            tx,
            meeting_id,
            method="CANCEL",
            reason="cancel",
            occurrence=original,
            sequence=sequence,
        )
        await store.save_change(
            tx, meeting_id, Change(original_start=original, kind="exception", sequence=sequence)
        )
        await store.raise_sequence(tx, meeting_id, sequence)
        await _save_span(tx, meeting_id)
        tx.after_commit(hub.wake_mail)


async def cancel_meeting(hub: Hub, actor: Actor, meeting_id: int) -> None:
    """Cancels the meeting or the whole series: METHOD:CANCEL with the same UID."""
    async with hub.db.write() as tx:
        meeting = await check_manage(tx, actor, meeting_id)
        if meeting.cancelled:
            return
        await store.cancel(tx, meeting_id)
        await invitations.queue_for_meeting(hub, tx, meeting_id, method="CANCEL", reason="cancel")
        tx.after_commit(hub.wake_mail)


def next_tuesday_10(now: datetime, tz: str) -> datetime:
    """The default start: next Tuesday at 10:00 local time (a week ahead if today is Tuesday)."""
    local = now.astimezone(ZoneInfo(tz))
    days = (1 - local.weekday()) % 7 or 7
    day = local.date() + timedelta(days=days)
    return datetime.combine(day, time(10, 0), ZoneInfo(tz))
