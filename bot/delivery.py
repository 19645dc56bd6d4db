"""The one way the bot writes to Discord: messages, DMs, edits, threads.

Every send carries an explicit ``allowed_mentions`` built here from exactly the users
and role the feature intends (never @everyone unless asked), and a nonce from
``bot.nonces``: a retry after a crash returns the earlier message instead of posting
twice. A DM that Discord refuses (closed DMs) falls back to a mention in a channel, and
the user is told once how to open DMs. ``is_transient`` is the one retry policy:
timers retry what it accepts, and everything else fails for good.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, TypeVar

import aiohttp
import discord

from bot import nonces
from bot.time.clock import from_epoch
from bot.ui import limits

if TYPE_CHECKING:
    from bot.client import NexusBot

log = logging.getLogger(__name__)
T = TypeVar("T")

DMS_CLOSED = 50007
THREAD_EXISTS = 160004  # "A thread has already been created for this message"
MENTIONS_PER_MESSAGE = 80
MENTION_WIDTH = 24  # "<@" + up to 20 digits + ">" + a space
OPEN_DMS_HINT = (
    "-# I couldn't DM you, so I'm posting here. To get these by DM, open this server's "
    "menu → **Privacy Settings** → turn on **Direct Messages**."
)
ArchiveMinutes = Literal[60, 1440, 4320, 10080]
PRIVATE_THREAD: Literal[12] = 12  # Discord's channel type
PINNED_POST = 1 << 1  # a thread's flag: pinned to the top of its forum
RETRY_PAUSES = (0.5, 1.0, 2.0)  # seconds before each retry of a transient failure
RECONCILE_LOOKBACK = 100  # messages read back to find an interrupted write
CLOCK_SKEW = 5  # seconds: Discord's clock and ours may disagree a little


class NoChannelYet(Exception):
    """A notice for people in a channel that does not exist yet (a card or thread still
    being posted): not sent, so not recorded as sent; the timer tries again."""


def is_transient(error: BaseException) -> bool:
    """Worth retrying later: Discord overloaded or rate limiting, or the network."""
    if isinstance(error, discord.DiscordServerError | discord.RateLimited | NoChannelYet):
        return True
    if isinstance(error, discord.HTTPException):
        return error.status == 429 or error.status >= 500
    return isinstance(error, aiohttp.ClientError | asyncio.TimeoutError | ConnectionError)


async def retrying(attempt: Callable[[int], Awaitable[T]], what: str) -> T:
    """``attempt(n)`` until it succeeds, retried after a transient failure with growing
    pauses. discord.py itself retries 500, 502 and 504, but not a 503, nor a 429
    without ``Via`` (which it takes for a Cloudflare block); those are retried here
    before anyone is told. Only for writes that are safe to repeat: a nonced send, or
    one that looks for its earlier result first (``n`` > 0 says it is a retry)."""
    for number, pause in enumerate((*RETRY_PAUSES, None)):
        try:
            return await attempt(number)
        except Exception as error:
            if pause is None or not is_transient(error):
                raise
            log.info("%s failed (%s); retrying in %.1f s", what, error, pause)
            await asyncio.sleep(pause)
    raise AssertionError("unreachable")  # the last pause is None: the loop returns or raises


def mentions(
    users: Iterable[int] = (), role: int | None = None, *, everyone: bool = False
) -> discord.AllowedMentions:
    """Exactly these users and this role may be pinged; @everyone only when asked."""
    return discord.AllowedMentions(
        everyone=everyone,
        users=[discord.Object(u) for u in users],
        roles=[discord.Object(role)] if role is not None else [],
        replied_user=False,
    )


async def quietly(action: Awaitable[Any], what: str) -> None:
    """A Discord side effect after the change is stored (a card refresh, a notice):
    a failure is logged with ``what`` and the command still succeeds."""
    try:
        await action
    except discord.HTTPException as error:
        log.warning("%s failed: %s", what, error)


def _snowflake_at(seconds: int) -> int:
    """The smallest Discord id made at ``seconds`` (epoch): ids grow with time."""
    return discord.utils.time_snowflake(from_epoch(seconds))


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

    async def send(
        self,
        channel_id: int,
        *,
        nonce: str,
        content: str | None = None,
        embed: discord.Embed | None = None,
        embeds: Sequence[discord.Embed] = (),
        view: discord.ui.View | None = None,
        users: Iterable[int] = (),
        role: int | None = None,
        everyone: bool = False,
    ) -> discord.Message:
        """Post in a channel or thread; only ``users``, ``role`` (and @everyone when
        ``everyone``) are pinged, whatever the text says."""
        channel = self._bot.get_partial_messageable(channel_id)
        chosen = [embed] if embed is not None else list(embeds)
        return await retrying(
            lambda _: channel.send(
                content=content,
                embeds=chosen,
                view=view,  # type: ignore[arg-type]
                nonce=nonce,
                allowed_mentions=mentions(users, role, everyone=everyone),
            ),
            f"message {nonce} to {channel_id}",
        )

    async def dm(
        self,
        user_id: int,
        *,
        nonce: str,
        content: str,
        embed: discord.Embed | None = None,
        view: discord.ui.View | None = None,
        fallback_channel_id: int | None = None,
    ) -> Delivered:
        """DM the user. When their DMs are closed and there is a ``fallback_channel_id``,
        mention them there instead and, the first time, tell them how to open DMs."""
        try:
            channel_id = await self.dm_channel_id(user_id)
            message = await self.send(
                channel_id, nonce=nonce, content=content, embed=embed, view=view
            )
            return Delivered("dm", message.id)
        except discord.Forbidden as error:
            if error.code != DMS_CLOSED or fallback_channel_id is None:
                raise
        log.info("DMs closed for user %s; falling back to channel %s", user_id, fallback_channel_id)
        text = f"<@{user_id}> {content}"
        if await self._bot.services.preferences.should_tell_dm_closed(user_id):
            text = f"{text}\n{OPEN_DMS_HINT}"
        message = await self.send(
            fallback_channel_id,
            nonce=nonces.fallback(nonce),
            content=text,
            embed=embed,
            view=view,
            users=[user_id],
        )
        return Delivered("channel", message.id)

    async def notify(
        self,
        channel_id: int | None,
        content: str,
        *,
        mention: Sequence[int] = (),
        dm: Sequence[int] = (),
        dm_content: str | None = None,
        nonce: Callable[[str], str],
    ) -> None:
        """Tell people about something: ``mention`` in the channel (at most 80 a
        message, as many as fit beside the text), ``dm`` by DM (a mention in the channel
        when their DMs are closed). Everyone is tried; a transient failure is raised
        afterwards, for the caller's retry (same nonces, so nobody gets it twice).
        ``nonce(part)`` builds each message's nonce from ``c<n>`` or ``u<user>``."""
        failures: list[BaseException] = []
        content = limits.shorten(content, limits.MESSAGE // 2)
        room = (limits.MESSAGE - len(content) - 1) // MENTION_WIDTH
        if channel_id is None and mention:
            failures.append(NoChannelYet(f"{len(mention)} mention(s) have no channel yet"))
        if channel_id is not None:
            size = max(1, min(MENTIONS_PER_MESSAGE, room))
            everyone_named = sorted(mention)
            groups = [everyone_named[i : i + size] for i in range(0, len(everyone_named), size)]
            for index, group in enumerate(groups):
                text = f"{content}\n{' '.join(f'<@{uid}>' for uid in group)}"
                try:
                    await self.send(channel_id, nonce=nonce(f"c{index}"), content=text, users=group)
                except discord.HTTPException as error:
                    failures.append(error)
        for user_id in sorted(dm):
            try:
                await self.dm(
                    user_id,
                    nonce=nonce(nonces.user_part(user_id)),
                    content=dm_content or content,
                    fallback_channel_id=channel_id,
                )
            except discord.HTTPException as error:
                failures.append(error)
        for failure in failures:
            log.warning("a notice (%s) was not delivered: %s", nonce("c0"), failure)
        transient = next((e for e in failures if is_transient(e)), None)
        if transient is not None:
            raise transient

    async def edit(
        self,
        channel_id: int,
        message_id: int,
        *,
        content: str | None = discord.utils.MISSING,
        embed: discord.Embed | None = discord.utils.MISSING,
        view: discord.ui.View | None = discord.utils.MISSING,
    ) -> None:
        """Edit a message of the bot's in place (an edit notifies nobody); what is not
        given stays as it is."""
        message = self._bot.get_partial_messageable(channel_id).get_partial_message(message_id)
        await message.edit(
            content=content,
            embed=embed,
            view=view,
            allowed_mentions=discord.AllowedMentions.none(),
        )

    async def react(self, channel_id: int, message_id: int, emoji: str) -> None:
        """Add the bot's reaction to a message (a repeat changes nothing)."""
        message = self._bot.get_partial_messageable(channel_id).get_partial_message(message_id)
        await message.add_reaction(emoji)

    async def find_own_message(
        self,
        channel_id: int,
        *,
        since: int | None,
        custom_id: str | None = None,
        content: str | None = None,
    ) -> int | None:
        """A message the bot posted in the channel since ``since`` (epoch seconds) that
        carries the component ``custom_id`` or starts with ``content`` (``since`` None:
        among the channel's latest messages): how a write interrupted by a kill is found
        again (a nonce is neither kept nor returned when messages are read back)."""
        me = self._bot.user.id if self._bot.user else None
        after = None if since is None else discord.Object(_snowflake_at(since - CLOCK_SKEW))
        channel = self._bot.get_partial_messageable(channel_id)
        async for message in channel.history(limit=RECONCILE_LOOKBACK, after=after):
            if message.author.id != me:
                continue
            ids = {
                getattr(child, "custom_id", None)
                for row in message.components
                for child in getattr(row, "children", [row])
            }
            if custom_id is not None and custom_id in ids:
                return message.id
            if content is not None and message.content.startswith(content):
                return message.id
        return None

    async def pin(self, channel_id: int, message_id: int) -> None:
        await self._bot.http.pin_message(channel_id, message_id)

    async def delete(self, channel_id: int, message_id: int) -> None:
        await self._bot.http.delete_message(channel_id, message_id)

    async def publish(self, channel_id: int, message_id: int) -> None:
        """Publish (crosspost) a message of an announcement channel to following servers."""
        await self._bot.http.publish_message(channel_id, message_id)

    async def start_thread(
        self, channel_id: int, message_id: int, *, name: str, archive_minutes: ArchiveMinutes
    ) -> int:
        """Open the thread of a message, once: a retry finds the one already opened
        (a thread started from a message has the message's id)."""
        try:
            data = await retrying(
                lambda _: self._bot.http.start_thread_with_message(
                    channel_id,
                    message_id,
                    name=limits.shorten(name, limits.THREAD_NAME),
                    auto_archive_duration=archive_minutes,
                ),
                f"thread of message {message_id}",
            )
        except discord.HTTPException as error:
            if error.code == THREAD_EXISTS:
                return message_id
            raise
        return int(data["id"])

    async def start_private_thread(
        self, channel_id: int, *, name: str, archive_minutes: ArchiveMinutes
    ) -> int:
        """A private thread only its members (and moderators) see; nobody may invite."""
        data = await self._bot.http.start_thread_without_message(
            channel_id,
            name=limits.shorten(name, limits.THREAD_NAME),
            auto_archive_duration=archive_minutes,
            type=PRIVATE_THREAD,
            invitable=False,
        )
        return int(data["id"])

    async def add_to_thread(self, thread_id: int, user_id: int) -> None:
        await self._bot.http.add_user_to_thread(thread_id, user_id)

    async def own_threads(
        self, guild_id: int, name: str, *, parent_id: int | None = None, since: int | None = None
    ) -> list[int]:
        """The server's active threads named ``name`` that the bot opened (in
        ``parent_id``, created since ``since`` epoch seconds when given), oldest first."""
        data = await self._bot.http.get_active_threads(guild_id)
        me = self._bot.user.id if self._bot.user else None
        oldest = 0 if since is None else _snowflake_at(since - CLOCK_SKEW)
        found = [
            int(thread["id"])
            for thread in data.get("threads", [])
            if thread.get("name") == name
            and int(thread.get("owner_id") or 0) == me
            and (parent_id is None or int(thread.get("parent_id") or 0) == parent_id)
            and int(thread["id"]) >= oldest
        ]
        return sorted(found)

    async def edit_thread(
        self,
        thread_id: int,
        *,
        name: str | None = None,
        archived: bool | None = None,
        pinned: bool | None = None,
    ) -> None:
        """Rename, (un)archive, or pin a forum post to the top of its forum."""
        changes: dict[str, Any] = {}
        if name is not None:
            changes["name"] = limits.shorten(name, limits.THREAD_NAME)
        if archived is not None:
            changes["archived"] = archived
        if pinned is not None:
            changes["flags"] = PINNED_POST if pinned else 0
        if changes:
            await self._bot.http.edit_channel(thread_id, **changes)
