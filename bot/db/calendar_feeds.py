"""Repository: members' secret calendar feeds, stored as the SHA-256 of their token."""

from __future__ import annotations

from bot.db import sql
from bot.db.database import Connection


async def replace(conn: Connection, guild_id: int, user_id: int, token_hash: str, now: int) -> None:
    """The member's feed in that server is now this one; an earlier token stops working."""
    await sql.execute(
        conn,
        "INSERT INTO calendar_feeds (guild_id, user_id, token_hash, created_at)"
        " VALUES (?, ?, ?, ?) ON CONFLICT (guild_id, user_id) DO UPDATE SET"
        " token_hash = excluded.token_hash, created_at = excluded.created_at",
        (guild_id, user_id, token_hash, now),
    )


async def created_at(conn: Connection, guild_id: int, user_id: int) -> int | None:
    """When the member's current feed was made, or None when they have none."""
    value = await sql.fetch_value(
        conn,
        "SELECT created_at FROM calendar_feeds WHERE guild_id = ? AND user_id = ?",
        (guild_id, user_id),
    )
    return None if value is None else int(value)


async def owner(conn: Connection, token_hash: str) -> tuple[int, int] | None:
    """The server and member of the feed with this token hash."""
    row = await sql.fetch_one(
        conn,
        "SELECT guild_id, user_id FROM calendar_feeds WHERE token_hash = ?",
        (token_hash,),
    )
    return None if row is None else (int(row[0]), int(row[1]))
