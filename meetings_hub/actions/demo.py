"""Loads the demo network (meetings_hub.demo_data) into an empty database."""

from __future__ import annotations

from dataclasses import dataclass

from meetings_hub import demo_data
from meetings_hub.actions.rooms import open_network_room
from meetings_hub.domain import Language, LibraryKind, NetworkRole, Role
from meetings_hub.errors import Conflict
from meetings_hub.hub import Hub
from meetings_hub.storage import libraries, networks, people

# Shown on the README's first screen and printed by `make run`; valid only in demo mode.
DEMO_PASSWORD = "biblioteka-demo"  # noqa: S105 (public on purpose, demo mode only)


@dataclass(frozen=True)
class DemoLogin:
    email: str
    role: str
    library: str


async def is_empty(hub: Hub) -> bool:
    async with hub.db.read() as reader:
        return await people.count(reader) == 0 and not await libraries.list_all(reader)


async def load(hub: Hub) -> list[DemoLogin]:
    if not await is_empty(hub):
        raise Conflict("The database is not empty; demo data is loaded only into an empty one.")
    password_hash = await hub.passwords.hash(DEMO_PASSWORD)
    library_ids: dict[str, int] = {}
    names = {lib.key: lib.name for lib in demo_data.LIBRARIES}
    logins = []
    async with hub.db.write() as tx:
        for lib in demo_data.LIBRARIES:
            library_ids[lib.key] = await libraries.insert(
                tx,
                {
                    "name": lib.name,
                    "kind": LibraryKind(lib.kind).value,
                    "address": lib.address,
                    "postal_code": lib.postal_code,
                    "town": lib.town,
                    "gmina": lib.gmina,
                    "powiat": lib.powiat,
                    "voivodeship": lib.voivodeship,
                    "latitude": lib.latitude,
                    "longitude": lib.longitude,
                },
            )
        for net in demo_data.NETWORKS:
            note = net.assumption and f"Założenie demonstracyjne: {net.assumption}"
            network_id = await networks.insert(
                tx,
                name=net.name,
                lead_library_id=library_ids[net.lead],
                started_on=net.started_on,
                note=note,
            )
            await open_network_room(tx, network_id, net.name)
            for key in net.partners:
                await networks.add_member(
                    tx, network_id, library_ids[key], NetworkRole.PARTNER, net.started_on
                )
        for person in demo_data.PEOPLE:
            person_id = await people.insert(
                tx,
                full_name=person.full_name,
                email=person.email,
                library_id=library_ids[person.library] if person.library else None,
                role=Role(person.role),
                language=Language(person.language),
                timezone=hub.settings.timezone,
                password_hash=password_hash,
            )
            await people.mark_demo(tx, person_id)
            logins.append(
                DemoLogin(person.email, person.role, names.get(person.library or "", "—"))
            )
    return logins
