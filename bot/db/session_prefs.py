"""Repository: per-server reminder offsets and per-user reminder channel for sessions."""

from __future__ import annotations

from collections.abc import Iterable

from bot.db import sql
from bot.db.database import Connection


async def get_offsets(conn: Connection, guild_id: int) -> list[int] | None:
    """Seconds before the start, largest first; None when the server never set them."""
    row = await sql.fetch_one(
        conn, "SELECT reminder_offsets FROM session_settings WHERE guild_id = ?", (guild_id,)
    )
    if row is None:
        return None
    text = str(row[0])
    return [int(part) for part in text.split(",") if part]


async def set_offsets(conn: Connection, guild_id: int, seconds: list[int], now: int) -> None:
    await sql.execute(
        conn,
        """
        INSERT INTO session_settings (guild_id, reminder_offsets, updated_at) VALUES (?, ?, ?)
        ON CONFLICT (guild_id) DO UPDATE SET
            reminder_offsets = excluded.reminder_offsets, updated_at = excluded.updated_at
        """,
        (guild_id, ",".join(str(s) for s in seconds), now),
    )


async def get_mode(conn: Connection, user_id: int) -> str | None:
    value = await sql.fetch_value(
        conn, "SELECT mode FROM session_notify WHERE user_id = ?", (user_id,)
    )
    return None if value is None else str(value)


async def modes(conn: Connection, user_ids: Iterable[int]) -> dict[int, str]:
    """The chosen mode of each user who chose one (in chunks: SQLite caps parameters)."""
    ids = list(dict.fromkeys(user_ids))
    found: dict[int, str] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        rows = await sql.fetch_all(
            conn,
            "SELECT user_id, mode FROM session_notify"  # noqa: S608 - placeholders only
            f" WHERE user_id IN ({sql.placeholders(len(chunk))})",
            chunk,
        )
        found.update({row[0]: row[1] for row in rows})
    return found


async def set_mode(conn: Connection, user_id: int, mode: str, now: int) -> None:
    await sql.execute(
        conn,
        """
        INSERT INTO session_notify (user_id, mode, updated_at) VALUES (?, ?, ?)
        ON CONFLICT (user_id) DO UPDATE SET mode = excluded.mode, updated_at = excluded.updated_at
        """,
        (user_id, mode, now),
    )
