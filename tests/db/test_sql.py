"""The shared SQL helpers: one round trip each, whitelisted dynamic statements."""

from __future__ import annotations

from dataclasses import FrozenInstanceError, dataclass, replace

import pytest

from bot.db import app_state, qa, sql
from bot.db.database import Database

KEYS = frozenset({"key", "value"})
VALUES = frozenset({"value"})


async def test_reads_and_writes(db: Database) -> None:
    async with db.transaction() as tx:
        await sql.execute_many(
            tx, "INSERT INTO app_state (key, value) VALUES (?, ?)", [("a", "1"), ("b", "2")]
        )
        assert await sql.execute(tx, "UPDATE app_state SET value = 'x' WHERE key = 'zz'") == 0
        assert await sql.execute(tx, "UPDATE app_state SET value = value || '!'") == 2
    rows = await sql.fetch_all(db.reader, "SELECT key, value FROM app_state ORDER BY key")
    assert [tuple(row) for row in rows] == [("a", "1!"), ("b", "2!")]
    row = await sql.fetch_one(db.reader, "SELECT value FROM app_state WHERE key = ?", ("b",))
    assert row is not None and row["value"] == "2!"
    assert await sql.fetch_one(db.reader, "SELECT 1 FROM app_state WHERE key = 'zz'") is None
    assert await sql.fetch_value(db.reader, "SELECT COUNT(*) FROM app_state") == 2
    assert await sql.fetch_value(db.reader, "SELECT 1 FROM app_state WHERE key = 'zz'") is None
    assert await app_state.get(db.reader, "a") == "1!"


async def test_returning_one_raises_when_no_row_comes_back(db: Database) -> None:
    async with db.transaction() as tx:
        row = await sql.returning_one(
            tx, "INSERT INTO app_state (key, value) VALUES ('k', 'v') RETURNING *"
        )
        assert (row["key"], row["value"]) == ("k", "v")
        gone = "DELETE FROM app_state WHERE key = 'nope' RETURNING *"
        assert await sql.returning_one_or_none(tx, gone) is None
        with pytest.raises(LookupError):
            await sql.returning_one(tx, gone)


async def test_update_columns_sets_only_allowed_columns(db: Database) -> None:
    async with db.transaction() as tx:
        row = await sql.insert_columns(tx, "app_state", {"key": "k", "value": "v"}, KEYS)
        assert row["value"] == "v"
        updated = await sql.update_columns(tx, "app_state", "key", "k", {"value": "w"}, VALUES)
        assert updated is not None and updated["value"] == "w"
        assert (
            await sql.update_columns(
                tx, "app_state", "key", "k", {"value": "x"}, VALUES, where="value = 'nope'"
            )
            is None
        )
        assert (
            await sql.update_columns(tx, "app_state", "key", "zz", {"value": "x"}, VALUES) is None
        )
        with pytest.raises(ValueError, match="key"):
            await sql.update_columns(tx, "app_state", "key", "k", {"key": "j"}, VALUES)
        with pytest.raises(ValueError, match="no columns"):
            await sql.update_columns(tx, "app_state", "key", "k", {}, VALUES)
        with pytest.raises(ValueError, match="not allowed"):
            await sql.insert_columns(tx, "app_state", {"key": "j", "oops": 1}, KEYS)
        with pytest.raises(ValueError, match="identifier"):
            await sql.update_columns(tx, "app_state; --", "key", "k", {"value": "x"}, VALUES)
    assert await app_state.get(db.reader, "k") == "w"


def test_placeholders() -> None:
    assert sql.placeholders(3) == "?, ?, ?"
    assert sql.placeholders(0) == "NULL"


@dataclass(frozen=True)
class _Pair:
    left: int
    right: str | None = None


def test_record_is_the_dataclass_its_init_would_make() -> None:
    made = sql.record(_Pair, {"left": 1, "right": "r"})
    assert made == _Pair(1, "r") and hash(made) == hash(_Pair(1, "r"))
    assert repr(made) == repr(_Pair(1, "r"))
    with pytest.raises(FrozenInstanceError):
        made.left = 2  # type: ignore[misc]


async def test_a_question_row_maps_to_every_field(db: Database) -> None:
    async with db.transaction() as tx:
        inserted = await qa.insert_question(
            tx,
            guild_id=1,
            channel_id=2,
            thread_id=3,
            opener_id=4,
            asker_id=5,
            topic="python",
            title="Why?",
            body="Because.",
            now=100,
        )
        assert inserted is not None
        await sql.execute(tx, "UPDATE qa_questions SET nudged = 1 WHERE id = ?", (inserted.id,))
    question = await qa.get(db.reader, inserted.id)
    assert question == replace(inserted, nudged=True)
    assert question.nudged is True  # a bool, as the dataclass says, not SQLite's 1
    assert (question.opener_id, question.asker_id, question.title) == (4, 5, "Why?")
