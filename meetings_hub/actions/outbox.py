"""The outbox page: coordinators read what was (or will be) mailed."""

from __future__ import annotations

from typing import Any

from meetings_hub.actions.access import require_coordinator
from meetings_hub.domain import Actor
from meetings_hub.hub import Hub
from meetings_hub.storage import outbox


async def list_mail(hub: Hub, actor: Actor) -> list[dict[str, Any]]:
    require_coordinator(actor)
    async with hub.db.read() as reader:
        rows = await outbox.list_recent(reader)
    return [dict(r) for r in rows]
