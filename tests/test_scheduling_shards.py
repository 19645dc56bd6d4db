"""Two sharded processes on one database: each runs only its own guilds' timers (shard
0 also those of no guild), a restart releases only its own interrupted sends, and two
processes racing for the same rows never run one twice."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from bot.db import timers as repo
from bot.db.database import Database
from bot.db.timers import Timer
from bot.scheduling import SHARDED_REFILL, Scheduler, TimerKind
from bot.sharding import Shards, shard_of
from bot.time.clock import FakeClock, SystemClock, epoch
from tests.backends import database_for

G0 = (10 << 22) | 1  # on shard 0 of 2
G1 = (11 << 22) | 1  # on shard 1 of 2


class Recorder:
    def __init__(self) -> None:
        self.fired: list[Timer] = []

    async def __call__(self, timer: Timer) -> None:
        await asyncio.sleep(0)
        self.fired.append(timer)


@pytest.fixture
async def other(db: Database, database_url: str) -> AsyncIterator[Database]:
    """A second process's connections to the same database."""
    second = database_for(database_url)
    await second.connect()
    yield second
    await second.close()


def process(
    db: Database, clock: FakeClock, shards: Shards, claim_batch: int = 500
) -> tuple[Scheduler, Recorder]:
    scheduler = Scheduler(db, clock, wake=False, shards=shards, claim_batch=claim_batch)
    recorder = Recorder()
    scheduler.register("test", TimerKind(handler=recorder))
    return scheduler, recorder


def test_the_guilds_sit_on_their_shards() -> None:
    assert (shard_of(G0, 2), shard_of(G1, 2)) == (0, 1)


async def test_each_process_runs_only_its_guilds_timers(
    db: Database, other: Database, clock: FakeClock
) -> None:
    first, fired_0 = process(db, clock, Shards(2, (0,)))
    second, fired_1 = process(other, clock, Shards(2, (1,)))
    due = clock.now() + timedelta(minutes=1)
    booked = {
        "g0": await first.schedule("test", due, guild_id=G0),
        "g1": await first.schedule("test", due, guild_id=G1),  # booked by either process
        "dm": await second.schedule("test", due, guild_id=None),
    }
    clock.advance(minutes=1)
    assert await first.run_due() == 2
    assert await second.run_due() == 1
    assert {t.id for t in fired_0.fired} == {booked["g0"].id, booked["dm"].id}
    assert [t.id for t in fired_1.fired] == [booked["g1"].id]
    # What each process reports as its backlog is its own part.
    await first.schedule("test", clock.now() + timedelta(hours=1), guild_id=G1)
    assert await first.backlog() == {}
    assert await second.backlog() == {"test": (1, 0)}


async def test_one_process_serving_every_shard_runs_everything(
    db: Database, clock: FakeClock
) -> None:
    both, fired = process(db, clock, Shards(2, (0, 1)))
    for guild in (G0, G1, None):
        await both.schedule("test", clock.now(), guild_id=guild)
    assert await both.run_due() == 3
    assert len(fired.fired) == 3


async def test_a_restart_releases_only_its_own_interrupted_sends(
    db: Database, other: Database, clock: FakeClock
) -> None:
    first, _ = process(db, clock, Shards(2, (0,)))
    t0 = await first.schedule("test", clock.now(), guild_id=G0)
    t1 = await first.schedule("test", clock.now(), guild_id=G1)
    # Both processes claimed their row and are sending it when shard 0's process dies.
    async with db.transaction() as tx:
        claimed = await repo.claim_due(tx, epoch(clock.now()), 0, 10, kinds=["test"])
    assert {t.id for t in claimed} == {t0.id, t1.id}
    restarted, fired = process(db, clock, Shards(2, (0,)))
    await restarted.start()
    assert (await repo.get(db.reader, t0.id)).state == "pending"  # type: ignore[union-attr]
    # Shard 1's process is still sending t1: it is not taken from it.
    assert (await repo.get(db.reader, t1.id)).state == "sending"  # type: ignore[union-attr]
    assert await restarted.run_due() == 1
    assert [t.nonce() for t in fired.fired] == [t0.nonce()]
    await restarted.stop()


async def test_two_processes_racing_for_the_same_shard_run_each_timer_once(
    db: Database, other: Database, clock: FakeClock
) -> None:
    # A replaced process that has not quite died while its successor starts.
    shards = Shards(2, (1,))
    old, fired_old = process(db, clock, shards, claim_batch=7)
    new, fired_new = process(other, clock, shards, claim_batch=7)
    for i in range(120):
        await old.schedule("test", clock.now() + timedelta(seconds=i % 4), guild_id=G1)
    clock.advance(seconds=5)
    counts = await asyncio.gather(*(s.run_due() for s in (old, new, old, new)))
    ids = [t.id for t in fired_old.fired + fired_new.fired]
    assert sum(counts) == len(ids) == len(set(ids)) == 120


def test_a_sharded_process_refills_often(db: Database, clock: FakeClock) -> None:
    assert Scheduler(db, clock).refill_every == timedelta(minutes=5)
    assert Scheduler(db, clock, shards=Shards(2, (1,))).refill_every == SHARDED_REFILL


async def test_a_timer_booked_by_another_process_runs_on_its_owner(
    db: Database, other: Database
) -> None:
    """Shard 0's process books a timer of shard 1's guild (a snooze pressed in a DM);
    its own wake-up claims nothing, and shard 1's process arms it at its next refill."""
    clock = SystemClock()
    booker = Scheduler(db, clock, shards=Shards(2, (0,)))
    owner = Scheduler(other, clock, shards=Shards(2, (1,)), refill_every=timedelta(seconds=1))
    fired_booker, fired_owner = Recorder(), Recorder()
    booker.register("test", TimerKind(handler=fired_booker))
    owner.register("test", TimerKind(handler=fired_owner))
    await booker.start()
    await owner.start()
    try:
        timer = await booker.schedule("test", clock.now() + timedelta(seconds=1), guild_id=G1)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 5
        while not fired_owner.fired:
            assert loop.time() < deadline, "the owner never ran the timer"
            await asyncio.sleep(0.05)
    finally:
        await booker.stop()
        await owner.stop()
    assert [t.id for t in fired_owner.fired] == [timer.id]
    assert fired_booker.fired == []
