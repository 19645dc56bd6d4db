"""Repository details the services do not show: return values, missing keys, the
backup target, and what a feature's forget-me registration covers once it unloads."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.db import app_state, pairs, timers
from bot.db.database import Database
from bot.db.pairs import Schedule
from bot.services.container import Services
from bot.services.pairing.terms import KIND_ROUND


async def test_app_state_is_none_until_written_and_then_overwritten(db: Database) -> None:
    assert await app_state.get(db.reader, "commands_hash") is None
    async with db.transaction() as tx:
        await app_state.put(tx, "commands_hash", "abc")
        await app_state.put(tx, "other", "x")
        await app_state.put(tx, "commands_hash", "def")
    assert await app_state.get(db.reader, "commands_hash") == "def"
    assert await app_state.get(db.reader, "other") == "x"


@pytest.mark.sqlite_only("backup copies a SQLite file")
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


async def test_schedules_and_rounds_read_back_whole(services: Services, db: Database) -> None:
    guild = 1234  # not 1: a NULL key would become rowid 1 and hide a lost guild id
    slot = await services.pairing.rounds.set_schedule(guild, "mon 10:00")
    assert slot is not None
    stored = await pairs.get_schedule(db.reader, guild)
    timer = await services.scheduler.schedule("x", services.clock.now(), guild_id=guild)
    assert stored is not None and (stored.guild_id, stored.weekday) == (guild, 0)
    async with db.transaction() as tx:
        await pairs.set_schedule(tx, Schedule(guild, 3, 60, "UTC", timer.id), 0)
        removed = await pairs.clear_schedule(tx, guild)
    assert removed == Schedule(guild, 3, 60, "UTC", timer.id)
    assert await pairs.get_round(db.reader, 999) is None


async def test_finishing_a_round_records_now(services: Services, db: Database) -> None:
    report = await services.pairing.rounds.plan(1, started_by=None)
    services.clock.advance(minutes=3)  # type: ignore[attr-defined]
    await services.pairing.rounds.finish(report.round_id)
    rows = await db.reader.execute_fetchall(
        "SELECT finished_at FROM pair_rounds WHERE id = ?", (report.round_id,)
    )
    assert next(iter(rows))[0] == int(services.clock.now().timestamp())


async def test_weekly_timers_carry_their_server(services: Services, db: Database) -> None:
    await services.pairing.rounds.set_schedule(1234, "tue 09:00")
    [timer] = await timers.for_subject(db.reader, KIND_ROUND, 1234)
    assert (timer.guild_id, timer.subject_id) == (1234, 1234)


async def test_qa_timings_are_stored_for_their_server(services: Services) -> None:
    from bot.db.qa import Timings

    await services.qa.set_timings(77, Timings(600, 1200, 1800))
    assert await services.qa.timings(77) == Timings(600, 1200, 1800)
    assert await services.qa.timings(1) == Timings()


async def test_the_inventory_counts_exclusions_and_announcements(services: Services) -> None:
    from bot.services.access import Actor

    await services.pairing.exclude(1, 42, 43)
    await services.pairing.exclude(1, 44, 42)
    for title in ("One", "Two"):
        await services.announcements.draft(
            1,
            Actor(42, is_admin=True),
            author_name="x",
            channel_id=5,
            title=title,
            body="b",
            ping_role_id=None,
            when=None,
            repeat="none",
        )
    found = await services.privacy.inventory(42)
    assert found["pairing exclusions"] == 2
    assert found["announcements you wrote (kept, signed by a former member)"] == 2


async def test_a_post_knows_its_announcement(services: Services) -> None:
    from bot.services.access import Actor

    made = await services.announcements.draft(
        1,
        Actor(42, is_admin=True),
        author_name="x",
        channel_id=5,
        title="T",
        body="b",
        ping_role_id=None,
        when=None,
        repeat="none",
    )
    claim = await services.announcements.claim(made.id)
    assert claim is not None
    await services.announcements.posted(claim, channel_id=5, message_id=6, actor_id=None)
    [post] = await services.announcements.posts(made.id)
    assert post.announcement_id == made.id


async def test_a_round_reads_back_whole(services: Services, db: Database) -> None:
    for user in (201, 202, 203):
        await services.pairing.save_profile(9, user, track="backend", skills="python")
    await services.pairing.save_profile(9, 204, track="backend", skills="go", available=False)
    report = await services.pairing.rounds.plan(9, started_by=201)
    stored = await pairs.get_round(db.reader, report.round_id)
    assert stored is not None
    assert (stored.guild_id, stored.started_by, stored.status) == (9, 201, "opening")
    assert stored.created_at == int(services.clock.now().timestamp())
    assert stored.unpaired == ((204, "not available"),)
    assert (stored.learners, stored.total_score) == (3, report.total_score)


async def test_the_shuffle_baseline_is_reproducible_and_zero_for_nobody(
    services: Services, tmp_path: Path
) -> None:
    from bot.db.migrate import migrate
    from bot.services.container import build_services

    empty = await services.pairing.rounds.plan(8, started_by=None)
    assert (empty.shuffle_score, empty.learners, empty.pairs) == (0, 0, [])
    reports = []
    for name in ("one.db", "two.db"):
        other = Database(tmp_path / name)
        await other.connect()
        try:
            await migrate(other)
            fresh = build_services(other, services.clock)
            tracks = ("frontend", "backend", "fullstack")
            for user in range(1, 21):  # varied enough that random pairings differ a lot
                await fresh.pairing.save_profile(
                    9,
                    user,
                    track=tracks[user % 3],
                    skills=", ".join(("python", "go", "sql", "css", "rust")[: 1 + user % 5]),
                    availability=f"mon {8 + user % 9}-{18 + user % 5}",
                )
            reports.append(await fresh.pairing.rounds.plan(9, started_by=None))
        finally:
            await other.close()
    first, second = reports
    assert first.shuffle_score == second.shuffle_score > 0
    assert first.total_score >= first.greedy_score > 0
