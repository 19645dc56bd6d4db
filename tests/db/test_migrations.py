"""Migration numbering, and reminders numbered per user when the schema gains numbers."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from bot.db import sql
from bot.db.database import Database
from bot.db.migrate import Migration, in_order, load_migrations, migrate


def test_migrations_are_numbered_without_gaps_or_repeats() -> None:
    def make(version: int, name: str) -> Migration:
        return Migration(version, f"{version:04d}_{name}.sql", "")

    assert [m.version for m in in_order([make(3, "c"), make(1, "a"), make(2, "b")])] == [1, 2, 3]
    with pytest.raises(RuntimeError, match=r"0004_d\.sql breaks the numbering at 2"):
        in_order([make(1, "a"), make(4, "d")])
    with pytest.raises(RuntimeError, match=r"0002_b\.sql and 0002_other\.sql share a number"):
        in_order([make(1, "a"), make(2, "b"), make(2, "other")])


async def test_existing_reminders_are_numbered_per_user_in_the_order_set(tmp_path: Path) -> None:
    db = Database(tmp_path / "older.db")
    await db.connect()
    try:
        everything = load_migrations()
        await migrate(db, [m for m in everything if m.name < "0010"])
        rows = [(7, "a"), (8, "b"), (7, "c"), (7, "d"), (8, "e")]
        async with db.transaction() as tx:
            for user_id, text in rows:
                await sql.execute(
                    tx,
                    "INSERT INTO reminders (user_id, guild_id, channel_id, text, due_at,"
                    " created_at) VALUES (?, 1, 2, ?, 100, 50)",
                    (user_id, text),
                )
            await sql.execute(
                tx,
                "INSERT INTO timers (kind, subject_id, user_id, due_at, created_at, updated_at)"
                " VALUES ('reminder', 3, 7, 100, 50, 50)",
            )
        await migrate(db, everything)
        numbered = await sql.fetch_all(
            db.reader, "SELECT id, user_id, number, text, done_at FROM reminders ORDER BY id"
        )
        assert [tuple(row) for row in numbered] == [
            (1, 7, 1, "a", None),
            (2, 8, 1, "b", None),
            (3, 7, 2, "c", None),
            (4, 7, 3, "d", None),
            (5, 8, 2, "e", None),
        ]
        # The trigger came back with the table: deleting a reminder cancels its timer.
        async with db.transaction() as tx:
            await sql.execute(tx, "DELETE FROM reminders WHERE id = 3")
        state = await sql.fetch_value(db.reader, "SELECT state FROM timers WHERE subject_id = 3")
        assert state == "cancelled"
        with pytest.raises(sqlite3.IntegrityError, match="UNIQUE"):
            async with db.transaction() as tx:
                await sql.execute(
                    tx,
                    "INSERT INTO reminders (user_id, number, channel_id, text, due_at,"
                    " created_at) VALUES (7, 1, 2, 'again', 100, 50)",
                )
    finally:
        await db.close()
