"""Question posts after they are up: a member's own forum post adopted as a question
(and the one reply the bot owes it), and the asker editing their question.

A post a member opens in the Q&A forum without ``/ask`` is tracked like any other
question: the asker is the post's owner, the topic comes from its tags, and its title is
the question's text (the bot reads no message content). Gateway events can arrive twice
(a replay, a restart): the thread id is unique among questions, and the reply is owed
until its message id is stored, so neither is ever made twice.
"""

from __future__ import annotations

import logging

from bot.db import qa as repo
from bot.db.database import Database
from bot.db.qa import Question
from bot.errors import Conflict, NotFound, PermissionDenied
from bot.services.guild_settings import GuildSettingsService
from bot.services.qa.rules import (
    BODY_MAX,
    TITLE_MAX,
    Adopted,
    one_line,
    topic_from_tags,
)
from bot.services.qa.search import QASearch
from bot.services.qa.timers import QATimers
from bot.time.clock import Clock, epoch
from bot.ui.limits import require_text

log = logging.getLogger(__name__)


class QAPosts:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        guilds: GuildSettingsService,
        search: QASearch,
        timers: QATimers,
    ) -> None:
        self._db = db
        self._clock = clock
        self._guilds = guilds
        self._search = search
        self._timers = timers

    # -- members' own forum posts ------------------------------------------------------

    async def adopt(
        self,
        *,
        guild_id: int,
        forum_id: int,
        thread_id: int,
        owner_id: int,
        title: str,
        tags: list[str],
    ) -> Adopted | None:
        """Track a post a member opened in the server's Q&A forum; what the bot still
        owes it, or None (not the Q&A forum, or already tracked and answered)."""
        settings = await self._guilds.get(guild_id)
        if settings is None or settings.qa_channel_id != forum_id:
            return None
        text = one_line(title)[:TITLE_MAX] or "(untitled)"
        now = self._clock.now()
        timings = await repo.timings(self._db.reader, guild_id)
        async with self._db.transaction() as tx:
            question = await repo.insert_question(
                tx,
                guild_id=guild_id,
                channel_id=forum_id,
                thread_id=thread_id,
                opener_id=thread_id,  # a forum post's first message has the post's id
                asker_id=owner_id,
                topic=topic_from_tags(tags),
                title=text,
                body=text,
                now=epoch(now),
                origin="forum",
            )
            if question is None:
                question = await repo.by_thread(tx, thread_id)
            else:
                await self._timers.book_escalations(tx, question, now, timings)
                question = await self._timers.arm(tx, question, now, timings)
                log.info(
                    "member post %s adopted as question %s guild=%s",
                    thread_id,
                    question.id,
                    guild_id,
                )
        return await self._owed(question)

    async def _owed(self, question: Question | None) -> Adopted | None:
        if (
            question is None
            or question.origin != "forum"
            or question.hint_message_id is not None
            or question.status != "open"
        ):
            return None
        similar = await self._search.similar_solved(
            question.guild_id, question.title, question.body
        )
        return Adopted(question, similar)

    async def hints_owed(self, guild_id: int) -> list[Adopted]:
        """Members' posts the bot has not replied in yet (a kill came in between)."""
        owed = []
        for question in await repo.hints_pending(self._db.reader, guild_id):
            adopted = await self._owed(question)
            if adopted is not None:
                owed.append(adopted)
        return owed

    async def hint_sent(self, question_id: int, message_id: int) -> None:
        async with self._db.transaction() as tx:
            await repo.update(tx, question_id, hint_message_id=message_id)

    # -- editing -----------------------------------------------------------------------

    async def check_can_edit(self, thread_id: int, user_id: int) -> Question:
        """Only the asker edits their question, and only one the bot posted for them."""
        question = await repo.by_thread(self._db.reader, thread_id)
        if question is None:
            raise NotFound("This question no longer exists.")
        if question.asker_id != user_id:
            raise PermissionDenied(
                "Only the person who asked can edit this question. "
                "To add something, reply in its thread."
            )
        if question.origin != "ask":
            raise Conflict("Edit your post with Discord's own Edit Post.")
        return question

    async def edit(self, thread_id: int, user_id: int, title: str, body: str) -> Question:
        """The asker's new title and question: stored (the search index follows)."""
        await self.check_can_edit(thread_id, user_id)
        new_title = one_line(require_text("title", title, TITLE_MAX))
        new_body = require_text("question", body, BODY_MAX)
        async with self._db.transaction() as tx:
            current = await repo.by_thread(tx, thread_id)
            if current is None:
                raise NotFound("This question no longer exists.")
            question = await repo.update(tx, current.id, title=new_title, body=new_body)
        log.info("question %s edited by its asker %s", question.id, user_id)
        return question
