"""The PostgreSQL database (``DATABASE_URL=postgresql://…``), with the public surface
of the SQLite one, so services and repositories do not change:

* **Writes** go through ``async with db.transaction() as tx`` on one writer connection
  under an asyncio lock, as on SQLite. Right after ``BEGIN`` each write transaction
  takes ``pg_advisory_xact_lock(WRITE_LOCK)``: writes are serialised across every
  process on the database, just as SQLite's ``BEGIN IMMEDIATE`` serialises them. The
  services' check-then-write rules (read a count, then insert; claim a due timer, then
  deliver) were written for one writer at a time, and so hold unchanged on PostgreSQL
  with any number of processes. The lock is released by ``COMMIT`` or ``ROLLBACK``.
* **Reads** go through ``db.reader``: a pool of connections; each statement sees what
  was committed before it started, as on SQLite in WAL mode.
* **Statements** are the repositories' own text: ``?`` and ``:name`` become ``$n``
  (``bot.db.placeholders``). Where the dialects differ, a repository asks
  ``conn.dialect``. A refused row (a constraint, a trigger's ``RAISE``) is raised as
  ``sqlite3.IntegrityError`` with PostgreSQL's message, which is what repositories
  catch. Each writing statement runs inside a savepoint, so a refused one leaves its
  transaction usable, as SQLite's statement-level rollback does.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar, cast
from urllib.parse import urlsplit, urlunsplit

import asyncpg

from bot.db.connections import Outcome, Params, Row
from bot.db.database import READERS, Database
from bot.db.placeholders import translate

T = TypeVar("T")

DIALECT = "postgresql"
# pg_advisory_xact_lock keys: any constant, the same in every process of a deployment.
WRITE_LOCK = 0x4E5857  # "NXW": one write transaction at a time
MIGRATION_LOCK = 0x4E584D  # "NXM": one process migrates

_WRITES = ("INSERT", "UPDATE", "DELETE", "WITH")


def redacted(url: str) -> str:
    """``url`` without its password, for logs and messages."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    if parts.port is not None:
        host = f"{host}:{parts.port}"
    netloc = f"{parts.username}:***@{host}" if parts.username else host
    return urlunsplit(parts._replace(netloc=netloc))


def _outcome(status: str) -> Outcome:
    """``INSERT 0 3`` / ``UPDATE 2`` / ``SELECT 1``: the rows the statement touched."""
    last = status.rsplit(" ", 1)[-1]
    return Outcome(int(last) if last.isdigit() else -1, None)


def _refused(exc: asyncpg.PostgresError) -> BaseException:
    """A constraint or a trigger refused the row: the error repositories catch."""
    if isinstance(exc, asyncpg.IntegrityConstraintViolationError | asyncpg.RaiseError):
        error = sqlite3.IntegrityError(str(exc))
        error.__cause__ = exc
        return error
    return cast(BaseException, exc)


async def _fetch(conn: asyncpg.Connection, sql: str, parameters: Params) -> list[Row]:
    statement = translate(sql)
    rows = await conn.fetch(statement.sql, *statement.arguments(parameters))
    return cast(list[Row], rows)


async def _run(conn: asyncpg.Connection, sql: str, parameters: Params) -> Outcome:
    statement = translate(sql)
    status = await conn.execute(statement.sql, *statement.arguments(parameters))
    return _outcome(status)


async def _run_many(conn: asyncpg.Connection, sql: str, parameters: Iterable[Params]) -> Outcome:
    statement = translate(sql)
    rows = [statement.arguments(row) for row in parameters]
    if rows:
        await conn.executemany(statement.sql, rows)
    return Outcome(len(rows), None)


