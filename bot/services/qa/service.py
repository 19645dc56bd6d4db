"""Q&A threads: asking, solving, closing and reopening, thread activity, lists,
subscriptions and what forget-me does to Q&A data.

Who may do what: the asker, a helper (helper role) or a mentor (mentor role, or an admin)
may mark a question solved, close it or reopen it. Discord calls (posting, tagging,
archiving) are the cog's; this module decides and records. The automatic timers are in
``timers``; topics, limits and parsing in ``rules``.
"""

from __future__ import annotations

import logging
from dataclasses import replace

from bot.db import qa as repo
from bot.db import qa_drafts, qa_search
from bot.db.database import Connection, Database
from bot.db.qa import Question, Timings
from bot.db.qa_drafts import Draft
from bot.errors import AlreadyDone, Conflict, InvalidInput, NotFound, PermissionDenied
from bot.scheduling import Scheduler
from bot.services import access
from bot.services.access import Actor
from bot.services.guild_settings import GuildSettingsService
from bot.services.intents import QA_POST
from bot.services.privacy import PrivacyService
from bot.services.qa.posts import QAPosts
from bot.services.qa.rules import (
    CLOSE_REASONS,
    DRAFT_TTL,
    LEADERBOARD_SIZE,
    PERIODS,
    REPEAT_WINDOW,
    SUMMARY_MAX,
    UNANSWERED_LIST,
    Ask,
    Prepared,
    asked_already,
    one_line,
    parse_thread_ref,
    parse_topics,
    validate_ask,
)
from bot.services.qa.search import QASearch
from bot.services.qa.timers import QATimers
from bot.time.clock import Clock, epoch
from bot.ui.limits import require_text

log = logging.getLogger(__name__)

PRIVACY_OWNER = "qa"


