"""Repository: one row of settings per server."""

from __future__ import annotations

from dataclasses import dataclass

from bot.db import sql
from bot.db.database import Connection, Row


@dataclass(frozen=True)
class GuildSettings:
    guild_id: int
    qa_channel_id: int
    sessions_channel_id: int
    announcements_channel_id: int
    pairing_channel_id: int
    mentor_role_id: int
    helper_role_id: int | None
    timezone: str


def _from_row(row: Row) -> GuildSettings:
    return GuildSettings(
        guild_id=row["guild_id"],
        qa_channel_id=row["qa_channel_id"],
        sessions_channel_id=row["sessions_channel_id"],
        announcements_channel_id=row["announcements_channel_id"],
        pairing_channel_id=row["pairing_channel_id"],
        mentor_role_id=row["mentor_role_id"],
        helper_role_id=row["helper_role_id"],
        timezone=row["timezone"],
    )


async def get(conn: Connection, guild_id: int) -> GuildSettings | None:
    row = await sql.fetch_one(conn, "SELECT * FROM guild_settings WHERE guild_id = ?", (guild_id,))
    return None if row is None else _from_row(row)


async def upsert(conn: Connection, settings: GuildSettings, now: int) -> None:
    await sql.execute(
        conn,
        """
        INSERT INTO guild_settings (
            guild_id, qa_channel_id, sessions_channel_id, announcements_channel_id,
            pairing_channel_id, mentor_role_id, helper_role_id, timezone,
            created_at, updated_at
        ) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (guild_id) DO UPDATE SET
            qa_channel_id = excluded.qa_channel_id,
            sessions_channel_id = excluded.sessions_channel_id,
            announcements_channel_id = excluded.announcements_channel_id,
            pairing_channel_id = excluded.pairing_channel_id,
            mentor_role_id = excluded.mentor_role_id,
            helper_role_id = excluded.helper_role_id,
            timezone = excluded.timezone,
            updated_at = excluded.updated_at
        """,
        (
            settings.guild_id,
            settings.qa_channel_id,
            settings.sessions_channel_id,
            settings.announcements_channel_id,
            settings.pairing_channel_id,
            settings.mentor_role_id,
            settings.helper_role_id,
            settings.timezone,
            now,
            now,
        ),
    )
