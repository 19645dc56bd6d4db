"""Numbered SQL migrations, one numbering for both dialects.

SQLite: ``migrations/NNNN_name.sql``, tracked in ``PRAGMA user_version``. Each file
holds ``BEGIN; … PRAGMA user_version = N; COMMIT;`` so it applies atomically:
``executescript`` commits any open transaction first, so a BEGIN outside the script
would protect nothing. Files are never edited once landed.

PostgreSQL: ``migrations_pg/NNNN_name.sql``, tracked in the one-row table
``schema_version``; the runner wraps each file in a transaction and records its number.
Version N means the same schema on both. PostgreSQL support arrived at version 14, when
no PostgreSQL database existed yet, so its first file is a baseline,
``0014_baseline.sql``: the whole schema at once. The numbering check accepts a first
file named ``…_baseline`` at any number (a database is only ever brought to it from
empty); every later PostgreSQL file must follow it one by one, as on SQLite. Every
process runs migrations at start; on PostgreSQL they run under a session advisory lock,
so whichever process comes first migrates and the others wait, then find nothing to do.
"""

from __future__ import annotations

import itertools
import logging
import re
from dataclasses import dataclass
from importlib import resources

import asyncpg

from bot.db import sql
from bot.db.database import Database
from bot.db.postgres import MIGRATION_LOCK, PostgresDatabase
from bot.errors import SchemaTooNew

log = logging.getLogger(__name__)

_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str


FOLDERS = {"sqlite": "migrations", "postgresql": "migrations_pg"}


def load_migrations(dialect: str = "sqlite") -> list[Migration]:
    folder = resources.files("bot.db") / FOLDERS[dialect]
    found: list[Migration] = []
    for entry in folder.iterdir():
        match = _NAME.match(entry.name)
        if match:
            found.append(Migration(int(match.group(1)), entry.name, entry.read_text("utf-8")))
    return in_order(found)


def is_baseline(migration: Migration) -> bool:
    return migration.name.removesuffix(".sql").endswith("_baseline")


def in_order(migrations: list[Migration]) -> list[Migration]:
    """The migrations by number: 1, 2, 3 … (or, after a first ``…_baseline`` file at N:
    N, N+1 …). A number used twice would leave one of the two never applied; a gap
    filled later would never be applied to a database already past it. Either stops
    the bot before it touches a database."""
    found = sorted(migrations, key=lambda m: m.version)
    for before, migration in itertools.pairwise(found):
        if migration.version == before.version:
            raise RuntimeError(f"migrations {before.name} and {migration.name} share a number")
    first = found[0].version if found and is_baseline(found[0]) else 1
    for expected, migration in enumerate(found, start=first):
        if migration.version != expected:
            raise RuntimeError(f"migration {migration.name} breaks the numbering at {expected}")
    return found


def latest_version(dialect: str = "sqlite") -> int:
    migrations = load_migrations(dialect)
    return migrations[-1].version if migrations else 0


async def current_version(db: Database) -> int:
    if db.dialect == "postgresql":
        value = await sql.fetch_value(
            db.reader,
            "SELECT CASE WHEN to_regclass('schema_version') IS NULL THEN 0"
            " ELSE (SELECT COALESCE(MAX(version), 0) FROM schema_version) END",
        )
        return int(value)
    return int(await sql.fetch_value(db.reader, "PRAGMA user_version"))


def _too_new(db: Database, version: int, latest: int) -> SchemaTooNew:
    return SchemaTooNew(
        f"The database at {db.path} is at schema version {version}, newer than this "
        f"version of Nexus knows ({latest}). Upgrade the bot, or restore a backup."
    )


async def migrate(db: Database, migrations: list[Migration] | None = None) -> int:
    """Bring the schema up to date (``migrations``: the project's own unless given);
    returns the version now in force. A migration that fails leaves nothing behind."""
    migrations = load_migrations(db.dialect) if migrations is None else migrations
    if isinstance(db, PostgresDatabase):
        return await _migrate_postgres(db, migrations)
    latest = migrations[-1].version if migrations else 0
    version = await current_version(db)
    if version > latest:
        raise _too_new(db, version, latest)
    for migration in migrations:
        if migration.version <= version:
            continue
        log.info("applying migration %s", migration.name)
        await db.script(migration.sql)  # rolled back if it fails half-way
        version = await current_version(db)
        if version != migration.version:
            raise RuntimeError(
                f"migration {migration.name} left user_version at {version}, "
                f"expected {migration.version}"
            )
    return version


async def _migrate_postgres(db: PostgresDatabase, migrations: list[Migration]) -> int:
    """PostgreSQL: on a connection of its own, under a session advisory lock (released
    when it closes, even if this process dies), each file in its own transaction."""
    latest = migrations[-1].version if migrations else 0
    conn = await asyncpg.connect(db.url)
    try:
        await conn.execute("SELECT pg_advisory_lock($1)", MIGRATION_LOCK)
        await conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_version ("
            " one BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (one), version BIGINT NOT NULL)"
        )
        version = int(await conn.fetchval("SELECT COALESCE(MAX(version), 0) FROM schema_version"))
        if version > latest:
            raise _too_new(db, version, latest)
        for migration in migrations:
            if migration.version <= version:
                continue
            if version and is_baseline(migration):
                raise RuntimeError(
                    f"{migration.name} creates the whole schema, but the database is at "
                    f"version {version}: it can only be applied to an empty database"
                )
            log.info("applying migration %s", migration.name)
            async with conn.transaction():
                await conn.execute(migration.sql)
                await conn.execute(
                    "INSERT INTO schema_version (version) VALUES ($1)"
                    " ON CONFLICT (one) DO UPDATE SET version = excluded.version",
                    migration.version,
                )
            version = migration.version
        return version
    finally:
        await conn.close()
