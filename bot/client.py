"""The bot: discord.py's ``commands.Bot`` with the services, the cogs and the sync rule."""

from __future__ import annotations

import asyncio
import hashlib
import importlib.util
import json
import logging
import pkgutil
import sys
from typing import Any

import aiohttp
import discord
import yarl
from discord.ext import commands

from bot import heartbeat
from bot.config import Settings
from bot.db import app_state
from bot.db.database import Database
from bot.delivery import Delivery
from bot.errors import DiscordUnreachable, LoginRefused
from bot.metrics import Metrics
from bot.services.container import Services
from bot.thread_members import ThreadMembers
from bot.time import timeparse
from bot.web.context import WebContext
from bot.web.server import WebServer

log = logging.getLogger(__name__)


# The adapters are loaded by name: bot/ never imports cogs/ (the layers point down).
ERROR_PIPELINE = "cogs.pipeline"

# What failing to reach Discord raises: DNS, refused or reset connections, TLS and
# timeouts (OSError, aiohttp), and Discord's own 5xx once discord.py stops retrying.
UNREACHABLE: tuple[type[BaseException], ...] = (
    OSError,
    aiohttp.ClientError,
    TimeoutError,
    discord.DiscordServerError,
    discord.GatewayNotFound,
)
REFUSED_LOGIN = (
    "DISCORD_TOKEN was refused by Discord (401 Unauthorized): reset the token in the "
    "developer portal (Bot → Reset Token) and set it in the environment or in .env in "
    "the current directory"
)
INTENTS_REFUSED = (
    "Discord refused the gateway intents Nexus asked for: check the Privileged Gateway "
    "Intents of the application in the developer portal"
)


def unreachable(what: str, address: object, exc: BaseException | None) -> DiscordUnreachable:
    reason = " ".join(str(exc).split()) if exc is not None else ""
    if exc is not None and not reason:
        reason = type(exc).__name__
    return DiscordUnreachable(
        f"cannot reach {what} at {address} ({reason or 'no answer'}): check the network "
        "connection, and DISCORD_API_BASE if it is set"
    )


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
        heartbeat_interval: float = heartbeat.INTERVAL,
    ) -> None:
        self.metrics = Metrics()
        super().__init__(
            **self.shard_options(settings),
            guild_ready_timeout=guild_ready_timeout,
            command_prefix=commands.when_mentioned,
            intents=intents(),
            help_command=None,
            allowed_mentions=discord.AllowedMentions.none(),
            # Every request to Discord (interaction callbacks too) passes this session.
            http_trace=self.metrics.discord_trace(),
        )
        self.settings = settings
        self.db = db
        self.services = services
        self.sync_only = sync_only
        self.delivery = Delivery(self)
        self.thread_members = ThreadMembers(self)
        self.heartbeat = heartbeat.Heartbeat(settings.heartbeat_file, interval=heartbeat_interval)
        self.web: WebServer | None = None
        use_api_base(settings.api_base)

    @staticmethod
    def shard_options(settings: Settings) -> dict[str, Any]:
        """What discord.py is told about shards: nothing, for one unsharded process."""
        return {}

    def gateway_reached(self) -> bool:
        """Whether a gateway connection was ever made (a websocket exists)."""
        return self.ws is not None

    async def login(self, token: str) -> None:
        """discord.py's login (and so ``setup_hook``), its failures as one-line errors."""
        try:
            await super().login(token)
        except discord.LoginFailure:
            raise LoginRefused(REFUSED_LOGIN) from None
        except UNREACHABLE as exc:
            raise unreachable("Discord's API", discord.http.Route.BASE, exc) from exc

    async def connect(self, *, reconnect: bool = True) -> None:
        try:
            await super().connect(reconnect=reconnect)
        except discord.PrivilegedIntentsRequired:
            raise LoginRefused(INTENTS_REFUSED) from None

    def dispatch(self, event_name: str, /, *args: Any, **kwargs: Any) -> None:
        # discord.py dispatches "disconnect" from inside connect()'s except block, then
        # retries forever, logging a traceback per attempt. Before the gateway was ever
        # reached (no websocket yet) that is a start-up failure: raising here ends
        # connect() with the error being handled.
        if event_name == "disconnect" and not self.gateway_reached() and not self.is_closed():
            gateway = discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
            raise unreachable("Discord's gateway", gateway, sys.exception())
        if event_name == "interaction":
            self.metrics.interaction_arrived(args[0].id, args[0].type.value)
        super().dispatch(event_name, *args, **kwargs)

    async def on_connect(self) -> None:
        self.heartbeat.mark_connected()

    async def on_resumed(self) -> None:
        self.heartbeat.mark_connected()

    async def on_disconnect(self) -> None:
        self.heartbeat.mark_disconnected()

    async def setup_hook(self) -> None:
        if self.settings.api_base and not self.sync_only:
            await self._use_gateway_of_api_base()
        for extension in [ERROR_PIPELINE, *extensions()]:
            await self.load_extension(extension)
        if self.sync_only:
            await self.sync_commands(force=True)
            return
        # Beats start at READY; clear an earlier run's file before anything can fail.
        await self.heartbeat.start()
        # Timers fire over REST, which works from here on; the gateway is not needed. They
        # start first: timers that fell due while the bot was down are already late.
        await self.services.scheduler.start()
        # Searches use the database's full-text index until the in-memory one is built.
        self.services.qa.search.start_index()
        await self._start_web()
        await self.sync_commands()
        # dateparser pays ~0.3 s on its first call; not on the first user's /remind.
        await asyncio.to_thread(timeparse.warm_up)

    async def on_message(self, message: discord.Message, /) -> None:
        """Slash commands only: no message is ever a prefix command, so "@Nexus help"
        is not a failed command lookup. Features listen to messages in their cogs."""

    async def close(self) -> None:
        if self.web is not None:
            await self.web.stop()
        await self.heartbeat.stop()
        self.thread_members.close()
        await self.services.qa.search.stop_index()
        await self.services.scheduler.stop()
        await super().close()

    async def _start_web(self) -> None:
        """The web server, on this event loop, when ``WEB_PORT`` is set."""
        if self.settings.web_port is None:
            return
        from bot.web.app import create_app  # FastAPI is imported only when it serves

        context = WebContext(
            self.services,
            self.metrics,
            gateway_connected=lambda: self.heartbeat.is_connected,
            rate_limit=self.settings.web_rate_limit,
        )
        self.web = WebServer(
            create_app(context), host=self.settings.web_host, port=self.settings.web_port
        )
        await self.web.start()

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


