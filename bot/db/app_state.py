"""Repository: small bot-wide key/value facts."""

from __future__ import annotations

from bot.db import sql
from bot.db.database import Connection


async def get(conn: Connection, key: str) -> str | None:
    value = await sql.fetch_value(conn, "SELECT value FROM app_state WHERE key = ?", (key,))
    return None if value is None else str(value)


async def put(conn: Connection, key: str, value: str) -> None:
    await sql.execute(
        conn,
        "INSERT INTO app_state (key, value) VALUES (?, ?) "
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (key, value),
    )
