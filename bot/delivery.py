"""Sending on behalf of timers: DMs with a channel fallback, and what counts as transient.

Every send here carries a nonce from the timer row, so a retry after a crash returns the
earlier message instead of posting twice, and an explicit ``allowed_mentions``.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

import aiohttp
import discord

if TYPE_CHECKING:
    from bot.client import NexusBot

log = logging.getLogger(__name__)

DMS_CLOSED = 50007
OPEN_DMS_HINT = (
    "-# I couldn't DM you, so I'm posting here. To get these by DM, open this server's "
    "menu → **Privacy Settings** → turn on **Direct Messages**."
)


def is_transient(error: BaseException) -> bool:
    """Worth retrying later: Discord overloaded or rate limiting, or the network."""
    if isinstance(error, discord.DiscordServerError | discord.RateLimited):
        return True
    if isinstance(error, discord.HTTPException):
        return error.status == 429 or error.status >= 500
    return isinstance(error, aiohttp.ClientError | asyncio.TimeoutError | ConnectionError)


@dataclass(frozen=True)
class Delivered:
    via: str  # "dm" or "channel"
    message_id: int


class Delivery:
    def __init__(self, bot: NexusBot) -> None:
        self._bot = bot
        self._dm_channels: dict[int, int] = {}
        self._dm_locks: dict[int, asyncio.Lock] = {}
        self._background: set[asyncio.Task[None]] = set()

    def open_dm_soon(self, user_id: int) -> None:
        """Open (and remember) the user's DM channel in the background, so the first
        delivery to them does not pay for it at its due time."""

        async def open_dm() -> None:
            try:
                await self.dm_channel_id(user_id)
            except discord.HTTPException:
                log.info("could not open a DM channel with user %s yet", user_id, exc_info=True)

        task = asyncio.create_task(open_dm(), name=f"open-dm-{user_id}")
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def dm_channel_id(self, user_id: int) -> int:
        """The DM channel with the user: remembered in memory and in the database, and
        opened at most once at a time per user. Opening one is rate limited by Discord,
        so a burst of reminders after a restart must not open it again per message."""
        if user_id in self._dm_channels:
            return self._dm_channels[user_id]
        lock = self._dm_locks.setdefault(user_id, asyncio.Lock())
        async with lock:
            if user_id in self._dm_channels:
                return self._dm_channels[user_id]
            preferences = self._bot.services.preferences
            channel_id = await preferences.dm_channel(user_id)
            if channel_id is None:
                channel = await self._bot.create_dm(discord.Object(user_id))
                channel_id = channel.id
                await preferences.remember_dm_channel(user_id, channel_id)
            self._dm_channels[user_id] = channel_id
        self._dm_locks.pop(user_id, None)
        return channel_id

    async def dm(
        self,
        user_id: int,
        *,
        nonce: str,
        content: str | None = None,
        embed: discord.Embed | None = None,
    ) -> discord.Message:
        channel_id = await self.dm_channel_id(user_id)
        channel = self._bot.get_partial_messageable(channel_id, type=discord.ChannelType.private)
        return await channel.send(
            content=content,
            embed=embed,  # type: ignore[arg-type]
            nonce=nonce,
            allowed_mentions=discord.AllowedMentions.none(),
        )

    async def to_channel(
        self,
        channel_id: int,
        *,
        nonce: str,
        content: str | None = None,
        embed: discord.Embed | None = None,
        mention_users: list[int] | None = None,
    ) -> discord.Message:
        channel = self._bot.get_partial_messageable(channel_id)
        mentions = discord.AllowedMentions(
            everyone=False,
            roles=False,
            users=[discord.Object(uid) for uid in mention_users or []],
        )
        return await channel.send(
            content=content,
            embed=embed,  # type: ignore[arg-type]
            nonce=nonce,
            allowed_mentions=mentions,
        )

    async def dm_or_mention(
        self,
        user_id: int,
        fallback_channel_id: int,
        *,
        nonce: str,
        content: str,
        embed: discord.Embed | None = None,
    ) -> Delivered:
        """DM the user; when their DMs are closed, mention them in the fallback channel
        instead, and the first time, tell them how to open DMs."""
        try:
            message = await self.dm(user_id, nonce=nonce, content=content, embed=embed)
            return Delivered("dm", message.id)
        except discord.Forbidden as error:
            if error.code != DMS_CLOSED:
                raise
        log.info("DMs closed for user %s; falling back to channel %s", user_id, fallback_channel_id)
        text = f"<@{user_id}> {content}"
        if await self._bot.services.preferences.should_tell_dm_closed(user_id):
            text = f"{text}\n{OPEN_DMS_HINT}"
        message = await self.to_channel(
            fallback_channel_id,
            nonce=f"{nonce}f"[:25],
            content=text,
            embed=embed,
            mention_users=[user_id],
        )
        return Delivered("channel", message.id)