class ShardedNexusBot(NexusBot, commands.AutoShardedBot):
    """The bot as discord.py's ``AutoShardedBot``: one gateway connection per shard of
    ``SHARD_IDS``, out of ``SHARD_COUNT``. The rest is ``NexusBot``'s."""

    @staticmethod
    def shard_options(settings: Settings) -> dict[str, Any]:
        shards = settings.shards
        return {"shard_count": shards.count, "shard_ids": list(shards.ids)}

    def gateway_reached(self) -> bool:
        return bool(self.shards)

    # Connected, for the heartbeat, is every shard of this process connected.
    async def on_connect(self) -> None:
        """Per shard: ``on_shard_connect``."""

    async def on_resumed(self) -> None:
        """Per shard: ``on_shard_resumed``."""

    async def on_shard_connect(self, shard_id: int) -> None:
        self._shard_up(shard_id, up=True)

    async def on_shard_resumed(self, shard_id: int) -> None:
        self._shard_up(shard_id, up=True)

    async def on_shard_disconnect(self, shard_id: int) -> None:
        self._shard_up(shard_id, up=False)

    def _shard_up(self, shard_id: int, *, up: bool) -> None:
        connected: set[int] = self.__dict__.setdefault("_connected_shards", set())
        (connected.add if up else connected.discard)(shard_id)
        if connected >= set(self.settings.shards.ids):
            self.heartbeat.mark_connected()
        else:
            self.heartbeat.mark_disconnected()

    async def launch_shards(self) -> None:
        # discord.py retries a shard's failed first connection forever, every 5 s.
        # Before any shard was connected that is a start-up failure: open the gateway
        # once (no IDENTIFY, so no session is spent), and stop with one line if it fails.
        if not self.gateway_reached():
            gateway = discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
            try:
                probe = await self.http.ws_connect(str(gateway.with_query(v=10, encoding="json")))
                await probe.close()
            except UNREACHABLE as exc:
                raise unreachable("Discord's gateway", gateway, exc) from exc
        await super().launch_shards()

    async def setup_hook(self) -> None:
        # Discord's User-Agent may carry more after its required part: which shards
        # sent a request shows in proxies' and test servers' logs.
        self.http.user_agent += f" Nexus ({self.settings.shards.describe()})"
        log.info("running %s", self.settings.shards.describe())
        await super().setup_hook()


def bot_class(settings: Settings) -> type[NexusBot]:
    """``ShardedNexusBot`` when ``SHARD_COUNT`` is set, else the plain ``NexusBot``."""
    return ShardedNexusBot if settings.shards.sharded else NexusBot
