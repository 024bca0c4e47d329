"""The audit log: one function every administrative action calls, and the coordinator's view.

``record`` runs inside the action's own write transaction, so a change and its record commit
(or roll back) together. It stores ids, never names or emails (see migration 0017): the page
shows the current name, so an erasure anonymises the log as well without rewriting it.

Actions that record (keep the list in docs/privacy.md in step): person.create, person.update
(role, library, active, name, email), person.invite, network.member_add, network.member_end,
room.remove (a person or guest removed from a room), message.delete_other (a moderator deleting
someone else's message), data.export, data.erase, erasure.request / erasure.decline — and the
savings model's parameter changes (``savings.parameters``), once that branch lands.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime
from typing import Any

from meetings_hub.actions.access import require_coordinator
from meetings_hub.domain import Actor
from meetings_hub.hub import Hub
from meetings_hub.storage import audit
from meetings_hub.storage.audit import AuditFilter
from meetings_hub.storage.db import Tx
from meetings_hub.storage.timefmt import now_utc

PAGE_LIMIT = 500
CSV_LIMIT = 100_000
CSV_COLUMNS = ("id", "at", "actor_id", "actor_name", "action", "target", "detail", "client")


async def record(
    tx: Tx,
    actor: Actor,
    action: str,
    target: str = "",
    detail: dict[str, Any] | None = None,
    *,
    now: datetime | None = None,
) -> None:
    """Appends one entry: who (``actor``), when, what (``action``, ``detail``), to whom
    (``target``, e.g. "person:12") and from which address (``actor.client``)."""
    await audit.insert(
        tx,
        at=now or now_utc(),
        actor_id=actor.person.id if actor.person else None,
        action=action,
        target=target,
        detail=json.dumps(detail or {}, ensure_ascii=False, sort_keys=True, default=str),
        client=actor.client,
    )


async def search(
    hub: Hub, actor: Actor, wanted: AuditFilter, *, limit: int = PAGE_LIMIT
) -> list[dict[str, Any]]:
    require_coordinator(actor)
    async with hub.db.read() as reader:
        rows = await audit.search(reader, wanted, limit=limit)
    return [dict(r) for r in rows]


async def known_actions(hub: Hub, actor: Actor) -> list[str]:
    require_coordinator(actor)
    async with hub.db.read() as reader:
        return await audit.actions(reader)


def _csv_cell(value: object) -> str:
    # A cell starting with = + - @ is a formula to a spreadsheet: quote it as text.
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


async def export_csv(hub: Hub, actor: Actor, wanted: AuditFilter) -> str:
    """The filtered log as CSV (the same entries as the page, up to CSV_LIMIT), and the
    export itself is recorded: who took the log away, and when."""
    rows = await search(hub, actor, wanted, limit=CSV_LIMIT)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        writer.writerow([_csv_cell(row[c]) for c in CSV_COLUMNS])
    async with hub.db.write() as tx:
        await record(tx, actor, "audit.export", detail={"rows": len(rows)})
    return out.getvalue()
