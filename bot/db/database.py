"""The database: one writer, many readers (SQLite in WAL mode, foreign keys on).

* **Writes** go through ``async with db.transaction() as tx``: ``BEGIN IMMEDIATE`` …
  ``COMMIT`` on the one writer connection, under an asyncio lock (one transaction at a
  time: on a shared connection one coroutine's COMMIT would otherwise commit another's
  half-done work). ``tx`` runs each statement at once in the event loop's thread, so a
  transaction whose body only runs statements is one unit of work: it never yields to
  the loop between ``BEGIN`` and ``COMMIT``, holds the lock for the time SQLite needs
  (tens to hundreds of microseconds), and no write waits behind another's round trips.
  ``db.write(body)`` runs the same kind of body whole on the writer thread instead, one
  hop for the transaction: for bulk work that would hold the loop for milliseconds.
* **Reads** go through ``db.reader``: read-only connections of their own (a quick read
  runs at once in the loop's thread, a slow one on a pool of threads: see
  ``Readers``). WAL lets them read beside the writer, each statement sees everything
  committed before it started, and none sees a transaction still open; so a read of
  what the current transaction wrote goes through its ``tx``.
* **Checkpoints** (copying the WAL back into the database file, with an fsync) run on a
  maintenance thread once the WAL passes ``CHECKPOINT_BYTES``, never inside a commit;
  the WAL is cut back to ``WAL_KEPT_BYTES`` when the next write starts it again, so its
  size keeps telling how much has been written since.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TypeVar

from bot.db.connections import (
    BUSY_TIMEOUT_MS,
    Connection,
    Outcome,
    Readers,
    Row,
    SharedReads,
    Tx,
    open_connection,
)

log = logging.getLogger(__name__)

__all__ = ["BUSY_TIMEOUT_MS", "Connection", "Database", "Outcome", "Row", "Tx"]

T = TypeVar("T")

READERS = 2
CHECKPOINT_BYTES = 4 * 1024 * 1024  # SQLite's own default: about 1,000 pages
# What the WAL file is cut back to once a checkpoint has copied it all and the next
# write starts it again (journal_size_limit). SQLite otherwise keeps the file at its
# largest size and writes over it, so the file's size would stay past CHECKPOINT_BYTES
# after the first time, and every commit would start another checkpoint.
WAL_KEPT_BYTES = CHECKPOINT_BYTES // 4


class Database:
    dialect = "sqlite"

    def __init__(self, path: str | Path, *, readers: int = READERS) -> None:
        self.path = str(path)
        self._readers_size = readers
        self._writer: sqlite3.Connection | None = None
        self._reader: Readers | SharedReads | None = None
        self._write_lock = asyncio.Lock()
        self._writer_thread: ThreadPoolExecutor | None = None
        self._maintenance: ThreadPoolExecutor | None = None
        self._checkpoint: asyncio.Task[None] | None = None

    @property
    def in_memory(self) -> bool:
        return self.path == ":memory:" or self.path.startswith("file::memory:")

    @property
    def reader(self) -> Connection:
        """Where reads go: the readers (their own connections; slow reads on threads)."""
        if self._reader is None:
            raise RuntimeError("Database.connect() has not been called")
        return self._reader

    def _live_writer(self) -> sqlite3.Connection:
        if self._writer is None:
            raise RuntimeError("Database.connect() has not been called")
        return self._writer

    async def connect(self) -> None:
        if not self.in_memory:
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self._writer = await asyncio.to_thread(open_connection, self.path, read_only=False)
        self._writer.execute(f"PRAGMA journal_size_limit = {int(WAL_KEPT_BYTES)}")
        self._writer_thread = ThreadPoolExecutor(1, thread_name_prefix="db-writer")
        self._maintenance = ThreadPoolExecutor(1, thread_name_prefix="db-maintenance")
        if self.in_memory:
            self._reader = SharedReads(self._writer)
        else:
            self._reader = Readers(self.path, self._readers_size)
        log.info("database open at %s", self.path)

    async def close(self) -> None:
        if self._checkpoint is not None:
            with contextlib.suppress(Exception):
                await self._checkpoint
            self._checkpoint = None
        reader, self._reader = self._reader, None
        if isinstance(reader, Readers):
            await asyncio.to_thread(reader.close)
        for pool in (self._writer_thread, self._maintenance):
            if pool is not None:
                pool.shutdown(wait=True)
        self._writer_thread = self._maintenance = None
        writer, self._writer = self._writer, None
        if writer is not None:
            # The last connection to close checkpoints and removes the WAL file.
            await asyncio.to_thread(writer.close)

    # -- writing ---------------------------------------------------------------------

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Tx]:
        """A write transaction: ``BEGIN IMMEDIATE`` … ``COMMIT``, rolled back on error."""
        async with self._write_lock:
            conn = await self._begin()
            tx = Tx(conn)
            try:
                yield tx
            except BaseException:
                tx.end()
                _rollback(conn)
                raise
            tx.end()
            _commit(conn)
        self._after_commit()

    async def write(self, body: Callable[[Tx], Awaitable[T]]) -> T:
        """``body(tx)`` as one transaction run whole on the writer thread: one hop for
        all its statements. The body may only await ``tx`` (anything that suspends is
        refused and rolled back): it holds no lock of the event loop, arms no timer."""
        async with self._write_lock:
            conn = await self._begin()
            tx = Tx(conn)
            loop = asyncio.get_running_loop()
            done = loop.run_in_executor(self._writer_thread, _run_whole, conn, tx, body)
            try:
                result = await asyncio.shield(done)
            except BaseException:
                # Cancelled while the thread works: wait for it before letting anyone
                # else have the connection.
                with contextlib.suppress(BaseException):
                    await done
                tx.end()
                _rollback(conn)
                raise
        self._after_commit()
        return result

    async def _begin(self) -> sqlite3.Connection:
        """``BEGIN IMMEDIATE`` without blocking the loop: when another process holds the
        write lock, retry with short sleeps for up to the busy timeout."""
        conn = self._live_writer()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + BUSY_TIMEOUT_MS / 1000
        pause = 0.001
        while True:
            try:
                conn.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as exc:
                busy = exc.sqlite_errorcode & 0xFF == sqlite3.SQLITE_BUSY
                if not busy or loop.time() > deadline:
                    raise
            else:
                return conn
            await asyncio.sleep(pause)
            pause = min(pause * 2, 0.05)

    async def script(self, text: str) -> None:
        """Run a script (a migration: ``BEGIN; … COMMIT;`` inside it) on the writer
        thread under the write lock; rolled back if it fails half-way."""
        async with self._write_lock:
            conn = self._live_writer()
            loop = asyncio.get_running_loop()
            await loop.run_in_executor(self._writer_thread, _run_script, conn, text)

    def _after_commit(self) -> None:
        if self.in_memory or self._checkpoint is not None:
            return
        try:
            size = os.stat(self.path + "-wal").st_size
        except OSError:
            return
        if size >= CHECKPOINT_BYTES:
            self._checkpoint = asyncio.get_running_loop().create_task(self._checkpoint_now())

    async def _checkpoint_now(self) -> None:
        try:
            loop = asyncio.get_running_loop()
            await loop.run_in_executor(self._maintenance, _checkpoint, self.path)
        except Exception:
            log.exception("WAL checkpoint of %s failed; the next commit tries again", self.path)
        finally:
            self._checkpoint = None

    # -- copies ----------------------------------------------------------------------

    async def backup(self, target: str | Path) -> None:
        """A consistent copy of the live database, with SQLite's online backup API
        (one step: a single read snapshot, whatever is written meanwhile)."""
        target = Path(target)
        target.parent.mkdir(parents=True, exist_ok=True)
        if self.in_memory:
            raise RuntimeError("an in-memory database has nothing to back up")
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(self._maintenance, _backup, self.path, str(target))


def _rollback(conn: sqlite3.Connection) -> None:
    if conn.in_transaction:
        conn.execute("ROLLBACK")


def _commit(conn: sqlite3.Connection) -> None:
    try:
        conn.execute("COMMIT")
    except BaseException:
        _rollback(conn)
        raise


def _run_whole(conn: sqlite3.Connection, tx: Tx, body: Callable[[Tx], Awaitable[T]]) -> T:
    """Drive ``body(tx)`` to its end in this thread: ``tx`` never suspends, so neither
    does a body that only awaits it."""
    step = body(tx).__await__()
    try:
        step.send(None)
    except StopIteration as finished:
        result: T = finished.value
    else:
        step.close()
        raise RuntimeError("a db.write() body awaited something other than its tx")
    tx.end()
    _commit(conn)
    return result


def _run_script(conn: sqlite3.Connection, text: str) -> None:
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    try:
        conn.executescript(text)
    except BaseException:
        _rollback(conn)
        raise
    finally:
        conn.execute("PRAGMA busy_timeout = 0")


def _checkpoint(path: str) -> None:
    conn = open_connection(path, read_only=True)
    try:
        conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
    finally:
        conn.close()


def _backup(path: str, target: str) -> None:
    source = open_connection(path, read_only=True)
    try:
        dest = sqlite3.connect(target)
        try:
            source.backup(dest)
        finally:
            dest.close()
    finally:
        source.close()
