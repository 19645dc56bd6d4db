"""Which database the storage tests run on: SQLite (the default) or PostgreSQL.

``pytest --backend postgresql`` (or ``NEXUS_TEST_DATABASE_URL`` set) runs the ``db``
fixture and the flow harness on PostgreSQL. ``NEXUS_TEST_DATABASE_URL`` names a
database the tests may connect to as a user who may create databases (default
``postgresql://postgres@127.0.0.1:5432/postgres``). Each test gets a database of its
own, copied from a template migrated once per run, and dropped after the test.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import sqlite3
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg

from bot.db.database import Database
from bot.db.migrate import migrate
from bot.db.placeholders import translate
from bot.db.postgres import PostgresDatabase

ENV = "NEXUS_TEST_DATABASE_URL"
DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
_names = itertools.count()


def admin_url() -> str:
    return os.environ.get(ENV) or DEFAULT_URL


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + name))


def database_for(url: str) -> Database:
    """The (unconnected) database at ``url``."""
    if url.startswith("sqlite:///"):
        return Database(url.removeprefix("sqlite:///"))
    return PostgresDatabase(url)


class PostgresServer:
    """Creates and drops the tests' databases on one server."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.prefix = f"nexus_test_{os.getpid()}"
        self._template: str | None = None

    async def _admin(self, statement: str) -> None:
        conn = await asyncpg.connect(self.url)
        try:
            await conn.execute(statement)
        finally:
            await conn.close()

    async def template(self) -> str:
        """A database at the latest schema, made once, to copy."""
        if self._template is None:
            name = f"{self.prefix}_template"
            await self._admin(f"DROP DATABASE IF EXISTS {name}")
            await self._admin(f"CREATE DATABASE {name}")
            db = PostgresDatabase(with_database(self.url, name))
            await db.connect()
            try:
                await migrate(db)
            finally:
                await db.close()
            self._template = name
        return self._template

    async def create(self, *, migrated: bool = True) -> str:
        """The URL of a new database: at the latest schema, or empty."""
        name = f"{self.prefix}_{next(_names)}"
        template = f" TEMPLATE {await self.template()}" if migrated else ""
        await self._admin(f"CREATE DATABASE {name}{template}")
        return with_database(self.url, name)

    async def drop(self, url: str) -> None:
        name = urlsplit(url).path.lstrip("/")
        await self._admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")

    async def drop_template(self) -> None:
        if self._template is not None:
            await self._admin(f"DROP DATABASE IF EXISTS {self._template} WITH (FORCE)")
            self._template = None


def row_now(url: str, query: str, params: tuple[Any, ...] = ()) -> Any:
    """One row of ``query`` on ``url`` (either dialect), read synchronously: for checks
    polled from a running event loop (a short read on a thread of its own)."""
    if url.startswith("sqlite:///"):
        with sqlite3.connect(url.removeprefix("sqlite:///")) as conn:
            conn.row_factory = sqlite3.Row
            return conn.execute(query, params).fetchone()

    async def fetch() -> Any:
        conn = await asyncpg.connect(url)
        try:
            statement = translate(query)
            return await conn.fetchrow(statement.sql, *statement.arguments(params))
        finally:
            await conn.close()

    with ThreadPoolExecutor(1) as thread:
        return thread.submit(asyncio.run, fetch()).result()
