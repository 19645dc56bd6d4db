"""A user's own preferences, and the timezone their typed times are read in."""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from bot.db import user_settings as repo
from bot.db.database import Database
from bot.services.guild_settings import GuildSettingsService
from bot.services.privacy import PrivacyService
from bot.time.clock import Clock, epoch
from bot.time.timezones import resolve_zone

PRIVACY_OWNER = "timezone"


@dataclass(frozen=True)
class EffectiveZone:
    zone: ZoneInfo
    source: str  # "yours", "server" or "default"


class PreferencesService:
    def __init__(self, db: Database, clock: Clock, guilds: GuildSettingsService) -> None:
        self._db = db
        self._clock = clock
        self._guilds = guilds

    def register_privacy(self, privacy: PrivacyService) -> None:
        """A user's timezone and delivery preferences, for forget-me."""
        privacy.register_rows(
            PRIVACY_OWNER, "your timezone and preferences", "user_settings", "user_id"
        )

    async def set_timezone(self, user_id: int, text: str) -> str:
        zone = resolve_zone(text)
        async with self._db.transaction() as tx:
            await repo.set_timezone(tx, user_id, zone, epoch(self._clock.now()))
        return zone

    async def effective_zone(self, user_id: int, guild_id: int | None) -> EffectiveZone:
        """The user's zone, else the server's, else UTC."""
        own = await repo.get_timezone(self._db.reader, user_id)
        if own:
            return EffectiveZone(ZoneInfo(own), "yours")
        if guild_id is not None and await self._guilds.get(guild_id) is not None:
            return EffectiveZone(await self._guilds.zone(guild_id), "server")
        return EffectiveZone(ZoneInfo("UTC"), "default")

    async def should_tell_dm_closed(self, user_id: int) -> bool:
        """True exactly once per user: the first time a DM to them was refused."""
        async with self._db.transaction() as tx:
            return await repo.mark_dm_closed_notified(tx, user_id, epoch(self._clock.now()))

    async def dm_channel(self, user_id: int) -> int | None:
        return await repo.get_dm_channel(self._db.reader, user_id)

    async def remember_dm_channel(self, user_id: int, channel_id: int) -> None:
        async with self._db.transaction() as tx:
            await repo.set_dm_channel(tx, user_id, channel_id, epoch(self._clock.now()))
