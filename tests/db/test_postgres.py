"""The PostgreSQL seam: placeholders (always), and on PostgreSQL (``--backend
postgresql``) the advisory locks, the schema version and refused rows."""

from __future__ import annotations

import asyncio
import sqlite3

import pytest

from bot.db import app_state, sql
from bot.db.migrate import current_version, latest_version, load_migrations, migrate
from bot.db.placeholders import translate
from bot.db.postgres import PostgresDatabase, redacted
from bot.errors import SchemaTooNew


def test_placeholders_become_numbered_outside_literals_and_casts() -> None:
    statement = translate("SELECT '?', x::text, ? FROM t WHERE a = ? -- why?\nAND b = 'it''s :x'")
    assert (
        statement.sql == "SELECT '?', x::text, $1 FROM t WHERE a = $2 -- why?\nAND b = 'it''s :x'"
    )
    assert statement.arguments((1, 2)) == [1, 2]
    with pytest.raises(ValueError, match="takes 2 values"):
        statement.arguments((1,))


def test_named_placeholders_are_numbered_once_each() -> None:
    statement = translate("SELECT * FROM t WHERE g = :guild AND (h = :guild OR s = :status)")
    assert statement.sql == "SELECT * FROM t WHERE g = $1 AND (h = $1 OR s = $2)"
    assert statement.arguments({"status": "open", "guild": 7}) == [7, "open"]
    assert translate("SELECT :a") is translate("SELECT :a")  # cached
    with pytest.raises(ValueError, match="mixes"):
        translate("SELECT ?, :a")


def test_a_password_never_reaches_a_message() -> None:
    assert (
        redacted("postgresql://nexus:s3cret@db:5432/nexus")
        == "postgresql://nexus:***@db:5432/nexus"
    )
    assert redacted("postgresql://db/nexus") == "postgresql://db/nexus"


def test_postgresql_starts_from_a_baseline_at_the_sqlite_schema_version() -> None:
    assert latest_version("postgresql") == latest_version("sqlite")
    assert load_migrations("postgresql")[0].name.endswith("_baseline.sql")


async def test_processes_starting_together_migrate_once(empty_postgres_url: str) -> None:
    databases = [PostgresDatabase(empty_postgres_url) for _ in range(3)]
    for db in databases:
        await db.connect()
    try:
        versions = await asyncio.gather(*(migrate(db) for db in databases))
        assert versions == [latest_version("postgresql")] * 3
        assert await current_version(databases[0]) == latest_version("postgresql")
    finally:
        for db in databases:
            await db.close()


async def test_a_newer_schema_refuses_to_start(empty_postgres_url: str) -> None:
    db = PostgresDatabase(empty_postgres_url)
    await db.connect()
    try:
        await migrate(db)
        async with db.transaction() as tx:
            await sql.execute(tx, "UPDATE schema_version SET version = version + 1")
        with pytest.raises(SchemaTooNew, match="newer than this version"):
            await migrate(db)
    finally:
        await db.close()


async def test_writes_of_two_processes_never_interleave(database_url: str, backend: str) -> None:
    """Check-then-write under the write lock: each reads the counter and writes it plus
    one after a pause; serialised, no increment is lost."""
    if backend != "postgresql":
        pytest.skip("PostgreSQL only (--backend postgresql)")
    first, second = PostgresDatabase(database_url), PostgresDatabase(database_url)
    await first.connect()
    await second.connect()

    async def bump(db: PostgresDatabase) -> None:
        async with db.transaction() as tx:
            value = int(await app_state.get(tx, "n") or 0)
            await asyncio.sleep(0.01)
            await app_state.put(tx, "n", str(value + 1))

    try:
        await asyncio.gather(*(bump(db) for db in (first, second) for _ in range(5)))
        assert await app_state.get(first.reader, "n") == "10"
    finally:
        await first.close()
        await second.close()


async def test_a_refused_row_leaves_the_transaction_usable(database_url: str, backend: str) -> None:
    if backend != "postgresql":
        pytest.skip("PostgreSQL only (--backend postgresql)")
    db = PostgresDatabase(database_url)
    await db.connect()
    try:
        async with db.transaction() as tx:
            await app_state.put(tx, "k", "v")
            with pytest.raises(sqlite3.IntegrityError, match="not-null"):
                await sql.execute(tx, "INSERT INTO app_state (key, value) VALUES ('x', NULL)")
            await app_state.put(tx, "k2", "w")
        assert await app_state.get(db.reader, "k2") == "w"
        with pytest.raises(RuntimeError, match="pg_dump"):
            await db.backup("copy.db")
    finally:
        await db.close()
