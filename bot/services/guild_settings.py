"""Per-server configuration: who the mentors are, where each feature posts."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.db import app_state
from bot.db import guild_settings as repo
from bot.db.database import Database
from bot.db.guild_settings import GuildSettings
from bot.errors import NotConfigured
from bot.time.clock import Clock, epoch
from bot.time.timezones import resolve_zone

# What each feature's channel is called in a sentence.
FEATURE_CHANNELS = {
    "qa_forum": "Q&A forum",
    "sessions_channel": "sessions channel",
    "announcements_channel": "announcements channel",
    "pairing_channel": "pairing channel",
}


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

    async def require(self, guild_id: int | None, setting: str) -> int:
        """The channel of a feature's ``/nexus setup`` option (``sessions_channel`` …);
        a feature whose channel is not set says which option an admin needs to set."""
        if guild_id is None:
            raise NotConfigured("This command works in a server, not in DMs.")
        settings = await self.get(guild_id)
        channel_id = None if settings is None else settings.channel(setting)
        if channel_id is None:
            raise NotConfigured(
                f"This server has no {FEATURE_CHANNELS[setting]} yet: an admin needs to run "
                f"`/nexus setup {setting}`."
            )
        return channel_id

    async def zone(self, guild_id: int | None) -> ZoneInfo:
        """The server's timezone, or UTC when it has none."""
        settings = None if guild_id is None else await self.get(guild_id)
        return ZoneInfo(settings.timezone if settings else "UTC")

    async def save(self, guild_id: int, **changes: int | str | None) -> GuildSettings:
        """Store the settings given (``qa_channel_id=…``, ``timezone=…``); the others
        keep their value. ``timezone`` is read forgivingly (``lagos``)."""
        values = {column: value for column, value in changes.items() if value is not None}
        if isinstance(values.get("timezone"), str):
            values["timezone"] = resolve_zone(str(values["timezone"]))
        async with self._db.transaction() as tx:
            settings = await repo.save(tx, guild_id, values, epoch(self._clock.now()))
        self._cache[guild_id] = settings
        return settings

    # -- the pinned how-to posts ------------------------------------------------------

    async def guide(self, guild_id: int, where: str) -> tuple[int, int] | None:
        """Where the server's pinned how-to for ``where`` (``qa``, ``sessions``) is:
        its channel and message, as last posted."""
        value = await app_state.get(self._db.reader, _guide_key(guild_id, where))
        if value is None:
            return None
        channel_id, message_id = value.split(":")
        return int(channel_id), int(message_id)

    async def remember_guide(
        self, guild_id: int, where: str, channel_id: int, message_id: int
    ) -> None:
        async with self._db.transaction() as tx:
            await app_state.put(tx, _guide_key(guild_id, where), f"{channel_id}:{message_id}")


def _guide_key(guild_id: int, where: str) -> str:
    return f"guide:{guild_id}:{where}"
