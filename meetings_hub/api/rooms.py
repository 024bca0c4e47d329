"""Chat rooms over HTTP: rooms list with unread counts, history, search, DMs, group rooms,
moderation and the attendance list. The live traffic is the /chat socket (docs/realtime.md)."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec

from meetings_hub.actions import attendance, chat, rooms
from meetings_hub.api.routing import ApiRoutes, Call
from meetings_hub.keys import chat_committer_key

routes = ApiRoutes()
TAG = "rooms"

Id = Annotated[int, msgspec.Meta(ge=1, le=2**63 - 1)]
Seq = Annotated[int, msgspec.Meta(ge=0, le=2**63 - 1)]


class RoomSummary(msgspec.Struct):
    id: int
    kind: str
    title: str
    meeting_id: int | None
    network_id: int | None
    last_seq: int
    unread: int
    mentions: int
    locked: bool
    ended: bool
    live: bool = False  # a session room whose meeting has a date on now


class Message(msgspec.Struct):
    room_id: int
    id: int
    seq: int
    client_msg_id: str
    author: str
    author_name: str
    kind: str
    text: str
    body: dict[str, Any] | None
    mentions: list[int | str]  # person ids, and "g:<id>" for mentioned guests
    time: str
    edited_at: str | None
    deleted: bool


class ReadMarker(msgspec.Struct):
    who: str
    seq: int


class HistoryPage(msgspec.Struct):
    room_id: int
    last_seq: int
    messages: list[Message]
    reads: list[ReadMarker]


class RoomRef(msgspec.Struct):
    id: int


class RoomState(msgspec.Struct):
    room_id: int
    locked: bool
    ended: bool


class DirectInput(msgspec.Struct, forbid_unknown_fields=True):
    person_id: Id


class ReadInput(msgspec.Struct, forbid_unknown_fields=True):
    seq: Seq


class LockInput(msgspec.Struct, forbid_unknown_fields=True):
    locked: bool


class RemoveInput(msgspec.Struct, forbid_unknown_fields=True):
    who: Annotated[str, msgspec.Meta(max_length=24)]


GuestKey = Annotated[str, msgspec.Meta(pattern="^g:[0-9]{1,18}$")]


class PostInput(msgspec.Struct, forbid_unknown_fields=True):
    client_msg_id: Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
    text: Annotated[str, msgspec.Meta(max_length=4000)] = ""
    kind: Annotated[str, msgspec.Meta(max_length=20)] = "text"
    body: dict[str, Any] | None = None
    # Person ids, or "g:<id>" for a guest of the room.
    mentions: Annotated[list[Id | GuestKey], msgspec.Meta(max_length=50)] = []


class Posted(msgspec.Struct):
    message: Message
    duplicate: bool


class Unread(msgspec.Struct):
    unread: int


class Interval(msgspec.Struct):
    joined_at: str
    left_at: str | None


class Attendee(msgspec.Struct):
    who: str
    name: str
    guest: bool
    library: str
    first_joined: str
    last_left: str | None
    present: bool
    minutes: int
    intervals: list[Interval]


class AttendanceList(msgspec.Struct):
    meeting_id: int
    room_id: int | None
    people: list[Attendee]


@routes.route(
    "GET", "/rooms", summary="My rooms with unread counts", response=list[RoomSummary], tag=TAG
)
async def list_rooms(call: Call) -> list[RoomSummary]:
    found = await chat.list_rooms(call.hub, call.actor)
    return msgspec.convert(found, list[RoomSummary])


@routes.route(
    "POST",
    "/rooms",
    summary="Create a group room",
    body=rooms.GroupRoomInput,
    response=RoomRef,
    status=201,
    tag=TAG,
)
async def create_group(call: Call) -> RoomRef:
    return RoomRef(await rooms.create_group_room(call.hub, call.actor, call.body))


@routes.route(
    "POST",
    "/rooms/direct",
    summary="Open the direct conversation with a person",
    body=DirectInput,
    response=RoomRef,
    tag=TAG,
    errors=(404,),
)
async def open_direct(call: Call) -> RoomRef:
    return RoomRef(await rooms.direct_room(call.hub, call.actor, call.body.person_id))


@routes.route(
    "POST",
    "/networks/{network_id}/room",
    summary="The network's standing room",
    response=RoomRef,
    tag=TAG,
)
async def network_room(call: Call) -> RoomRef:
    return RoomRef(await rooms.room_for_network(call.hub, call.actor, call.int_param("network_id")))


@routes.route(
    "POST",
    "/meetings/{meeting_id}/room",
    summary="The meeting's session room",
    response=RoomRef,
    tag=TAG,
)
async def meeting_room(call: Call) -> RoomRef:
    return RoomRef(await rooms.room_for_meeting(call.hub, call.actor, call.int_param("meeting_id")))


@routes.route(
    "GET",
    "/rooms/{room_id}/messages",
    summary="A page of history, newest first (before_seq, limit ≤ 200)",
    response=HistoryPage,
    tag=TAG,
)
async def history(call: Call) -> HistoryPage:
    page = await chat.history(
        call.hub,
        call.actor,
        call.int_param("room_id"),
        call.query_int("before_seq", high=2**62),
        call.query_int("limit") or 50,
    )
    return msgspec.convert(page, HistoryPage)


@routes.route(
    "POST",
    "/rooms/{room_id}/messages",
    summary="Post a message (the socket's send, for clients without a socket)",
    body=PostInput,
    response=Posted,
    tag=TAG,
)
async def post(call: Call) -> Posted:
    data = msgspec.to_builtins(call.body)
    message, duplicate = await chat.post_message(
        call.hub, call.request.app[chat_committer_key], call.actor, call.int_param("room_id"), data
    )
    return Posted(msgspec.convert(message, Message), duplicate)


@routes.route(
    "GET",
    "/rooms/{room_id}/search",
    summary="Search the room (case and Polish diacritics ignored)",
    response=list[Message],
    tag=TAG,
)
async def search(call: Call) -> list[Message]:
    found = await chat.search(
        call.hub, call.actor, call.int_param("room_id"), call.request.query.get("q", "")
    )
    return msgspec.convert(found, list[Message])


@routes.route(
    "POST",
    "/rooms/{room_id}/read",
    summary="Mark read up to seq",
    body=ReadInput,
    response=Unread,
    tag=TAG,
)
async def mark_read(call: Call) -> Unread:
    unread = await chat.mark_read(call.hub, call.actor, call.int_param("room_id"), call.body.seq)
    return Unread(unread)


@routes.route(
    "POST",
    "/rooms/{room_id}/lock",
    summary="Lock the room read-only, or open it again (moderators)",
    body=LockInput,
    response=RoomState,
    tag=TAG,
)
async def lock(call: Call) -> RoomState:
    state = await rooms.lock_room(call.hub, call.actor, call.int_param("room_id"), call.body.locked)
    return msgspec.convert(state, RoomState)


@routes.route(
    "POST",
    "/rooms/{room_id}/end",
    summary="End the session (moderators of a session room)",
    response=RoomState,
    tag=TAG,
)
async def end(call: Call) -> RoomState:
    state = await rooms.end_session(call.hub, call.actor, call.int_param("room_id"))
    return msgspec.convert(state, RoomState)


@routes.route(
    "POST",
    "/rooms/{room_id}/remove",
    summary="Remove a participant (moderators); a guest's link is revoked",
    body=RemoveInput,
    tag=TAG,
)
async def remove(call: Call) -> None:
    await rooms.remove_participant(call.hub, call.actor, call.int_param("room_id"), call.body.who)


@routes.route(
    "DELETE",
    "/rooms/{room_id}/messages/{message_id}",
    summary="Delete a message (author within 15 minutes, moderators any)",
    response=Message,
    tag=TAG,
)
async def delete(call: Call) -> Message:
    message = await chat.delete_message(
        call.hub, call.actor, call.int_param("room_id"), call.int_param("message_id")
    )
    return msgspec.convert(message, Message)


@routes.route(
    "GET",
    "/meetings/{meeting_id}/attendance",
    summary="Who was present in the session room, and for how many minutes",
    response=AttendanceList,
    tag=TAG,
)
async def attendance_list(call: Call) -> AttendanceList:
    found = await attendance.for_meeting(call.hub, call.actor, call.int_param("meeting_id"))
    return msgspec.convert(found, AttendanceList)
