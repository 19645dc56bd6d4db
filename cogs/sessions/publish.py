"""What sessions do on Discord: post the card and its thread, keep the card in step
with the database, and tell people (reminders, promotions, changes, cancellations).

Everything here re-reads the session from the database before acting, under a lock
per session, so the last edit of a card always shows the latest state. Every message
goes through ``bot.delivery`` with a nonce from ``bot.nonces``. (The scheduled-event
mirror is in ``events.py``.)
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Literal

import discord

from bot import nonces
from bot.coalescing import Coalescer
from bot.db.intents import Intent
from bot.db.sessions import Session
from bot.db.timers import Timer
from bot.delivery import is_transient, quietly
from bot.services import intents
from bot.services.sessions.rules import Audience, EditResult, Promotion, ReminderPlan
from bot.ui import embeds, markup
from cogs.sessions import render, strings
from cogs.sessions.views import JoinButton

if TYPE_CHECKING:
    from bot.client import NexusBot

log = logging.getLogger(__name__)

THREAD_ARCHIVE_MINUTES: Literal[10080] = 10080  # a week: the thread stays visible until the session


class Publisher:
    def __init__(self, bot: NexusBot) -> None:
        self.bot = bot
        self._locks: weakref.WeakValueDictionary[int, asyncio.Lock] = weakref.WeakValueDictionary()
        # Join and Leave only say a card is stale; this edits it, a few times a second.
        self.cards = Coalescer(self.refresh)

    @asynccontextmanager
    async def locked(self, session_id: int) -> AsyncIterator[None]:
        lock = self._locks.get(session_id)
        if lock is None:
            lock = self._locks[session_id] = asyncio.Lock()
        async with lock:
            yield

    # -- the card ---------------------------------------------------------------------

    async def post_card(self, session: Session, *, adopt: Intent | None = None) -> Session:
        """Post the card and open its thread, once: each write is an intent first, so a
        retry (or the reconciliation at start, passing the ``adopt`` intent left by a
        kill) finds what was done instead of doing it again. The thread opens with the
        host and everyone on the session (a series' next occurrence carries them over)."""
        services = self.bot.services
        opened: int | None = None  # the thread, once opened here
        async with self.locked(session.id):
            current = await services.sessions.find(session.id) or session
            channel_id, message_id = current.channel_id, current.message_id
            if message_id is None or channel_id is None:
                channel_id = await services.guilds.require(current.guild_id, "sessions_channel")
                intent = await services.intents.record(
                    intents.SESSION_CARD,
                    guild_id=current.guild_id,
                    channel_id=channel_id,
                    subject_id=current.id,
                    nonce=nonces.session_card(current.id),
                )
                found = await self._posted_card(intent) if adopt is not None else None
                if found is not None:
                    message_id = found
                else:
                    roster = await services.sessions.cards.head(session.id, names=render.CARD_NAMES)
                    message = await self.bot.delivery.send(
                        intent.channel_id,
                        nonce=nonces.session_card(current.id),
                        embed=render.card_embed(current, roster),
                        view=render.card_view(current, roster),
                    )
                    message_id = message.id
                channel_id = intent.channel_id
                current = await services.sessions.attach_card(
                    current.id, channel_id=channel_id, message_id=message_id, thread_id=None
                )
                await services.intents.complete(intent)
            if current.thread_id is None:
                intent = await services.intents.record(
                    intents.SESSION_THREAD,
                    guild_id=current.guild_id,
                    channel_id=channel_id,
                    subject_id=current.id,
                    name=current.title,
                )
                thread_id = await self._open_thread(
                    current, channel_id, message_id, adopt=adopt is not None
                )
                current = await services.sessions.attach_card(
                    current.id, channel_id=channel_id, message_id=message_id, thread_id=thread_id
                )
                await services.intents.complete(intent)
                opened = thread_id
        if opened is not None:
            people = await services.sessions.concerned(current)
            threads = self.bot.thread_members
            await quietly(
                threads.add(current.guild_id, opened, people, fresh=True), f"session {session.id}"
            )
            # The card's calendar link can only point back at the card and thread now.
            await quietly(self.refresh(current.id), f"refresh of session {current.id}")
        return current

    async def _posted_card(self, intent: Intent) -> int | None:
        """The card a killed run posted, if Discord has it: the bot's message after the
        intent whose Join button is this session's. (A nonce is only unique for a few
        minutes and is not returned when messages are read back, so the button is the
        mark; a thread from a message needs no search, as it takes the message's id.)"""
        return await self.bot.delivery.find_own_message(
            intent.channel_id,
            since=intent.created_at,
            custom_id=JoinButton(intent.subject_id or 0).custom_id,
        )

    async def withdraw(self, session_id: int) -> None:
        """Undo a creation whose card could not be fully posted: no card left behind
        whose buttons point at nothing, and no session without a render."""
        services = self.bot.services
        session = await services.sessions.find(session_id)
        if session is not None and session.channel_id and session.message_id:
            await quietly(
                self.bot.delivery.delete(session.channel_id, session.message_id),
                f"removal of withdrawn session {session_id}'s card",
            )
        await services.sessions.discard(session_id)

    async def _open_thread(
        self, session: Session, channel_id: int, message_id: int, *, adopt: bool = False
    ) -> int | None:
        """The card's thread; with ``adopt``, one a killed run opened is found first (a
        second try would only earn a 400: the thread takes the message's id)."""
        delivery, name = self.bot.delivery, session.title
        if adopt and message_id in await delivery.own_threads(session.guild_id, name):
            return message_id
        try:
            return await delivery.start_thread(
                channel_id, message_id, name=name, archive_minutes=THREAD_ARCHIVE_MINUTES
            )
        except discord.HTTPException as error:
            if is_transient(error):
                raise
            log.warning("no thread for card %s in %s: %s", message_id, channel_id, error)
            return None

    async def refresh(self, session_id: int) -> None:
        """Edit the card in place to show the current state (the first names of each
        list and the counts: bounded reads, however long the line), and record the
        version it shows."""
        cards = self.bot.services.sessions.cards
        async with self.locked(session_id):
            state = await cards.state(session_id, names=render.CARD_NAMES)
            if state is None:
                return
            session, roster = state.session, state.roster
            if session.message_id is None or session.channel_id is None:
                return
            try:
                await self.bot.delivery.edit(
                    session.channel_id,
                    session.message_id,
                    embed=render.card_embed(session, roster),
                    view=render.card_view(session, roster),
                )
            except (discord.NotFound, discord.Forbidden) as error:
                log.warning("card of session %s can't be edited: %s", session_id, error)
            await cards.shown(session_id, state.version)

    async def rename_thread(self, session: Session) -> None:
        if session.thread_id is None:
            return
        try:
            await self.bot.delivery.edit_thread(session.thread_id, name=session.title)
        except (discord.NotFound, discord.Forbidden) as error:
            log.warning("thread of session %s can't be renamed: %s", session.id, error)

    async def archive_thread(self, session: Session) -> None:
        if session.thread_id is None:
            return
        try:
            await self.bot.delivery.edit_thread(session.thread_id, archived=True)
        except (discord.NotFound, discord.Forbidden) as error:
            log.warning("thread of session %s can't be archived: %s", session.id, error)

    # -- telling people ---------------------------------------------------------------

    async def send(
        self, session: Session, audience: Audience, content: str, *, nonce: Callable[[str], str]
    ) -> None:
        """Mention ``audience.mention`` in the session's thread and DM ``audience.dm``;
        a DM is read away from the server, so it says where the session is."""
        direct = f"{content}\n{session.card_url}" if session.card_url else content
        await self.bot.delivery.notify(
            session.talk_channel_id,
            content,
            mention=audience.mention,
            dm=audience.dm,
            dm_content=direct,
            nonce=nonce,
        )

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
                await self.bot.delivery.dm(
                    promotion.user_id,
                    nonce=nonces.session_promotion(promotion.rsvp_id),
                    content=content,
                    fallback_channel_id=session.talk_channel_id,
                )
            except discord.HTTPException as error:
                log.warning("promotion notice for %s failed: %s", promotion.user_id, error)

    async def notify_edit(self, result: EditResult, actor_id: int) -> None:
        session = result.session
        people = await self.bot.services.sessions.concerned(session, but=actor_id)
        if not people:
            return
        audience = await self.bot.services.sessions.timeline.audience(people, reminders=False)
        content = strings.EDITED.format(
            title=session.title,
            actor=markup.user(actor_id),
            changes="\n".join(render.change_lines(result.changes)),
        )
        sequence = session.sequence
        await quietly(
            self.send(
                session,
                audience,
                content,
                nonce=lambda part: nonces.session_edit(session.id, sequence, part),
            ),
            f"session {session.id}: edit notices",
        )

    async def notify_cancel(self, session: Session, actor_id: int) -> None:
        people = await self.bot.services.sessions.concerned(session, but=actor_id)
        content = strings.CANCELLED_NOTICE.format(
            title=session.title,
            absolute=embeds.timestamp(session.start),
            actor=markup.user(actor_id),
        )
        if session.cancel_reason:
            content += "\n" + strings.CANCELLED_REASON.format(reason=session.cancel_reason)
        if not people:
            return
        audience = await self.bot.services.sessions.timeline.audience(people, reminders=False)
        await quietly(
            self.send(
                session,
                audience,
                content,
                nonce=lambda part: nonces.session_cancel(session.id, part),
            ),
            f"session {session.id}: cancel notices",
        )
