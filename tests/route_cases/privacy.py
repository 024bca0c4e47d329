"""Data protection routes (issue 17): the audit log, export and erasure."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from meetings_hub.actions import export
from meetings_hub.domain import Actor, GuestCategory
from meetings_hub.storage import guests, people
from meetings_hub.storage.timefmt import now_db, now_utc
from tests.route_cases import PEOPLE, BodyId, Case, World

V1 = "/api/v1"
COORDINATOR = frozenset({"coordinator"})
# The partner's own export: she and the coordinator see it, the others do not know it exists.
OWNER = frozenset({"partner", "coordinator"})
HIDDEN = {"lead": 404, "other_lead": 404}


async def setup_world(world: World) -> None:
    """A guest of the other network's meeting, and a finished export of the partner's data."""
    async with world.hub.db.write() as tx:
        invitation_id = await guests.insert_invitation(
            tx,
            meeting_id=world.ids["other_meeting_id"],
            email="",
            name="",
            category=GuestCategory.NGO.value,
            created_by=world.ids["other_lead_person_id"],
            expires_at=now_utc() + timedelta(days=30),
        )
        world.ids["other_guest_id"] = await guests.insert_guest(
            tx,
            invitation_id=invitation_id,
            meeting_id=world.ids["other_meeting_id"],
            name="Gość Korsze",
            category=GuestCategory.NGO,
        )
        partner = await people.get(tx, world.ids["person_id"])
    made = await export.request_export(world.hub, Actor(person=partner), export.ExportInput())
    world.ids["export_id"] = made.id
    for _ in range(200):  # the app's builder makes it in the background
        if (await export.get_export(world.hub, Actor(person=partner), made.id)).status == "ready":
            break
        await asyncio.sleep(0.05)
    else:
        raise AssertionError("the walk's export was not built")


async def _exports_built(world: World, role: str) -> dict[str, object]:
    """Waits until the background builder is idle: an export it is still building (from the
    case before) would change data_exports under a refused call's before/after comparison."""
    for _ in range(200):
        busy = await world.hub.db.fetch_one(
            "SELECT 1 FROM data_exports WHERE status IN ('pending', 'building')"
        )
        if busy is None:
            return {}
        await asyncio.sleep(0.05)
    raise AssertionError("the export builder did not finish")


async def _fresh_person(world: World, role: str) -> dict[str, object]:
    """A librarian of her own for each erase call (erasing spoils nothing else)."""
    async with world.hub.db.write() as tx:
        person_id = await tx.execute(
            "INSERT INTO persons (full_name, email, library_id, role, created_at, updated_at)"
            " VALUES (?, ?, ?, 'partner_librarian', ?, ?)",
            (
                world.unique("Do Usunięcia"),
                world.unique_email("erase"),
                world.ids["library_id"],
                now_db(),
                now_db(),
            ),
        )
    return {"person_id": person_id}


async def _fresh_guest(world: World, role: str) -> dict[str, object]:
    async with world.hub.db.write() as tx:
        invitation_id = await guests.insert_invitation(
            tx,
            meeting_id=world.ids["meeting_id"],
            email="",
            name="",
            category=GuestCategory.NGO.value,
            created_by=world.ids["lead_person_id"],
            expires_at=now_utc() + timedelta(days=30),
        )
        guest_id = await guests.insert_guest(
            tx,
            invitation_id=invitation_id,
            meeting_id=world.ids["meeting_id"],
            name=world.unique("Gość"),
            category=GuestCategory.NGO,
        )
    return {"guest_id": guest_id}


async def _fresh_request(world: World, role: str) -> dict[str, object]:
    person = await _fresh_person(world, role)
    async with world.hub.db.write() as tx:
        request_id = await tx.execute(
            "INSERT INTO erasure_requests (person_id, requested_at) VALUES (?, ?)",
            (person["person_id"], now_db()),
        )
    return {"request_id": request_id}


CASES = [
    Case("GET", V1 + "/audit", allowed=COORDINATOR),
    Case("GET", V1 + "/audit.csv", allowed=COORDINATOR),
    Case("POST", V1 + "/exports", allowed=PEOPLE, ok=201, body={}, note="my own data"),
    Case(
        "POST",
        V1 + "/exports",
        allowed=COORDINATOR,
        ok=201,
        prepare=_exports_built,
        body=lambda w, p: {"person_id": w.ids["colleague_person_id"]},
        body_ids=(BodyId("person_id", ours="colleague_person_id", theirs="other_person_id"),),
        note="someone else's data: the coordinator's only",
    ),
    Case(
        "POST",
        V1 + "/exports",
        allowed=COORDINATOR,
        ok=201,
        prepare=_exports_built,
        body=lambda w, p: {"guest_id": w.ids["guest_id"]},
        body_ids=(BodyId("guest_id", ours="guest_id", theirs="other_guest_id"),),
    ),
    Case("GET", V1 + "/exports", allowed=PEOPLE),
    Case("GET", V1 + "/exports/{export_id}", allowed=OWNER, refused=HIDDEN),
    Case(
        "GET",
        V1 + "/exports/{export_id}/download",
        allowed=OWNER,
        refused=HIDDEN,
        prepare=_exports_built,
    ),
    Case(
        "POST",
        V1 + "/people/{person_id}/erase",
        allowed=COORDINATOR,
        prepare=_fresh_person,
        note="coordinator only; everyone else 403 before any lookup",
    ),
    Case("POST", V1 + "/guests/{guest_id}/erase", allowed=COORDINATOR, prepare=_fresh_guest),
    Case("POST", V1 + "/erasure-requests", allowed=PEOPLE, ok=201, note="my own account"),
    Case("GET", V1 + "/erasure-requests", allowed=COORDINATOR),
    Case(
        "POST",
        V1 + "/erasure-requests/{request_id}/decline",
        allowed=COORDINATOR,
        ok=204,
        prepare=_fresh_request,
    ),
]
