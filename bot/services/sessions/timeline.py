"""Study sessions over time: reminders at the server's offsets, the start (and the next
occurrence of a series), the end.

Each session books, in the transaction that creates or moves it, one timer per
reminder offset, one at its start and one at its end (see ``bot/scheduling.py``). A
reminder whose session already started is never sent: the handler raises
``TimerMissed`` (and a kind-wide ``late_after`` of the longest offset backs that up).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.db import session_prefs as prefs
from bot.db import session_rsvps as rsvps
from bot.db import sessions as repo
from bot.db.database import Connection, Database
from bot.db.sessions import Session
from bot.db.timers import Timer
from bot.scheduling import Scheduler, TimerMissed
from bot.services.sessions.rules import (
    DEFAULT_OFFSETS,
    KIND_END,
    KIND_REMINDER,
    KIND_START,
    KINDS,
    MAX_OFFSET,
    MAX_OFFSETS,
    REPEAT_STEP,
    Audience,
    ReminderPlan,
    StartResult,
    offsets_ahead,
    with_host,
)
from bot.time.clock import Clock, epoch
from bot.time.durations import parse_offsets
from bot.time.wallclock import add_local

log = logging.getLogger(__name__)


class SessionTimeline:
    def __init__(self, db: Database, clock: Clock, scheduler: Scheduler) -> None:
        self._db = db
        self._clock = clock
        self._scheduler = scheduler

    # -- offsets ------------------------------------------------------------------------

    async def offsets(self, guild_id: int, conn: Connection | None = None) -> list[timedelta]:
        stored = await prefs.get_offsets(conn or self._db.reader, guild_id)
        if stored is None:
            return list(DEFAULT_OFFSETS)
        return [timedelta(seconds=s) for s in stored]

    async def set_offsets(self, guild_id: int, text: str) -> list[timedelta]:
        """Store the server's reminder offsets and move the reminders of every session
        not started yet to match."""
        offsets = parse_offsets(text, max_count=MAX_OFFSETS, maximum=MAX_OFFSET)
        now = epoch(self._clock.now())
        async with self._db.transaction() as tx:
            await prefs.set_offsets(tx, guild_id, [int(o.total_seconds()) for o in offsets], now)
            for session_id in await repo.open_ids(tx, guild_id, now):
                session = await repo.get(tx, session_id)
                if session is None:
                    continue
                await self._scheduler.cancel_subject(KIND_REMINDER, session_id, conn=tx)
                await self._book_reminders(tx, session, offsets)
        return offsets

    # -- booking ------------------------------------------------------------------------

    async def book(self, conn: Connection, session: Session) -> None:
        """Book reminders, start and end for a session (inside the caller's transaction)."""
        offsets = await self.offsets(session.guild_id, conn)
        await self._book_reminders(conn, session, offsets)
        now = self._clock.now()
        if session.status == "scheduled" and session.start > now:
            await self._scheduler.schedule(
                KIND_START,
                session.start,
                guild_id=session.guild_id,
                subject_id=session.id,
                conn=conn,
            )
        if session.end > now:
            await self._scheduler.schedule(
                KIND_END, session.end, guild_id=session.guild_id, subject_id=session.id, conn=conn
            )

    async def _book_reminders(
        self, conn: Connection, session: Session, offsets: list[timedelta]
    ) -> None:
        """One timer per offset still ahead (none "a day before" an hour before). Each
        is good until the next one is due: after a downtime only the latest is sent."""
        if session.status != "scheduled":
            return
        ahead = offsets_ahead(session.start, offsets, self._clock.now())
        dues = [(session.start - offset, offset) for offset in ahead]
        for index, (due, offset) in enumerate(dues):
            until = dues[index + 1][0] if index + 1 < len(dues) else session.start
            await self._scheduler.schedule(
                KIND_REMINDER,
                due,
                guild_id=session.guild_id,
                subject_id=session.id,
                payload={
                    "offset": int(offset.total_seconds()),
                    "starts_at": session.starts_at,
                    "until": epoch(until),
                },
                conn=conn,
            )

    async def drop(self, conn: Connection, session_id: int) -> None:
        for kind in KINDS:
            await self._scheduler.cancel_subject(kind, session_id, conn=conn)

    async def rebook(self, conn: Connection, session: Session) -> None:
        await self.drop(conn, session.id)
        await self.book(conn, session)

    # -- firing -------------------------------------------------------------------------

    async def reminder_plan(self, timer: Timer) -> ReminderPlan:
        """Who to remind and how; ``TimerMissed`` when the session started, moved or
        was cancelled since the timer was booked."""
        session = (
            None if timer.subject_id is None else await repo.get(self._db.reader, timer.subject_id)
        )
        if session is None or session.status != "scheduled":
            raise TimerMissed("the session is no longer scheduled")
        now = self._clock.now()
        if now >= session.start:
            raise TimerMissed("the session already started")
        if epoch(now) >= int(timer.payload.get("until", session.starts_at)):
            raise TimerMissed("a later reminder is due already; only that one is sent")
        if timer.payload.get("starts_at", session.starts_at) != session.starts_at:
            raise TimerMissed("the session moved; its reminders were rebooked")
        roster = await rsvps.roster(self._db.reader, session.id)
        audience = await self.audience(with_host(session, roster.going), reminders=True)
        offset = timedelta(seconds=int(timer.payload.get("offset", 0)))
        return ReminderPlan(session=session, offset=offset, audience=audience)

    async def audience(self, user_ids: list[int], *, reminders: bool) -> Audience:
        """Split users by their choice: ``dm``, ``channel`` (the default), or ``off``
        (no reminders; other notices, such as a cancellation, still reach them in the
        thread)."""
        chosen = await prefs.modes(self._db.reader, user_ids)
        mention, dm = [], []
        for user_id in user_ids:
            mode = chosen.get(user_id, "channel")
            if mode == "dm":
                dm.append(user_id)
            elif mode == "channel" or not reminders:
                mention.append(user_id)
        return Audience(mention=mention, dm=dm)

    async def begin(self, session_id: int) -> StartResult | None:
        """The session starts: it goes live, and a series gets its next occurrence
        (attendees carried over). Safe to repeat: both steps happen at most once."""
        now = self._clock.now()
        async with self._db.transaction() as tx:
            session = await repo.get(tx, session_id)
            if session is None or session.status == "cancelled":
                return None
            live = await repo.update(
                tx,
                session_id,
                {"status": "live", "updated_at": epoch(now)},
                where="status = 'scheduled'",
            )
            session = live or session
            following = await self._next_occurrence(tx, session, now)
        return StartResult(session=session, next=following)

    async def _next_occurrence(
        self, conn: Connection, session: Session, now: datetime
    ) -> Session | None:
        step = REPEAT_STEP.get(session.repeat)
        if step is None:
            return None
        existing = await repo.next_of(conn, session.id)
        if existing is not None:
            return existing  # created by an earlier try; its card may be missing
        zone = ZoneInfo(session.zone)
        start = add_local(session.start, step, zone)
        while start <= now:  # the bot was down for a while: the next one still ahead
            start = add_local(start, step, zone)
        following = await repo.insert(
            conn,
            {
                "guild_id": session.guild_id,
                "host_id": session.host_id,
                "title": session.title,
                "topic": session.topic,
                "description": session.description,
                "starts_at": epoch(start.astimezone(UTC)),
                "duration_min": session.duration_min,
                "capacity": session.capacity,
                "repeat": session.repeat,
                "zone": session.zone,
                "voice_channel_id": session.voice_channel_id,
                "previous_id": session.id,
                "created_at": epoch(now),
                "updated_at": epoch(now),
            },
        )
        await rsvps.copy(conn, session.id, following.id, epoch(now))
        await self.book(conn, following)
        log.info("session %s: next occurrence #%s at %s", session.id, following.id, start)
        return following

    async def finish(self, session_id: int) -> Session | None:
        """The session is over; None when it was cancelled or is gone."""
        now = epoch(self._clock.now())
        async with self._db.transaction() as tx:
            ended = await repo.update(
                tx,
                session_id,
                {"status": "ended", "updated_at": now},
                where="status IN ('scheduled', 'live')",
            )
            if ended is not None:
                return ended
            current = await repo.get(tx, session_id)
        return current if current is not None and current.status == "ended" else None
