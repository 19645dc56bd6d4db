"""The Discord scheduled-event mirror of each session, when the bot may manage events.

``sync`` makes one session's event match the database: created for a scheduled
session, moved or renamed after an edit, started when the session goes live, ended
after it, cancelled with it. ``reconcile`` runs it over a server's sessions when the
server becomes available after a start, since Discord does not replay what happened
while the bot was down. Needs the gateway's guild (for the bot's permissions): before
the server is available, ``sync`` does nothing and ``reconcile`` catches up.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING, Any

import discord

from bot.db.sessions import Session
from bot.delivery import is_transient
from bot.ui import limits
from cogs.sessions.publisher import Publisher

if TYPE_CHECKING:
    from bot.client import NexusBot

log = logging.getLogger(__name__)

Events = dict[int, discord.ScheduledEvent]
SCHEDULED, ACTIVE = discord.EventStatus.scheduled, discord.EventStatus.active
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
        try:
            await self.sync(session.id, session.guild_id)
        except discord.HTTPException as error:
            log.warning("event mirror of session %s failed: %s", session.id, error)

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
        voice = (
            guild.get_channel(session.voice_channel_id)
            if guild and session.voice_channel_id
            else None
        )
        description = session.description or (f"Topic: {session.topic}" if session.topic else "")
        wanted: dict[str, Any] = {
            "name": session.title,
            "description": limits.shorten(description, limits.EVENT_DESCRIPTION),
            "end_time": session.end,
        }
        if isinstance(voice, discord.StageChannel):
            wanted |= {"entity_type": discord.EntityType.stage_instance, "channel": voice}
        elif isinstance(voice, discord.VoiceChannel):
            wanted |= {"entity_type": discord.EntityType.voice, "channel": voice}
        else:
            wanted |= {"entity_type": discord.EntityType.external, "location": _location(session)}
        return wanted

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


def _location(session: Session) -> str:
    if session.thread_id:
        return f"https://discord.com/channels/{session.guild_id}/{session.thread_id}"
    return session.card_url or "Discord"
