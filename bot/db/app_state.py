"""Repository: small bot-wide key/value facts."""

from __future__ import annotations

from bot.db.database import Database


async def get(db: Database, key: str) -> str | None:
    value = await db.fetchval("SELECT value FROM app_state WHERE key = ?", (key,))
    return None if value is None else str(value)


async def put(db: Database, key: str, value: str) -> None:
    await db.execute(
        "INSERT INTO app_state (key, value) VALUES (?, ?) "
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (key, value),
    )
