"""What pairing does on Discord: the request post in the pairing channel, the private
thread of each pair or trio with its kickoff, the check-in, and request posts updated
once answered.

A pair's thread is an intent first: the pair row carries the thread's name (with the
pair's id) before the thread exists. ``open_thread`` looks for a thread of that name
among the pairing channel's active threads before creating one, so a crash between
creating the thread and recording it never makes a second thread. Thread creation is
paced (Discord limits it per channel) and a 429 is waited out by discord.py.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Literal

import discord

from bot import nonces
from bot.db.pair_requests import PairRequest
from bot.db.pairs import Pair
from bot.delivery import is_transient, quietly
from cogs.pairing import render
from cogs.pairing.views import checkin_view, request_view

if TYPE_CHECKING:
    from bot.client import NexusBot

log = logging.getLogger(__name__)

ARCHIVE_MINUTES: Literal[10080] = 10080
THREAD_PACE = 0.5  # seconds between thread creations in a round


class PairingPublisher:
    def __init__(self, bot: NexusBot) -> None:
        self.bot = bot
        self._locks: dict[int, asyncio.Lock] = {}

    # -- requests -----------------------------------------------------------------------

    async def post_request(self, request: PairRequest, channel_id: int) -> discord.Message:
        """The request in the pairing channel, mentioning exactly its target."""
        return await self.bot.delivery.send(
            channel_id,
            nonce=nonces.pair_request(request.id),
            content=render.request_post(request),
            view=request_view(request.id),
            users=[request.to_id],
        )

    async def close_request(self, request: PairRequest, *, withdrawn: bool = False) -> None:
        """The request post once expired or withdrawn: its outcome, no buttons."""
        if request.channel_id is None or request.message_id is None:
            return
        await quietly(
            self.bot.delivery.edit(
                request.channel_id,
                request.message_id,
                content=render.request_outcome(request, withdrawn=withdrawn),
                view=discord.ui.View(),
            ),
            f"close of pair request {request.id}",
        )

    # -- threads --------------------------------------------------------------------------

    async def open_thread(self, pair: Pair, channel_id: int) -> int:
        """The pair's private thread with exactly its members, and its kickoff; once."""
        lock = self._locks.setdefault(pair.id, asyncio.Lock())
        async with lock:
            fresh = await self.bot.services.pairing.get_pair(pair.id)
            if fresh is not None and fresh.thread_id is not None:
                return fresh.thread_id
            thread_id = await self._find_thread(pair) or await self._create_thread(pair, channel_id)
            for member in pair.members:
                await self.bot.delivery.add_to_thread(thread_id, member)
            kickoff = await self.bot.services.pairing.kickoff(pair)
            content, embed = render.kickoff(pair, kickoff)
            await self.bot.delivery.send(
                thread_id,
                nonce=nonces.pair_kickoff(pair.id),
                content=content,
                embed=embed,
                users=pair.members,
            )
            await self.bot.services.pairing.attach_thread(pair.id, thread_id)
        self._locks.pop(pair.id, None)
        return thread_id

    async def _find_thread(self, pair: Pair) -> int | None:
        """A thread of this pair's name that the bot opened before a crash."""
        threads = await self.bot.delivery.own_threads(pair.guild_id, pair.thread_name)
        found = threads[0] if threads else None
        if found is not None:
            log.info("pair %s: adopting thread %s from before a restart", pair.id, found)
        return found

    async def _create_thread(self, pair: Pair, channel_id: int) -> int:
        return await self.bot.delivery.start_private_thread(
            channel_id, name=pair.thread_name, archive_minutes=ARCHIVE_MINUTES
        )

    async def open_all(self, pairs: list[Pair], channel_id: int) -> list[Pair]:
        """Open every pair's thread, paced; the pairs that could not be opened (kept as
        intents: the next start, or the next round, opens them)."""
        failed = []
        for index, pair in enumerate(pairs):
            if index:
                await asyncio.sleep(THREAD_PACE)
            try:
                await self.open_thread(pair, channel_id)
            except discord.HTTPException as error:
                log.warning("pair %s: thread not opened: %s", pair.id, error)
                failed.append(pair)
                if not is_transient(error):
                    continue
        return failed

    # -- check-ins and notices ------------------------------------------------------------

    async def check_in(self, pair: Pair, nonce: str) -> None:
        if pair.thread_id is None:
            return
        await self.bot.delivery.send(
            pair.thread_id,
            nonce=nonce,
            content=render.checkin(pair),
            view=checkin_view(pair.id),
            users=pair.members,
        )

    async def say_in_thread(self, pair: Pair, content: str, nonce: str) -> None:
        if pair.thread_id is not None:
            await quietly(
                self.bot.delivery.send(pair.thread_id, nonce=nonce, content=content),
                f"notice in pair {pair.id}'s thread",
            )
