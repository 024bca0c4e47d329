"""Libraries, networks and their members: check, then do in one transaction."""

from __future__ import annotations

from datetime import date

import msgspec

from meetings_hub.actions import audit
from meetings_hub.actions.access import Scope, not_found_unless, require_coordinator, scope_of
from meetings_hub.actions.access_events import access_changed
from meetings_hub.actions.rooms import open_network_room
from meetings_hub.actions.validate import FieldErrors, Id
from meetings_hub.domain import Actor, Library, LibraryKind, Network, NetworkRole
from meetings_hub.errors import Conflict, Forbidden
from meetings_hub.hub import Hub
from meetings_hub.storage import libraries, networks
from meetings_hub.storage.db import Reader, Tx


class LibraryInput(msgspec.Struct, forbid_unknown_fields=True):
    name: str
    kind: LibraryKind
    town: str
    address: str = ""
    postal_code: str = ""
    gmina: str = ""
    powiat: str = ""
    voivodeship: str = ""
    latitude: float | None = None
    longitude: float | None = None
    network_id: Id | None = None  # a lead adds a new library straight into her network


class LibraryPatch(msgspec.Struct, forbid_unknown_fields=True, omit_defaults=True):
    name: str | None = None
    kind: LibraryKind | None = None
    town: str | None = None
    address: str | None = None
    postal_code: str | None = None
    gmina: str | None = None
    powiat: str | None = None
    voivodeship: str | None = None
    latitude: float | None = None
    longitude: float | None = None


class NetworkInput(msgspec.Struct, forbid_unknown_fields=True):
    name: str
    lead_library_id: Id
    started_on: date
    note: str = ""


class NetworkPatch(msgspec.Struct, forbid_unknown_fields=True):
    name: str | None = None
    note: str | None = None


class MemberInput(msgspec.Struct, forbid_unknown_fields=True):
    library_id: Id
    joined_on: date | None = None


def _check_library_fields(errors: FieldErrors, data: LibraryInput | LibraryPatch) -> None:
    required = isinstance(data, LibraryInput)
    errors.text("name", data.name, max_len=200)
    errors.text("town", data.town, max_len=100)
    for name in ("address", "gmina", "powiat", "voivodeship"):
        errors.text(name, getattr(data, name), required=False, max_len=200)
    errors.text("postal_code", data.postal_code, required=False, max_len=10)
    errors.coordinate("latitude", data.latitude, 90)
    errors.coordinate("longitude", data.longitude, 180)
    if required and (data.latitude is None) != (data.longitude is None):
        errors.add("longitude", "Give both latitude and longitude, or neither.")


async def list_libraries(hub: Hub, actor: Actor) -> list[Library]:
    async with hub.db.read() as reader:
        scope = await scope_of(reader, actor)
        if scope.everything:
            return await libraries.list_all(reader)
        return await libraries.list_by_ids(reader, set(scope.library_ids))


async def get_library(hub: Hub, actor: Actor, library_id: int) -> Library:
    async with hub.db.read() as reader:
        scope = await scope_of(reader, actor)
        library = await libraries.get(reader, library_id)
    not_found_unless(library is not None and scope.sees_library(library_id), "Library")
    assert library is not None
    return library


async def create_library(hub: Hub, actor: Actor, data: LibraryInput) -> Library:
    errors = FieldErrors()
    _check_library_fields(errors, data)
    errors.raise_if_any()
    async with hub.db.write() as tx:
        scope = await scope_of(tx, actor)
        if not scope.everything:
            if data.network_id is None or not scope.manages_network(data.network_id):
                raise Forbidden("You may add libraries only to a network you lead.")
        if data.network_id is not None and await networks.get(tx, data.network_id) is None:
            raise_field("network_id", "Unknown network.")
        if await libraries.find_by_name_town(tx, data.name.strip(), data.town.strip()):
            raise Conflict("A library with this name already exists in this town.")
        values = msgspec.structs.asdict(data)
        values["name"], values["town"] = data.name.strip(), data.town.strip()
        library_id = await libraries.insert(tx, values)
        if data.network_id is not None:
            await networks.add_member(
                tx, data.network_id, library_id, NetworkRole.PARTNER, date.today()
            )
        library = await libraries.get(tx, library_id)
    assert library is not None
    return library


