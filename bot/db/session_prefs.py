"""Repository: per-server reminder offsets and per-user reminder channel for sessions."""

from __future__ import annotations

from collections.abc import Iterable

import aiosqlite

from bot.db.database import Database


async def get_offsets(db: Database | aiosqlite.Connection, guild_id: int) -> list[int] | None:
    """Seconds before the start, largest first; None when the server never set them."""
    conn = db.conn if isinstance(db, Database) else db
    async with conn.execute(
        "SELECT reminder_offsets FROM session_settings WHERE guild_id = ?", (guild_id,)
    ) as cursor:
        row = await cursor.fetchone()
    if row is None:
        return None
    text = str(row[0])
    return [int(part) for part in text.split(",") if part]


async def set_offsets(
    conn: aiosqlite.Connection, guild_id: int, seconds: list[int], now: int
) -> None:
    await conn.execute(
        """
        INSERT INTO session_settings (guild_id, reminder_offsets, updated_at) VALUES (?, ?, ?)
        ON CONFLICT (guild_id) DO UPDATE SET
            reminder_offsets = excluded.reminder_offsets, updated_at = excluded.updated_at
        """,
        (guild_id, ",".join(str(s) for s in seconds), now),
    )


async def get_mode(db: Database, user_id: int) -> str | None:
    value = await db.fetchval("SELECT mode FROM session_notify WHERE user_id = ?", (user_id,))
    return None if value is None else str(value)


async def modes(db: Database, user_ids: Iterable[int]) -> dict[int, str]:
    """The chosen mode of each user who chose one (in chunks: SQLite caps parameters)."""
    ids = list(dict.fromkeys(user_ids))
    found: dict[int, str] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        marks = ", ".join("?" for _ in chunk)
        rows = await db.fetchall(
            f"SELECT user_id, mode FROM session_notify WHERE user_id IN ({marks})",  # noqa: S608
            chunk,
        )
        found.update({row[0]: row[1] for row in rows})
    return found


async def set_mode(db: Database, user_id: int, mode: str, now: int) -> None:
    await db.execute(
        """
        INSERT INTO session_notify (user_id, mode, updated_at) VALUES (?, ?, ?)
        ON CONFLICT (user_id) DO UPDATE SET mode = excluded.mode, updated_at = excluded.updated_at
        """,
        (user_id, mode, now),
    )
