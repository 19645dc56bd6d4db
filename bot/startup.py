"""Opening the database for the command line, and backing it up, with one line saying
what is wrong when it cannot be done.

SQLite says "unable to open database file" for a directory, a missing parent and a
directory it may not write alike; the line here says which, by looking at the path.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
from pathlib import Path

import asyncpg

from bot.config import FileSettings, describe_path
from bot.db.database import Database
from bot.db.migrate import migrate
from bot.db.postgres import PostgresDatabase, redacted
from bot.errors import BackupRefused, DatabaseUnusable

FIX = (
    "Set DATABASE_PATH (in the environment, or in .env in the current directory) to a "
    "file in a writable directory"
)

# SQLite errors that are about the file rather than about a statement (a broken
# migration is a bug, and keeps its traceback).
_FILE_PROBLEMS = (
    "unable to open",
    "not a database",
    "readonly",
    "disk i/o",
    "malformed",
    "database is locked",
    "database or disk is full",
)
# The live database's companions: overwriting the WAL would corrupt the live data.
_LIVE_SUFFIXES = ("", "-wal", "-shm", "-journal")


def is_file_problem(exc: BaseException) -> bool:
    if isinstance(exc, OSError):
        return True
    text = str(exc).lower()
    return isinstance(exc, sqlite3.Error) and any(p in text for p in _FILE_PROBLEMS)


def database_problem(path: Path, exc: BaseException) -> str:
    """What is wrong with ``path``, read from the file system after ``exc``."""
    full = Path(os.path.abspath(path))
    if full.is_dir():
        return f"{full} is a directory"
    nearest = next(p for p in full.parents if p.exists())
    if not nearest.is_dir():
        return f"{nearest} is not a directory"
    if nearest != full.parent:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        return f"the directory {full.parent} cannot be created ({reason})"
    text = str(exc)
    if "not a database" in text:
        return f"{full} is not a SQLite database"
    if "locked" in text:
        return f"{full} is locked by another process (is another Nexus running on it?)"
    if full.exists() and not os.access(full, os.R_OK | os.W_OK):
        return f"{full} may not be read and written by this user"
    if not os.access(full.parent, os.W_OK | os.X_OK):
        return f"the directory {full.parent} is not writable by this user"
    return " ".join(text.split()) or type(exc).__name__


def database_error(path: Path, exc: BaseException) -> DatabaseUnusable:
    problem = database_problem(path, exc)
    return DatabaseUnusable(
        f"DATABASE_PATH {describe_path(path)} cannot be used: {problem}. {FIX}."
    )


def try_open(path: Path) -> None:
    """Open ``path`` once, synchronously (creating its directory, as the database does).

    Failing here, before any connection thread exists, keeps the error to one line."""
    path.parent.mkdir(parents=True, exist_ok=True)
    sqlite3.connect(path).close()


async def connect(path: Path) -> Database:
    """The database at ``path``, connected (not migrated), or ``DatabaseUnusable``."""
    db = Database(path)
    try:
        await asyncio.to_thread(try_open, path)
        await db.connect()
    except BaseException as exc:
        # connect() may fail after opening (a file that is not SQLite fails at the
        # first PRAGMA); an unclosed connection's thread keeps the process alive.
        await db.close()
        if is_file_problem(exc):
            raise database_error(path, exc) from exc
        raise
    return db


async def open_postgres(url: str) -> PostgresDatabase:
    """The PostgreSQL database at ``url``, connected and migrated, or ``DatabaseUnusable``
    naming the server's refusal (no server, wrong password, no such database)."""
    db = PostgresDatabase(url)
    try:
        await db.connect()
        await migrate(db)
    except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
        await db.close()
        raise DatabaseUnusable(
            f"DATABASE_URL {redacted(url)} cannot be used: {exc}. Check that the server "
            "is running, and the user, password and database name in DATABASE_URL."
        ) from exc
    except BaseException:
        await db.close()
        raise
    return db


async def open_database(settings: FileSettings) -> Database:
    """Connected and migrated to the latest schema: DATABASE_URL's PostgreSQL database,
    else the SQLite file."""
    if settings.postgres_url is not None:
        return await open_postgres(settings.postgres_url)
    db = await connect(settings.database_path)
    try:
        await migrate(db)
    except BaseException as exc:
        await db.close()
        if is_file_problem(exc):
            raise database_error(settings.database_path, exc) from exc
        raise
    return db


def backup_target_problem(live: Path, target: Path, *, force: bool) -> str | None:
    """Why ``target`` may not receive a backup of ``live``, or None."""
    real = os.path.realpath(target)
    live_files = {os.path.realpath(live) + suffix for suffix in _LIVE_SUFFIXES}
    same_inode = target.exists() and live.exists() and os.path.samefile(target, live)
    if real in live_files or same_inode:
        return (
            f"backup target {describe_path(target)} is the live database or one of its "
            f"files (DATABASE_PATH is {describe_path(live)}): name another file"
        )
    if target.is_dir():
        return f"backup target {describe_path(target)} is a directory: name a file in it"
    if target.exists() and not force:
        return f"backup target {describe_path(target)} already exists: pass --force to replace it"
    return None


async def backup(settings: FileSettings, target: Path, *, force: bool = False) -> None:
    """A consistent copy of the live database at ``target``, written whole or not at all.

    The live database is not migrated first: a backup taken before an upgrade must hold
    the old schema."""
    if settings.postgres_url is not None:
        raise BackupRefused(
            "backup copies a SQLite database; DATABASE_URL is PostgreSQL: use pg_dump, "
            "or the server's own backups"
        )
    live = settings.database_path
    problem = backup_target_problem(live, target, force=force)
    if problem is not None:
        raise BackupRefused(problem)
    if not live.is_file():
        raise DatabaseUnusable(
            f"DATABASE_PATH {describe_path(live)} does not exist: nothing to back up. Run "
            "from the directory the bot runs in, or set DATABASE_PATH to the live database."
        )
    db = await connect(live)
    partial = target.with_name(f".{target.name}.partial")
    try:
        partial.unlink(missing_ok=True)  # left by an interrupted backup
        await asyncio.to_thread(try_open, partial)
        await db.backup(partial)
        os.replace(partial, target)
    except (OSError, sqlite3.Error) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise BackupRefused(
            f"cannot write the backup to {describe_path(target)}: {reason}"
        ) from exc
    finally:
        partial.unlink(missing_ok=True)
        await db.close()
