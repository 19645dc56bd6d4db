"""The scheduler, with an injected clock: claims, crash recovery, late policy, retries,
recurrence across DST. One test runs the real APScheduler wake-up in real time."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.db import timers as repo
from bot.db.database import Database
from bot.db.timers import Timer
from bot.scheduling import Recurrence, Scheduler, TimerKind, TimerMissed
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
    timer = await repo.get(db, timer_id)
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
    claimed = await repo.claim_due(db, int(clock.now().timestamp()), 0, 10)
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
    current = await repo.get(db, timer.id)
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


async def test_weekly_timer_keeps_local_time_across_the_october_change(db: Database) -> None:
    london = ZoneInfo("Europe/London")
    clock = FakeClock(datetime(2026, 10, 5, 12, 0, tzinfo=UTC))
    scheduler = make_scheduler(db, clock)
    recorder = Recorder()
    scheduler.register("digest", TimerKind(handler=recorder))
    recur = Recurrence(every="weekly", at=time(18, 0), zone="Europe/London", weekday=0)
    await scheduler.schedule("digest", recur.next_after(clock.now()), recur=recur)

    for _ in range(6):  # Mondays 5 Oct … 9 Nov 2026; clocks go back on Sun 25 Oct
        pending = await db.fetchall("SELECT due_at FROM timers WHERE state = 'pending'")
        assert len(pending) == 1
        clock.set(datetime.fromtimestamp(pending[0]["due_at"], UTC))
        assert await scheduler.run_due() == 1
    local = [t.due.astimezone(london) for t in recorder.fired]
    assert [(d.weekday(), d.hour, d.minute) for d in local] == [(0, 18, 0)] * 6
    assert [d.utcoffset() for d in local] == [timedelta(hours=1)] * 3 + [timedelta(0)] * 3
    assert [d.day for d in local] == [5, 12, 19, 26, 2, 9]


async def test_recurrence_after_downtime_resumes_at_the_next_slot(db: Database) -> None:
    clock = FakeClock(datetime(2026, 11, 2, 8, 0, tzinfo=UTC))
    scheduler = make_scheduler(db, clock)
    recorder = Recorder()
    scheduler.register("digest", TimerKind(handler=recorder))
    recur = Recurrence(every="daily", at=time(9, 0), zone="UTC")
    await scheduler.schedule("digest", recur.next_after(clock.now()), recur=recur)
    clock.advance(days=3)  # down for three days
    assert await scheduler.run_due() == 1  # one catch-up, not three
    nxt = await db.fetchval("SELECT due_at FROM timers WHERE state = 'pending'")
    assert datetime.fromtimestamp(nxt, UTC) == datetime(2026, 11, 5, 9, 0, tzinfo=UTC)


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
