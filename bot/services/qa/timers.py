"""Thread activity and the automatic Q&A timers: noting replies, reopening on a reply,
booking and moving the timers, and deciding, when one fires, whether it still has
something to do (a reply came, the question was solved …).

Every decision is idempotent for the same timer: a retry after a crash gets the same
answer, so the cog re-sends with the timer's nonce and Discord returns the earlier
message instead of posting twice.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from bot.db import qa as repo
from bot.db.database import Connection, Database
from bot.db.qa import Question, Timings
from bot.errors import Conflict, NotFound, PermissionDenied
from bot.scheduling import Scheduler
from bot.services.guild_settings import GuildSettingsService
from bot.services.qa.rules import (
    ACTIVITY_DEBOUNCE,
    KIND_DORMANT,
    KIND_NUDGE,
    KIND_UNANSWERED,
    MAX_PINGED_USERS,
    TIMER_KINDS,
    Activity,
    Dormant,
    HelpCall,
    Ping,
)
from bot.time.clock import Clock, epoch

log = logging.getLogger(__name__)


class QATimers:
    def __init__(
        self, db: Database, clock: Clock, scheduler: Scheduler, guilds: GuildSettingsService
    ) -> None:
        self._db = db
        self._clock = clock
        self._scheduler = scheduler
        self._guilds = guilds

    def _now(self) -> int:
        return epoch(self._clock.now())

    # -- thread activity ---------------------------------------------------------------

    async def record_message(self, thread_id: int, author_id: int, at: datetime) -> Activity | None:
        """A user posted in a thread. For a question's thread: note the first reply (from
        someone other than the asker), move the nudge and dormant timers (at most once a
        minute), and reopen a solved or closed question."""
        question = await repo.by_thread(self._db.reader, thread_id)
        if question is None:
            return None
        instant = min(at, self._clock.now())
        moment = epoch(instant)
        if not self._changes(question, author_id, moment):
            return Activity(question, reopened=False)
        timings = await repo.timings(self._db.reader, question.guild_id)
        async with self._db.transaction() as tx:
            current = await repo.lock(tx, question.id)
            if current is None:
                return None
            if not self._changes(current, author_id, moment):
                return Activity(current, reopened=False)
            # Only a reply that came after the solve or close reopens: one the bot saw
            # while the question was still open (its read above) may be handled after a
            # solve that committed meanwhile, and must not undo it.
            reopened = current.status != "open" and question.status != "open"
            fields: dict[str, object] = {"last_activity_at": max(current.last_activity_at, moment)}
            if author_id != current.asker_id and current.first_reply_at is None:
                fields["first_reply_at"] = moment
                await self._scheduler.cancel_subject(KIND_UNANSWERED, current.id, conn=tx)
            if author_id != current.asker_id:
                fields["needs_help_at"] = None  # someone answered the call for help
            if reopened:
                fields.update(
                    status="open",
                    close_reason=None,
                    duplicate_of=None,
                    resolved_by=None,
                    resolved_at=None,
                    check_timer_id=None,
                )
            question = await repo.update(tx, current.id, **fields)
            if reopened and not question.has_reply:
                await self.book_escalations(tx, question, instant, timings)
            question = await self.arm(tx, question, question.last_activity, timings)
        if reopened:
            log.info("question %s reopened by a reply from %s", question.id, author_id)
        return Activity(question, reopened)

    @staticmethod
    def _changes(question: Question, author_id: int, moment: int) -> bool:
        other = author_id != question.asker_id
        return (
            (other and (question.first_reply_at is None or question.needs_help_at is not None))
            or question.status != "open"
            or moment - question.last_activity_at >= ACTIVITY_DEBOUNCE
        )

    async def still_needs_help(self, question_id: int, user_id: int) -> HelpCall:
        """The asker answered the nudge with **Still need help**: counts as activity,
        puts the question first on the unanswered list, and says whom to ping."""
        question = await repo.get(self._db.reader, question_id)
        if question is None:
            raise NotFound("This question no longer exists.")
        if question.asker_id != user_id:
            raise PermissionDenied("Only the person who asked can answer this.")
        if question.status != "open":
            raise Conflict("This question is not open any more.")
        activity = await self.record_message(question.thread_id, user_id, self._clock.now())
        question = activity.question if activity else question
        async with self._db.transaction() as tx:
            question = await repo.update(tx, question.id, needs_help_at=self._now())
        users, role = await self.helpers_for(question)
        return HelpCall(question, users, role)

    async def helpers_for(self, question: Question) -> tuple[list[int], int | None]:
        """Who is pinged for a question: the helpers subscribed to its topic (never its
        asker), else the helper role, else nobody."""
        users = await repo.subscribers(
            self._db.reader, question.guild_id, question.topic, MAX_PINGED_USERS + 1
        )
        users = [u for u in users if u != question.asker_id][:MAX_PINGED_USERS]
        if users:
            return users, None
        settings = await self._guilds.get(question.guild_id)
        return [], None if settings is None else settings.helper_role_id

    # -- booking -----------------------------------------------------------------------

    async def cancel_all(self, conn: Connection, question_id: int) -> None:
        for kind in TIMER_KINDS:
            await self._scheduler.cancel_subject(kind, question_id, conn=conn)

    async def book_escalations(
        self, conn: Connection, question: Question, base: datetime, timings: Timings
    ) -> None:
        """The unanswered pings not yet sent: helpers after ``unanswered_after``, mentors
        after twice that."""
        await self._scheduler.cancel_subject(KIND_UNANSWERED, question.id, conn=conn)
        for stage in (1, 2):
            if stage <= question.escalation:
                continue
            await self._scheduler.schedule(
                KIND_UNANSWERED,
                base + timedelta(seconds=stage * timings.unanswered_after),
                guild_id=question.guild_id,
                subject_id=question.id,
                payload={"stage": stage},
                conn=conn,
            )

    async def arm(
        self, conn: Connection, question: Question, base: datetime, timings: Timings
    ) -> Question:
        """Book or move the dormant close (always) and the nudge (once there are replies,
        and only until the asker was nudged), counted from ``base``."""
        fields: dict[str, object] = {}
        dormant_due = base + timedelta(seconds=timings.dormant_after)
        timer_id = await self._place(
            conn, question, KIND_DORMANT, question.dormant_timer_id, dormant_due
        )
        if timer_id != question.dormant_timer_id:
            fields["dormant_timer_id"] = timer_id
        if question.has_reply and not question.nudged:
            nudge_due = base + timedelta(seconds=timings.nudge_after)
            timer_id = await self._place(
                conn, question, KIND_NUDGE, question.nudge_timer_id, nudge_due
            )
            if timer_id != question.nudge_timer_id:
                fields["nudge_timer_id"] = timer_id
        if not fields:
            return question
        return await repo.update(conn, question.id, **fields)

    async def _place(
        self,
        conn: Connection,
        question: Question,
        kind: str,
        timer_id: int | None,
        due: datetime,
    ) -> int:
        if timer_id is not None and await self._scheduler.reschedule(timer_id, due, conn=conn):
            return timer_id
        timer = await self._scheduler.schedule(
            kind, due, guild_id=question.guild_id, subject_id=question.id, conn=conn
        )
        return timer.id

    async def escalation_due(self, question_id: int, stage: int) -> Ping | None:
        """What an unanswered timer should ping, or None when the question got a reply or
        is no longer open. Idempotent: a retry after a crash gets the same answer."""
        async with self._db.transaction() as tx:
            question = await repo.lock(tx, question_id)
            if (
                question is None
                or question.status != "open"
                or question.has_reply
                or question.escalation > stage
            ):
                return None
            if question.escalation < stage:
                question = await repo.update(tx, question.id, escalation=stage)
        settings = await self._guilds.get(question.guild_id)
        waited = self._clock.now() - question.asked
        if stage >= 2:
            mentors = None if settings is None else settings.mentor_role_id
            # Without a mentor role there is no one to ping at this stage.
            return None if mentors is None else Ping(question, stage, [], mentors, waited)
        users, role = await self.helpers_for(question)
        if not users and role is None:
            return None
        return Ping(question, stage, users, role, waited)

    async def nudge_due(self, question_id: int, timer_id: int) -> Question | None:
        """The question to nudge its asker about, once; None when not (any more) due."""
        async with self._db.transaction() as tx:
            question = await repo.lock(tx, question_id)
            if (
                question is None
                or question.status != "open"
                or question.asker_id is None
                or not question.has_reply
                or question.nudge_timer_id != timer_id
            ):
                return None
            if not question.nudged:
                question = await repo.update(tx, question.id, nudged=1)
        return question

    async def dormant_due(self, question_id: int, timer_id: int) -> Dormant | None:
        """A question left without activity: closed as stale, except that the asker of a
        question nobody replied to is asked first, and it closes only after another
        quiet spell. None when not due. A retry of the same timer after a crash gets the
        same decision again (to re-send with the same nonce)."""
        async with self._db.transaction() as tx:
            question = await repo.lock(tx, question_id)
            if question is None:
                return None
            if question.check_timer_id == timer_id and question.status == "open":
                return Dormant(question, ask_first=True)  # asked by this very timer
            if question.dormant_timer_id != timer_id:
                return None
            if question.status == "closed" and question.close_reason == "stale":
                return Dormant(question, ask_first=False)  # closed by this very timer
            if question.status != "open":
                return None
            if (
                not question.has_reply
                and question.asker_id is not None
                and question.check_timer_id is None
            ):
                timings = await repo.timings(tx, question.guild_id)
                due = self._clock.now() + timedelta(seconds=timings.dormant_after)
                timer = await self._scheduler.schedule(
                    KIND_DORMANT, due, guild_id=question.guild_id, subject_id=question.id, conn=tx
                )
                question = await repo.update(
                    tx, question.id, check_timer_id=timer_id, dormant_timer_id=timer.id
                )
                log.info("question %s: no reply yet, its asker is asked first", question.id)
                return Dormant(question, ask_first=True)
            question = await repo.update(
                tx,
                question.id,
                status="closed",
                close_reason="stale",
                resolved_by=None,
                resolved_at=self._now(),
                nudge_timer_id=None,
                needs_help_at=None,
            )
            await self._scheduler.cancel_subject(KIND_UNANSWERED, question.id, conn=tx)
            await self._scheduler.cancel_subject(KIND_NUDGE, question.id, conn=tx)
        log.info("question %s closed as stale", question.id)
        return Dormant(question, ask_first=False)
