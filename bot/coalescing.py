"""Keeping a message in step with the database without holding up whoever changed it.

Used for session cards: a Join or Leave answers as soon as the database has decided,
and only says the card is stale. One task per card then edits it with the latest state:
at once for the first change, then at most once every ``interval`` seconds while
changes keep coming, each edit folding in everything decided since the one before. A
burst of 200 Joins on one card is a handful of edits, inside Discord's per-channel
limit on message edits, and the last one shows the final roster. Edits that a stop or
a kill prevents are made at the next start (the card's version,
``bot/services/sessions/cards.py``).

Also used, without the interval, to add joiners to a session's thread by id after their
answer (``bot/thread_members.py``).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)

EDIT_INTERVAL = 1.0  # seconds between two edits of one card (Discord: 5 per 5 s a channel)


class Coalescer:
    def __init__(
        self,
        refresh: Callable[[int], Awaitable[None]],
        *,
        interval: float = EDIT_INTERVAL,
        pause: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._refresh = refresh
        self.interval = interval
        self._pause = pause  # waits out the interval (a test holds it instead)
        self._stale: set[int] = set()  # cards whose next edit has not started yet
        self._editing = 0  # edits under way
        self._tasks: dict[int, asyncio.Task[None]] = {}
        self._settled = asyncio.Event()
        self._settled.set()

    def stale(self, key: int) -> None:
        """What shows ``key`` (a session: its card) no longer matches the database:
        refresh it soon."""
        self._stale.add(key)
        self._settled.clear()
        if key not in self._tasks:
            self._tasks[key] = asyncio.create_task(self._keep(key), name=f"coalesced-refresh-{key}")

    async def _keep(self, key: int) -> None:
        """Edit, then wait out the interval; edit again if the card went stale meanwhile.
        The task ends after an interval without changes."""
        try:
            while key in self._stale:
                self._stale.discard(key)
                self._editing += 1
                try:
                    await self._refresh(key)
                except Exception:
                    log.exception("refresh of %s failed", key)
                finally:
                    self._editing -= 1
                    self._check_settled()
                await self._pause(self.interval)
        finally:
            del self._tasks[key]
            # Cancelled before its edit: the owner's reconciliation at start makes it.
            self._stale.discard(key)
            self._check_settled()

    def _check_settled(self) -> None:
        if not self._stale and not self._editing:
            self._settled.set()

    async def settled(self) -> None:
        """Wait until every refresh asked for so far has been made."""
        await self._settled.wait()

    def close(self) -> None:
        for task in list(self._tasks.values()):
            task.cancel()
