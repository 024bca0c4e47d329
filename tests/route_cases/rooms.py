"""Chat rooms routes (issue 5): who may list, open, read, post, moderate, see attendance."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from meetings_hub.actions import rooms as room_actions
from meetings_hub.domain import Actor, Window
from meetings_hub.storage import chat, people
from meetings_hub.storage.chat import NewMessage
from meetings_hub.storage.timefmt import now_db, now_utc, to_db
from tests.route_cases import MANAGERS, PEOPLE, SIGNED_IN, BodyId, Case, World

V1 = "/api/v1"
# The Morawica network's people and coordinators; the lead of Korsze must not see its rooms.
MORAWICA = {"partner", "lead", "coordinator"}
HIDDEN = {"other_lead": 404, "guest": 404}
COLLEAGUE = {"ours": "colleague_person_id", "theirs": "other_person_id"}


async def _lead(world: World) -> Actor:
    async with world.hub.db.read() as reader:
        person = await people.get(reader, world.ids["lead_person_id"])
    return Actor(person=person)


async def setup_world(world: World) -> None:
    lead = await _lead(world)
    world.ids["room_id"] = await room_actions.room_for_network(
        world.hub, lead, world.ids["network_id"]
    )
    world.ids["session_room_id"] = await room_actions.room_for_meeting(
        world.hub, lead, world.ids["meeting_id"]
    )


async def _lead_message(world: World, role: str) -> dict[str, Any]:
    """A message by the lead in the network room, for one delete call."""
    lead_id = world.ids["lead_person_id"]
    item = NewMessage(
        room_id=world.ids["room_id"],
        client_msg_id=uuid.uuid4().hex,
        author=f"p:{lead_id}",
        author_name="Anna Kowalczyk",
        person_id=lead_id,
        guest_id=None,
        session_id=None,
        kind="text",
        text="do usunięcia",
        body=None,
    )
    window = Window(timedelta(minutes=15), timedelta(minutes=60))
    stored = await world.hub.db.write_in_thread(
        lambda conn: chat.commit_batch(conn, [item], now_utc(), window)
    )
    assert stored[0].message is not None
    return {"room_id": world.ids["room_id"], "message_id": stored[0].message["id"]}


async def _fresh_session_room(world: World, role: str) -> dict[str, Any]:
    """A meeting of its own, so ending its session spoils nothing else."""
    start = now_utc() + timedelta(minutes=5)
    async with world.hub.db.write() as tx:
        meeting_id = await tx.execute(
            "INSERT INTO meetings (network_id, host_library_id, title, starts_at, ends_at,"
            " created_by, created_at, updated_at)"
            " SELECT network_id, host_library_id, title, ?, ?, created_by, ?, ? FROM meetings"
            " WHERE id = ?",
            (
                to_db(start),
                to_db(start + timedelta(hours=1)),
                now_db(),
                now_db(),
                world.ids["meeting_id"],
            ),
        )
    room_id = await room_actions.room_for_meeting(world.hub, await _lead(world), meeting_id)
    return {"room_id": room_id}


CASES = [
    Case("GET", V1 + "/rooms", allowed=SIGNED_IN, note="a guest lists their meeting's room"),
    Case(
        "POST",
        V1 + "/rooms",
        allowed=PEOPLE,
        ok=201,
        body=lambda w, p: {"title": w.unique("Grupa"), "member_ids": []},
        body_ids=(BodyId("member_ids[]", **COLLEAGUE),),
    ),
    Case(
        "POST",
        V1 + "/rooms/direct",
        allowed=MORAWICA,
        refused={"other_lead": 404},
        body=lambda w, p: {"person_id": w.ids["colleague_person_id"]},
        note="a person of another network is hidden",
        body_ids=(BodyId("person_id", **COLLEAGUE),),
    ),
    Case(
        "POST",
        V1 + "/networks/{network_id}/room",
        allowed=MORAWICA,
        refused={"other_lead": 404},
    ),
    Case(
        "POST",
        V1 + "/meetings/{meeting_id}/room",
        allowed=MORAWICA | {"guest"},
        refused={"other_lead": 404},
        note="the guest was invited to this meeting",
    ),
    Case(
        "GET",
        V1 + "/rooms/{room_id}/messages",
        allowed=MORAWICA | {"guest"},
        refused={"other_lead": 404},
        ids={"room_id": "session_room_id"},
    ),
    Case(
        "POST",
        V1 + "/rooms/{room_id}/messages",
        allowed=MORAWICA,
        refused=HIDDEN,
        body=lambda w, p: {"client_msg_id": uuid.uuid4().hex, "text": "Dzień dobry"},
    ),
    Case("GET", V1 + "/rooms/{room_id}/search", allowed=MORAWICA, refused=HIDDEN),
    Case("POST", V1 + "/rooms/{room_id}/read", allowed=MORAWICA, refused=HIDDEN, body={"seq": 0}),
    Case(
        "POST",
        V1 + "/rooms/{room_id}/lock",
        allowed=MANAGERS,
        refused=HIDDEN,
        body={"locked": False},
        note="the lead library and coordinators moderate the network room",
    ),
    Case(
        "POST",
        V1 + "/rooms/{room_id}/end",
        allowed=MANAGERS,
        refused=HIDDEN,
        prepare=_fresh_session_room,
    ),
    Case(
        "POST",
        V1 + "/rooms/{room_id}/remove",
        allowed=MANAGERS,
        refused=HIDDEN,
        body=lambda w, p: {"who": f"p:{w.ids['colleague_person_id']}"},
        body_ids=(BodyId("who", **COLLEAGUE, template="p:{}"),),
    ),
    Case(
        "DELETE",
        V1 + "/rooms/{room_id}/messages/{message_id}",
        allowed=MANAGERS,
        refused=HIDDEN,
        prepare=_lead_message,
        note="not the author: only moderators may delete",
    ),
    Case(
        "GET",
        V1 + "/meetings/{meeting_id}/attendance",
        allowed=MANAGERS,
        refused={"other_lead": 404},
    ),
]
