"""Repository: preferences that follow a user across servers."""

from __future__ import annotations

from bot.db import sql
from bot.db.database import Connection


async def get_timezone(conn: Connection, user_id: int) -> str | None:
    value = await sql.fetch_value(
        conn, "SELECT timezone FROM user_settings WHERE user_id = ?", (user_id,)
    )
    return None if value is None else str(value)


async def set_timezone(conn: Connection, user_id: int, zone: str, now: int) -> None:
    await sql.execute(
        conn,
        """
        INSERT INTO user_settings (user_id, timezone, updated_at) VALUES (?, ?, ?)
        ON CONFLICT (user_id) DO UPDATE SET
            timezone = excluded.timezone, updated_at = excluded.updated_at
        """,
        (user_id, zone, now),
    )


async def mark_dm_closed_notified(conn: Connection, user_id: int, now: int) -> bool:
    """Record that the user was told their DMs are closed; False if already told."""
    changed = await sql.execute(
        conn,
        """
        INSERT INTO user_settings (user_id, dm_closed_notified_at, updated_at)
        VALUES (?, ?, ?)
        ON CONFLICT (user_id) DO UPDATE SET
            dm_closed_notified_at = excluded.dm_closed_notified_at,
            updated_at = excluded.updated_at
        WHERE user_settings.dm_closed_notified_at IS NULL
        """,
        (user_id, now, now),
    )
    return changed > 0


async def get_dm_channel(conn: Connection, user_id: int) -> int | None:
    value = await sql.fetch_value(
        conn, "SELECT dm_channel_id FROM user_settings WHERE user_id = ?", (user_id,)
    )
    return None if value is None else int(value)


async def set_dm_channel(conn: Connection, user_id: int, channel_id: int, now: int) -> None:
    await sql.execute(
        conn,
        """
        INSERT INTO user_settings (user_id, dm_channel_id, updated_at) VALUES (?, ?, ?)
        ON CONFLICT (user_id) DO UPDATE SET
            dm_channel_id = excluded.dm_channel_id, updated_at = excluded.updated_at
        """,
        (user_id, channel_id, now),
    )
