"""Server-rendered chat pages: the rooms list, one room, and the guest's way into their room.

The pages are shells: they check access and hand the browser what it needs to start (room id,
who I am, my rights). Messages, unread counts and presence come live over socket.io
(docs/realtime.md) and the JSON API, so the page never renders anything a user typed into HTML.
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

import aiohttp_jinja2
from aiohttp import web

from meetings_hub.actions import people, rooms
from meetings_hub.actions.when import day_text
from meetings_hub.domain import Actor
from meetings_hub.errors import NotFound
from meetings_hub.hub import Hub
from meetings_hub.keys import actor_key, hub_key
from meetings_hub.pages import language_of, page_id, require_signed_in


def _room_id(request: web.Request) -> int:
    return page_id(request, "room_id", "Room")


def _me(actor: Actor) -> dict[str, Any]:
    """Who the browser speaks for, in the who-key form the socket protocol uses."""
    if actor.person is not None:
        return {
            "who": f"p:{actor.person.id}",
            "person_id": actor.person.id,
            "name": actor.person.full_name,
            "guest": False,
            "timezone": actor.person.timezone,
        }
    assert actor.guest is not None
    return {
        "who": f"g:{actor.guest.id}",
        "person_id": None,
        "name": actor.guest.name,
        "guest": True,
        "timezone": "Europe/Warsaw",
    }


async def guest_room(request: web.Request) -> web.StreamResponse:
    """Where a guest lands after entering by link: their session's room (opened on first use)."""
    actor = require_signed_in(request)
    if actor.guest is None:
        raise web.HTTPSeeOther("/rooms")
    room_id = await rooms.room_for_meeting(request.app[hub_key], actor, actor.guest.meeting_id)
    raise web.HTTPSeeOther(f"/rooms/{room_id}")


async def meeting_room(request: web.Request) -> web.StreamResponse:
    """The link from a meeting's page to its session room (opened on first use)."""
    actor = require_signed_in(request)
    meeting_id = page_id(request, "meeting_id", "Meeting")
    room_id = await rooms.room_for_meeting(request.app[hub_key], actor, meeting_id)
    raise web.HTTPSeeOther(f"/rooms/{room_id}")


@aiohttp_jinja2.template("rooms.html")
async def rooms_page(request: web.Request) -> dict[str, Any]:
    actor = require_signed_in(request)
    if actor.guest is not None:
        raise web.HTTPSeeOther("/rooms/guest")
    hub = request.app[hub_key]
    assert actor.person is not None
    return {"me": _me(actor), "people": await rooms.people_to_write_to(hub, actor)}


@aiohttp_jinja2.template("room.html")
async def room_page(request: web.Request) -> dict[str, Any]:
    actor = require_signed_in(request)
    hub = request.app[hub_key]
    access = await rooms.check_room_access_hub(hub, actor, _room_id(request))
    room = access.room
    title = room["title"]
    if room["kind"] == "direct" and actor.person is not None:
        title = await _other_name(hub, actor, room["direct_key"])
    return {
        "me": _me(actor),
        "room": {
            "id": access.room_id,
            "kind": room["kind"],
            "title": title,
            "meeting_id": room["meeting_id"],
            "locked": access.locked,
            "ended": room["ended_at"] is not None,
            **await _opening(request, access.room_id),
        },
        "may_moderate": access.may_moderate,
        "edit_minutes": hub.settings.chat_edit_minutes,
    }


async def _opening(request: web.Request, room_id: int) -> dict[str, Any]:
    """A session room before it opens: when (in the reader's words and zone) and in how many
    seconds, so the page counts down and keeps the composer closed until then."""
    hub = request.app[hub_key]
    opens = await rooms.opening(hub, room_id)
    if opens is None:
        return {}
    actor = request[actor_key]
    zone = actor.person.timezone if actor.person else hub.settings.timezone
    local = opens.at.astimezone(ZoneInfo(zone))
    lang = language_of(request)
    return {
        "opens_in": opens.seconds,
        "opens_text": f"{day_text(hub, lang, local)}, {local:%H:%M}",
    }


async def _other_name(hub: Hub, actor: Actor, direct_key: str) -> str:
    """A direct room is titled with the other person's name."""
    assert actor.person is not None
    a, b = (int(x) for x in direct_key.split(":"))
    other = b if a == actor.person.id else a
    try:
        return (await people.get_person(hub, actor, other)).full_name
    except NotFound:
        return ""


def install(app: web.Application) -> None:
    r = app.router
    r.add_get("/rooms", rooms_page)
    r.add_get("/rooms/guest", guest_room)
    r.add_get("/rooms/{room_id}", room_page)
    r.add_get("/meetings/{meeting_id}/room", meeting_room)
