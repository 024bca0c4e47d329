"""Who may see and change what: every action asks here, whatever the UI shows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from meetings_hub.domain import Actor, Role
from meetings_hub.errors import Forbidden, NotFound, Unauthenticated
from meetings_hub.storage import networks
from meetings_hub.storage.db import Reader, Tx


@dataclass(frozen=True)
class Scope:
    """What one signed-in person can reach. ``everything`` is the coordinator's."""

    everything: bool
    network_ids: frozenset[int]  # networks the person's library belongs to (or leads)
    led_network_ids: frozenset[int]  # networks the person may manage
    library_ids: frozenset[int]  # libraries in those networks
    managed_library_ids: frozenset[int]  # libraries in the networks the person leads

    def sees_network(self, network_id: int) -> bool:
        return self.everything or network_id in self.network_ids

    def manages_network(self, network_id: int) -> bool:
        return self.everything or network_id in self.led_network_ids

    def sees_library(self, library_id: int) -> bool:
        return self.everything or library_id in self.library_ids

    def manages_library(self, library_id: int) -> bool:
        return self.everything or library_id in self.managed_library_ids


def require_person(actor: Actor) -> None:
    if actor.person is None:
        if actor.guest is not None:
            raise Forbidden("Guests can only take part in the meeting they were invited to.")
        raise Unauthenticated("Please sign in.")


def require_coordinator(actor: Actor) -> None:
    require_person(actor)
    if actor.role is not Role.COORDINATOR:
        raise Forbidden("Only a programme coordinator may do this.")


async def scope_of(db: Reader | Tx, actor: Actor) -> Scope:
    require_person(actor)
    assert actor.person is not None
    if actor.person.role is Role.COORDINATOR:
        empty: frozenset[int] = frozenset()
        return Scope(True, empty, empty, empty, empty)
    library_id = actor.person.library_id
    assert library_id is not None
    today = date.today()
    member_of = await networks.ids_for_library(db, library_id, active_on=today)
    led: set[int] = set()
    if actor.person.role is Role.LEAD_LIBRARIAN:
        led = await networks.ids_led_by(db, library_id)
    all_networks = member_of | led
    libraries = await networks.library_ids_in(db, all_networks, active_on=today) | {library_id}
    managed = await networks.library_ids_in(db, led, active_on=today)
    if led:
        managed |= {library_id}
    return Scope(
        False, frozenset(all_networks), frozenset(led), frozenset(libraries), frozenset(managed)
    )


def not_found_unless(visible: bool, what: str) -> None:
    """Hidden things answer 404, not 403, so ids of other networks reveal nothing."""
    if not visible:
        raise NotFound(f"{what} not found.")
