"""The scheduler, with an injected clock: claims, crash recovery, late policy, retries,
unregistered kinds. One test runs the real APScheduler wake-up in real time."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

import pytest

from bot.db import timers as repo
from bot.db.database import Database
from bot.db.timers import Timer
from bot.scheduling import Scheduler, TimerKind, TimerMissed
from bot.time.clock import FakeClock, SystemClock


class Transient(Exception):
    pass


class Recorder:
    def __init__(self) -> None:
        self.fired: list[Timer] = []
        self.fail_with: list[BaseException] = []
        self.event = asyncio.Event()

    async def __call__(self, timer: Timer) -> None:
        if self.fail_with:
            raise self.fail_with.pop(0)
        self.fired.append(timer)
        self.event.set()


def make_scheduler(db: Database, clock: FakeClock | SystemClock, **kwargs: object) -> Scheduler:
    return Scheduler(db, clock, is_transient=lambda e: isinstance(e, Transient), **kwargs)  # type: ignore[arg-type]


async def state_of(db: Database, timer_id: int) -> str:
    timer = await repo.get(db.reader, timer_id)
    assert timer is not None
    return timer.state


async def test_fires_once_when_due(db: Database, clock: FakeClock) -> None:
    scheduler = make_scheduler(db, clock)
    recorder = Recorder()
    scheduler.register("test", TimerKind(handler=recorder))
    timer = await scheduler.schedule("test", clock.now() + timedelta(minutes=5), subject_id=7)

    assert await scheduler.run_due() == 0  # not due yet
    clock.advance(minutes=5)
    assert await scheduler.run_due() == 1
    assert await scheduler.run_due() == 0
    assert [t.id for t in recorder.fired] == [timer.id]
    assert await state_of(db, timer.id) == "sent"


async def test_concurrent_wakeups_claim_each_timer_once(db: Database, clock: FakeClock) -> None:
    scheduler = make_scheduler(db, clock, claim_batch=7)
    recorder = Recorder()
    scheduler.register("test", TimerKind(handler=recorder))
    for i in range(50):
        await scheduler.schedule("test", clock.now() + timedelta(seconds=i % 3))
    clock.advance(seconds=10)
    counts = await asyncio.gather(*(scheduler.run_due() for _ in range(5)))
    assert sum(counts) == 50
    assert len({t.id for t in recorder.fired}) == len(recorder.fired) == 50


async def test_timer_left_sending_by_a_crash_is_retried_with_the_same_nonce(
    db: Database, clock: FakeClock
) -> None:
    first = make_scheduler(db, clock)
    first.register("test", TimerKind(handler=Recorder()))
    timer = await first.schedule("test", clock.now())
    # The process claims the row and dies before finishing.
    async with db.transaction() as tx:
        claimed = await repo.claim_due(tx, int(clock.now().timestamp()), 0, 10, kinds=["test"])
    assert [t.id for t in claimed] == [timer.id]

    restarted = make_scheduler(db, clock)
    recorder = Recorder()
    restarted.register("test", TimerKind(handler=recorder))
    await restarted.start()
    try:
        await restarted.run_due()
    finally:
        await restarted.stop()
    assert [t.nonce() for t in recorder.fired] == [timer.nonce()]
    assert recorder.fired[0].attempts == 2
    assert await state_of(db, timer.id) == "sent"


async def test_late_policy_marks_missed_without_sending(db: Database, clock: FakeClock) -> None:
    scheduler = make_scheduler(db, clock)
    recorder, missed = Recorder(), Recorder()
    scheduler.register(
        "test", TimerKind(handler=recorder, late_after=timedelta(minutes=1), on_missed=missed)
    )
    timer = await scheduler.schedule("test", clock.now() + timedelta(minutes=1))
    clock.advance(minutes=3)
    await scheduler.run_due()
    assert recorder.fired == []
    assert [t.id for t in missed.fired] == [timer.id]
    assert await state_of(db, timer.id) == "missed"


async def test_handler_can_declare_a_timer_missed(db: Database, clock: FakeClock) -> None:
    scheduler = make_scheduler(db, clock)
    recorder = Recorder()
    recorder.fail_with.append(TimerMissed())
    scheduler.register("test", TimerKind(handler=recorder))
    timer = await scheduler.schedule("test", clock.now())
    await scheduler.run_due()
    assert await state_of(db, timer.id) == "missed"


async def test_transient_failures_retry_with_backoff_then_give_up(
    db: Database, clock: FakeClock
) -> None:
    scheduler = make_scheduler(db, clock, max_attempts=3, backoff_base=2.0)
    recorder, failed = Recorder(), Recorder()
    recorder.fail_with.extend([Transient("503"), Transient("503"), Transient("503")])
    scheduler.register("test", TimerKind(handler=recorder, on_failed=failed))
    timer = await scheduler.schedule("test", clock.now())

    await scheduler.run_due()  # attempt 1 fails → retry in 2 s
    current = await repo.get(db.reader, timer.id)
    assert current is not None and current.state == "pending"
    assert current.due_at == int(clock.now().timestamp()) + 2
    assert await scheduler.run_due() == 0  # backoff respected
    clock.advance(seconds=2)
    await scheduler.run_due()  # attempt 2 fails → retry in 4 s
    clock.advance(seconds=4)
    await scheduler.run_due()  # attempt 3 fails → failed for good
    assert await state_of(db, timer.id) == "failed"
    assert [t.id for t in failed.fired] == [timer.id]
    assert recorder.fired == []


async def test_transient_failure_then_success(db: Database, clock: FakeClock) -> None:
    scheduler = make_scheduler(db, clock)
    recorder = Recorder()
    recorder.fail_with.append(Transient("429"))
    scheduler.register("test", TimerKind(handler=recorder))
    timer = await scheduler.schedule("test", clock.now())
    await scheduler.run_due()
    clock.advance(seconds=5)
    await scheduler.run_due()
    assert [t.id for t in recorder.fired] == [timer.id]
    assert await state_of(db, timer.id) == "sent"


async def test_a_bug_fails_at_once(db: Database, clock: FakeClock) -> None:
    scheduler = make_scheduler(db, clock)
    recorder = Recorder()
    recorder.fail_with.append(KeyError("bug"))
    scheduler.register("test", TimerKind(handler=recorder))
    timer = await scheduler.schedule("test", clock.now())
    await scheduler.run_due()
    assert await state_of(db, timer.id) == "failed"


async def test_cancel_and_reschedule(db: Database, clock: FakeClock) -> None:
    scheduler = make_scheduler(db, clock)
    recorder = Recorder()
    scheduler.register("test", TimerKind(handler=recorder))
    cancelled = await scheduler.schedule("test", clock.now() + timedelta(minutes=1))
    moved = await scheduler.schedule("test", clock.now() + timedelta(minutes=1))
    assert await scheduler.cancel(cancelled.id)
    assert await scheduler.reschedule(moved.id, clock.now() + timedelta(hours=2))
    clock.advance(minutes=30)
    assert await scheduler.run_due() == 0
    clock.advance(hours=2)
    assert await scheduler.run_due() == 1
    assert [t.id for t in recorder.fired] == [moved.id]
    assert await state_of(db, cancelled.id) == "cancelled"
    assert not await scheduler.cancel(moved.id)  # already sent


async def test_a_kind_without_handler_stays_pending_until_registered(
    db: Database, clock: FakeClock
) -> None:
    """A cog reload unregisters its kinds: their timers wait instead of failing."""
    scheduler = make_scheduler(db, clock)
    recorder = Recorder()
    scheduler.register("test", TimerKind(handler=recorder))
    timer = await scheduler.schedule("test", clock.now() + timedelta(minutes=1))
    scheduler.unregister("test")
    clock.advance(minutes=5)

    assert await scheduler.run_due() == 0
    assert await state_of(db, timer.id) == "pending"
    assert not await repo.has_due(db.reader, int(clock.now().timestamp()), kinds=scheduler.kinds)

    scheduler.register("test", TimerKind(handler=recorder))
    assert await scheduler.run_due() == 1
    assert [t.id for t in recorder.fired] == [timer.id]
    assert await state_of(db, timer.id) == "sent"


async def test_a_kind_unregistered_mid_claim_goes_back_to_pending(
    db: Database, clock: FakeClock
) -> None:
    scheduler = make_scheduler(db, clock)
    scheduler.register("test", TimerKind(handler=Recorder()))
    timer = await scheduler.schedule("test", clock.now())
    async with db.transaction() as tx:
        claimed = await repo.claim_due(tx, int(clock.now().timestamp()), 0, 10, kinds=["test"])
    scheduler.unregister("test")
    await scheduler._execute(claimed[0])
    after = await repo.get(db.reader, timer.id)
    assert after is not None
    assert (after.state, after.attempts) == ("pending", 0)


async def test_registering_a_kind_twice_is_refused(db: Database, clock: FakeClock) -> None:
    scheduler = make_scheduler(db, clock)
    scheduler.register("test", TimerKind(handler=Recorder()))
    with pytest.raises(ValueError, match="already registered"):
        scheduler.register("test", TimerKind(handler=Recorder()))


async def test_real_wakeup_fires_on_time(db: Database) -> None:
    clock = SystemClock()
    scheduler = make_scheduler(db, clock)
    recorder = Recorder()
    scheduler.register("test", TimerKind(handler=recorder))
    await scheduler.start()
    try:
        due = clock.now().replace(microsecond=0) + timedelta(seconds=1)
        await scheduler.schedule("test", due)
        await asyncio.wait_for(recorder.event.wait(), timeout=5)
        lateness = clock.now() - due
        assert timedelta(0) <= lateness < timedelta(seconds=1)
    finally:
        await scheduler.stop()


async def test_naive_datetimes_are_refused(db: Database, clock: FakeClock) -> None:
    scheduler = make_scheduler(db, clock)
    scheduler.register("test", TimerKind(handler=Recorder()))
    with pytest.raises(ValueError, match="aware"):
        await scheduler.schedule("test", datetime(2026, 12, 1, 18, 0))
