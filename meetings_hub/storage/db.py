"""The SQLite database: one writer connection behind a lock, a small pool of readers.

Every write runs in ``async with db.write() as tx`` — ``BEGIN IMMEDIATE`` on the single writer
connection, committed at the end of the block or rolled back on error — so readers never see half
a transaction and writers never meet ``SQLITE_BUSY``. Callbacks registered with
``tx.after_commit`` run only after the commit succeeded: that is where events are sent.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiosqlite

log = logging.getLogger(__name__)

Params = Sequence[Any] | dict[str, Any]
Row = sqlite3.Row
AfterCommit = Callable[[], Awaitable[None] | None]

_PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA foreign_keys=ON",
    "PRAGMA busy_timeout=10000",
    "PRAGMA synchronous=NORMAL",
    # Deleted and overwritten content is zeroed in the file, so an erasure (actions/erasure.py)
    # or a retention cleanup leaves no readable copy in free pages.
    "PRAGMA secure_delete=ON",
)


async def _connect(path: Path) -> aiosqlite.Connection:
    # isolation_level=None: we issue BEGIN/COMMIT ourselves, so the transaction is explicit.
    conn = await aiosqlite.connect(path, isolation_level=None)
    conn.row_factory = sqlite3.Row
    for pragma in _PRAGMAS:
        await conn.execute(pragma)
    return conn


class Tx:
    """The open write transaction: run statements, and queue work for after the commit."""

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self.conn = conn
        self._after: list[AfterCommit] = []

    async def execute(self, sql: str, params: Params = ()) -> int:
        """Runs one statement; returns the last inserted row id (or 0)."""
        cursor = await self.conn.execute(sql, params)
        row_id = cursor.lastrowid or 0
        await cursor.close()
        return row_id

    async def execute_rowcount(self, sql: str, params: Params = ()) -> int:
        cursor = await self.conn.execute(sql, params)
        count = cursor.rowcount
        await cursor.close()
        return count

    async def executemany(self, sql: str, rows: Iterable[Params]) -> None:
        await self.conn.executemany(sql, rows)

    async def fetch_one(self, sql: str, params: Params = ()) -> Row | None:
        async with self.conn.execute(sql, params) as cursor:
            return await cursor.fetchone()

    async def fetch_all(self, sql: str, params: Params = ()) -> list[Row]:
        async with self.conn.execute(sql, params) as cursor:
            return list(await cursor.fetchall())

    def after_commit(self, callback: AfterCommit) -> None:
        self._after.append(callback)


class Reader:
    """A read-only view on one pooled connection."""

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self.conn = conn

    async def fetch_one(self, sql: str, params: Params = ()) -> Row | None:
        async with self.conn.execute(sql, params) as cursor:
            return await cursor.fetchone()

    async def fetch_all(self, sql: str, params: Params = ()) -> list[Row]:
        async with self.conn.execute(sql, params) as cursor:
            return list(await cursor.fetchall())


class Database:
    def __init__(self, path: Path, *, readers: int = 4) -> None:
        self.path = path
        self._reader_count = readers
        self._writer: aiosqlite.Connection | None = None
        self._write_lock = asyncio.Lock()
        self._readers: asyncio.Queue[aiosqlite.Connection] = asyncio.Queue()
        self._all_readers: list[aiosqlite.Connection] = []

    async def open(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._writer = await _connect(self.path)
        for _ in range(self._reader_count):
            conn = await _connect(self.path)
            await conn.execute("PRAGMA query_only=ON")
            self._all_readers.append(conn)
            self._readers.put_nowait(conn)

    async def close(self) -> None:
        # aiosqlite runs each connection in a thread that keeps the process alive until closed.
        for conn in self._all_readers:
            await conn.close()
        self._all_readers.clear()
        if self._writer is not None:
            await self._writer.close()
            self._writer = None

    @property
    def writer(self) -> aiosqlite.Connection:
        if self._writer is None:
            raise RuntimeError("database is not open")
        return self._writer

    @asynccontextmanager
    async def write(self) -> AsyncIterator[Tx]:
        async with self._write_lock:
            tx = Tx(self.writer)
            await self.writer.execute("BEGIN IMMEDIATE")
            try:
                yield tx
            except BaseException:
                await self.writer.execute("ROLLBACK")
                raise
            await self.writer.execute("COMMIT")
        for callback in tx._after:
            try:
                result = callback()
                if result is not None:
                    await result
            except Exception:
                log.exception("after-commit callback failed")

    async def write_in_thread(self, fn: Callable[[sqlite3.Connection], Any]) -> Any:
        """Runs ``fn`` as one transaction inside the writer's database thread, in ONE call.

        For hot paths (the chat's group commit): a batch of many statements costs one hop to the
        database thread instead of one per statement. ``fn`` must not touch the event loop.
        """

        def run(conn: sqlite3.Connection) -> Any:
            conn.execute("BEGIN IMMEDIATE")
            try:
                result = fn(conn)
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
            return result

        async with self._write_lock:
            writer = self.writer
            # aiosqlite has no public "run this function in your thread"; _execute is that.
            return await writer._execute(run, writer._conn)

    @asynccontextmanager
    async def read(self) -> AsyncIterator[Reader]:
        conn = await self._readers.get()
        try:
            yield Reader(conn)
        finally:
            self._readers.put_nowait(conn)

    async def fetch_one(self, sql: str, params: Params = ()) -> Row | None:
        async with self.read() as reader:
            return await reader.fetch_one(sql, params)

    async def fetch_all(self, sql: str, params: Params = ()) -> list[Row]:
        async with self.read() as reader:
            return await reader.fetch_all(sql, params)

    async def checkpoint(self) -> None:
        """Copies the WAL into the database file and empties it: after an erasure, the old
        versions of the changed pages must not stay readable in the -wal file."""
        async with self._write_lock:
            await self.writer.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    async def backup(self, target: Path) -> None:
        """SQLite's online backup API: a consistent copy while the server keeps writing."""
        target.parent.mkdir(parents=True, exist_ok=True)
        async with aiosqlite.connect(target) as dest:
            async with self._write_lock:
                await self.writer.backup(dest)
