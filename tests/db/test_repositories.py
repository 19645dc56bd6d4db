"""Repository details the services do not show: return values, missing keys, the
backup target, and what a feature's forget-me registration covers once it unloads."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.db import app_state, pairs
from bot.db.database import Database
from bot.db.pairs import Schedule
from bot.services.container import Services


async def test_app_state_is_none_until_written_and_then_overwritten(db: Database) -> None:
    assert await app_state.get(db.reader, "commands_hash") is None
    async with db.transaction() as tx:
        await app_state.put(tx, "commands_hash", "abc")
        await app_state.put(tx, "other", "x")
        await app_state.put(tx, "commands_hash", "def")
    assert await app_state.get(db.reader, "commands_hash") == "def"
    assert await app_state.get(db.reader, "other") == "x"


async def test_backup_creates_missing_folders_and_can_be_repeated(
    db: Database, tmp_path: Path
) -> None:
    async with db.transaction() as tx:
        await app_state.put(tx, "k", "v")
    target = tmp_path / "a" / "b" / "copy.db"
    await db.backup(target)
    await db.backup(target.with_name("again.db"))  # the folders exist now
    copy = Database(target.with_name("again.db"))
    await copy.connect()
    try:
        assert await app_state.get(copy.reader, "k") == "v"
    finally:
        await copy.close()


async def test_clearing_a_schedule_returns_what_it_removed(db: Database) -> None:
    async with db.transaction() as tx:
        assert await pairs.clear_schedule(tx, 1) is None
        await pairs.set_schedule(tx, Schedule(1, 2, 600, "Africa/Lagos", None), 0)
        removed = await pairs.clear_schedule(tx, 1)
        assert removed == Schedule(1, 2, 600, "Africa/Lagos", None)
        assert await pairs.clear_schedule(tx, 1) is None


async def test_a_round_is_finished_once_and_records_when(services: Services, db: Database) -> None:
    report = await services.pairing.rounds.plan(1, started_by=None)
    async with db.transaction() as tx:
        assert await pairs.finish_round(tx, report.round_id, 1234)
        assert not await pairs.finish_round(tx, report.round_id, 5678)
    rows = list(
        await db.reader.execute_fetchall(
            "SELECT status, finished_at FROM pair_rounds WHERE id = ?", (report.round_id,)
        )
    )
    assert tuple(rows[0]) == ("done", 1234)
    await services.pairing.rounds.finish(report.round_id)  # again: no change
    found = await pairs.get_round(db.reader, report.round_id)
    assert found is not None and found.status == "done"


async def test_an_unloaded_feature_leaves_its_references_alone(
    services: Services, db: Database
) -> None:
    """While pairing is unloaded, forget-me neither erases its data nor clears the
    columns it registered (pair_rounds.started_by); reloading registers them again."""
    report = await services.pairing.rounds.plan(1, started_by=42)
    services.privacy.remove("pairing")
    await services.privacy.forget(42)
    started = await db.reader.execute_fetchall(
        "SELECT started_by FROM pair_rounds WHERE id = ?", (report.round_id,)
    )
    assert next(iter(started))[0] == 42
    services.pairing.register_privacy(services.privacy)
    await services.privacy.forget(42)
    cleared = await db.reader.execute_fetchall(
        "SELECT started_by FROM pair_rounds WHERE id = ?", (report.round_id,)
    )
    assert next(iter(cleared))[0] is None


@pytest.mark.parametrize("owner", ["sessions", "qa"])
async def test_removing_one_owner_keeps_the_others(services: Services, owner: str) -> None:
    before = set(services.privacy.labels)
    services.privacy.remove(owner)
    after = set(services.privacy.labels)
    assert after < before
    assert any("pairing" in label for label in after)