async def update_library(hub: Hub, actor: Actor, library_id: int, data: LibraryPatch) -> Library:
    errors = FieldErrors()
    _check_library_fields(errors, data)
    errors.raise_if_any()
    async with hub.db.write() as tx:
        scope = await scope_of(tx, actor)
        current = await libraries.get(tx, library_id)
        not_found_unless(current is not None and scope.sees_library(library_id), "Library")
        if not scope.manages_library(library_id):
            raise Forbidden("You may edit only the libraries of a network you lead.")
        assert current is not None
        changes = {k: v for k, v in msgspec.structs.asdict(data).items() if v is not None}
        for key in ("name", "town"):
            if key in changes:
                changes[key] = changes[key].strip()
        name, town = changes.get("name", current.name), changes.get("town", current.town)
        same = await libraries.find_by_name_town(tx, name, town)
        if same is not None and same != library_id:
            raise Conflict("A library with this name already exists in this town.")
        await libraries.update(tx, library_id, changes)
        library = await libraries.get(tx, library_id)
    assert library is not None
    return library


async def list_networks(hub: Hub, actor: Actor) -> list[Network]:
    async with hub.db.read() as reader:
        scope = await scope_of(reader, actor)
        found = await networks.list_all(reader)
    return [n for n in found if scope.sees_network(n.id)]


async def get_network(hub: Hub, actor: Actor, network_id: int) -> Network:
    async with hub.db.read() as reader:
        scope = await scope_of(reader, actor)
        network = await networks.get(reader, network_id)
    not_found_unless(network is not None and scope.sees_network(network_id), "Network")
    assert network is not None
    return network


async def create_network(hub: Hub, actor: Actor, data: NetworkInput) -> Network:
    require_coordinator(actor)
    errors = FieldErrors()
    errors.text("name", data.name, max_len=200)
    errors.text("note", data.note, required=False, max_len=2000, multiline=True)
    errors.raise_if_any()
    async with hub.db.write() as tx:
        if await libraries.get(tx, data.lead_library_id) is None:
            errors.add("lead_library_id", "Unknown library.")
            errors.raise_if_any()
        if await networks.find_by_name(tx, data.name.strip()):
            raise Conflict("A network with this name already exists.")
        network_id = await networks.insert(
            tx,
            name=data.name.strip(),
            lead_library_id=data.lead_library_id,
            started_on=data.started_on,
            note=data.note,
        )
        await open_network_room(tx, network_id, data.name.strip())
        network = await networks.get(tx, network_id)
    assert network is not None
    return network


async def update_network(hub: Hub, actor: Actor, network_id: int, data: NetworkPatch) -> Network:
    errors = FieldErrors()
    errors.text("name", data.name, max_len=200)
    errors.text("note", data.note, required=False, max_len=2000, multiline=True)
    errors.raise_if_any()
    async with hub.db.write() as tx:
        scope = await scope_of(tx, actor)
        current = await networks.get(tx, network_id)
        not_found_unless(current is not None and scope.sees_network(network_id), "Network")
        if not scope.manages_network(network_id):
            raise Forbidden("Only the network's lead library or a coordinator may change it.")
        if data.name is not None:
            same = await networks.find_by_name(tx, data.name.strip())
            if same is not None and same != network_id:
                raise Conflict("A network with this name already exists.")
        await networks.update(tx, network_id, name=data.name and data.name.strip(), note=data.note)
        network = await networks.get(tx, network_id)
    assert network is not None
    return network


