"""Scheduling routes: sessions and series, occurrences, answers, the schedule window."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from meetings_hub.actions import rsvp, scheduling
from meetings_hub.domain import Actor
from meetings_hub.storage import people
from meetings_hub.storage.timefmt import now_utc
from tests.route_cases import MANAGERS, PEOPLE, SIGNED_IN, STAFF, BodyId, Case, World

V1 = "/api/v1"
HIDDEN = {"other_lead": 404}
# A guest is admitted to one meeting only; the actions refuse her everything else with 403.
GUEST_AND_HIDDEN = {"other_lead": 404, "guest": 403}


async def setup_world(world: World) -> None:
    target = rsvp.RsvpTarget(
        world.ids["meeting_id"], "accepted", invitation_id=world.ids["invitation_id"]
    )
    world.ids["rsvp_token"] = rsvp.token(world.hub, target, now_utc() + timedelta(days=30))


def _start(days: int = 14) -> str:
    """A Tuesday 10:00 (wall clock) a few weeks ahead."""
    day = (now_utc() + timedelta(days=days)).date()
    day += timedelta(days=(1 - day.weekday()) % 7)
    return f"{day.isoformat()}T10:00:00"


async def _lead_schedules(world: World, **extra: Any) -> int:
    async with world.hub.db.read() as reader:
        lead = await people.get(reader, world.ids["lead_person_id"])
    start = datetime.fromisoformat(_start())
    data = scheduling.ScheduleInput(title=world.unique("Spotkanie"), start=start, **extra)
    return await scheduling.schedule(world.hub, Actor(person=lead), data)


async def fresh_meeting(world: World, role: str) -> dict[str, Any]:
    return {"meeting_id": await _lead_schedules(world)}


async def fresh_series(world: World, role: str) -> dict[str, Any]:
    rule = scheduling.RecurrenceInput(freq="WEEKLY", weekdays=["TU"], count=3)
    meeting_id = await _lead_schedules(world, recurrence=rule)
    async with world.hub.db.read() as reader:
        row = await reader.fetch_one("SELECT starts_at FROM meetings WHERE id = ?", (meeting_id,))
    first = str(row["starts_at"])  # 2027-10-19T08:00:00.000000Z
    original = first[:19].replace("-", "").replace(":", "") + "Z"
    return {"meeting_id": meeting_id, "original_start": original, "start": first}


async def fresh_in_person(world: World, role: str) -> dict[str, Any]:
    return {"meeting_id": await _lead_schedules(world, kind="in_person", address="Rynek 1")}


def _schedule_body(world: World, prepared: dict[str, Any]) -> dict[str, Any]:
    return {
        "title": world.unique("Warsztaty"),
        "start": _start(21),
        "network_id": world.ids["network_id"],
    }


# Every id a schedule body may carry; each of another network must be as unknown as a missing one.
SCHEDULE_IDS = (
    BodyId("network_id", ours="network_id", theirs="other_network_id"),
    BodyId("host_library_id", ours="library_id", theirs="other_library_id"),
    BodyId("library_ids[]", ours="library_id", theirs="other_library_id"),
    BodyId("person_ids[]", ours="colleague_person_id", theirs="other_person_id"),
)

CASES = [
    Case(
        "GET",
        V1 + "/occurrences",
        allowed=PEOPLE,
        note="without ?person_id etc.: the caller's own schedule",
    ),
    Case("GET", V1 + "/meetings/defaults", allowed=STAFF, note="other_lead: her own network"),
    Case(
        "POST",
        V1 + "/meetings",
        allowed=MANAGERS,
        refused={"other_lead": 422},
        ok=201,
        body=_schedule_body,
        note="another network's id is an unknown network (422 on network_id), never a 403",
        body_ids=SCHEDULE_IDS,
    ),
    Case("GET", V1 + "/meetings/{meeting_id}", allowed=SIGNED_IN - {"other_lead"}, refused=HIDDEN),
    Case(
        "GET",
        V1 + "/meetings/{meeting_id}",
        ids={"meeting_id": "other_meeting_id"},
        allowed={"other_lead", "coordinator"},
        refused={"partner": 404, "lead": 404, "guest": 404},
        note="a guest of one meeting and the other network see nothing of another",
    ),
    Case(
        "PUT",
        V1 + "/meetings/{meeting_id}",
        allowed=MANAGERS,
        refused=GUEST_AND_HIDDEN,
        body=_schedule_body,
        body_ids=SCHEDULE_IDS,
    ),
    Case(
        "POST",
        V1 + "/meetings/{meeting_id}/cancel",
        allowed=MANAGERS,
        refused=GUEST_AND_HIDDEN,
        ok=204,
        prepare=fresh_meeting,
    ),
    Case(
        "PUT",
        V1 + "/meetings/{meeting_id}/occurrences/{original_start}",
        allowed=MANAGERS,
        refused=GUEST_AND_HIDDEN,
        prepare=fresh_series,
        body=lambda w, p: {"start": p["start"][:19], "end": p["start"][:11] + "23:00:00"},
    ),
    Case(
        "DELETE",
        V1 + "/meetings/{meeting_id}/occurrences/{original_start}",
        allowed=MANAGERS,
        refused=GUEST_AND_HIDDEN,
        ok=204,
        prepare=fresh_series,
    ),
    Case(
        "POST",
        V1 + "/meetings/{meeting_id}/rsvp",
        allowed=SIGNED_IN - {"other_lead"},
        refused=HIDDEN,
        ok=204,
        body={"answer": "accepted"},
    ),
    Case(
        "PUT",
        V1 + "/meetings/{meeting_id}/occurrences/{original_start}/rsvp",
        allowed=SIGNED_IN - {"other_lead", "guest"},
        refused=GUEST_AND_HIDDEN,
        ok=204,
        prepare=fresh_series,
        body={"answer": "declined"},
        note="people answer per date; a guest answers for the whole meeting",
    ),
    Case(
        "PUT",
        V1 + "/meetings/{meeting_id}/libraries/{library_id}/travel",
        allowed={"partner", "lead", "coordinator"},
        refused={"other_lead": 404, "guest": 404},
        ok=204,
        prepare=fresh_in_person,
        body={"librarians": 2, "readers": 3, "cars": 1},
        note="the partner answers for her own library (Chęciny); managers for any",
    ),
    Case(
        "POST",
        V1 + "/rsvp/{token}",
        ids={"token": "rsvp_token"},
        allowed=set(SIGNED_IN | {"anonymous"}),
        note="the signed link is the authority (the guest's invitation here)",
    ),
]
