"""The one scheduler: durable timers that are never lost, never late, never doubled.

The ``timers`` table is the truth. APScheduler (memory store) is only a cache of wake-ups,
one job per distinct due second within ``horizon``, rebuilt from the rows at start and
topped up every ``refill_every``. A wake-up claims every pending row due by its second in
one statement (``pending`` → ``sending``), so a repeated or concurrent trigger finds
nothing to claim, and a thousand timers due in the same second cost one query.

Handlers send with ``Timer.nonce()``: a row left in ``sending`` by a crash goes back to
``pending`` at start and is retried with the same nonce, and Discord returns the earlier
message instead of posting twice. Transient failures (5xx, 429, network) retry with
exponential backoff; a kind's ``late_after`` marks stale timers ``missed`` instead of
sending them; a ``Recurrence`` books the next occurrence in the series' own timezone.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.date import DateTrigger

from bot.db import timers as repo
from bot.db.database import Connection, Database
from bot.db.timers import Timer
from bot.sharding import Shards
from bot.time.clock import Clock, epoch

log = logging.getLogger(__name__)

Handler = Callable[[Timer], Awaitable[None]]
Hook = Callable[[Timer], Awaitable[None]]


# How often a sharded process looks for timers another process booked for its guilds
# (a Snooze pressed in a DM goes to shard 0's process): one small query.
SHARDED_REFILL = timedelta(seconds=15)


class TimerMissed(Exception):
    """Raised by a handler when acting now would be stale (the session already started)."""


@dataclass(frozen=True)
class TimerKind:
    handler: Handler
    late_after: timedelta | None = None  # claimed later than this → missed, not sent
    on_missed: Hook | None = None
    on_failed: Hook | None = None  # retries exhausted or a non-transient error
    max_attempts: int | None = None  # this kind's tries in all (default: the scheduler's)


class Scheduler:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        *,
        is_transient: Callable[[BaseException], bool] = lambda _: False,
        horizon: timedelta = timedelta(hours=1),
        refill_every: timedelta = timedelta(minutes=5),
        max_attempts: int = 5,
        backoff_base: float = 2.0,
        backoff_cap: float = 300.0,
        claim_batch: int = 500,
        max_running: int = 2000,
        concurrency: int = 64,
        keep_finished: timedelta = timedelta(days=30),
        wake: bool = True,
        shards: Shards | None = None,
    ) -> None:
        self._db = db
        # A sharded process runs only the timers of its shards' guilds (and, for shard
        # 0, those of no guild); the claim stays one atomic statement either way.
        self._shards = shards or Shards.single()
        self._clock = clock
        self._is_transient = is_transient
        self._horizon = horizon
        self._refill_every = refill_every
        if self._shards.sharded:  # timers booked by other processes: armed at a refill
            self._refill_every = min(refill_every, SHARDED_REFILL)
        self._max_attempts = max_attempts
        self._backoff_base = backoff_base
        self._backoff_cap = backoff_cap
        self._claim_batch = claim_batch
        self._max_running = max_running
        self._keep_finished = keep_finished
        # Tests with an injected clock turn wake-ups off and call ``run_due`` themselves.
        self._wake_enabled = wake
        self._slots = asyncio.Semaphore(concurrency)
        self._kinds: dict[str, TimerKind] = {}
        self._aps: AsyncIOScheduler | None = None
        self._armed: set[int] = set()
        self._in_flight: set[asyncio.Task[None]] = set()
        self._started = False

    # -- registration -------------------------------------------------------------

    def register(self, kind: str, kind_spec: TimerKind) -> None:
        """Handle ``kind`` from now on; its overdue rows are picked up at once."""
        if kind in self._kinds:
            raise ValueError(f"timer kind {kind!r} is already registered")
        self._kinds[kind] = kind_spec
        if self._aps is not None:
            self._arm(epoch(self._clock.now()))

    def unregister(self, kind: str) -> None:
        """Stop handling ``kind`` (its cog unloaded): its rows stay pending until a
        handler is registered again; nothing is lost or failed meanwhile."""
        self._kinds.pop(kind, None)

    @property
    def refill_every(self) -> timedelta:
        return self._refill_every

    @property
    def kinds(self) -> list[str]:
        return sorted(self._kinds)

    # -- life cycle ---------------------------------------------------------------

    @property
    def running(self) -> bool:
        return self._aps is not None

    @property
    def started(self) -> bool:
        """Between ``start`` and ``stop``: timers are handled (by wake-ups, or by
        ``run_due`` where wake-ups are off)."""
        return self._started

    async def backlog(self, late_after: int = 60) -> dict[str, tuple[int, int]]:
        """Pending timers by kind: how many, and how many of them are more than
        ``late_after`` seconds overdue."""
        late_since = epoch(self._clock.now()) - late_after
        return await repo.backlog(self._db.reader, late_since, shards=self._shards)

    async def start(self) -> None:
        """Rebuild the wake-ups from the rows; retry what a crash left half done."""
        now = epoch(self._clock.now())
        self._started = True
        async with self._db.transaction() as tx:
            released = await repo.release_interrupted(tx, now, shards=self._shards)
        if released:
            log.warning("retrying %d timers interrupted mid-send", released)
        if not self._wake_enabled:
            return
        self._aps = AsyncIOScheduler(timezone=UTC)
        self._aps.start()
        armed = await self.refill()
        self._aps.add_job(
            self._refill_job,
            "interval",
            seconds=self._refill_every.total_seconds(),
            id="timers:refill",
            replace_existing=True,
            misfire_grace_time=None,
            coalesce=True,
        )
        log.info("scheduler started: %d wake-ups armed", armed)

    async def stop(self, grace: float = 5.0) -> None:
        """Stop waking; give running work ``grace`` seconds, then cancel it. Unfinished
        sends stay in ``sending`` and are retried, same nonce, at the next start."""
        self._started = False
        if self._aps is not None:
            self._aps.pause()
        if self._in_flight:
            _, pending = await asyncio.wait(self._in_flight, timeout=grace)
            for task in pending:
                task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.gather(*pending, return_exceptions=True)
        if self._aps is not None:
            self._aps.shutdown(wait=False)
            self._aps = None
        self._armed.clear()

    async def refill(self) -> int:
        """Arm a wake-up for every due second within the horizon; everything overdue
        (after downtime, say) shares one wake-up now, however many rows it is."""
        now = epoch(self._clock.now())
        until = epoch(self._clock.now() + self._horizon + self._refill_every)
        seconds = await repo.live_due_seconds(
            self._db.reader, since=now, until=until, shards=self._shards
        )
        if await repo.has_due(self._db.reader, now, kinds=self.kinds, shards=self._shards):
            seconds.insert(0, now)
        for second in seconds:
            self._arm(second)
        return len(seconds)

    async def _refill_job(self) -> None:
        try:
            await self.refill()
            cutoff = epoch(self._clock.now() - self._keep_finished)
            async with self._db.transaction() as tx:
                await repo.prune_finished(tx, cutoff)
        except Exception:
            log.exception("timer refill failed; retrying at the next interval")

    # -- booking ------------------------------------------------------------------

    async def schedule(
        self,
        kind: str,
        due: datetime,
        *,
        guild_id: int | None = None,
        subject_id: int | None = None,
        user_id: int | None = None,
        payload: dict[str, Any] | None = None,
        conn: Connection | None = None,
    ) -> Timer:
        """Book a timer; pass ``conn`` to make it part of the caller's transaction."""
        body = dict(payload or {})
        due_at, now = epoch(due), epoch(self._clock.now())

        async def insert(into: Connection) -> Timer:
            return await repo.insert(
                into,
                kind=kind,
                due_at=due_at,
                now=now,
                guild_id=guild_id,
                subject_id=subject_id,
                user_id=user_id,
                payload=body,
            )

        if conn is not None:
            timer = await insert(conn)
        else:
            async with self._db.transaction() as own:
                timer = await insert(own)
        # Arming before the caller commits is harmless: a wake-up that finds no
        # committed row claims nothing.
        self._arm(timer.due_at)
        return timer

    async def cancel(self, timer_id: int, *, conn: Connection | None = None) -> bool:
        now = epoch(self._clock.now())
        if conn is not None:
            return await repo.cancel(conn, timer_id, now)
        async with self._db.transaction() as own:
            return await repo.cancel(own, timer_id, now)

    async def cancel_subject(
        self, kind: str, subject_id: int, *, conn: Connection | None = None
    ) -> int:
        now = epoch(self._clock.now())
        if conn is not None:
            return await repo.cancel_subject(conn, kind, subject_id, now)
        async with self._db.transaction() as own:
            return await repo.cancel_subject(own, kind, subject_id, now)

    async def reschedule(
        self, timer_id: int, due: datetime, *, conn: Connection | None = None
    ) -> bool:
        now, due_at = epoch(self._clock.now()), epoch(due)
        if conn is not None:
            moved = await repo.move(conn, timer_id, due_at, now)
        else:
            async with self._db.transaction() as own:
                moved = await repo.move(own, timer_id, due_at, now)
        if moved:
            self._arm(due_at)
        return moved

    def _arm(self, due_at: int) -> None:
        if self._aps is None or due_at in self._armed:
            return
        if due_at > epoch(self._clock.now() + self._horizon + self._refill_every):
            return  # a later refill arms it
        self._armed.add(due_at)
        self._aps.add_job(
            self._wake,
            DateTrigger(datetime.fromtimestamp(due_at, UTC)),
            args=(due_at,),
            id=f"timers:due:{due_at}",
            replace_existing=True,
            misfire_grace_time=None,
        )

    # -- firing -------------------------------------------------------------------

    async def _wake(self, due_at: int) -> None:
        self._armed.discard(due_at)
        task = asyncio.current_task()
        if task is not None:
            self._in_flight.add(task)
        try:
            # Claim by the job's own second, not by "now": a wake-up a hair early must
            # still find its rows.
            up_to = max(due_at, epoch(self._clock.now()))
            await self.run_due(datetime.fromtimestamp(up_to, UTC))
        finally:
            if task is not None:
                self._in_flight.discard(task)

    async def run_due(self, up_to: datetime | None = None) -> int:
        """Claim and run every pending timer due by ``up_to`` (default: now).

        Tests with an injected clock call this directly instead of waiting."""
        limit = epoch(up_to or self._clock.now())
        running: set[asyncio.Task[None]] = set()
        total = 0
        while True:
            # Bounded: a backlog of 100,000 overdue rows is claimed as earlier ones
            # finish, not all at once; unclaimed rows simply stay pending.
            while len(running) >= self._max_running:
                _, running = await asyncio.wait(running, return_when=asyncio.FIRST_COMPLETED)
            async with self._db.transaction() as tx:
                claimed = await repo.claim_due(
                    tx,
                    limit,
                    epoch(self._clock.now()),
                    self._claim_batch,
                    kinds=self.kinds,
                    shards=self._shards,
                )
            for timer in claimed:
                task = asyncio.create_task(self._execute(timer), name=f"timer-{timer.id}")
                self._in_flight.add(task)
                task.add_done_callback(self._in_flight.discard)
                running.add(task)
            total += len(claimed)
            if len(claimed) < self._claim_batch:
                break
        if running:
            await asyncio.gather(*running, return_exceptions=True)
        return total

    async def _execute(self, timer: Timer) -> None:
        kind = self._kinds.get(timer.kind)
        now = self._clock.now()
        if kind is None:
            # Unregistered between claim and run (its cog is reloading): put it back.
            log.info("timer %s (%s) has no handler now; left pending", timer.id, timer.kind)
            async with self._db.transaction() as tx:
                await repo.release(tx, timer.id, epoch(now))
            return
        if kind.late_after is not None and now - timer.due > kind.late_after:
            log.info("timer %s (%s) missed: %s late", timer.id, timer.kind, now - timer.due)
            await self._conclude(timer, "missed", kind.on_missed)
            return
        try:
            async with self._slots:
                await kind.handler(timer)
        except TimerMissed:
            await self._conclude(timer, "missed", kind.on_missed)
        except Exception as exc:
            await self._handle_failure(timer, kind, exc)
        else:
            await self._conclude(timer, "sent", None)

    async def _conclude(self, timer: Timer, state: str, hook: Hook | None) -> None:
        async with self._db.transaction() as tx:
            await repo.finish(tx, timer.id, state, epoch(self._clock.now()))
        if hook is not None:
            try:
                await hook(timer)
            except Exception:
                log.exception("%s hook failed for timer %s", state, timer.id)

    async def _handle_failure(self, timer: Timer, kind: TimerKind, exc: Exception) -> None:
        now = self._clock.now()
        error = f"{type(exc).__name__}: {exc}"[:500]
        attempts = kind.max_attempts or self._max_attempts
        if self._is_transient(exc) and timer.attempts < attempts:
            delay = min(self._backoff_cap, self._backoff_base**timer.attempts)
            retry_at = epoch(now) + max(1, round(delay))
            log.warning(
                "timer %s (%s) attempt %d failed (%s); retrying in %.0f s",
                timer.id,
                timer.kind,
                timer.attempts,
                error,
                delay,
            )
            async with self._db.transaction() as tx:
                retried = await repo.retry_later(tx, timer.id, retry_at, epoch(now), error)
            if retried:
                self._arm(retry_at)
            return
        log.error("timer %s (%s) failed for good: %s", timer.id, timer.kind, error, exc_info=exc)
        async with self._db.transaction() as tx:
            await repo.finish(tx, timer.id, "failed", epoch(now), error)
        if kind.on_failed is not None:
            try:
                await kind.on_failed(timer)
            except Exception:
                log.exception("failure hook failed for timer %s", timer.id)