async def add_member(hub: Hub, actor: Actor, network_id: int, data: MemberInput) -> Network:
    async with hub.db.write() as tx:
        scope = await scope_of(tx, actor)
        network = await networks.get(tx, network_id)
        not_found_unless(network is not None and scope.sees_network(network_id), "Network")
        if not scope.manages_network(network_id):
            raise Forbidden("Only the network's lead library or a coordinator may add members.")
        await check_may_adopt(tx, scope, data.library_id)
        if await networks.open_stay(tx, network_id, data.library_id):
            raise Conflict("This library is already a member of the network.")
        joined_on = data.joined_on or date.today()
        await networks.add_member(tx, network_id, data.library_id, NetworkRole.PARTNER, joined_on)
        await audit.record(
            tx,
            actor,
            "network.member_add",
            f"network:{network_id}/library:{data.library_id}",
            {"joined_on": joined_on.isoformat()},
        )
        network = await networks.get(tx, network_id)
    assert network is not None
    return network


async def _adoptable(
    db: Reader | Tx, scope: Scope, library_ids: set[int]
) -> tuple[set[int], set[int]]:
    """Of these libraries: (those the actor can see, those she may bring into a network she
    manages).

    A coordinator: any. A lead sees her networks' libraries and the former members of a
    network she leads (listed in its history); of those she may add one whose every open
    stay is in a network she leads. So she cannot adopt another network's library, and with
    it manage (and take over) its librarians; moving a library between networks, or placing
    one that was never in hers, is the coordinator's.
    """
    if scope.everything:
        return library_ids, library_ids
    led = set(scope.led_network_ids)
    seen = library_ids & (set(scope.library_ids) | await networks.library_ids_ever_in(db, led))
    today = date.today()
    return seen, {
        library_id
        for library_id in seen
        if not await networks.open_ids_for_library(db, library_id, on=today) - led
    }


async def check_may_adopt(db: Reader | Tx, scope: Scope, library_id: int) -> None:
    """A missing library and one the actor cannot see answer the same 404 (ids are no
    oracle); one she sees but that belongs to another network, 403."""
    exists = await libraries.get(db, library_id) is not None
    seen, allowed = await _adoptable(db, scope, {library_id} if exists else set())
    not_found_unless(bool(seen), "Library")
    if not allowed:
        raise Forbidden(
            "This library belongs to another network; only a coordinator can add it here.",
            code="library_in_other_network",
        )


async def member_candidates(hub: Hub, actor: Actor, network: Network) -> list[Library]:
    """The libraries the add-member form offers: those ``check_may_adopt`` accepts."""
    current = {m.library_id for m in network.members if m.active}
    async with hub.db.read() as reader:
        scope = await scope_of(reader, actor)
        if not scope.manages_network(network.id):
            return []
        every = await libraries.list_all(reader)
        _, allowed = await _adoptable(reader, scope, {lib.id for lib in every} - current)
    return [lib for lib in every if lib.id in allowed]


async def end_membership(hub: Hub, actor: Actor, network_id: int, library_id: int) -> Network:
    """Ends a library's stay in the network today; its history (and past sessions) remain."""
    async with hub.db.write() as tx:
        scope = await scope_of(tx, actor)
        network = await networks.get(tx, network_id)
        not_found_unless(network is not None and scope.sees_network(network_id), "Network")
        if not scope.manages_network(network_id):
            raise Forbidden("Only the network's lead library or a coordinator may remove members.")
        assert network is not None
        if library_id == network.lead_library_id:
            raise Conflict("The lead library cannot leave its own network.")
        stay = await networks.open_stay(tx, network_id, library_id)
        not_found_unless(stay is not None, "Membership")
        assert stay is not None
        left_on = max(date.today(), date.fromisoformat(stay["joined_on"]))
        await networks.end_stay(tx, network_id, library_id, left_on)
        await audit.record(
            tx,
            actor,
            "network.member_end",
            f"network:{network_id}/library:{library_id}",
            {"left_on": left_on.isoformat()},
        )
        tx.after_commit(access_changed(hub, network_id=network_id))
        network = await networks.get(tx, network_id)
    assert network is not None
    return network


def raise_field(name: str, message: str) -> None:
    errors = FieldErrors()
    errors.add(name, message)
    errors.raise_if_any()
