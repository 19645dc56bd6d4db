"""The session timers on Discord's side: a reminder, the start (Live now, the series'
next card), the end (Ended, thread archived), each keeping the event mirror in step.

Every step is safe to repeat, so a transient Discord failure simply retries the timer
(the scheduler's backoff); the timer rows are booked by ``bot/services/sessions*.py``.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import discord

from bot.db.sessions import Session
from bot.db.timers import Timer
from bot.delivery import is_transient
from bot.scheduling import Scheduler, TimerKind
from bot.services.sessions_rules import KIND_END, KIND_REMINDER, KIND_START, MAX_OFFSET
from cogs.sessions.mirror import EventMirror
from cogs.sessions.publisher import Publisher

if TYPE_CHECKING:
    from bot.client import NexusBot

log = logging.getLogger(__name__)


class SessionTimers:
    def __init__(self, bot: NexusBot, publisher: Publisher, mirror: EventMirror) -> None:
        self.bot = bot
        self.publisher = publisher
        self.mirror = mirror

    def register(self, scheduler: Scheduler) -> None:
        # A reminder later than the longest offset is certainly after the start; the
        # handler also refuses any reminder once the session started.
        scheduler.register(KIND_REMINDER, TimerKind(self.on_reminder, late_after=MAX_OFFSET))
        scheduler.register(KIND_START, TimerKind(self.on_start))
        scheduler.register(KIND_END, TimerKind(self.on_end))

    async def on_reminder(self, timer: Timer) -> None:
        plan = await self.bot.services.sessions.timeline.reminder_plan(timer)
        await self.publisher.remind(plan, timer)

    async def on_start(self, timer: Timer) -> None:
        if timer.subject_id is None:
            return
        result = await self.bot.services.sessions.timeline.begin(timer.subject_id)
        if result is None:
            return
        await self.publisher.refresh(result.session.id)
        following = None
        if result.next is not None:
            following = await self.publisher.post_card(result.next)
        await self._mirror(result.session)
        if following is not None:
            await self._mirror(following)

    async def on_end(self, timer: Timer) -> None:
        if timer.subject_id is None:
            return
        session = await self.bot.services.sessions.timeline.finish(timer.subject_id)
        if session is None:
            return
        await self.publisher.refresh(session.id)
        await self.publisher.archive_thread(session)
        await self._mirror(session)

    async def _mirror(self, session: Session) -> None:
        """A transient failure retries the timer; anything else is logged, and put right
        by the reconciliation at the next start."""
        try:
            await self.mirror.sync(session.id, session.guild_id)
        except discord.HTTPException as error:
            if is_transient(error):
                raise
            log.warning("event mirror of session %s failed: %s", session.id, error)
