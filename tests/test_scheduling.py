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


async def last_error(db: Database, timer_id: int) -> str | None:
    rows = list(
        await db.reader.execute_fetchall("SELECT last_error FROM timers WHERE id = ?", (timer_id,))
    )
    return rows[0][0]


async def test_backoff_grows_exponentially_and_keeps_the_error(
    db: Database, clock: FakeClock
) -> None:
    scheduler = make_scheduler(db, clock, max_attempts=5, backoff_base=3.0, backoff_cap=20.0)
    recorder = Recorder()
    recorder.fail_with.extend([Transient("503"), Transient("x" * 600), Transient("429")])
    scheduler.register("test", TimerKind(handler=recorder))
    timer = await scheduler.schedule("test", clock.now())
    delays = []
    for _ in range(3):
        await scheduler.run_due()
        current = await repo.get(db.reader, timer.id)
        assert current is not None and current.state == "pending"
        delays.append(current.due_at - int(clock.now().timestamp()))
        if len(delays) == 1:
            assert await last_error(db, timer.id) == "Transient: 503"
        if len(delays) == 2:
            assert await last_error(db, timer.id) == ("Transient: " + "x" * 600)[:500]
        clock.advance(seconds=delays[-1])
    assert delays == [3, 9, 20]  # 3¹, 3², then 3³ = 27 capped at 20
    await scheduler.run_due()
    assert await state_of(db, timer.id) == "sent"


async def test_a_sub_second_backoff_still_waits_a_second(db: Database, clock: FakeClock) -> None:
    scheduler = make_scheduler(db, clock, backoff_base=0.2)
    recorder = Recorder()
    recorder.fail_with.append(Transient("503"))
    scheduler.register("test", TimerKind(handler=recorder))
    timer = await scheduler.schedule("test", clock.now())
    await scheduler.run_due()
    current = await repo.get(db.reader, timer.id)
    assert current is not None
    assert current.due_at == int(clock.now().timestamp()) + 1


async def test_a_kind_may_allow_fewer_attempts_than_the_scheduler(
    db: Database, clock: FakeClock
) -> None:
    scheduler = make_scheduler(db, clock, max_attempts=5)
    recorder, failed = Recorder(), Recorder()
    recorder.fail_with.extend([Transient("503"), Transient("503")])
    scheduler.register("test", TimerKind(handler=recorder, on_failed=failed, max_attempts=2))
    timer = await scheduler.schedule("test", clock.now())
    await scheduler.run_due()
    clock.advance(seconds=2)
    await scheduler.run_due()
    assert await state_of(db, timer.id) == "failed"
    assert await last_error(db, timer.id) == "Transient: 503"
    assert [t.id for t in failed.fired] == [timer.id]


async def test_a_failing_hook_does_not_undo_the_verdict(db: Database, clock: FakeClock) -> None:
    async def broken(_: Timer) -> None:
        raise RuntimeError("hook bug")

    scheduler = make_scheduler(db, clock)
    late = TimerKind(handler=Recorder(), late_after=timedelta(seconds=1), on_missed=broken)
    failing = Recorder()
    failing.fail_with.append(KeyError("bug"))
    scheduler.register("late", late)
    scheduler.register("bug", TimerKind(handler=failing, on_failed=broken))
    missed = await scheduler.schedule("late", clock.now())
    failed = await scheduler.schedule("bug", clock.now() + timedelta(seconds=2))
    clock.advance(seconds=2)
    assert await scheduler.run_due() == 2
    assert await state_of(db, missed.id) == "missed"
    assert await state_of(db, failed.id) == "failed"
    assert await last_error(db, failed.id) == "KeyError: 'bug'"


async def test_late_policy_sends_a_timer_exactly_at_its_lateness_limit(
    db: Database, clock: FakeClock
) -> None:
    scheduler = make_scheduler(db, clock)
    recorder = Recorder()
    scheduler.register("test", TimerKind(handler=recorder, late_after=timedelta(minutes=1)))
    timer = await scheduler.schedule("test", clock.now())
    clock.advance(minutes=1)
    await scheduler.run_due()
    assert await state_of(db, timer.id) == "sent"
    assert [t.id for t in recorder.fired] == [timer.id]


