"""Storage: pragmas, the single writer, migrations, online backup while writing."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest

from meetings_hub.storage import migrate
from meetings_hub.storage.db import Database
from tests.foundation.process_support import env_for, run_cli


@pytest.fixture
async def db(tmp_path: Path):  # type: ignore[no-untyped-def]
    database = Database(tmp_path / "t.sqlite3", readers=2)
    await database.open()
    await migrate.migrate(database)
    yield database
    await database.close()


async def _pragma(conn, name: str):  # type: ignore[no-untyped-def]
    async with conn.execute(f"PRAGMA {name}") as cursor:
        return (await cursor.fetchone())[0]


async def test_every_connection_has_wal_foreign_keys_and_busy_timeout(db: Database) -> None:
    connections = [db.writer, *db._all_readers]
    for conn in connections:
        assert await _pragma(conn, "journal_mode") == "wal"
        assert await _pragma(conn, "foreign_keys") == 1
        assert await _pragma(conn, "busy_timeout") >= 5000
    for conn in db._all_readers:
        assert await _pragma(conn, "query_only") == 1


async def test_foreign_keys_are_enforced(db: Database) -> None:
    with pytest.raises(sqlite3.IntegrityError):
        async with db.write() as tx:
            await tx.execute(
                "INSERT INTO network_members (network_id, library_id, role, joined_on)"
                " VALUES (9999, 9999, 'partner', '2024-01-01')"
            )


async def test_readers_cannot_write(db: Database) -> None:
    async with db.read() as reader:
        with pytest.raises(sqlite3.OperationalError):
            await reader.fetch_one("DELETE FROM libraries")


async def test_concurrent_writes_go_through_one_writer_without_losing_any(db: Database) -> None:
    async with db.write() as tx:
        await tx.execute("CREATE TABLE counter (n INTEGER NOT NULL)")
        await tx.execute("INSERT INTO counter VALUES (0)")

    async def bump() -> None:
        async with db.write() as tx:
            row = await tx.fetch_one("SELECT n FROM counter")
            await asyncio.sleep(0)  # let the others try to get in
            await tx.execute("UPDATE counter SET n = ?", (row["n"] + 1,))

    async def read_while_writing() -> int:
        # Readers are never blocked by the writer and never see half a transaction.
        row = await db.fetch_one("SELECT n FROM counter")
        return int(row["n"])

    results = await asyncio.gather(
        *(bump() for _ in range(200)), *(read_while_writing() for _ in range(50))
    )
    assert all(isinstance(r, int) or r is None for r in results)
    assert (await db.fetch_one("SELECT n FROM counter"))["n"] == 200


async def test_a_failed_transaction_rolls_back_whole_and_after_commit_does_not_run(
    db: Database,
) -> None:
    ran: list[str] = []
    with pytest.raises(RuntimeError):
        async with db.write() as tx:
            await tx.execute(
                "INSERT INTO libraries (name, kind, town, created_at, updated_at)"
                " VALUES ('A', 'city', 'X', '', '')"
            )
            tx.after_commit(lambda: ran.append("sent"))
            raise RuntimeError("boom")
    assert (await db.fetch_one("SELECT COUNT(*) AS n FROM libraries"))["n"] == 0
    assert ran == []
    async with db.write() as tx:
        tx.after_commit(lambda: ran.append("sent"))
    assert ran == ["sent"]


async def test_migrations_are_idempotent_and_tracked(db: Database) -> None:
    assert await migrate.migrate(db) == []
    assert await migrate.pending(db) == []
    rows = await db.fetch_all("SELECT version, name FROM schema_migrations ORDER BY version")
    assert [(r["version"], r["name"]) for r in rows] == [
        (m.version, m.name) for m in migrate.available()
    ]
    assert await db.fetch_all("PRAGMA foreign_key_check") == []


async def test_pending_on_a_fresh_database_lists_all_and_writes_nothing(tmp_path: Path) -> None:
    fresh = Database(tmp_path / "fresh.sqlite3", readers=1)
    await fresh.open()
    try:
        names = [m.name for m in await migrate.pending(fresh)]
        assert names == [m.name for m in migrate.available()]
        assert await fresh.fetch_all("SELECT name FROM sqlite_master") == []
    finally:
        await fresh.close()


def test_cli_migrate_applies_then_reports_up_to_date(tmp_path: Path) -> None:
    env = env_for(tmp_path / "var")
    first = run_cli(["migrate"], env)
    assert first.returncode == 0, first.stderr
    assert "applied: 0001_foundation.sql" in first.stdout
    second = run_cli(["migrate"], env)
    assert second.returncode == 0 and "up to date" in second.stdout
    demo = run_cli(["demo"], env)
    assert demo.returncode == 0 and "demo data loaded" in demo.stdout, demo.stderr
    assert "25 people, 12 sessions" in demo.stdout  # what `make run` shows a new user
    again = run_cli(["demo", "--if-empty"], env)
    assert again.returncode == 0 and "not empty" in again.stdout
    with sqlite3.connect(tmp_path / "var" / "meetings_hub.sqlite3") as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        # 12 upcoming sessions plus 8 past ones that fill the savings log (demo_savings).
        assert conn.execute("SELECT count(*) FROM meetings").fetchone()[0] == 20
        assert conn.execute("SELECT count(*) FROM savings_records").fetchone()[0] > 0
    conn.close()


def test_cli_backup_refuses_a_missing_database(tmp_path: Path) -> None:
    result = run_cli(["backup", "--output", str(tmp_path / "b.sqlite3")], env_for(tmp_path / "no"))
    assert result.returncode == 1 and "no database" in result.stderr
    assert not (tmp_path / "no" / "meetings_hub.sqlite3").exists()


async def test_backup_while_writing_gives_a_consistent_copy(tmp_path: Path, db: Database) -> None:
    """`meetings-hub backup` in another process while this one keeps committing pairs of rows:
    the copy opens, passes integrity_check, and never holds half a transaction."""
    env = env_for(tmp_path / "var", {"MEETINGS_HUB_DATABASE_URL": f"sqlite:///{db.path}"})
    stop = asyncio.Event()

    async def keep_writing() -> int:
        n = 0
        while not stop.is_set():
            async with db.write() as tx:
                for side in ("a", "b"):
                    await tx.execute(
                        "INSERT INTO libraries (name, kind, town, created_at, updated_at)"
                        " VALUES (?, 'city', 'X', '', '')",
                        (f"pair {n} {side}",),
                    )
            n += 1
            await asyncio.sleep(0.001)
        return n

    writer = asyncio.create_task(keep_writing())
    await asyncio.sleep(0.2)
    copies = []
    for i in range(2):
        target = tmp_path / f"copy{i}.sqlite3"
        result = await asyncio.to_thread(run_cli, ["backup", "--output", str(target)], env)
        assert result.returncode == 0, result.stderr
        copies.append(target)
    stop.set()
    written = await writer
    assert written > 0
    for target in copies:
        with sqlite3.connect(target) as copy:
            assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            count = copy.execute("SELECT COUNT(*) FROM libraries").fetchone()[0]
            versions = copy.execute("SELECT COUNT(*) FROM schema_migrations").fetchone()[0]
        copy.close()
        assert count % 2 == 0, "the copy holds half a transaction"
        assert versions == len(migrate.available())


async def test_busy_timeout_waits_for_another_process_holding_the_write_lock(
    db: Database,
) -> None:
    """Another process (a backup, a CLI command) may hold SQLite's write lock for a while: the
    server's writer waits for it instead of failing with "database is locked"."""
    other = sqlite3.connect(db.path, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")
    released = asyncio.get_running_loop().call_later(0.5, other.execute, "COMMIT")
    try:
        async with db.write() as tx:
            await tx.execute(
                "INSERT INTO libraries (name, kind, town, created_at, updated_at)"
                " VALUES ('After the wait', 'city', 'X', '', '')"
            )
    finally:
        released.cancel()
        other.close()
    assert (await db.fetch_one("SELECT COUNT(*) AS n FROM libraries"))["n"] == 1


async def test_concurrent_http_writes_all_land(tmp_path: Path) -> None:
    from tests.foundation.walk_support import client_as, start_world

    server, world = await start_world(tmp_path)
    try:
        clients = [await client_as(server, world, "coordinator") for _ in range(5)]

        async def add(n: int) -> int:
            status, _ = await clients[n % 5].post(
                "/api/v1/libraries", {"name": f"Równolegle {n}", "kind": "city", "town": "X"}
            )
            return status

        statuses = await asyncio.gather(*(add(n) for n in range(40)))
        assert statuses == [201] * 40
        row = await server.hub.db.fetch_one(
            "SELECT COUNT(*) AS n FROM libraries WHERE name LIKE 'Równolegle %'"
        )
        assert row["n"] == 40
        for c in clients:
            await c.close()
    finally:
        await server.runner.cleanup()
