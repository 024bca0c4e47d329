"""Import an uploaded .ics file as sessions of a network: preview first, then create."""

from __future__ import annotations

from meetings_hub.actions.access import scope_of
from meetings_hub.domain import Actor, Network
from meetings_hub.hub import Hub
from meetings_hub.storage import networks


async def networks_for_import(hub: Hub, actor: Actor) -> list[Network]:
    """The networks the person may schedule sessions in, so may import into."""
    async with hub.db.read() as reader:
        scope = await scope_of(reader, actor)
        found = await networks.list_all(reader)
    return [n for n in found if scope.manages_network(n.id)]