async def test_cancel_and_reschedule_inside_the_callers_transaction(
    db: Database, clock: FakeClock
) -> None:
    scheduler = make_scheduler(db, clock)
    recorder = Recorder()
    scheduler.register("test", TimerKind(handler=recorder))
    first = await scheduler.schedule("test", clock.now() + timedelta(minutes=1), subject_id=5)
    second = await scheduler.schedule("test", clock.now() + timedelta(minutes=1), subject_id=5)
    other = await scheduler.schedule("test", clock.now() + timedelta(minutes=1), subject_id=6)
    async with db.transaction() as tx:
        assert await scheduler.cancel(first.id, conn=tx)
        assert not await scheduler.cancel(first.id, conn=tx)
        assert await scheduler.reschedule(other.id, clock.now() + timedelta(hours=1), conn=tx)
        assert await scheduler.cancel_subject("test", 5, conn=tx) == 1
        assert await scheduler.cancel_subject("test", 5, conn=tx) == 0
    assert await state_of(db, second.id) == "cancelled"
    assert await scheduler.cancel_subject("test", 6) == 1
    assert not await scheduler.reschedule(other.id, clock.now())  # cancelled: not moved
    clock.advance(hours=2)
    assert await scheduler.run_due() == 0


async def test_unregistering_an_unknown_kind_is_harmless(db: Database, clock: FakeClock) -> None:
    scheduler = make_scheduler(db, clock)
    scheduler.unregister("never-registered")
    scheduler.register("b", TimerKind(handler=Recorder()))
    scheduler.register("a", TimerKind(handler=Recorder()))
    assert scheduler.kinds == ["a", "b"]
    scheduler.unregister("b")
    assert scheduler.kinds == ["a"]


async def test_retry_and_release_only_touch_a_claimed_row(db: Database, clock: FakeClock) -> None:
    scheduler = make_scheduler(db, clock)
    timer = await scheduler.schedule("test", clock.now())
    now = int(clock.now().timestamp())
    async with db.transaction() as tx:
        assert not await repo.retry_later(tx, timer.id, now + 5, now, "e")  # still pending
        assert not await repo.release(tx, timer.id, now)
        assert not await repo.finish(tx, timer.id, "sent", now)
        [claimed] = await repo.claim_due(tx, now, now, 10, kinds=["test"])
        assert claimed.attempts == 1
        assert await repo.release(tx, timer.id, now)
    after = await repo.get(db.reader, timer.id)
    assert after is not None and (after.state, after.attempts) == ("pending", 0)
    async with db.transaction() as tx:
        await repo.claim_due(tx, now, now, 10, kinds=["test"])
        assert await repo.retry_later(tx, timer.id, now + 5, now, "e")
    moved = await repo.get(db.reader, timer.id)
    assert moved is not None and (moved.state, moved.due_at) == ("pending", now + 5)


async def test_the_refill_job_prunes_finished_timers_after_the_keep_period(
    db: Database, clock: FakeClock
) -> None:
    scheduler = make_scheduler(db, clock, keep_finished=timedelta(days=30))
    scheduler.register("test", TimerKind(handler=Recorder()))
    sent = await scheduler.schedule("test", clock.now())
    cancelled = await scheduler.schedule("test", clock.now() + timedelta(days=1))
    waiting = await scheduler.schedule("test", clock.now() + timedelta(days=90))
    await scheduler.run_due()
    clock.advance(days=1)
    await scheduler.cancel(cancelled.id)
    clock.advance(days=29)
    await scheduler._refill_job()
    assert await repo.get(db.reader, sent.id) is not None  # exactly 30 days: kept
    clock.advance(seconds=1)
    await scheduler._refill_job()
    assert await repo.get(db.reader, sent.id) is None
    assert await repo.get(db.reader, cancelled.id) is not None  # finished a day later
    assert await state_of(db, waiting.id) == "pending"


async def test_a_transient_failure_is_retried_by_the_real_wakeup(db: Database) -> None:
    clock = SystemClock()
    scheduler = make_scheduler(db, clock, backoff_base=0.2)  # retry in 1 s
    recorder = Recorder()
    recorder.fail_with.append(Transient("503"))
    scheduler.register("test", TimerKind(handler=recorder))
    await scheduler.start()
    try:
        timer = await scheduler.schedule("test", clock.now())
        await asyncio.wait_for(recorder.event.wait(), timeout=5)
    finally:
        await scheduler.stop()
    assert [t.id for t in recorder.fired] == [timer.id]
    assert recorder.fired[0].attempts == 2


