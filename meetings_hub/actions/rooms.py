"""Rooms: who may enter which room, and finding or opening the room for a meeting, a network,
a pair of people or a group. Every chat and file operation asks ``check_room_access`` first."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import msgspec

from meetings_hub.actions.access import not_found_unless, require_person, scope_of
from meetings_hub.actions.validate import FieldErrors
from meetings_hub.domain import Actor
from meetings_hub.errors import Forbidden
from meetings_hub.hub import Hub
from meetings_hub.storage import meetings, networks, people, rooms
from meetings_hub.storage.db import Reader, Tx


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
    member_ids: list[int]


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
        visible = meeting is not None and (
            scope.sees_network(meeting["network_id"]) or meeting["created_by"] == actor.person.id
        )
        moderator = meeting is not None and (
            scope.manages_network(meeting["network_id"]) or meeting["created_by"] == actor.person.id
        )
    else:
        role = await rooms.member_role(db, room_id, actor.person.id)
        visible = role is not None or scope.everything
        moderator = role == "moderator" or (kind == "group" and scope.everything)
    not_found_unless(visible, "Room")
    if await rooms.is_banned(db, room_id, person_id=actor.person.id):
        raise Forbidden("You were removed from this room.", code="removed")
    return RoomAccess(dict(room), may_moderate=bool(moderator), is_guest=False)


async def room_for_meeting(hub: Hub, actor: Actor, meeting_id: int) -> int:
    """The session room of a meeting, opened on first use."""
    async with hub.db.read() as reader:
        existing = await rooms.by_meeting(reader, meeting_id)
    if existing is not None:
        await check_room_access_hub(hub, actor, existing["id"])
        return int(existing["id"])
    async with hub.db.write() as tx:
        meeting = await meetings.get_core(tx, meeting_id)
        not_found_unless(meeting is not None, "Meeting")
        assert meeting is not None
        room = await rooms.by_meeting(tx, meeting_id)
        room_id = (
            room["id"]
            if room
            else await rooms.insert(
                tx,
                kind="session",
                title=meeting["title"],
                created_by=meeting["created_by"],
                meeting_id=meeting_id,
                network_id=meeting["network_id"],
            )
        )
        await check_room_access(tx, actor, room_id)
    return int(room_id)


async def room_for_network(hub: Hub, actor: Actor, network_id: int) -> int:
    """The standing room of a network (partnership), opened on first use."""
    async with hub.db.write() as tx:
        scope = await scope_of(tx, actor)
        network = await networks.get(tx, network_id)
        not_found_unless(network is not None and scope.sees_network(network_id), "Network")
        assert network is not None
        room = await rooms.by_network(tx, network_id)
        room_id = (
            room["id"]
            if room
            else await rooms.insert(
                tx,
                kind="network",
                title=network.name,
                created_by=None,
                network_id=network_id,
            )
        )
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
        visible = (
            other is not None
            and other.active
            and (
                scope.everything
                or other.library_id is None  # coordinators can be written to by everyone
                or scope.sees_library(other.library_id)
            )
        )
        not_found_unless(visible, "Person")
        assert other is not None
        key = f"{min(me, other.id)}:{max(me, other.id)}"
        room = await rooms.by_direct_key(tx, key)
        if room is not None:
            return int(room["id"])
        room_id = await rooms.insert(tx, kind="direct", title="", created_by=me, direct_key=key)
        await rooms.add_member(tx, room_id, me)
        await rooms.add_member(tx, room_id, other.id)
    return room_id


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
            visible = person is not None and (
                scope.everything
                or person.library_id is None
                or scope.sees_library(person.library_id)
            )
            if not visible:
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