class PgTx:
    """The writer inside one transaction (see the module's docstring)."""

    dialect = DIALECT

    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn: asyncpg.Connection | None = conn

    def _live(self) -> asyncpg.Connection:
        if self._conn is None:
            raise RuntimeError("this transaction is over: open another with db.transaction()")
        return self._conn

    def end(self) -> None:
        self._conn = None

    async def _guarded(self, sql: str, work: Callable[[asyncpg.Connection], Awaitable[T]]) -> T:
        conn = self._live()
        if not sql.lstrip().upper().startswith(_WRITES):
            try:
                return await work(conn)
            except asyncpg.PostgresError as exc:
                raise _refused(exc) from exc
        await conn.execute("SAVEPOINT statement")
        try:
            result = await work(conn)
        except asyncpg.PostgresError as exc:
            await conn.execute("ROLLBACK TO SAVEPOINT statement")
            raise _refused(exc) from exc
        await conn.execute("RELEASE SAVEPOINT statement")
        return result

    async def execute(self, sql: str, parameters: Params = (), /) -> Outcome:
        return await self._guarded(sql, lambda conn: _run(conn, sql, parameters))

    async def execute_fetchall(self, sql: str, parameters: Params = (), /) -> list[Row]:
        return await self._guarded(sql, lambda conn: _fetch(conn, sql, parameters))

    async def executemany(self, sql: str, parameters: Iterable[Params], /) -> Outcome:
        rows = list(parameters)
        return await self._guarded(sql, lambda conn: _run_many(conn, sql, rows))


class PgReader:
    """Reads on a pool of connections, one statement at a time."""

    dialect = DIALECT

    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def execute(self, sql: str, parameters: Params = (), /) -> Outcome:
        async with self._pool.acquire() as conn:
            return await _run(conn, sql, parameters)

    async def execute_fetchall(self, sql: str, parameters: Params = (), /) -> list[Row]:
        async with self._pool.acquire() as conn:
            return await _fetch(conn, sql, parameters)

    async def executemany(self, sql: str, parameters: Iterable[Params], /) -> Outcome:
        async with self._pool.acquire() as conn:
            return await _run_many(conn, sql, parameters)


class PostgresDatabase(Database):
    """``Database`` on PostgreSQL: same calls, same one-writer rule (module docstring)."""

    dialect = DIALECT

    def __init__(self, url: str, *, readers: int = READERS) -> None:
        super().__init__(redacted(url), readers=readers)
        self.url = url
        self._pg_writer: asyncpg.Connection | None = None
        self._pool: asyncpg.Pool | None = None
        self._pg_reader: PgReader | None = None

    @property
    def in_memory(self) -> bool:
        return False

    @property
    def reader(self) -> Any:
        if self._pg_reader is None:
            raise RuntimeError("Database.connect() has not been called")
        return self._pg_reader

    def _live_pg_writer(self) -> asyncpg.Connection:
        if self._pg_writer is None:
            raise RuntimeError("Database.connect() has not been called")
        return self._pg_writer

    async def connect(self) -> None:
        self._pg_writer = await asyncpg.connect(self.url)
        try:
            # Readers refuse to write, as SQLite's query_only readers do.
            self._pool = await asyncpg.create_pool(
                self.url,
                min_size=1,
                max_size=max(1, self._readers_size),
                server_settings={"default_transaction_read_only": "on"},
            )
        except BaseException:
            await self._pg_writer.close()
            self._pg_writer = None
            raise
        self._pg_reader = PgReader(self._pool)

    async def close(self) -> None:
        self._pg_reader = None
        pool, self._pool = self._pool, None
        if pool is not None:
            await pool.close()
        writer, self._pg_writer = self._pg_writer, None
        if writer is not None:
            await writer.close()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Any]:
        async with self._write_lock:
            conn = self._live_pg_writer()
            await conn.execute(f"BEGIN; SELECT pg_advisory_xact_lock({WRITE_LOCK})")
            tx = PgTx(conn)
            try:
                yield tx
            except BaseException:
                tx.end()
                await asyncio.shield(_rollback(conn))
                raise
            tx.end()
            try:
                await conn.execute("COMMIT")
            except BaseException:
                await asyncio.shield(_rollback(conn))
                raise

    async def write(self, body: Callable[[Any], Awaitable[T]]) -> T:
        """``body(tx)`` as one transaction (on PostgreSQL every statement is a round trip
        anyway, so this is ``transaction()`` under another name)."""
        async with self.transaction() as tx:
            return await body(tx)

    async def script(self, text: str) -> None:
        """Run a script of statements without parameters in one transaction."""
        async with self._write_lock:
            conn = self._live_pg_writer()
            async with conn.transaction():
                await conn.execute(text)

    async def backup(self, target: str | Path) -> None:
        raise RuntimeError(
            "nexus-bot backup copies a SQLite file; with PostgreSQL, use pg_dump "
            "(or the server's own backups)"
        )


async def _rollback(conn: asyncpg.Connection) -> None:
    if conn.is_in_transaction():
        await conn.execute("ROLLBACK")
