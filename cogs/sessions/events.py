"""Sessions' listeners and timers: a reminder, the start (Live now, the series' next
card), the end (Ended, thread archived), each keeping the event mirror in step; at
start, the cards a kill interrupted finished and the mirror reconciled; cards refreshed
after a forget-me. Registered with the scheduler and the privacy service while the cog
is loaded.

Every step is safe to repeat, so a transient Discord failure simply retries the timer
(the scheduler's backoff); the timer rows are booked by ``bot/services/sessions``.

The mirror (``EventMirror``): ``sync`` makes one session's Discord scheduled event
match the database (created, moved, started, ended, cancelled); ``reconcile`` runs it
over a server's sessions when the server becomes available after a start, since
Discord does not replay what happened while the bot was down. Before the server is
available, ``sync`` does nothing.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime
from typing import TYPE_CHECKING, Any

import discord
from discord.ext import commands

from bot.db.sessions import Session
from bot.db.timers import Timer
from bot.delivery import is_transient, quietly
from bot.scheduling import TimerKind
from bot.services import intents
from bot.services.sessions.forget import PRIVACY_OWNER
from bot.services.sessions.rules import (
    KIND_END,
    KIND_REMINDER,
    KIND_START,
    KINDS,
    MAX_OFFSET,
    RosterChanges,
)
from cogs.sessions import render
from cogs.sessions.publish import Publisher

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
        self.publisher.cards.close()

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
            # Cards a stop or a kill left behind the database (an edit still to come).
            for session_id in await self.bot.services.sessions.cards.behind(guild.id):
                self.publisher.cards.stale(session_id)
        except Exception:
            log.exception("finishing interrupted cards failed in guild %s", guild.id)
        try:
            await self._show(await self.bot.services.sessions.settle_hosts(guild.id))
        except Exception:
            log.exception("settling hosts' own RSVPs failed in guild %s", guild.id)
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
        await self._show(self.bot.services.sessions.take_forget_effects(user_id))

    async def _show(self, changes: RosterChanges) -> None:
        """Cards whose roster changed behind them are refreshed; promoted waiters told."""
        for session_id in sorted(changes.session_ids):
            self.publisher.cards.stale(session_id)
        await self.publisher.tell_promoted(changes.promoted)


Events = dict[int, discord.ScheduledEvent]
SCHEDULED = discord.EventStatus.scheduled
FINISHED = (discord.EventStatus.completed, discord.EventStatus.canceled)


def can_manage(guild: discord.Guild) -> bool:
    me = guild.me
    return me is not None and me.guild_permissions.manage_events


class EventMirror:
    def __init__(self, bot: NexusBot, publisher: Publisher) -> None:
        self.bot = bot
        self.publisher = publisher

    async def sync_quietly(self, session: Session) -> None:
        """``sync`` after a command: a failure is logged, the command still succeeds."""
        await quietly(self.sync(session.id, session.guild_id), f"event mirror of {session.id}")

    async def sync(self, session_id: int, guild_id: int, *, events: Events | None = None) -> bool:
        """Make the event match the session; True when something had to change."""
        guild = self.bot.get_guild(guild_id)
        if guild is None or not can_manage(guild):
            return False
        async with self.publisher.locked(session_id):
            session = await self.bot.services.sessions.find(session_id)
            if session is None:
                return False
            event = await self._current(guild, session, events)
            now = self.bot.services.clock.now()
            if session.status == "cancelled" or session.status == "ended" or now >= session.end:
                return await self._close(session, event)
            if event is None or event.status in FINISHED:
                return await self._create(guild, session, now)
            return await self._update(session, event)

    async def _current(
        self, guild: discord.Guild, session: Session, events: Events | None
    ) -> discord.ScheduledEvent | None:
        if session.event_id is None:
            return None
        if events is not None:
            return events.get(session.event_id)
        try:
            return await guild.fetch_scheduled_event(session.event_id)
        except discord.NotFound:
            return None

    def _wanted(self, session: Session) -> dict[str, Any]:
        guild = self.bot.get_guild(session.guild_id)
        voice = guild.get_channel(session.voice_channel_id or 0) if guild else None
        return render.event_fields(session, voice)

    async def _create(self, guild: discord.Guild, session: Session, now: datetime) -> bool:
        if session.status != "scheduled" or session.start <= now:
            # Discord only takes events that start in the future.
            return await self._forget(session)
        wanted = self._wanted(session)
        try:
            event = await guild.create_scheduled_event(
                start_time=session.start, privacy_level=discord.PrivacyLevel.guild_only, **wanted
            )
        except discord.HTTPException as error:
            if is_transient(error):
                raise
            log.warning("no scheduled event for session %s: %s", session.id, error)
            return False
        await self.bot.services.sessions.attach_event(session.id, event.id)
        log.info("session %s mirrored as event %s", session.id, event.id)
        return True

    async def _update(self, session: Session, event: discord.ScheduledEvent) -> bool:
        changed = False
        if session.status == "live" and event.status is SCHEDULED:
            event = await event.start()
            changed = True
        wanted = self._wanted(session)
        edits: dict[str, Any] = {}
        if event.name != wanted["name"]:
            edits["name"] = wanted["name"]
        if (event.description or "") != wanted["description"]:
            edits["description"] = wanted["description"]
        if event.status is SCHEDULED and event.start_time != session.start:
            edits["start_time"] = session.start
        if event.end_time != session.end:
            edits["end_time"] = session.end
        if event.entity_type is not wanted["entity_type"]:
            edits |= wanted
        elif "channel" in wanted and event.channel_id != wanted["channel"].id:
            edits["channel"] = wanted["channel"]
        elif "location" in wanted and event.location != wanted["location"]:
            edits["location"] = wanted["location"]
        if edits:
            await event.edit(**edits)
            log.info("event %s of session %s updated: %s", event.id, session.id, sorted(edits))
        return changed or bool(edits)

    async def _close(self, session: Session, event: discord.ScheduledEvent | None) -> bool:
        changed = False
        if event is not None and event.status not in FINISHED:
            if session.status == "cancelled" and event.status is SCHEDULED:
                await event.cancel()
            else:
                if event.status is SCHEDULED:
                    event = await event.start()
                await event.end()
            changed = True
        return await self._forget(session) or changed

    async def _forget(self, session: Session) -> bool:
        if session.event_id is None:
            return False
        await self.bot.services.sessions.attach_event(session.id, None)
        return True

    async def reconcile(self, guild: discord.Guild) -> int:
        """Bring every event of the server in line with its sessions; how many changed."""
        if not can_manage(guild):
            return 0
        events = {event.id: event for event in await guild.fetch_scheduled_events()}
        changed = 0
        for session in await self.bot.services.sessions.needing_mirror(guild.id):
            try:
                changed += await self.sync(session.id, guild.id, events=events)
            except discord.HTTPException as error:
                log.warning("reconciling session %s failed: %s", session.id, error)
        log.info("guild %s: %d scheduled event(s) reconciled", guild.id, changed)
        return changed
