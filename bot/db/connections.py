"""What repositories are handed: a ``Connection``, either the writer inside a transaction
(``Tx``) or the pool of readers (``Readers``).

Both answer the same three calls (``execute``, ``execute_fetchall``, ``executemany``), so
a repository function runs the same SQL whichever it is given. They differ in where the
statement runs:

* ``Tx`` runs it at once on the writer's ``sqlite3`` connection, in the calling thread:
  a transaction's statements never leave the thread that runs the transaction, so a
  transaction is one unit of work, not one event-loop round trip per statement.
* ``Readers`` runs it on read-only connections of its own: WAL lets them read beside
  the writer, so a read never queues behind a write. A read first runs at once in the
  calling thread, on a connection kept for that, with a budget of ``QUICK_READ_S`` of
  CPU time: most reads are an index lookup of a fraction of a millisecond, and handing
  one to a thread and waking the loop again costs more than the read (a third of a
  millisecond at the median on two cores, milliseconds in the tail). A read that
  outruns its budget is interrupted and runs again on a small pool of threads; a
  statement that does so repeatedly (``SLOW_AFTER``, ``SLOW_SHARE``) always runs there,
  so a slow read holds the loop for at most the budget, twice. A read that finds the
  database locked goes to the pool too, where it may wait.
"""

from __future__ import annotations

import asyncio
import logging
import math
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

log = logging.getLogger(__name__)

Row = sqlite3.Row
Params = Sequence[Any] | Mapping[str, Any]
T = TypeVar("T")

BUSY_TIMEOUT_MS = 5000
QUICK_READ_S = 0.002  # the most CPU time a read takes on the event loop before a thread
PROGRESS_STEPS = 1000  # SQLite VM instructions between two looks at the clock
# A statement goes to the threads for good once at least SLOW_AFTER of its runs, and
# SLOW_SHARE of them, overran: a cold page cache or a garbage collection in the middle
# of a quick read makes it overrun now and then, a slow statement every time.
SLOW_AFTER = 2
SLOW_SHARE = 0.1
SLOW_KEPT = 1024  # statements counted (their texts come from our code)


@dataclass(frozen=True)
class Outcome:
    """What a statement run with ``execute`` changed."""

    rowcount: int
    lastrowid: int | None


class Connection(Protocol):
    """A place to run statements: ``tx`` of ``db.transaction()``, or ``db.reader``.
    ``dialect`` ("sqlite" or "postgresql") picks a statement where the two differ."""

    dialect: str

    async def execute(self, sql: str, parameters: Params = ..., /) -> Outcome: ...

    async def execute_fetchall(self, sql: str, parameters: Params = ..., /) -> list[Row]: ...

    async def executemany(self, sql: str, parameters: Iterable[Params], /) -> Outcome: ...


def run(conn: sqlite3.Connection, sql: str, parameters: Params) -> Outcome:
    cursor = conn.execute(sql, parameters)
    try:
        if cursor.description is not None:
            cursor.fetchall()  # step to the end: a half-read statement pins its snapshot
        return Outcome(cursor.rowcount, cursor.lastrowid)
    finally:
        cursor.close()


def fetch_all(conn: sqlite3.Connection, sql: str, parameters: Params) -> list[Row]:
    cursor = conn.execute(sql, parameters)
    try:
        return cursor.fetchall()
    finally:
        cursor.close()


def run_many(conn: sqlite3.Connection, sql: str, parameters: Iterable[Params]) -> Outcome:
    cursor = conn.executemany(sql, parameters)
    try:
        return Outcome(cursor.rowcount, cursor.lastrowid)
    finally:
        cursor.close()


class Tx:
    """The writer inside one transaction. Each call runs its statement right away on the
    writer connection and never suspends, so ``await tx.execute(…)`` costs what SQLite
    costs (tens of microseconds for a keyed write), with no thread hop.

    Valid only inside its transaction: used after it, it raises instead of writing in
    autocommit mode outside the write lock."""

    dialect = "sqlite"

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn: sqlite3.Connection | None = conn

    def _live(self) -> sqlite3.Connection:
        if self._conn is None:
            raise RuntimeError("this transaction is over: open another with db.transaction()")
        return self._conn

    def end(self) -> None:
        self._conn = None

    async def execute(self, sql: str, parameters: Params = (), /) -> Outcome:
        return run(self._live(), sql, parameters)

    async def execute_fetchall(self, sql: str, parameters: Params = (), /) -> list[Row]:
        return fetch_all(self._live(), sql, parameters)

    async def executemany(self, sql: str, parameters: Iterable[Params], /) -> Outcome:
        return run_many(self._live(), sql, parameters)


