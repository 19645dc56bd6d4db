"""Putting people in threads after their answer, so a thread shows in their list and its
messages reach them.

A question's asker is added once, when the bot opens its thread (``add``). A Join on a
session card answers first and only names the joiner here (``invite``): one task per
thread (``bot.coalescing``) then adds everyone named since its last pass. A burst of
Joins is a set of ids waiting on Discord's limit for that route, not a crowd of
interaction tasks each holding its interaction and answer until its turn comes.

The bot remembers whom it put in each thread during this run, so a Leave and a Join
again cost no request. Discord does not tell a bot without the privileged members
intent that someone left a thread, so someone who left one on purpose is not pulled
back in by their next Join in the same run; a restart forgets, and adding someone
already in a thread changes nothing on Discord.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from typing import TYPE_CHECKING

import discord

from bot.coalescing import Coalescer

if TYPE_CHECKING:
    from bot.client import NexusBot

log = logging.getLogger(__name__)

REMEMBERED_THREADS = 1024  # threads whose members the bot keeps in mind, the latest used


class ThreadMembers:
    def __init__(self, bot: NexusBot) -> None:
        self.bot = bot
        self._waiting: dict[int, tuple[int, set[int]]] = {}  # thread -> (guild, people to add)
        self._added: OrderedDict[int, set[int]] = OrderedDict()  # thread -> people put in it
        # No pause between passes: discord.py's rate limiter already paces the requests.
        self._passes = Coalescer(self._add_waiting, interval=0)

    def invite(self, guild_id: int, thread_id: int, user_id: int) -> None:
        """Add ``user_id`` to the thread soon, unless the bot already did."""
        if user_id in self._added.get(thread_id, ()):
            return
        self._waiting.setdefault(thread_id, (guild_id, set()))[1].add(user_id)
        self._passes.stale(thread_id)

    async def _add_waiting(self, thread_id: int) -> None:
        guild_id, user_ids = self._waiting.pop(thread_id, (0, set()))
        await self.add(guild_id, thread_id, sorted(user_ids), fresh=False)

    async def add(self, guild_id: int, thread_id: int, user_ids: list[int], *, fresh: bool) -> None:
        """Add people to the thread now. Discord refuses members for an archived thread
        (a thread archives itself after a week without messages), so one the bot no
        longer counts among the server's active threads is unarchived first (``fresh``:
        just opened, nothing to check). Someone Discord refuses (they left the server)
        doesn't keep the others out, and is tried again at their next invitation."""
        if not user_ids:
            return
        guild = self.bot.get_guild(guild_id)
        if not fresh and guild is not None and guild.get_thread(thread_id) is None:
            try:
                await self.bot.delivery.edit_thread(thread_id, archived=False)
            except discord.HTTPException as error:
                log.warning("thread %s can't be reopened for new members: %s", thread_id, error)
                return
        added = self._remembered(thread_id)
        for user_id in user_ids:
            try:
                await self.bot.delivery.add_to_thread(thread_id, user_id)
            except discord.HTTPException as error:
                log.warning("adding %s to thread %s failed: %s", user_id, thread_id, error)
                continue
            added.add(user_id)

    def _remembered(self, thread_id: int) -> set[int]:
        added = self._added.get(thread_id)
        if added is None:
            added = self._added[thread_id] = set()
            if len(self._added) > REMEMBERED_THREADS:
                self._added.popitem(last=False)
        self._added.move_to_end(thread_id)
        return added

    async def settled(self) -> None:
        """Wait until everyone invited so far has been added (or refused)."""
        await self._passes.settled()

    def close(self) -> None:
        self._passes.close()
