"""Foundation routes: sign-in, people, libraries, networks, outbox, guest links, system."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from meetings_hub import auth
from meetings_hub.actions import session
from meetings_hub.domain import GuestCategory, LibraryKind, NetworkRole
from meetings_hub.storage import guests, libraries, networks
from meetings_hub.storage import sessions as sessions_store
from meetings_hub.storage.timefmt import now_db, now_utc, to_db
from tests.route_cases import (
    DEMO_PASSWORD,
    EVERYONE,
    MANAGERS,
    PEOPLE,
    BodyId,
    Case,
    World,
)

# The walk's cast, by demo email (see meetings_hub/demo_data.py).
EMAILS = {
    "partner": "partner@example.org",
    "lead": "lead@example.org",
    "other_lead": "joanna.sadowska@korsze.example.org",
    "coordinator": "koordynator@example.org",
}
COLLEAGUE = "barbara.lis@checiny.example.org"  # Chęciny, Morawica: signs in during the walk
OTHER_PERSON = "elzbieta.gorska@reszel.example.org"  # Reszel, Korsze: gets reset links


async def _one(world: World, sql: str, args: tuple[Any, ...]) -> int:
    async with world.hub.db.read() as reader:
        row = await reader.fetch_one(sql, args)
    assert row is not None, (sql, args)
    return int(row[0])


async def _meeting(world: World, network_id: int, host_library_id: int, creator: int) -> int:
    start = now_utc() + timedelta(days=7)
    async with world.hub.db.write() as tx:
        return await tx.execute(
            "INSERT INTO meetings (network_id, host_library_id, title, starts_at, ends_at,"
            " created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                network_id,
                host_library_id,
                "Spotkanie sieci (walk)",
                to_db(start),
                to_db(start + timedelta(hours=1)),
                creator,
                now_db(),
                now_db(),
            ),
        )


async def _invitation(world: World, meeting_id: int) -> int:
    async with world.hub.db.write() as tx:
        return await guests.insert_invitation(
            tx,
            meeting_id=meeting_id,
            email="",
            name="",
            category=GuestCategory.EXPERT.value,
            created_by=world.ids["lead_person_id"],
            expires_at=now_utc() + timedelta(days=30),
        )


async def setup_world(world: World) -> None:
    person = "SELECT id FROM persons WHERE email = ?"
    world.emails.update(EMAILS)
    for role, email in EMAILS.items():
        key = "person_id" if role == "partner" else f"{role}_person_id"
        world.ids[key] = await _one(world, person, (email,))
        world.actors[role] = ("person", world.ids[key])
    world.ids["colleague_person_id"] = await _one(world, person, (COLLEAGUE,))
    world.ids["other_person_id"] = await _one(world, person, (OTHER_PERSON,))
    lead_library = "SELECT library_id FROM persons WHERE id = ?"
    world.ids["library_id"] = await _one(world, lead_library, (world.ids["person_id"],))
    world.ids["lead_library_id"] = await _one(world, lead_library, (world.ids["lead_person_id"],))
    world.ids["other_library_id"] = await _one(world, lead_library, (world.ids["other_person_id"],))
    led = "SELECT id FROM networks WHERE lead_library_id = ?"
    world.ids["network_id"] = await _one(world, led, (world.ids["lead_library_id"],))
    other_lead_library = await _one(world, lead_library, (world.ids["other_lead_person_id"],))
    world.ids["other_network_id"] = await _one(world, led, (other_lead_library,))
    world.ids["free_library_id"] = await _library(world)
    world.ids["meeting_id"] = await _meeting(
        world, world.ids["network_id"], world.ids["lead_library_id"], world.ids["lead_person_id"]
    )
    world.ids["other_meeting_id"] = await _meeting(
        world, world.ids["other_network_id"], other_lead_library, world.ids["other_lead_person_id"]
    )
    world.ids["invitation_id"] = await _invitation(world, world.ids["meeting_id"])
    async with world.hub.db.write() as tx:
        world.ids["guest_id"] = await guests.insert_guest(
            tx,
            invitation_id=world.ids["invitation_id"],
            meeting_id=world.ids["meeting_id"],
            name="Gość Testowy",
            category=GuestCategory.EXPERT,
        )
    world.actors["guest"] = ("guest", world.ids["guest_id"])


async def _library(world: World) -> int:
    async with world.hub.db.write() as tx:
        return await libraries.insert(
            tx,
            {"name": world.unique("Biblioteka"), "kind": LibraryKind.MUNICIPAL.value, "town": "X"},
        )


# --- prepare functions: fresh targets for calls that change or use something up ---------------


async def fresh_library(world: World, role: str) -> dict[str, Any]:
    return {"new_library_id": await _library(world)}


async def fresh_member(world: World, role: str) -> dict[str, Any]:
    library_id = await _library(world)
    async with world.hub.db.write() as tx:
        await networks.add_member(
            tx, world.ids["network_id"], library_id, NetworkRole.PARTNER, date.today()
        )
    return {"library_id": library_id}


async def fresh_invitation(world: World, role: str) -> dict[str, Any]:
    invitation_id = await _invitation(world, world.ids["meeting_id"])
    return {
        "invitation_id": invitation_id,
        "token": session.guest_link_token(world.hub, invitation_id, world.ids["meeting_id"]),
    }


def _former_member(network_key: str):  # type: ignore[no-untyped-def]
    """A library that has left the network and is in no other: its lead may take it back."""

    async def prepare(world: World, role: str) -> dict[str, Any]:
        network_id = world.ids[network_key]
        library_id = await _library(world)
        async with world.hub.db.write() as tx:
            await networks.add_member(tx, network_id, library_id, NetworkRole.PARTNER, date.today())
            await networks.end_stay(tx, network_id, library_id, date.today())
        return {"former_library_id": library_id}

    return prepare


def _one_time(purpose: str):  # type: ignore[no-untyped-def]
    async def prepare(world: World, role: str) -> dict[str, Any]:
        token = auth.new_token()
        async with world.hub.db.write() as tx:
            await sessions_store.insert_token(
                tx,
                token_id=auth.token_id(token),
                purpose=purpose,
                person_id=world.ids["other_person_id"],
                expires_at=now_utc() + timedelta(hours=1),
            )
        return {"token": token}

    return prepare


V1 = "/api/v1"
HIDDEN = {"other_lead": 404}  # the other network's lead must not learn the ids exist
LIBRARY = BodyId("library_id", ours="library_id", theirs="other_library_id")
NETWORK = BodyId("network_id", ours="network_id", theirs="other_network_id")

CASES: list[Case] = [
    # --- session (public) ---
    Case("GET", V1 + "/auth/csrf", allowed=EVERYONE),
    Case(
        "POST",
        V1 + "/auth/login",
        allowed=EVERYONE,
        ok=200,
        body={"email": COLLEAGUE, "password": DEMO_PASSWORD},
    ),
    Case("POST", V1 + "/auth/logout", allowed=EVERYONE, ok=204),
    Case(
        "POST",
        V1 + "/auth/password-reset",
        allowed=EVERYONE,
        ok=202,
        body={"email": OTHER_PERSON},
    ),
    Case(
        "POST",
        V1 + "/auth/password-reset/confirm",
        allowed=EVERYONE,
        ok=204,
        prepare=_one_time("password_reset"),
        body=lambda w, p: {"token": p["token"], "new_password": "a-new-password-123"},
    ),
    Case(
        "POST",
        V1 + "/auth/invitation/accept",
        allowed=EVERYONE,
        ok=204,
        prepare=_one_time("account_invitation"),
        body=lambda w, p: {"token": p["token"], "new_password": "a-new-password-123"},
    ),
    Case(
        "POST",
        V1 + "/guest/enter",
        allowed=EVERYONE,
        ok=200,
        prepare=fresh_invitation,
        body=lambda w, p: {"token": p["token"], "name": "Jan Gość", "category": "ngo"},
        # The guest names where she comes from: a library of her meeting's network only (the
        # meeting is Morawica's, so another network's library is foreign to every role).
        body_ids=(BodyId("origin_library_id", ours="other_library_id", theirs="other_library_id"),),
    ),
    Case("POST", V1 + "/language", allowed=EVERYONE, ok=204, body={"language": "pl"}),
    # --- me and people ---
    Case("GET", V1 + "/me", allowed=PEOPLE),
    Case("PATCH", V1 + "/me", allowed=PEOPLE, body={"timezone": "Europe/Warsaw"}),
    Case(
        "POST",
        V1 + "/auth/password",
        allowed=PEOPLE,
        ok=204,
        body={"current_password": DEMO_PASSWORD, "new_password": DEMO_PASSWORD},
        note="a guest has no password: 403 like every account-only route",
    ),
    Case("GET", V1 + "/people", allowed=PEOPLE),
    Case(
        "POST",
        V1 + "/people",
        allowed=MANAGERS,
        ok=201,
        body=lambda w, p: {
            "full_name": w.unique("Nowa Osoba"),
            "email": w.unique_email(),
            "role": "partner_librarian",
            "library_id": w.ids["library_id"],
            "send_invitation": False,
        },
        refused={"other_lead": 422},
        note="a lead adds partner librarians only to libraries of her network; another "
        "network's library is as unknown as a missing one (422 on library_id)",
        body_ids=(LIBRARY,),
    ),
    Case(
        "GET",
        V1 + "/people/{person_id}",
        allowed={"partner", "lead", "coordinator"},
        refused=HIDDEN,
    ),
    Case(
        "PATCH",
        V1 + "/people/{person_id}",
        allowed=MANAGERS,
        refused=HIDDEN,
        body={"full_name": "Tomasz Zieliński"},
    ),
    Case(
        "PATCH",
        V1 + "/people/{person_id}",
        allowed=MANAGERS,
        refused=HIDDEN,
        body=lambda w, p: {"library_id": w.ids["library_id"]},
        note="moving a librarian: only into a library the caller manages",
        body_ids=(LIBRARY,),
    ),
    Case(
        "POST",
        V1 + "/people/{person_id}/invitation",
        allowed=MANAGERS,
        refused=HIDDEN,
        ok=202,
    ),
    # --- libraries and networks ---
    Case("GET", V1 + "/libraries", allowed=PEOPLE),
    Case(
        "POST",
        V1 + "/libraries",
        allowed=MANAGERS,
        ok=201,
        body=lambda w, p: {
            "name": w.unique("Biblioteka"),
            "kind": "municipal",
            "town": "Morawica",
            "network_id": w.ids["network_id"],
        },
        note="a lead adds libraries only into her own network",
        body_ids=(NETWORK,),
    ),
    Case(
        "GET",
        V1 + "/libraries/{library_id}",
        allowed={"partner", "lead", "coordinator"},
        refused=HIDDEN,
    ),
    Case(
        "PATCH",
        V1 + "/libraries/{library_id}",
        allowed=MANAGERS,
        refused=HIDDEN,
        body={"postal_code": "26-060"},
    ),
    Case("GET", V1 + "/networks", allowed=PEOPLE),
    Case(
        "POST",
        V1 + "/networks",
        allowed={"coordinator"},
        ok=201,
        prepare=fresh_library,
        body=lambda w, p: {
            "name": w.unique("Sieć"),
            "lead_library_id": p["new_library_id"],
            "started_on": "2024-01-01",
        },
        body_ids=(BodyId("lead_library_id", ours="library_id", theirs="other_library_id"),),
    ),
    Case(
        "GET",
        V1 + "/networks/{network_id}",
        allowed={"partner", "lead", "coordinator"},
        refused=HIDDEN,
    ),
    Case(
        "PATCH",
        V1 + "/networks/{network_id}",
        allowed=MANAGERS,
        refused=HIDDEN,
        body={"note": "Notatka"},
    ),
    Case(
        "POST",
        V1 + "/networks/{network_id}/members",
        allowed={"coordinator"},
        refused=HIDDEN | {"lead": 404},
        ok=201,
        prepare=fresh_library,
        body=lambda w, p: {"library_id": p["new_library_id"]},
        note="a library in no network: the coordinator's to place (a lead cannot see it)",
        body_ids=(LIBRARY,),
    ),
    Case(
        "POST",
        V1 + "/networks/{network_id}/members",
        allowed=MANAGERS,
        refused=HIDDEN,
        ok=201,
        prepare=_former_member("network_id"),
        body=lambda w, p: {"library_id": p["former_library_id"]},
        note="a lead adds a library she can see and that is in no network she does not lead",
        body_ids=(LIBRARY,),
    ),
    Case(
        "POST",
        V1 + "/networks/{network_id}/members",
        ids={"network_id": "other_network_id"},
        allowed={"other_lead", "coordinator"},
        refused={"partner": 404, "lead": 404},
        ok=201,
        prepare=_former_member("other_network_id"),
        body=lambda w, p: {"library_id": p["former_library_id"]},
        note="the same from the Korsze side: Morawica's libraries are hidden from its lead",
        body_ids=(LIBRARY,),
    ),
    Case(
        "DELETE",
        V1 + "/networks/{network_id}/members/{library_id}",
        allowed=MANAGERS,
        refused=HIDDEN,
        ok=200,
        prepare=fresh_member,
    ),
    # --- mail, guests, system ---
    Case("GET", V1 + "/outbox", allowed={"coordinator"}),
    Case(
        "POST",
        V1 + "/meetings/{meeting_id}/guest-invitations",
        allowed=MANAGERS,
        refused=HIDDEN,
        ok=201,
        body={"name": "Wójt", "category": "local_authority"},
    ),
    Case(
        "DELETE",
        V1 + "/meetings/{meeting_id}/guest-invitations/{invitation_id}",
        allowed=MANAGERS,
        refused=HIDDEN,
        ok=204,
        prepare=fresh_invitation,
    ),
    Case("GET", "/api/openapi.json", allowed=EVERYONE),
    Case("GET", "/healthz", allowed=EVERYONE),
    Case(
        "GET",
        "/metrics",
        allowed=EVERYONE,
        note="open on a demo site without metrics_token (tests/foundation/test_metrics_access.py)",
    ),
]
