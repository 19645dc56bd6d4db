"""Racing two writes past their checks: the writer held until each waits for it."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import TypeVar

from bot.db.database import Database

T = TypeVar("T")


async def writers_waiting(db: Database, count: int = 1) -> None:
    """Until ``count`` transactions wait for the write lock (asyncio.Lock signals nothing
    when someone starts waiting: look, yielding)."""

    async def look() -> None:
        while len(db._write_lock._waiters or ()) < count:  # noqa: ASYNC110
            await asyncio.sleep(0)

    await asyncio.wait_for(look(), 5)


async def race_past_their_checks(db: Database, *calls: Awaitable[T]) -> list[T | BaseException]:
    """Run ``calls`` at once with the writer held until every one of them waits for it:
    each has made its checks on a reader first, so only the check inside its transaction
    can stop a second one."""
    async with db.transaction():
        tasks = [asyncio.ensure_future(call) for call in calls]
        await writers_waiting(db, len(tasks))
    return await asyncio.gather(*tasks, return_exceptions=True)
