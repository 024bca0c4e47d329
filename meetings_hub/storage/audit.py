"""The audit log: raw SQL. Rows are only ever inserted; retention deletes the oldest."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from meetings_hub.storage.db import Reader, Row, Tx
from meetings_hub.storage.timefmt import to_db


@dataclass(frozen=True)
class AuditFilter:
    actor_id: int | None = None
    action: str = ""  # an exact action, or a prefix ending in "." ("person." = every person action)
    target: str = ""  # a prefix of the target ("person:12")
    since: datetime | None = None
    until: datetime | None = None


async def insert(
    tx: Tx,
    *,
    at: datetime,
    actor_id: int | None,
    action: str,
    target: str,
    detail: str,
    client: str,
) -> int:
    return await tx.execute(
        "INSERT INTO audit_log (at, actor_id, action, target, detail, client)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (to_db(at), actor_id, action, target, detail, client),
    )


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


async def search(db: Reader | Tx, wanted: AuditFilter, *, limit: int) -> list[Row]:
    """Newest first, with the actor's current name (an erased account's anonymised one)."""
    action_like = _escape_like(wanted.action) + ("%" if wanted.action.endswith(".") else "")
    return await db.fetch_all(
        "SELECT a.id, a.at, a.actor_id, p.full_name AS actor_name, a.action, a.target,"
        " a.detail, a.client FROM audit_log a LEFT JOIN persons p ON p.id = a.actor_id"
        " WHERE (:actor IS NULL OR a.actor_id = :actor)"
        " AND (:action = '' OR a.action LIKE :action_like ESCAPE '\\')"
        " AND (:target = '' OR a.target LIKE :target_like ESCAPE '\\')"
        " AND (:since IS NULL OR a.at >= :since) AND (:until IS NULL OR a.at < :until)"
        " ORDER BY a.at DESC, a.id DESC LIMIT :limit",
        {
            "actor": wanted.actor_id,
            "action": wanted.action,
            "action_like": action_like,
            "target": wanted.target,
            "target_like": _escape_like(wanted.target) + "%",
            "since": to_db(wanted.since) if wanted.since else None,
            "until": to_db(wanted.until) if wanted.until else None,
            "limit": limit,
        },
    )


async def actions(db: Reader | Tx) -> list[str]:
    rows = await db.fetch_all("SELECT DISTINCT action FROM audit_log ORDER BY action")
    return [r["action"] for r in rows]


async def delete_before(tx: Tx, cutoff: datetime) -> int:
    """Retention: the ONLY delete of the audit log (the table refuses UPDATE altogether)."""
    return await tx.execute_rowcount("DELETE FROM audit_log WHERE at < ?", (to_db(cutoff),))