async def test_each_message_of_a_timer_has_its_own_nonce(db: Database, clock: FakeClock) -> None:
    scheduler = make_scheduler(db, clock)
    timer = await scheduler.schedule("test", clock.now())
    assert timer.nonce() == timer.nonce(0)  # the first message
    assert len({timer.nonce(), timer.nonce(1), timer.nonce("dm")}) == 3


async def test_a_rescheduled_timer_is_armed_on_the_real_wakeup(db: Database) -> None:
    clock = SystemClock()
    scheduler = make_scheduler(db, clock)
    recorder = Recorder()
    scheduler.register("test", TimerKind(handler=recorder))
    await scheduler.start()
    try:
        timer = await scheduler.schedule("test", clock.now() + timedelta(days=3))
        due = clock.now().replace(microsecond=0) + timedelta(seconds=1)
        assert await scheduler.reschedule(timer.id, due)
        await asyncio.wait_for(recorder.event.wait(), timeout=5)
    finally:
        await scheduler.stop()
    assert [t.id for t in recorder.fired] == [timer.id]


async def test_stop_without_start_is_harmless(db: Database, clock: FakeClock) -> None:
    scheduler = make_scheduler(db, clock)
    await scheduler.stop()
    assert not scheduler.running


async def test_stop_gives_running_work_its_grace_then_a_restart_retries_it(
    db: Database, clock: FakeClock
) -> None:
    release = asyncio.Event()
    started = asyncio.Event()

    async def stuck(timer: Timer) -> None:
        started.set()
        await release.wait()  # never set: the send hangs

    first = make_scheduler(db, clock)
    first.register("test", TimerKind(handler=stuck))
    timer = await first.schedule("test", clock.now())
    running = asyncio.create_task(first.run_due())
    await asyncio.wait_for(started.wait(), timeout=5)
    await asyncio.wait_for(first.stop(grace=0.05), timeout=5)
    await asyncio.wait_for(running, timeout=5)
    assert await state_of(db, timer.id) == "sending"  # cut off mid-send

    again = make_scheduler(db, clock)
    recorder = Recorder()
    again.register("test", TimerKind(handler=recorder))
    await again.start()
    try:
        await again.run_due()
    finally:
        await again.stop()
    assert [t.id for t in recorder.fired] == [timer.id]


async def test_at_most_max_running_handlers_run_at_once(db: Database, clock: FakeClock) -> None:
    active = peak = 0

    async def busy(timer: Timer) -> None:
        nonlocal active, peak
        active += 1
        peak = max(peak, active)
        await asyncio.sleep(0.02)  # a slow send: the next claims happen meanwhile
        active -= 1

    scheduler = make_scheduler(db, clock, claim_batch=1, max_running=2)
    scheduler.register("test", TimerKind(handler=busy))
    for _ in range(6):
        await scheduler.schedule("test", clock.now())
    assert await scheduler.run_due() == 6
    assert peak == 2


async def test_start_arms_what_was_booked_before_it_and_what_is_overdue(db: Database) -> None:
    clock = SystemClock()
    scheduler = make_scheduler(db, clock)
    recorder = Recorder()
    overdue = await scheduler.schedule("test", clock.now() - timedelta(minutes=5))
    soon = await scheduler.schedule(
        "test", clock.now().replace(microsecond=0) + timedelta(seconds=1)
    )
    scheduler.register("test", TimerKind(handler=recorder))
    await scheduler.start()
    try:
        for _ in range(2):
            await asyncio.wait_for(recorder.event.wait(), timeout=5)
            recorder.event.clear()
            if len(recorder.fired) == 2:
                break
    finally:
        await scheduler.stop()
    assert [t.id for t in recorder.fired] == [overdue.id, soon.id]


async def test_a_kind_registered_after_start_runs_its_overdue_timers_at_once(
    db: Database,
) -> None:
    clock = SystemClock()
    scheduler = make_scheduler(db, clock)
    overdue = await scheduler.schedule("late", clock.now() - timedelta(minutes=5))
    await scheduler.start()
    try:
        recorder = Recorder()
        scheduler.register("late", TimerKind(handler=recorder))
        await asyncio.wait_for(recorder.event.wait(), timeout=5)
    finally:
        await scheduler.stop()
    assert [t.id for t in recorder.fired] == [overdue.id]
