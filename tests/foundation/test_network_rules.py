"""Who may add which library to a network (issue 10, item 1), and renames onto a taken name.

A lead adopting another network's library would manage its partner librarians: change their
email, send them an account invitation, and sign in as them. The route walk checks every body
id against a missing one; these tests follow the whole attack and the rules around it.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from meetings_hub.domain import NetworkRole
from meetings_hub.storage import networks
from tests.foundation.walk_support import MISSING_ID, client_as, dump, start_world

V1 = "/api/v1"


async def test_a_lead_cannot_adopt_another_networks_library_nor_its_librarians(
    tmp_path: Path,
) -> None:
    server, world = await start_world(tmp_path)
    ids = world.ids
    lead = await client_as(server, world, "lead")
    try:
        members = f"{V1}/networks/{ids['network_id']}/members"
        before = dump(server.settings.sqlite_path)
        hidden = await lead.post(members, {"library_id": ids["other_library_id"]})
        missing = await lead.post(members, {"library_id": MISSING_ID})
        assert hidden[0] == 404, hidden
        # The same answer: the id of another network's library is no oracle.
        assert hidden == missing
        person = f"{V1}/people/{ids['other_person_id']}"
        assert (await lead.request("PATCH", person, json={"email": "x@example.org"}))[0] == 404
        assert (await lead.post(person + "/invitation"))[0] == 404
        assert dump(server.settings.sqlite_path) == before
        # The page offers only what the action accepts.
        status, page = await lead.get(f"/networks/{ids['network_id']}")
        assert status == 200
        assert "Reszlu" not in page
    finally:
        await lead.close()
        await server.runner.cleanup()


async def test_what_a_lead_and_the_coordinator_may_add(tmp_path: Path) -> None:
    server, world = await start_world(tmp_path)
    ids = world.ids
    lead = await client_as(server, world, "lead")
    coordinator = await client_as(server, world, "coordinator")
    members = f"{V1}/networks/{ids['network_id']}/members"
    try:
        # A former member of her own network, now in none: she may take it back.
        former = ids["free_library_id"]
        async with world.hub.db.write() as tx:
            await networks.add_member(
                tx, ids["network_id"], former, NetworkRole.PARTNER, date(2020, 1, 1)
            )
            await networks.end_stay(tx, ids["network_id"], former, date(2021, 1, 1))
        status, page = await lead.get(f"/networks/{ids['network_id']}")
        assert f'<option value="{former}"' in page
        assert (await lead.post(members, {"library_id": former}))[0] == 201
        # Another network's library is hidden (404); once she can see it (her library joins
        # that network as a partner) it stays that network's: 403, with a code forms can show.
        status, body = await lead.post(members, {"library_id": ids["other_library_id"]})
        assert (status, body["error"]["code"]) == (404, "not_found")
        async with world.hub.db.write() as tx:
            await networks.add_member(
                tx, ids["other_network_id"], ids["lead_library_id"], NetworkRole.PARTNER,
                date(2020, 1, 1),
            )  # fmt: skip
        status, body = await lead.post(members, {"library_id": ids["other_library_id"]})
        assert (status, body["error"]["code"]) == (403, "library_in_other_network"), body
        status, page = await lead.get(f"/networks/{ids['network_id']}")
        assert "Reszlu" not in page
        # The coordinator places any library, also one of another network.
        status, body = await coordinator.post(members, {"library_id": ids["other_library_id"]})
        assert status == 201, body
    finally:
        await lead.close()
        await coordinator.close()
        await server.runner.cleanup()


async def test_renaming_onto_a_taken_name_is_a_conflict_like_creating(tmp_path: Path) -> None:
    server, world = await start_world(tmp_path)
    ids = world.ids
    coordinator = await client_as(server, world, "coordinator")
    try:
        _, other = await coordinator.get(f"{V1}/libraries/{ids['other_library_id']}")
        before = dump(server.settings.sqlite_path)
        library = f"{V1}/libraries/{ids['library_id']}"
        for body in (
            {"name": other["name"], "town": other["town"]},
            {"name": f" {other['name']} ", "town": other["town"] + " "},
        ):
            status, answer = await coordinator.request("PATCH", library, json=body)
            assert (status, answer["error"]["code"]) == (409, "conflict"), answer
        _, korsze = await coordinator.get(f"{V1}/networks/{ids['other_network_id']}")
        network = f"{V1}/networks/{ids['network_id']}"
        status, answer = await coordinator.request("PATCH", network, json={"name": korsze["name"]})
        assert (status, answer["error"]["code"]) == (409, "conflict"), answer
        assert dump(server.settings.sqlite_path) == before
        # Keeping one's own name (or changing only the town) is no conflict.
        _, mine = await coordinator.get(library)
        status, _ = await coordinator.request("PATCH", library, json={"name": mine["name"]})
        assert status == 200
    finally:
        await coordinator.close()
        await server.runner.cleanup()
