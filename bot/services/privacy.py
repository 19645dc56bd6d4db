"""``/privacy forget-me``: every feature registers what it stores about a user.

Each registration names the data in words a user understands, counts it, and erases
it. ``forget`` runs every eraser in one transaction, so a failure leaves nothing half
deleted; hooks that touch Discord (refreshing a session card, say) run afterwards.

Registrations are keyed by an owner ("sessions", "qa", …): a cog adds its holders and
hooks when it loads and ``remove(owner)`` drops them when it unloads.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from bot.db import privacy as repo
from bot.db.database import Connection, Database

log = logging.getLogger(__name__)

Counter = Callable[[Connection, int], Awaitable[int]]
Eraser = Callable[[Connection, int], Awaitable[int]]
AfterHook = Callable[[int], Awaitable[None]]


@dataclass(frozen=True)
class DataHolder:
    owner: str  # who registered it: "sessions", "qa", …
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
        self._after: list[tuple[str, AfterHook]] = []
        self._references: list[tuple[str, str, str]] = []  # (owner, table, column)

    @property
    def labels(self) -> list[str]:
        return [holder.label for holder in self._holders]

    def register(
        self, owner: str, label: str, count: Counter, erase: Eraser, *, first: bool = False
    ) -> None:
        """``first``: erase this before every other holder (it must still see the user's
        id on rows that another holder takes it off)."""
        if any(holder.label == label for holder in self._holders):
            raise ValueError(f"data {label!r} is already registered")
        holder = DataHolder(owner, label, count, erase)
        if first:
            self._holders.insert(0, holder)
        else:
            self._holders.append(holder)

    def register_rows(
        self, owner: str, label: str, table: str, user_column: str, where: str = ""
    ) -> None:
        """Rows of ``table`` whose ``user_column`` is the user (plus an optional filter).
        Table, column and filter come from our own code, never from users."""

        async def count(conn: Connection, user_id: int) -> int:
            return await repo.count_rows(conn, table, user_column, user_id, where)

        async def erase(conn: Connection, user_id: int) -> int:
            return await repo.delete_rows(conn, table, user_column, user_id, where)

        self.register(owner, label, count, erase)

    def register_reference(self, owner: str, table: str, user_column: str) -> None:
        """A column that only refers to the user (not data shown in the inventory): it
        is cleared by forget-me, the row kept for everyone else."""
        self._references.append((owner, table, user_column))

    def after_forget(self, owner: str, hook: AfterHook) -> None:
        self._after.append((owner, hook))

    def remove(self, owner: str) -> None:
        """Drop everything ``owner`` registered: its data holders and its hooks."""
        self._holders = [holder for holder in self._holders if holder.owner != owner]
        self._after = [(who, hook) for who, hook in self._after if who != owner]
        self._references = [ref for ref in self._references if ref[0] != owner]

    async def inventory(self, user_id: int) -> dict[str, int]:
        """What the bot holds about the user, by label; only non-zero entries."""
        found: dict[str, int] = {}
        for holder in self._holders:
            n = await holder.count(self._db.reader, user_id)
            if n:
                found[holder.label] = n
        return found

    async def forget(self, user_id: int) -> ForgetReport:
        erased: dict[str, int] = {}
        async with self._db.transaction() as tx:
            for holder in self._holders:
                n = await holder.erase(tx, user_id)
                if n:
                    erased[holder.label] = n
            for _, table, column in self._references:
                await repo.clear_column(tx, table, column, user_id)
        log.info("forgot user %s: %s", user_id, erased)
        for _, hook in list(self._after):
            try:
                await hook(user_id)
            except Exception:
                log.exception("after-forget hook failed for user %s", user_id)
        return ForgetReport(erased)
