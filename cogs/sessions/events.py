"""Sessions' listeners and timers: a reminder, the start (Live now, the series' next
card), the end (Ended, thread archived), each keeping the event mirror in step; the
mirror's reconciliation when a server becomes available; cards refreshed after a
forget-me. Registered with the scheduler and the privacy service while the cog is
loaded.

Every step is safe to repeat, so a transient Discord failure simply retries the timer
(the scheduler's backoff); the timer rows are booked by ``bot/services/sessions``.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

import discord
from discord.ext import commands

from bot.db.sessions import Session
from bot.db.timers import Timer
from bot.delivery import is_transient, quietly
from bot.scheduling import TimerKind
from bot.services import intents
from bot.services.sessions.rules import KIND_END, KIND_REMINDER, KIND_START, KINDS, MAX_OFFSET
from bot.services.sessions.service import PRIVACY_OWNER
from cogs.sessions.publish import EventMirror, Publisher

if TYPE_CHECKING:
    from bot.client import NexusBot

log = logging.getLogger(__name__)


class SessionEvents(commands.Cog):
    def __init__(self, bot: NexusBot, publisher: Publisher, mirror: EventMirror) -> None:
        self.bot = bot
        self.publisher = publisher
        self.mirror = mirror
        self.reconcile_tasks: dict[int, asyncio.Task[int]] = {}

    async def cog_load(self) -> None:
        services = self.bot.services
        # A reminder later than the longest offset is certainly after the start; the
        # handler also refuses any reminder once the session started.
        services.scheduler.register(
            KIND_REMINDER, TimerKind(self.on_reminder, late_after=MAX_OFFSET)
        )
        services.scheduler.register(KIND_START, TimerKind(self.on_start))
        services.scheduler.register(KIND_END, TimerKind(self.on_end))
        services.sessions.register_privacy(services.privacy)
        services.privacy.after_forget(PRIVACY_OWNER, self._after_forget)

    async def cog_unload(self) -> None:
        for kind in KINDS:
            self.bot.services.scheduler.unregister(kind)
        self.bot.services.privacy.remove(PRIVACY_OWNER)
        for task in self.reconcile_tasks.values():
            task.cancel()

    # -- timers -----------------------------------------------------------------------

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

    # -- reconciliation and privacy ---------------------------------------------------

    @commands.Cog.listener()
    async def on_guild_available(self, guild: discord.Guild) -> None:
        """Once per server per start: finish the cards a kill interrupted, and, as
        Discord does not replay what happened to scheduled events while the bot was
        down, compare them with the sessions."""
        if guild.id not in self.reconcile_tasks:
            self.reconcile_tasks[guild.id] = asyncio.create_task(
                self._reconcile(guild), name=f"sessions-reconcile-{guild.id}"
            )

    async def _reconcile(self, guild: discord.Guild) -> int:
        try:
            await self._finish_cards(guild.id)
        except Exception:
            log.exception("finishing interrupted cards failed in guild %s", guild.id)
        try:
            return await self.mirror.reconcile(guild)
        except Exception:
            log.exception("reconciling scheduled events failed in guild %s", guild.id)
            return 0

    async def _finish_cards(self, guild_id: int) -> None:
        """Finish every card or thread a kill interrupted in this server."""
        services = self.bot.services
        for kind in (intents.SESSION_CARD, intents.SESSION_THREAD):
            for intent in await services.intents.pending(guild_id, kind):
                session = await services.sessions.find(intent.subject_id or 0)
                if session is None:
                    await services.intents.complete(intent)
                    continue
                await self.publisher.post_card(session, adopt=intent)
                log.info("session %s: interrupted %s completed", session.id, kind)

    async def _after_forget(self, user_id: int) -> None:
        effects = self.bot.services.sessions.take_forget_effects(user_id)
        for session_id in sorted(effects.session_ids):
            await quietly(self.publisher.refresh(session_id), f"refresh of session {session_id}")
        await self.publisher.tell_promoted(effects.promoted)