class QAService:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        scheduler: Scheduler,
        guilds: GuildSettingsService,
    ) -> None:
        self._db = db
        self._clock = clock
        self._scheduler = scheduler
        self._guilds = guilds
        self.search = QASearch(db)
        self.timers = QATimers(db, clock, scheduler, guilds)
        self.posts = QAPosts(db, clock, guilds, self.search, self.timers)
        # Questions whose asker just used forget-me, for the cog to re-attribute their
        # openers to "a former member" once the erase has committed.
        self._forgotten: dict[int, list[Question]] = {}

    def _now(self) -> int:
        return epoch(self._clock.now())

    # -- permissions -------------------------------------------------------------------

    async def is_helper(self, guild_id: int, actor: Actor) -> bool:
        return access.is_helper(actor, await self._guilds.get(guild_id))

    async def authorize(self, question: Question, actor: Actor) -> None:
        """The asker, a helper or a mentor may solve, close and reopen a question."""
        if actor.user_id == question.asker_id:
            return
        if await self.is_helper(question.guild_id, actor):
            return
        raise PermissionDenied(
            "Only the person who asked, a helper or a mentor can do this to a question."
        )

    # -- asking ------------------------------------------------------------------------

    validate = staticmethod(validate_ask)

    async def prepare(
        self, guild_id: int, user_id: int, topic: str, title: str | None, body: str | None
    ) -> Prepared:
        """Validate a question and look for similar solved ones; when there are, keep it
        as a draft (for **Post anyway**, even after a restart)."""
        await self._guilds.require(guild_id, "qa_forum")
        ask = self.validate(topic, title, body)
        since = self._now() - int(REPEAT_WINDOW.total_seconds())
        earlier = await qa_search.asked_again(self._db.reader, guild_id, user_id, ask.title, since)
        if earlier is not None:
            # A retry whose answer was lost (a crash, a timeout) must not post twice.
            raise AlreadyDone(asked_already(earlier))
        similar = await self.search.similar_solved(guild_id, ask.title, ask.body)
        if not similar:
            return Prepared(ask, None, [])
        now = self._now()
        async with self._db.transaction() as tx:
            await qa_drafts.prune_drafts(tx, now - int(DRAFT_TTL.total_seconds()))
            draft = await qa_drafts.insert_draft(
                tx,
                guild_id=guild_id,
                user_id=user_id,
                topic=ask.topic,
                title=ask.title,
                body=ask.body,
                now=now,
            )
        return Prepared(ask, draft, similar)

    async def take_draft(self, draft_id: int, user_id: int) -> Draft:
        """The user's pending draft, removed so it is posted once."""
        draft = await qa_drafts.get_draft(self._db.reader, draft_id)
        if draft is not None and draft.user_id != user_id:
            raise PermissionDenied("This question belongs to someone else.")
        async with self._db.transaction() as tx:
            taken = await qa_drafts.take_draft(tx, draft_id, user_id)
        expired = self._now() - int(DRAFT_TTL.total_seconds())
        if taken is None or taken.created_at < expired:
            raise NotFound(
                "This draft is gone (already posted, cancelled or expired). Ask again with `/ask`."
            )
        return taken

    async def restore_draft(self, draft: Draft) -> None:
        """Posting a taken draft failed: keep it for another try."""
        async with self._db.transaction() as tx:
            await qa_drafts.restore_draft(tx, draft)

    async def record_question(
        self,
        *,
        guild_id: int,
        channel_id: int,
        thread_id: int,
        opener_id: int,
        asker_id: int,
        ask: Ask,
    ) -> Question:
        """Store a posted question and book its timers."""
        now = self._now()
        timings = await self.timings(guild_id)
        async with self._db.transaction() as tx:
            question = await repo.insert_question(
                tx,
                guild_id=guild_id,
                channel_id=channel_id,
                thread_id=thread_id,
                opener_id=opener_id,
                asker_id=asker_id,
                topic=ask.topic,
                title=ask.title,
                body=ask.body,
                now=now,
            )
            if question is None:
                # The thread is a question already (its post was adopted): keep that one.
                found = await repo.by_thread(tx, thread_id)
                if found is None:
                    raise LookupError(f"thread {thread_id} is a question and is not")
                return found
            await self.timers.book_escalations(tx, question, question.asked, timings)
            question = await self.timers.arm(tx, question, question.asked, timings)
        log.info("question %s asked in thread %s guild=%s", question.id, thread_id, guild_id)
        return question

    # -- lookups -----------------------------------------------------------------------

    async def get(self, question_id: int) -> Question | None:
        return await repo.get(self._db.reader, question_id)

    async def by_thread(self, thread_id: int) -> Question | None:
        return await repo.by_thread(self._db.reader, thread_id)

    async def require_thread(self, thread_id: int | None) -> Question:
        question = None if thread_id is None else await repo.by_thread(self._db.reader, thread_id)
        if question is None:
            raise NotFound("Use this inside a question's thread (a post in the Q&A channel).")
        return question

    async def timings(self, guild_id: int) -> Timings:
        return await repo.timings(self._db.reader, guild_id)

    async def set_timings(self, guild_id: int, timings: Timings) -> None:
        async with self._db.transaction() as tx:
            await repo.save_timings(tx, guild_id, timings, self._now())

    # -- solving, closing, reopening ---------------------------------------------------

    async def check_can_solve(self, thread_id: int | None, actor: Actor) -> Question:
        """Before asking for a summary: is this a question, open to this actor?"""
        question = await self.require_thread(thread_id)
        await self.authorize(question, actor)
        if question.status == "solved":
            raise AlreadyDone(
                "This question is already solved. `/qa reopen` it to change the answer."
            )
        return question

    async def solve(
        self,
        thread_id: int | None,
        actor: Actor,
        *,
        summary: str | None,
        answerer_id: int | None = None,
        answer_message_id: int | None = None,
    ) -> Question:
        """Mark solved: keep the one-line summary and the answer, credit the answerer
        (never the asker themself), stop the timers."""
        text = one_line(require_text("summary", summary, SUMMARY_MAX))
        question = await self.check_can_solve(thread_id, actor)
        now = self._now()
        async with self._db.transaction() as tx:
            current = await repo.lock(tx, question.id)
            if current is None or current.status == "solved":
                raise Conflict("This question was just marked solved.")
            credited = answerer_id if answerer_id not in (None, current.asker_id) else None
            question = await repo.update(
                tx,
                current.id,
                status="solved",
                close_reason=None,
                duplicate_of=None,
                summary=text,
                answerer_id=answerer_id,
                answer_message_id=answer_message_id,
                resolved_by=actor.user_id,
                resolved_at=now,
                nudge_timer_id=None,
                dormant_timer_id=None,
                needs_help_at=None,
            )
            await repo.set_credit(tx, question.id, question.guild_id, credited, now)
            await self.timers.cancel_all(tx, question.id)
        log.info("question %s solved by %s (answer %s)", question.id, actor.user_id, answerer_id)
        return question

    async def close(
        self, thread_id: int | None, actor: Actor, reason: str, duplicate_of: str | None = None
    ) -> Question:
        if reason not in CLOSE_REASONS:
            raise InvalidInput(f"The reason must be one of: {', '.join(CLOSE_REASONS)}.")
        question = await self.require_thread(thread_id)
        await self.authorize(question, actor)
        original = await self._duplicate_target(question, reason, duplicate_of)
        async with self._db.transaction() as tx:
            current = await repo.lock(tx, question.id)
            if current is None or current.status != "open":
                state = "solved" if current and current.status == "solved" else "closed"
                raise AlreadyDone(f"This question is already {state}. `/qa reopen` it first.")
            question = await repo.update(
                tx,
                current.id,
                status="closed",
                close_reason=reason,
                duplicate_of=original.thread_id if original else None,
                resolved_by=actor.user_id,
                resolved_at=self._now(),
                nudge_timer_id=None,
                dormant_timer_id=None,
                needs_help_at=None,
            )
            await self.timers.cancel_all(tx, question.id)
        log.info("question %s closed (%s) by %s", question.id, reason, actor.user_id)
        return question

    async def _duplicate_target(
        self, question: Question, reason: str, ref: str | None
    ) -> Question | None:
        if reason != "duplicate":
            if ref:
                raise InvalidInput("`duplicate_of` only goes with the reason `duplicate`.")
            return None
        if not ref:
            raise InvalidInput(
                "Closing as a duplicate needs `duplicate_of`: the original question's "
                "thread link or id."
            )
        thread_id = parse_thread_ref(ref)
        original = None if thread_id is None else await repo.by_thread(self._db.reader, thread_id)
        if original is None or original.guild_id != question.guild_id:
            raise NotFound(
                "`duplicate_of` must be the link (or id) of another question thread in this "
                "server. Right-click the thread → **Copy Link**."
            )
        if original.id == question.id:
            raise InvalidInput("A question can't be a duplicate of itself.")
        return original

    async def reopen(self, thread_id: int | None, actor: Actor) -> Question:
        """Undo solved or closed: the answer, summary and credit are dropped, timers re-armed."""
        question = await self.require_thread(thread_id)
        await self.authorize(question, actor)
        timings = await self.timings(question.guild_id)
        now = self._clock.now()
        async with self._db.transaction() as tx:
            current = await repo.lock(tx, question.id)
            if current is None or current.status == "open":
                raise AlreadyDone("This question is already open.")
            question = await repo.update(
                tx,
                current.id,
                status="open",
                close_reason=None,
                duplicate_of=None,
                summary=None,
                answerer_id=None,
                answer_message_id=None,
                resolved_by=None,
                resolved_at=None,
                last_activity_at=epoch(now),
                check_timer_id=None,  # a fresh start: ask the asker again before a close
            )
            await repo.set_credit(tx, question.id, question.guild_id, None, 0)
            if not question.has_reply:
                await self.timers.book_escalations(tx, question, now, timings)
            question = await self.timers.arm(tx, question, now, timings)
        log.info("question %s reopened by %s", question.id, actor.user_id)
        return question

    # -- lists -------------------------------------------------------------------------

    async def unanswered(
        self, guild_id: int, topic: str | None = None, limit: int = UNANSWERED_LIST
    ) -> tuple[list[Question], int]:
        return await repo.unanswered(self._db.reader, guild_id, topic, limit)

    async def leaderboard(self, guild_id: int, period: str = "all") -> list[tuple[int, int]]:
        if period not in PERIODS:
            raise InvalidInput(f"The period must be one of: {', '.join(PERIODS)}.")
        span = PERIODS[period]
        since = None if span is None else epoch(self._clock.now() - span)
        return await repo.leaderboard(self._db.reader, guild_id, since, LEADERBOARD_SIZE)

    # -- subscriptions -----------------------------------------------------------------

    async def subscribe(self, guild_id: int, actor: Actor, topics: str) -> list[str]:
        """Replace the helper's topics with ``topics``: a comma list, ``all`` or ``none``."""
        if not await self.is_helper(guild_id, actor):
            raise PermissionDenied(
                "Topic pings are for helpers and mentors. Ask a mentor for the helper role."
            )
        chosen = parse_topics(topics)
        async with self._db.transaction() as tx:
            await repo.replace_subscriptions(tx, guild_id, actor.user_id, chosen, self._now())
        return chosen

    async def subscriptions(self, guild_id: int, user_id: int) -> list[str]:
        return await repo.subscriptions(self._db.reader, guild_id, user_id)

    # -- privacy -----------------------------------------------------------------------

    def register_privacy(self, privacy: PrivacyService) -> None:
        """Questions stay, attributed to a former member; drafts, credits and topic
        subscriptions are deleted."""
        privacy.register(
            PRIVACY_OWNER,
            "your name on questions, answers and solves (the questions stay)",
            repo.count_involving,
            self._anonymise,
        )
        privacy.register_rows(PRIVACY_OWNER, "unposted question drafts", "qa_drafts", "user_id")
        privacy.register_rows(
            PRIVACY_OWNER,
            "questions still being posted",
            "discord_intents",
            "user_id",
            where=f"kind = '{QA_POST}'",
        )
        privacy.register_rows(PRIVACY_OWNER, "Q&A helper credits", "qa_credits", "helper_id")
        privacy.register_rows(
            PRIVACY_OWNER, "Q&A topic subscriptions", "qa_subscriptions", "user_id"
        )

    async def _anonymise(self, conn: Connection, user_id: int) -> int:
        asked = await repo.asked_by(conn, user_id)
        if asked:
            self._forgotten[user_id] = [replace(q, asker_id=None) for q in asked]
        return await repo.anonymise(conn, user_id)

    def take_forgotten(self, user_id: int) -> list[Question]:
        """The questions a user asked before forget-me, now without them (once, for
        re-attributing their openers)."""
        return self._forgotten.pop(user_id, [])
