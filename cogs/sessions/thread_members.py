"""Putting people in a session's thread, so it shows in their list and its messages
reach them.

A Join answers first and only names the joiner here: one task per session
(``bot.coalescing``) then adds everyone named since its last pass, re-reading the
session for its thread. A burst of Joins is a set of ids waiting on Discord's limit for
that route, not a crowd of interaction tasks each holding its interaction and answer
until its turn comes.

The bot remembers whom it put in each thread during this run, so a Leave and a Join
again cost no request. Discord does not tell a bot without the privileged members
intent that someone left a thread, so someone who left it on purpose is not pulled back
in by their next Join in the same run; a restart forgets, and adding someone already in
a thread changes nothing on Discord.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from typing import TYPE_CHECKING

import discord

from bot.coalescing import Coalescer
from bot.db.sessions import Session

if TYPE_CHECKING:
    from bot.client import NexusBot

log = logging.getLogger(__name__)

REMEMBERED_THREADS = 1024  # threads whose members the bot keeps in mind, the latest used


class ThreadMembers:
    def __init__(self, bot: NexusBot) -> None:
        self.bot = bot
        self._waiting: dict[int, set[int]] = {}  # session id -> people to add
        self._added: OrderedDict[int, set[int]] = OrderedDict()  # thread id -> people in it
        # No pause between passes: discord.py's rate limiter already paces the requests.
        self._passes = Coalescer(self._add_waiting, interval=0)

    def invite(self, session: Session, user_id: int) -> None:
        """Add ``user_id`` to the session's thread soon, unless the bot already did."""
        if session.thread_id is None or user_id in self._added.get(session.thread_id, ()):
            return
        self._waiting.setdefault(session.id, set()).add(user_id)
        self._passes.stale(session.id)

    async def _add_waiting(self, session_id: int) -> None:
        user_ids = self._waiting.pop(session_id, set())
        session = await self.bot.services.sessions.find(session_id)
        if session is not None and user_ids:
            await self.add(session, sorted(user_ids), fresh=False)

    async def add(self, session: Session, user_ids: list[int], *, fresh: bool) -> None:
        """Add people to the session's thread now. Discord refuses members for an
        archived thread (a thread archives itself after a week without messages), so
        one the bot no longer counts among the server's active threads is unarchived
        first (``fresh``: just opened, nothing to check)."""
        thread_id = session.thread_id
        if thread_id is None or not user_ids:
            return
        guild = self.bot.get_guild(session.guild_id)
        if not fresh and guild is not None and guild.get_thread(thread_id) is None:
            try:
                await self.bot.delivery.edit_thread(thread_id, archived=False)
            except (discord.NotFound, discord.Forbidden) as error:
                log.warning("thread of session %s can't be reopened: %s", session.id, error)
                return
        added = self._remembered(thread_id)
        for user_id in user_ids:
            try:
                await self.bot.delivery.add_to_thread(thread_id, user_id)
            except discord.HTTPException as error:
                # One person who left the server doesn't keep the others out.
                log.warning(
                    "adding %s to the thread of session %s failed: %s", user_id, session.id, error
                )
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
