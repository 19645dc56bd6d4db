"""The bot: discord.py's ``commands.Bot`` with the services, the cogs and the sync rule."""

from __future__ import annotations

import asyncio
import hashlib
import importlib.util
import json
import logging
import pkgutil
from typing import Any

import discord
import yarl
from discord.ext import commands

from bot.config import Settings
from bot.db import app_state
from bot.db.database import Database
from bot.delivery import Delivery
from bot.services.container import Services
from bot.time import timeparse

log = logging.getLogger(__name__)


# The adapters are loaded by name: bot/ never imports cogs/ (the layers point down).
ERROR_PIPELINE = "cogs.pipeline"


def extensions() -> list[str]:
    """Every feature package under ``cogs/``: adding a feature is adding its folder."""
    spec = importlib.util.find_spec("cogs")
    paths = list(spec.submodule_search_locations or []) if spec else []
    return sorted(f"cogs.{module.name}" for module in pkgutil.iter_modules(paths) if module.ispkg)


def intents() -> discord.Intents:
    """Guilds and guild messages (thread activity: author and time); nothing privileged."""
    chosen = discord.Intents.none()
    chosen.guilds = True
    chosen.guild_messages = True
    return chosen


def use_api_base(api_base: str | None) -> None:
    """Point every REST call (webhooks and interaction callbacks included) at ``api_base``."""
    if api_base:
        discord.http.Route.BASE = api_base


def command_digest(payload: list[dict[str, Any]]) -> str:
    """What the synced definitions are stored as: any change to them (a name, an option,
    ``default_member_permissions``) is a new digest, and the next start syncs."""
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


class NexusBot(commands.Bot):
    def __init__(
        self,
        *,
        settings: Settings,
        db: Database,
        services: Services,
        sync_only: bool = False,
        guild_ready_timeout: float = 2.0,
    ) -> None:
        super().__init__(
            guild_ready_timeout=guild_ready_timeout,
            command_prefix=commands.when_mentioned,
            intents=intents(),
            help_command=None,
            allowed_mentions=discord.AllowedMentions.none(),
        )
        self.settings = settings
        self.db = db
        self.services = services
        self.sync_only = sync_only
        self.delivery = Delivery(self)
        use_api_base(settings.api_base)

    async def setup_hook(self) -> None:
        if self.settings.api_base and not self.sync_only:
            await self._use_gateway_of_api_base()
        for extension in [ERROR_PIPELINE, *extensions()]:
            await self.load_extension(extension)
        if self.sync_only:
            await self.sync_commands(force=True)
            return
        # Timers fire over REST, which works from here on; the gateway is not needed. They
        # start first: timers that fell due while the bot was down are already late.
        await self.services.scheduler.start()
        await self.sync_commands()
        # dateparser pays ~0.3 s on its first call; not on the first user's /remind.
        await asyncio.to_thread(timeparse.warm_up)

    async def on_message(self, message: discord.Message, /) -> None:
        """Slash commands only: no message is ever a prefix command, so "@Nexus help"
        is not a failed command lookup. Features listen to messages in their cogs."""

    async def close(self) -> None:
        await self.services.scheduler.stop()
        await super().close()

    async def _use_gateway_of_api_base(self) -> None:
        # A non-sharded client never asks /gateway/bot and would connect to Discord's
        # own gateway; read the configured server's address once instead.
        _, url, _ = await self.http.get_bot_gateway()
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(url)
        log.info("gateway address from %s: %s", self.settings.api_base, url)

    def _sync_target(self) -> discord.Object | None:
        if self.settings.dev_guild_id is None:
            return None
        return discord.Object(self.settings.dev_guild_id)

    def command_payload(self) -> list[dict[str, Any]]:
        guild = self._sync_target()
        if guild is not None:
            self.tree.copy_global_to(guild=guild)
        return [command.to_dict(self.tree) for command in self.tree.get_commands(guild=guild)]

    async def sync_commands(self, *, force: bool = False) -> bool:
        """Sync when the command definitions changed since the last sync (or when forced)."""
        guild = self._sync_target()
        digest = command_digest(self.command_payload())
        scope = f"guild:{guild.id}" if guild else "global"
        key = f"commands_hash:{self.application_id}:{scope}"
        if not force and await app_state.get(self.db.reader, key) == digest:
            log.info("commands unchanged (%s); not syncing", scope)
            return False
        synced = await self.tree.sync(guild=guild)
        async with self.db.transaction() as tx:
            await app_state.put(tx, key, digest)
        log.info("synced %d commands (%s)", len(synced), scope)
        return True
