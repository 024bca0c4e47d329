"""What the home page shows each role: only things that exist and that the person may see."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from meetings_hub.actions import network, people
from meetings_hub.actions.access import scope_of
from meetings_hub.actions.occurrences import OccurrenceView, Target, list_occurrences
from meetings_hub.domain import Actor, Library, Network, Person, Role
from meetings_hub.hub import Hub
from meetings_hub.storage import meetings, outbox
from meetings_hub.storage.timefmt import now_utc


@dataclass(frozen=True)
class Overview:
    networks: list[Network]
    libraries: list[Library]
    people: list[Person]
    led_network_ids: frozenset[int]
    own_library: Library | None
    mail_counts: dict[str, int] = field(default_factory=dict)  # coordinator only

    @property
    def invited(self) -> list[Person]:
        """People whose invitation is still open (no password set yet)."""
        return [p for p in self.people if p.active and not p.has_password]

    @property
    def without_coordinates(self) -> list[Library]:
        return [lib for lib in self.libraries if lib.latitude is None]


async def overview(hub: Hub, actor: Actor) -> Overview:
    async with hub.db.read() as reader:
        scope = await scope_of(reader, actor)
    assert actor.person is not None
    libraries = await network.list_libraries(hub, actor)
    counts: dict[str, int] = {}
    if actor.person.role is Role.COORDINATOR:
        async with hub.db.read() as reader:
            counts = await outbox.count_by_status(reader)
    networks = await network.list_networks(hub, actor)
    return Overview(
        networks=networks,
        libraries=libraries,
        people=await people.list_people(hub, actor),
        led_network_ids=frozenset(n.id for n in networks if scope.manages_network(n.id)),
        own_library=next((lib for lib in libraries if lib.id == actor.person.library_id), None),
        mail_counts=counts,
    )


UPCOMING_DAYS = 60


async def upcoming(hub: Hub, actor: Actor, limit: int = 5) -> list[OccurrenceView]:
    """The next meetings on the person's own calendar (the whole programme's for a
    coordinator), from those under way now."""
    now = now_utc()
    found = await list_occurrences(
        hub, actor, Target(), now - timedelta(hours=2), now + timedelta(days=UPCOMING_DAYS)
    )
    return [o for o in found if o.end > now][:limit]


async def guest_meeting(hub: Hub, actor: Actor) -> dict[str, Any] | None:
    """The one meeting a guest was let into (guests see nothing else)."""
    if actor.guest is None:
        return None
    async with hub.db.read() as reader:
        row = await meetings.get_core(reader, actor.guest.meeting_id)
    return dict(row) if row is not None else None
