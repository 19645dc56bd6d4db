"""What sessions do on Discord: post the card and its thread, keep the card in step
with the database, and tell people (reminders, promotions, changes, cancellations).

Everything here re-reads the session from the database before acting, under a lock
per session, so the last edit of a card always shows the latest state. Every message
carries a deterministic nonce and ``allowed_mentions`` naming exactly its recipients.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Literal

import discord

from bot.db.sessions import Session
from bot.db.timers import Timer
from bot.delivery import is_transient
from bot.services.sessions_rules import Audience, EditResult, Promotion, ReminderPlan
from bot.ui import embeds, limits
from cogs.sessions import card, strings

if TYPE_CHECKING:
    from bot.client import NexusBot

log = logging.getLogger(__name__)

MENTIONS_PER_MESSAGE = 80
MENTION_WIDTH = 24  # "<@" + up to 20 digits + ">" + a space
THREAD_ARCHIVE_MINUTES: Literal[10080] = 10080  # a week: the thread stays visible until the session
THREAD_EXISTS = 160004  # "A thread has already been created for this message"
_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"


def b36(number: int) -> str:
    """Short nonce parts: a snowflake in 12 characters instead of 19."""
    out = ""
    while True:
        number, digit = divmod(number, 36)
        out = _DIGITS[digit] + out
        if not number:
            return out


def chunks(user_ids: list[int], size: int = MENTIONS_PER_MESSAGE) -> Iterator[list[int]]:
    for start in range(0, len(user_ids), size):
        yield user_ids[start : start + size]


class Publisher:
    def __init__(self, bot: NexusBot) -> None:
        self.bot = bot
        self._locks: weakref.WeakValueDictionary[int, asyncio.Lock] = weakref.WeakValueDictionary()

    @asynccontextmanager
    async def locked(self, session_id: int) -> AsyncIterator[None]:
        lock = self._locks.get(session_id)
        if lock is None:
            lock = self._locks[session_id] = asyncio.Lock()
        async with lock:
            yield

    # -- the card ---------------------------------------------------------------------

    async def post_card(self, session: Session) -> Session:
        """Post the card and open its thread, once: a retry finds what was done."""
        services = self.bot.services
        async with self.locked(session.id):
            current = await services.sessions.find(session.id) or session
            roster = await services.sessions.roster(session.id)
            channel_id, message_id = current.channel_id, current.message_id
            if message_id is None or channel_id is None:
                settings = await services.guilds.require(current.guild_id)
                channel_id = settings.sessions_channel_id
                channel = self.bot.get_partial_messageable(channel_id, guild_id=current.guild_id)
                message = await channel.send(
                    embed=card.card_embed(current, roster),
                    view=card.card_view(current),  # type: ignore[arg-type]
                    nonce=f"sc{b36(current.id)}",
                    allowed_mentions=discord.AllowedMentions.none(),
                )
                message_id = message.id
                current = await services.sessions.attach_card(
                    current.id, channel_id=channel_id, message_id=message_id, thread_id=None
                )
            if current.thread_id is None:
                thread_id = await self._open_thread(channel_id, message_id, current.title)
                current = await services.sessions.attach_card(
                    current.id, channel_id=channel_id, message_id=message_id, thread_id=thread_id
                )
        return current

    async def withdraw(self, session_id: int) -> None:
        """Undo a creation whose card could not be fully posted: no card left behind
        whose buttons point at nothing, and no session without a card."""
        services = self.bot.services
        session = await services.sessions.find(session_id)
        if session is not None and session.channel_id and session.message_id:
            try:
                await self.bot.http.delete_message(session.channel_id, session.message_id)
            except discord.HTTPException as error:
                log.warning("card of withdrawn session %s stays: %s", session_id, error)
        await services.sessions.discard(session_id)

    async def _open_thread(self, channel_id: int, message_id: int, name: str) -> int | None:
        try:
            data = await self.bot.http.start_thread_with_message(
                channel_id,
                message_id,
                name=name,
                auto_archive_duration=THREAD_ARCHIVE_MINUTES,
            )
        except discord.HTTPException as error:
            if error.code == THREAD_EXISTS:
                return message_id  # a thread started from a message has the message's id
            if is_transient(error):
                raise
            log.warning("no thread for card %s in %s: %s", message_id, channel_id, error)
            return None
        return int(data["id"])

    async def refresh(self, session_id: int) -> None:
        """Edit the card in place to show the current state."""
        services = self.bot.services
        async with self.locked(session_id):
            session = await services.sessions.find(session_id)
            if session is None or session.message_id is None or session.channel_id is None:
                return
            roster = await services.sessions.roster(session_id)
            message = self.bot.get_partial_messageable(
                session.channel_id, guild_id=session.guild_id
            ).get_partial_message(session.message_id)
            try:
                await message.edit(
                    embed=card.card_embed(session, roster),
                    view=card.card_view(session),
                    allowed_mentions=discord.AllowedMentions.none(),
                )
            except (discord.NotFound, discord.Forbidden) as error:
                log.warning("card of session %s can't be edited: %s", session_id, error)

    async def rename_thread(self, session: Session) -> None:
        if session.thread_id is None:
            return
        try:
            await self.bot.http.edit_channel(session.thread_id, name=session.title)
        except (discord.NotFound, discord.Forbidden) as error:
            log.warning("thread of session %s can't be renamed: %s", session.id, error)

    async def archive_thread(self, session: Session) -> None:
        if session.thread_id is None:
            return
        try:
            await self.bot.http.edit_channel(session.thread_id, archived=True)
        except (discord.NotFound, discord.Forbidden) as error:
            log.warning("thread of session %s can't be archived: %s", session.id, error)

    # -- telling people ---------------------------------------------------------------

    async def send(
        self,
        session: Session,
        audience: Audience,
        content: str,
        *,
        nonce: Callable[[str], str],
    ) -> None:
        """Mention ``audience.mention`` in the session's thread (at most 80 a message)
        and DM ``audience.dm`` (a mention in the thread when their DMs are closed).
        Everyone is tried; a transient failure is raised afterwards, for a retry."""
        channel_id = session.talk_channel_id
        failures: list[BaseException] = []
        content = limits.shorten(content, limits.MESSAGE // 2)
        # As many mentions as fit beside the text, and never more than 80 a message.
        room = (limits.MESSAGE - len(content) - 1) // MENTION_WIDTH
        if channel_id is not None:
            size = max(1, min(MENTIONS_PER_MESSAGE, room))
            for index, group in enumerate(chunks(sorted(audience.mention), size)):
                text = f"{content}\n{' '.join(f'<@{uid}>' for uid in group)}"
                try:
                    await self.bot.delivery.to_channel(
                        channel_id, nonce=nonce(f"c{index}"), content=text, mention_users=group
                    )
                except discord.HTTPException as error:
                    failures.append(error)
        # A DM is read away from the server: say where the session is.
        direct = f"{content}\n{session.card_url}" if session.card_url else content
        for user_id in sorted(audience.dm):
            try:
                if channel_id is None:
                    await self.bot.delivery.dm(
                        user_id, nonce=nonce(f"u{b36(user_id)}"), content=direct
                    )
                else:
                    await self.bot.delivery.dm_or_mention(
                        user_id, channel_id, nonce=nonce(f"u{b36(user_id)}"), content=direct
                    )
            except discord.HTTPException as error:
                failures.append(error)
        for failure in failures:
            log.warning("session %s: a notice was not delivered: %s", session.id, failure)
        transient = next((e for e in failures if is_transient(e)), None)
        if transient is not None:
            raise transient

    async def remind(self, plan: ReminderPlan, timer: Timer) -> None:
        session = plan.session
        content = strings.REMINDER.format(
            title=session.title,
            relative=embeds.timestamp(session.start, "R"),
            absolute=embeds.timestamp(session.start),
        )
        if session.voice_channel_id:
            content += f" Voice: <#{session.voice_channel_id}>"
        await self.send(session, plan.audience, content, nonce=timer.nonce)

    async def tell_promoted(self, promotions: list[Promotion]) -> None:
        for promotion in promotions:
            session = await self.bot.services.sessions.find(promotion.session_id)
            if session is None or session.talk_channel_id is None:
                continue
            content = strings.PROMOTED.format(
                title=session.title,
                absolute=embeds.timestamp(session.start),
                relative=embeds.timestamp(session.start, "R"),
            )
            if session.card_url:
                content += f"\n{session.card_url}"
            try:
                await self.bot.delivery.dm_or_mention(
                    promotion.user_id,
                    session.talk_channel_id,
                    nonce=f"sp{b36(promotion.rsvp_id)}",
                    content=content,
                )
            except discord.HTTPException as error:
                log.warning("promotion notice for %s failed: %s", promotion.user_id, error)

    async def notify_edit(self, result: EditResult, actor_id: int) -> None:
        session = result.session
        roster = await self.bot.services.sessions.roster(session.id)
        people = [uid for uid in roster.going + roster.waitlist if uid != actor_id]
        if not people:
            return
        audience = await self.bot.services.sessions.timeline.audience(people, reminders=False)
        content = strings.EDITED.format(
            title=session.title,
            actor=f"<@{actor_id}>",
            changes="\n".join(card.change_lines(result.changes)),
        )
        prefix = f"se{b36(session.id)}.{session.sequence}."
        await self._quietly(session, audience, content, prefix)

    async def notify_cancel(self, session: Session, actor_id: int) -> None:
        roster = await self.bot.services.sessions.roster(session.id)
        people = [uid for uid in roster.going + roster.waitlist if uid != actor_id]
        content = strings.CANCELLED_NOTICE.format(
            title=session.title, absolute=embeds.timestamp(session.start), actor=f"<@{actor_id}>"
        )
        if session.cancel_reason:
            content += "\n" + strings.CANCELLED_REASON.format(reason=session.cancel_reason)
        if not people:
            return
        audience = await self.bot.services.sessions.timeline.audience(people, reminders=False)
        await self._quietly(session, audience, content, f"sx{b36(session.id)}.")

    async def _quietly(
        self, session: Session, audience: Audience, content: str, prefix: str
    ) -> None:
        """Notices after a command: a failure is logged; the change itself stands."""
        try:
            await self.send(session, audience, content, nonce=lambda part: f"{prefix}{part}"[:25])
        except discord.HTTPException as error:
            log.warning("session %s: notices failed: %s", session.id, error)
