"""The database: one connection today, handed out as ``reader`` and ``transaction()``.

SQLite in WAL mode with foreign keys on. The connection runs in autocommit mode and
every write goes through ``transaction()``, which holds an asyncio lock: on a shared
aiosqlite connection one coroutine's COMMIT would otherwise commit another's
half-done work. Reads go through ``reader``: today the same connection, later their
own (WAL lets readers run beside the writer), so repositories take a ``Connection``
and never a ``Database``.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import aiosqlite

log = logging.getLogger(__name__)

# What repositories and services name a connection and a row; nothing outside
# ``bot/db`` imports aiosqlite or sqlite3.
Connection = aiosqlite.Connection
Row = sqlite3.Row

BUSY_TIMEOUT_MS = 5000


class Database:
    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        self._conn: Connection | None = None
        self._write_lock = asyncio.Lock()

    @property
    def conn(self) -> Connection:
        """The one connection (the writer); for migrations and backups."""
        if self._conn is None:
            raise RuntimeError("Database.connect() has not been called")
        return self._conn

    @property
    def reader(self) -> Connection:
        """The connection reads use (today the single connection)."""
        return self.conn

    async def connect(self) -> None:
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        # isolation_level=None: no implicit BEGIN; transactions are explicit below.
        self._conn = await aiosqlite.connect(self.path, isolation_level=None)
        self._conn.row_factory = sqlite3.Row
        await self._conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        await self._conn.execute("PRAGMA journal_mode = WAL")
        await self._conn.execute("PRAGMA synchronous = NORMAL")
        await self._conn.execute("PRAGMA foreign_keys = ON")
        log.info("database open at %s", self.path)

    async def close(self) -> None:
        if self._conn is not None:
            await self._conn.close()
            self._conn = None

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Connection]:
        """A write transaction: ``BEGIN IMMEDIATE`` … ``COMMIT``, rolled back on error."""
        async with self._write_lock:
            conn = self.conn
            await conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                await conn.execute("ROLLBACK")
                raise
            else:
                await conn.execute("COMMIT")

    async def backup(self, target: str | Path) -> None:
        """A consistent copy of the live database, with SQLite's online backup API."""
        target = Path(target)
        target.parent.mkdir(parents=True, exist_ok=True)
        # Hold the write lock so no write of ours interleaves; other processes are
        # handled by the backup API itself (it restarts on change).
        async with self._write_lock:
            await self.conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
            dest = await aiosqlite.connect(str(target))
            try:
                await self.conn.backup(dest)
            finally:
                await dest.close()
