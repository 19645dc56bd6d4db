"""Repository: one row of settings per server."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from bot.db import sql
from bot.db.database import Connection, Row

# The ``/nexus setup`` option of each feature's channel, and the column that stores it.
CHANNEL_COLUMNS = {
    "qa_forum": "qa_channel_id",
    "sessions_channel": "sessions_channel_id",
    "announcements_channel": "announcements_channel_id",
    "pairing_channel": "pairing_channel_id",
}
COLUMNS = frozenset({*CHANNEL_COLUMNS.values(), "mentor_role_id", "helper_role_id", "timezone"})


@dataclass(frozen=True)
class GuildSettings:
    """A server's settings; every channel and role is optional (a feature whose
    channel is unset is simply not set up)."""

    guild_id: int
    qa_channel_id: int | None = None
    sessions_channel_id: int | None = None
    announcements_channel_id: int | None = None
    pairing_channel_id: int | None = None
    mentor_role_id: int | None = None
    helper_role_id: int | None = None
    timezone: str = "UTC"

    def channel(self, setting: str) -> int | None:
        """The channel of a ``/nexus setup`` option such as ``sessions_channel``."""
        value: int | None = getattr(self, CHANNEL_COLUMNS[setting])
        return value


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


async def save(
    conn: Connection, guild_id: int, values: Mapping[str, object], now: int
) -> GuildSettings:
    """Store the given settings of a server (a row is created on first use); settings
    not in ``values`` keep their value."""
    await sql.execute(
        conn,
        "INSERT INTO guild_settings (guild_id, created_at, updated_at) VALUES (?, ?, ?)"
        " ON CONFLICT (guild_id) DO NOTHING",
        (guild_id, now, now),
    )
    row = await sql.update_columns(
        conn,
        "guild_settings",
        "guild_id",
        guild_id,
        {**values, "updated_at": now},
        COLUMNS | {"updated_at"},
    )
    if row is None:  # pragma: no cover - inserted above in the same transaction
        raise LookupError(f"guild {guild_id} has no settings row")
    return _from_row(row)