def open_connection(path: str, *, read_only: bool) -> sqlite3.Connection:
    """A connection with the project's settings; readers refuse to write."""
    # isolation_level=None: no implicit BEGIN; the writer's transactions are explicit.
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    try:
        conn.row_factory = sqlite3.Row
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA foreign_keys = ON")
        if read_only:
            conn.execute("PRAGMA query_only = ON")
        else:
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
            # Checkpoints run on the maintenance thread (Database), never at a commit.
            conn.execute("PRAGMA wal_autocheckpoint = 0")
            # Once open, the writer never waits inside SQLite (it runs in the event loop's
            # thread): Database.transaction retries BEGIN with short sleeps instead.
            conn.execute("PRAGMA busy_timeout = 0")
    except BaseException:
        conn.close()
        raise
    return conn


class Readers:
    """Read-only connections: one for reads that run at once in the event loop's thread,
    and a pool of ``size`` threads, each with its own, for the reads that take longer."""

    dialect = "sqlite"

    def __init__(self, path: str, size: int) -> None:
        self._path = path
        self._pool = ThreadPoolExecutor(max_workers=size, thread_name_prefix="db-reader")
        self._local = threading.local()
        self._opened: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        self._quick: sqlite3.Connection | None = None
        self._deadline = math.inf
        self._runs: dict[str, list[int]] = {}  # statement: [runs, overruns] at once
        self._slow: set[str] = set()

    def _conn(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = open_connection(self._path, read_only=True)
            self._local.conn = conn
            with self._lock:
                self._opened.append(conn)
        return conn

    def _quick_conn(self) -> sqlite3.Connection:
        if self._quick is None:
            conn = open_connection(self._path, read_only=True)
            # Never sleep on the loop waiting for a lock: such a read goes to the pool.
            conn.execute("PRAGMA busy_timeout = 0")
            conn.set_progress_handler(self._overdue, PROGRESS_STEPS)
            self._quick = conn
            with self._lock:
                self._opened.append(conn)
        return self._quick

    def _overdue(self) -> bool:
        return time.thread_time() > self._deadline

    def _at_once(self, work: Callable[[sqlite3.Connection], T], sql: str) -> T | None:
        """``work`` on the quick connection, or None when it belongs on the pool."""
        if sql in self._slow:
            return None
        runs = self._runs.get(sql)
        if runs is None:
            if len(self._runs) >= SLOW_KEPT:
                self._runs.clear()
                self._slow.clear()
            runs = self._runs[sql] = [0, 0]
        runs[0] += 1
        conn = self._quick_conn()
        # CPU time, not the wall clock: a read the OS paused on a busy machine is not slow.
        self._deadline = time.thread_time() + QUICK_READ_S
        try:
            return work(conn)
        except sqlite3.OperationalError as exc:
            code = getattr(exc, "sqlite_errorcode", None)
            if code == sqlite3.SQLITE_INTERRUPT:
                runs[1] += 1
                if runs[1] >= SLOW_AFTER and runs[1] >= SLOW_SHARE * runs[0]:
                    self._slow.add(sql)
                    log.info(
                        "a read runs on the reader threads from now on (%d of %d runs overran): %s",
                        runs[1],
                        runs[0],
                        " ".join(sql.split())[:120],
                    )
                return None
            if code in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
                return None
            raise
        finally:
            self._deadline = math.inf

    async def call(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """``work(connection)`` on a reader thread."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._pool, lambda: work(self._conn()))

    async def execute(self, sql: str, parameters: Params = (), /) -> Outcome:
        outcome = self._at_once(lambda conn: run(conn, sql, parameters), sql)
        if outcome is None:
            outcome = await self.call(lambda conn: run(conn, sql, parameters))
        return outcome

    async def execute_fetchall(self, sql: str, parameters: Params = (), /) -> list[Row]:
        rows = self._at_once(lambda conn: fetch_all(conn, sql, parameters), sql)
        if rows is None:
            rows = await self.call(lambda conn: fetch_all(conn, sql, parameters))
        return rows

    async def executemany(self, sql: str, parameters: Iterable[Params], /) -> Outcome:
        rows = list(parameters)
        return await self.call(lambda conn: run_many(conn, sql, rows))

    def close(self) -> None:
        """Wait for running reads, then close every connection (call from a thread)."""
        self._pool.shutdown(wait=True)
        with self._lock:
            opened, self._opened = self._opened, []
        self._quick = None
        for conn in opened:
            conn.close()


class SharedReads:
    """Reads of an in-memory database, which only its one connection can see: they run
    on the writer connection, in the calling thread (tests and tools only)."""

    dialect = "sqlite"

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    async def execute(self, sql: str, parameters: Params = (), /) -> Outcome:
        return run(self._conn, sql, parameters)

    async def execute_fetchall(self, sql: str, parameters: Params = (), /) -> list[Row]:
        return fetch_all(self._conn, sql, parameters)

    async def executemany(self, sql: str, parameters: Iterable[Params], /) -> Outcome:
        return run_many(self._conn, sql, parameters)
