"""``/privacy forget-me``: every feature registers what it stores about a user.

Each registration names the data in words a user understands, counts it, and erases
it. ``forget`` runs every eraser in one transaction, so a failure leaves nothing half
deleted; hooks that touch Discord (refreshing a session card, say) run afterwards.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import aiosqlite

from bot.db.database import Database

log = logging.getLogger(__name__)

Counter = Callable[[aiosqlite.Connection, int], Awaitable[int]]
Eraser = Callable[[aiosqlite.Connection, int], Awaitable[int]]
AfterHook = Callable[[int], Awaitable[None]]


@dataclass(frozen=True)
class DataHolder:
    label: str  # "reminders", "session RSVPs", …
    count: Counter
    erase: Eraser


@dataclass(frozen=True)
class ForgetReport:
    erased: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.erased.values())


class PrivacyService:
    def __init__(self, db: Database) -> None:
        self._db = db
        self._holders: list[DataHolder] = []
        self._after: list[AfterHook] = []

    @property
    def labels(self) -> list[str]:
        return [holder.label for holder in self._holders]

    def register(self, label: str, count: Counter, erase: Eraser) -> None:
        if any(holder.label == label for holder in self._holders):
            raise ValueError(f"data {label!r} is already registered")
        self._holders.append(DataHolder(label, count, erase))

    def register_rows(self, label: str, table: str, user_column: str, where: str = "") -> None:
        """Rows of ``table`` whose ``user_column`` is the user (plus an optional filter)."""
        # Table and column names come from our own code, never from users.
        condition = f"{user_column} = ?" + (f" AND ({where})" if where else "")

        async def count(conn: aiosqlite.Connection, user_id: int) -> int:
            sql = f"SELECT COUNT(*) FROM {table} WHERE {condition}"  # noqa: S608
            async with conn.execute(sql, (user_id,)) as cursor:
                row = await cursor.fetchone()
            return int(row[0]) if row else 0

        async def erase(conn: aiosqlite.Connection, user_id: int) -> int:
            sql = f"DELETE FROM {table} WHERE {condition}"  # noqa: S608
            cursor = await conn.execute(sql, (user_id,))
            return cursor.rowcount

        self.register(label, count, erase)

    def after_forget(self, hook: AfterHook) -> None:
        self._after.append(hook)

    async def inventory(self, user_id: int) -> dict[str, int]:
        """What the bot holds about the user, by label; only non-zero entries."""
        found: dict[str, int] = {}
        for holder in self._holders:
            n = await holder.count(self._db.conn, user_id)
            if n:
                found[holder.label] = n
        return found

    async def forget(self, user_id: int) -> ForgetReport:
        erased: dict[str, int] = {}
        async with self._db.transaction() as conn:
            for holder in self._holders:
                n = await holder.erase(conn, user_id)
                if n:
                    erased[holder.label] = n
        log.info("forgot user %s: %s", user_id, erased)
        for hook in self._after:
            try:
                await hook(user_id)
            except Exception:
                log.exception("after-forget hook failed for user %s", user_id)
        return ForgetReport(erased)
