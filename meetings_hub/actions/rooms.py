"""Rooms: who may enter which room, and finding or opening the room for a meeting, a network,
a pair of people or a group. Every chat and file operation asks ``check_room_access`` first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import msgspec

from meetings_hub.actions import audit
from meetings_hub.actions.access import Scope, not_found_unless, require_person, scope_of
from meetings_hub.actions.validate import FieldErrors, Id, parse_int
from meetings_hub.domain import Actor, Person, Window, room_refusal
from meetings_hub.errors import BadRequest, Forbidden, NotFound
from meetings_hub.hub import Hub
from meetings_hub.storage import guests, meetings, networks, people, rooms, scheduling, sessions
from meetings_hub.storage.db import Reader, Tx
from meetings_hub.storage.timefmt import now_utc


@dataclass(frozen=True)
class RoomAccess:
    room: dict[str, Any]
    may_moderate: bool
    is_guest: bool

    @property
    def room_id(self) -> int:
        return int(self.room["id"])

    @property
    def locked(self) -> bool:
        return self.room["locked_at"] is not None


class GroupRoomInput(msgspec.Struct, forbid_unknown_fields=True):
    title: str
    member_ids: list[Id]


async def check_room_access(db: Reader | Tx, actor: Actor, room_id: int) -> RoomAccess:
    """The room, if this actor may read and (unless locked) write in it; else NotFound/Forbidden.

    Unknown rooms and rooms of other networks both answer NotFound, so ids reveal nothing.
    """
    room = await rooms.get(db, room_id)
    not_found_unless(room is not None, "Room")
    assert room is not None
    if actor.guest is not None:
        allowed = room["kind"] == "session" and room["meeting_id"] == actor.guest.meeting_id
        not_found_unless(allowed, "Room")
        if await rooms.is_banned(db, room_id, guest_id=actor.guest.id):
            raise Forbidden("You were removed from this room.", code="removed")
        return RoomAccess(dict(room), may_moderate=False, is_guest=True)
    require_person(actor)
    assert actor.person is not None
    scope = await scope_of(db, actor)
    kind = room["kind"]
    if kind == "network":
        visible = scope.sees_network(room["network_id"])
        moderator = scope.manages_network(room["network_id"])
    elif kind == "session":
        meeting = await meetings.get_core(db, room["meeting_id"])
        moderator = meeting is not None and (
            scope.manages_network(meeting["network_id"]) or meeting["created_by"] == actor.person.id
        )
        visible = meeting is not None and (
            moderator or await _invited(db, actor, scope, dict(meeting))
        )
    else:
        role = await rooms.member_role(db, room_id, actor.person.id)
        visible = role is not None or scope.everything
        moderator = role == "moderator" or (kind == "group" and scope.everything)
    not_found_unless(visible, "Room")
    if await rooms.is_banned(db, room_id, person_id=actor.person.id):
        raise Forbidden("You were removed from this room.", code="removed")
    return RoomAccess(dict(room), may_moderate=bool(moderator), is_guest=False)


def posting_window(hub: Hub) -> Window:
    settings = hub.settings
    return Window(
        open_before=timedelta(minutes=settings.chat_session_open_minutes),
        close_after=timedelta(minutes=settings.chat_session_close_minutes),
    )


async def posting_refusal(
    hub: Hub, db: Reader | Tx, room_id: int, now: datetime | None = None
) -> str | None:
    """Does the room take posts now? ``domain.room_refusal`` on the room as stored: None, or
    "room_locked" / "not_open" (and "not_found" for a room that is gone)."""
    times = await rooms.times(db, room_id)
    if times is None:
        return "not_found"
    return room_refusal(times, now or now_utc(), posting_window(hub))


POSTING_REFUSALS = {
    "room_locked": "This room is read-only.",
    "not_open": "The session's room opens 15 minutes before the start.",
    "not_found": "Room not found.",
}


@dataclass(frozen=True)
class Opening:
    at: datetime
    seconds: int  # from now


async def opening(hub: Hub, room_id: int, now: datetime | None = None) -> Opening | None:
    """When a session room that does not take posts yet will (``domain.room_refusal``'s
    "not_open"), so its page can say when and count down; None for a room that is open, closed
    or not a session room."""
    async with hub.db.read() as reader:
        times = await rooms.times(reader, room_id)
    now = now or now_utc()
    if times is None or room_refusal(times, now, posting_window(hub)) != "not_open":
        return None
    assert times.first_start is not None
    at = times.first_start - posting_window(hub).open_before
    return Opening(at, max(0, round((at - now).total_seconds())))


async def require_posting(hub: Hub, room_id: int) -> None:
    """Refuses an edit or a delete when the room does not take posts (as a send is refused)."""
    async with hub.db.read() as reader:
        refusal = await posting_refusal(hub, reader, room_id)
    if refusal is not None:
        raise Forbidden(POSTING_REFUSALS[refusal], code=refusal)


async def _invited(db: Reader | Tx, actor: Actor, scope: Scope, meeting: dict[str, Any]) -> bool:
    """Session rooms follow the invitations: the whole network, or the invited libraries and
    people when the organiser chose them (scheduling's meeting_libraries/meeting_invitees)."""
    assert actor.person is not None
    if not scope.sees_network(meeting["network_id"]):
        return False
    if meeting.get("whole_network", 1):
        return True
    if await scheduling.get_invitee(db, meeting["id"], actor.person.id) is not None:
        return True
    library_id = actor.person.library_id
    return library_id is not None and await scheduling.library_is_invited(
        db, meeting["id"], library_id, date.today()
    )


async def open_session_room(tx: Tx, meeting_id: int) -> int:
    """The session room of a meeting, made if it has none yet. Rooms exist from the moment a
    session is scheduled (they appear under "Rozmowy" at once); this also opens the room of a
    meeting made before that rule."""
    room = await rooms.by_meeting(tx, meeting_id)
    if room is not None:
        return int(room["id"])
    meeting = await meetings.get_core(tx, meeting_id)
    not_found_unless(meeting is not None, "Meeting")
    assert meeting is not None
    return await rooms.insert(
        tx,
        kind="session",
        title=meeting["title"],
        created_by=meeting["created_by"],
        meeting_id=meeting_id,
        network_id=meeting["network_id"],
    )


async def open_network_room(tx: Tx, network_id: int, name: str) -> int:
    """The standing room of a network, made with the network (or on first use for older ones)."""
    room = await rooms.by_network(tx, network_id)
    if room is not None:
        return int(room["id"])
    return await rooms.insert(
        tx, kind="network", title=name, created_by=None, network_id=network_id
    )


async def room_for_meeting(hub: Hub, actor: Actor, meeting_id: int) -> int:
    """The session room of a meeting. A meeting the actor may not enter answers exactly as a
    missing one, so meeting ids are no oracle."""
    try:
        return await _room_for_meeting(hub, actor, meeting_id)
    except NotFound:
        raise NotFound("Meeting not found.") from None


async def _room_for_meeting(hub: Hub, actor: Actor, meeting_id: int) -> int:
    async with hub.db.read() as reader:
        existing = await rooms.by_meeting(reader, meeting_id)
    if existing is not None:
        await check_room_access_hub(hub, actor, existing["id"])
        return int(existing["id"])
    async with hub.db.write() as tx:
        room_id = await open_session_room(tx, meeting_id)
        await check_room_access(tx, actor, room_id)
    return int(room_id)


async def room_for_network(hub: Hub, actor: Actor, network_id: int) -> int:
    """The standing room of a network (partnership)."""
    async with hub.db.write() as tx:
        scope = await scope_of(tx, actor)
        network = await networks.get(tx, network_id)
        not_found_unless(network is not None and scope.sees_network(network_id), "Network")
        assert network is not None
        room_id = await open_network_room(tx, network_id, network.name)
    return int(room_id)


async def direct_room(hub: Hub, actor: Actor, other_person_id: int) -> int:
    """The one room of two people; either may open it if they can see each other."""
    require_person(actor)
    assert actor.person is not None
    me = actor.person.id
    if other_person_id == me:
        raise Forbidden("A direct conversation needs another person.")
    async with hub.db.write() as tx:
        scope = await scope_of(tx, actor)
        other = await people.get(tx, other_person_id)
        not_found_unless(other is not None and other.active and sees_person(scope, other), "Person")
        assert other is not None
        key = f"{min(me, other.id)}:{max(me, other.id)}"
        room = await rooms.by_direct_key(tx, key)
        if room is not None:
            return int(room["id"])
        room_id = await rooms.insert(tx, kind="direct", title="", created_by=me, direct_key=key)
        await rooms.add_member(tx, room_id, me)
        await rooms.add_member(tx, room_id, other.id)
    return room_id


async def people_to_write_to(hub: Hub, actor: Actor) -> list[Person]:
    """Everyone the actor may open a direct conversation or a group room with (``sees_person``),
    active, without herself, by name: the rooms page offers exactly whom the actions accept."""
    require_person(actor)
    assert actor.person is not None
    async with hub.db.read() as reader:
        scope = await scope_of(reader, actor)
        everyone = await people.list_all(reader)
    found = [p for p in everyone if p.active and p.id != actor.person.id and sees_person(scope, p)]
    return sorted(found, key=lambda p: p.full_name)


def sees_person(scope: Scope, person: Person) -> bool:
    """Whom one may write to or name in a room: people of one's networks and coordinators
    (who have no library and may be written to by everyone). Anyone else is unknown."""
    return scope.everything or person.library_id is None or scope.sees_library(person.library_id)


async def create_group_room(hub: Hub, actor: Actor, data: GroupRoomInput) -> int:
    require_person(actor)
    assert actor.person is not None
    errors = FieldErrors()
    errors.text("title", data.title, max_len=120)
    if len(data.member_ids) > 200:
        errors.add("member_ids", "At most 200 members.")
    errors.raise_if_any()
    async with hub.db.write() as tx:
        scope = await scope_of(tx, actor)
        for person_id in set(data.member_ids):
            person = await people.get(tx, person_id)
            if person is None or not sees_person(scope, person):
                errors.add("member_ids", f"Unknown person {person_id}.")
        errors.raise_if_any()
        room_id = await rooms.insert(
            tx, kind="group", title=data.title.strip(), created_by=actor.person.id
        )
        await rooms.add_member(tx, room_id, actor.person.id, "moderator")
        for person_id in set(data.member_ids) - {actor.person.id}:
            await rooms.add_member(tx, room_id, person_id)
    return room_id


async def check_room_access_hub(hub: Hub, actor: Actor, room_id: int) -> RoomAccess:
    async with hub.db.read() as reader:
        return await check_room_access(reader, actor, room_id)


# ---- moderation -----------------------------------------------------------------------------


def _require_moderator(access: RoomAccess) -> None:
    if not access.may_moderate:
        raise Forbidden("Only the session's host, its lead library or a coordinator may do this.")


def parse_who(who: object) -> tuple[int | None, int | None]:
    """(person id, guest id) from a who-key "p:12" / "g:5"."""
    if isinstance(who, str) and len(who) < 24 and who[:2] in ("p:", "g:"):
        # ASCII digits within SQLite's integers only: int() also reads "٣" as 3, a second key
        # for the same person, and a huge number would fail in the driver.
        number = parse_int(who[2:], low=1)
        if number is not None:
            return (number, None) if who[0] == "p" else (None, number)
    raise BadRequest('who must be "p:<person id>" or "g:<guest id>".')


async def remove_participant(hub: Hub, actor: Actor, room_id: int, who: object) -> None:
    """Bans a person or guest from the room; a guest's invitation link is revoked too.

    Their sockets are cut off by the ``removed`` event the realtime layer acts on.
    """
    person_id, guest_id = parse_who(who)
    async with hub.db.write() as tx:
        access = await check_room_access(tx, actor, room_id)
        _require_moderator(access)
        if actor.person is not None and person_id == actor.person.id:
            raise Forbidden("You cannot remove yourself.")
        if guest_id is not None:
            guest = await guests.get_guest(tx, guest_id)
            not_found_unless(
                guest is not None and guest.meeting_id == access.room["meeting_id"], "Guest"
            )
            assert guest is not None
            await guests.revoke_invitation(tx, guest.invitation_id)
            for other in await guests.guest_ids_for_invitation(tx, guest.invitation_id):
                await sessions.revoke_all_for_guest(tx, other)
        else:
            assert person_id is not None
            person = await people.get(tx, person_id)
            # Moderators are people. They learn nothing of people outside their networks:
            # unknown and hidden people answer the same 404.
            scope = await scope_of(tx, actor)
            not_found_unless(person is not None and sees_person(scope, person), "Person")
        if not await rooms.is_banned(tx, room_id, person_id=person_id, guest_id=guest_id):
            await rooms.ban(
                tx,
                room_id,
                person_id=person_id,
                guest_id=guest_id,
                banned_by=actor.person.id if actor.person else None,
            )
        if person_id is not None:
            await rooms.remove_member(tx, room_id, person_id)
        await audit.record(tx, actor, "room.remove", f"room:{room_id}/{who}")
        event = {"room_id": room_id, "who": who}
        tx.after_commit(lambda: hub.emit("removed", event, f"w:{who}"))
        tx.after_commit(lambda: hub.emit("participant_removed", event, f"r:{room_id}"))


def room_event(room: dict[str, Any]) -> dict[str, Any]:
    """What ``room_updated`` tells the room's sockets: the state that changes what they may do."""
    return {
        "room_id": room["id"],
        "locked": room["locked_at"] is not None,
        "ended": room["ended_at"] is not None,
        "guests_may_upload": bool(room["guests_may_upload"]),
    }


async def lock_room(hub: Hub, actor: Actor, room_id: int, locked: bool) -> dict[str, Any]:
    async with hub.db.write() as tx:
        access = await check_room_access(tx, actor, room_id)
        _require_moderator(access)
        if access.room["ended_at"] is not None and not locked:
            raise Forbidden("The session has ended; its room stays read-only.", code="room_locked")
        await rooms.set_locked(tx, room_id, locked)
        room = await rooms.get(tx, room_id)
        assert room is not None
        event = room_event(dict(room))
        tx.after_commit(lambda: hub.emit("room_updated", event, f"r:{room_id}"))
    return event


async def end_session(hub: Hub, actor: Actor, room_id: int) -> dict[str, Any]:
    async with hub.db.write() as tx:
        access = await check_room_access(tx, actor, room_id)
        _require_moderator(access)
        if access.room["kind"] != "session":
            raise BadRequest("Only a session's room can be ended.")
        await rooms.set_ended(tx, room_id)
        room = await rooms.get(tx, room_id)
        assert room is not None
        event = room_event(dict(room))
        tx.after_commit(lambda: hub.emit("room_updated", event, f"r:{room_id}"))
        # The room closed: the savings job freezes the record now, not at its next scan.
        tx.after_commit(hub.wake_savings)
    return event
