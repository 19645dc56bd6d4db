"""Per-server configuration: who the mentors are, where each feature posts."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.db import guild_settings as repo
from bot.db.database import Database
from bot.db.guild_settings import GuildSettings
from bot.errors import NotConfigured
from bot.time.clock import Clock, epoch
from bot.time.timezones import resolve_zone


class GuildSettingsService:
    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock
        # Settings are read on almost every interaction and change rarely.
        self._cache: dict[int, GuildSettings | None] = {}

    async def get(self, guild_id: int) -> GuildSettings | None:
        if guild_id not in self._cache:
            self._cache[guild_id] = await repo.get(self._db.reader, guild_id)
        return self._cache[guild_id]

    async def require(self, guild_id: int | None) -> GuildSettings:
        if guild_id is None:
            raise NotConfigured("This command works in a server, not in DMs.")
        settings = await self.get(guild_id)
        if settings is None:
            raise NotConfigured()
        return settings

    async def zone(self, guild_id: int | None) -> ZoneInfo:
        """The server's timezone, or UTC when it has none."""
        settings = None if guild_id is None else await self.get(guild_id)
        return ZoneInfo(settings.timezone if settings else "UTC")

    async def save(
        self,
        *,
        guild_id: int,
        qa_channel_id: int,
        sessions_channel_id: int,
        announcements_channel_id: int,
        pairing_channel_id: int,
        mentor_role_id: int,
        helper_role_id: int | None,
        timezone: str | None,
    ) -> GuildSettings:
        previous = await self.get(guild_id)
        zone = resolve_zone(timezone) if timezone else previous.timezone if previous else "UTC"
        settings = GuildSettings(
            guild_id=guild_id,
            qa_channel_id=qa_channel_id,
            sessions_channel_id=sessions_channel_id,
            announcements_channel_id=announcements_channel_id,
            pairing_channel_id=pairing_channel_id,
            mentor_role_id=mentor_role_id,
            helper_role_id=helper_role_id,
            timezone=zone,
        )
        async with self._db.transaction() as tx:
            await repo.upsert(tx, settings, epoch(self._clock.now()))
        self._cache[guild_id] = settings
        return settings
