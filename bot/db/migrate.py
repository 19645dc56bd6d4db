"""Numbered SQL migrations, tracked in ``PRAGMA user_version``.

Each file ``NNNN_name.sql`` holds ``BEGIN; … PRAGMA user_version = N; COMMIT;`` so it
applies atomically: ``executescript`` commits any open transaction first, so a BEGIN
outside the script would protect nothing. Files are never edited once landed.
"""

from __future__ import annotations

import itertools
import logging
import re
from dataclasses import dataclass
from importlib import resources

from bot.db import sql
from bot.db.database import Database
from bot.errors import SchemaTooNew

log = logging.getLogger(__name__)

_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str


def load_migrations() -> list[Migration]:
    folder = resources.files("bot.db") / "migrations"
    found: list[Migration] = []
    for entry in folder.iterdir():
        match = _NAME.match(entry.name)
        if match:
            found.append(Migration(int(match.group(1)), entry.name, entry.read_text("utf-8")))
    return in_order(found)


def in_order(migrations: list[Migration]) -> list[Migration]:
    """The migrations by number: 1, 2, 3 … A number used twice would leave one of the
    two never applied; a gap filled later would never be applied to a database already
    past it. Either stops the bot before it touches a database."""
    found = sorted(migrations, key=lambda m: m.version)
    for before, migration in itertools.pairwise(found):
        if migration.version == before.version:
            raise RuntimeError(f"migrations {before.name} and {migration.name} share a number")
    for expected, migration in enumerate(found, start=1):
        if migration.version != expected:
            raise RuntimeError(f"migration {migration.name} breaks the numbering at {expected}")
    return found


def latest_version() -> int:
    migrations = load_migrations()
    return migrations[-1].version if migrations else 0


async def current_version(db: Database) -> int:
    return int(await sql.fetch_value(db.reader, "PRAGMA user_version"))


async def migrate(db: Database, migrations: list[Migration] | None = None) -> int:
    """Bring the schema up to date (``migrations``: the project's own unless given);
    returns the version now in force. A migration that fails leaves nothing behind."""
    migrations = load_migrations() if migrations is None else migrations
    latest = migrations[-1].version if migrations else 0
    version = await current_version(db)
    if version > latest:
        raise SchemaTooNew(
            f"The database at {db.path} is at schema version {version}, newer than this "
            f"version of Nexus knows ({latest}). Upgrade the bot, or restore a backup."
        )
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
