"""Numbered SQL migrations (migrations/NNNN_name.sql), applied in order, never edited after."""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from importlib import resources

from meetings_hub.storage.db import Database
from meetings_hub.storage.timefmt import now_db

_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str


def available() -> list[Migration]:
    folder = resources.files("meetings_hub.storage") / "migrations"
    found = []
    for entry in folder.iterdir():
        match = _NAME.match(entry.name)
        if match:
            found.append(Migration(int(match.group(1)), entry.name, entry.read_text("utf-8")))
    found.sort(key=lambda m: m.version)
    versions = [m.version for m in found]
    if len(set(versions)) != len(versions):
        raise RuntimeError(f"two migrations share a number: {versions}")
    return found


async def applied_versions(db: Database) -> set[int]:
    # On a reader: /healthz asks on every probe, and a statement on the writer connection
    # outside db.write() would slip into whatever transaction another task has open there.
    try:
        rows = await db.fetch_all("SELECT version FROM schema_migrations")
    except sqlite3.OperationalError as exc:
        if "no such table" not in str(exc):
            raise
        return set()
    return {row[0] for row in rows}


async def pending(db: Database) -> list[Migration]:
    done = await applied_versions(db)
    return [m for m in available() if m.version not in done]


async def migrate(db: Database) -> list[str]:
    """Applies what is missing, each migration in its own transaction; returns their names."""
    async with db.write() as tx:
        await tx.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
        )
    names = []
    for migration in await pending(db):
        async with db.write() as tx:
            # executescript would commit on its own; run statement by statement in our tx.
            for statement in _split(migration.sql):
                await tx.execute(statement)
            await tx.execute(
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                (migration.version, migration.name, now_db()),
            )
        names.append(migration.name)
    return names


def _split(script: str) -> list[str]:
    """Splits a migration into statements, keeping trigger bodies (BEGIN … END;) whole."""
    statements, buffer = [], ""
    for line in script.splitlines(keepends=True):
        if line.strip().startswith("--") and not buffer.strip():
            continue
        buffer += line
        if sqlite3.complete_statement(buffer):
            if buffer.strip():
                statements.append(buffer.strip())
            buffer = ""
    if buffer.strip():
        statements.append(buffer.strip())
    return statements
