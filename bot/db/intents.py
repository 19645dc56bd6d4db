"""Repository: Discord writes recorded before they are made (see migration 0008)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from bot.db import sql
from bot.db.database import Connection, Row


@dataclass(frozen=True)
class Intent:
    id: int
    kind: str
    subject_id: int | None
    guild_id: int
    channel_id: int
    user_id: int | None
    nonce: str | None
    name: str | None
    created_at: int
    payload: dict[str, Any] = field(default_factory=dict)


def _from_row(row: Row) -> Intent:
    return Intent(
        id=row["id"],
        kind=row["kind"],
        subject_id=row["subject_id"],
        guild_id=row["guild_id"],
        channel_id=row["channel_id"],
        user_id=row["user_id"],
        nonce=row["nonce"],
        name=row["name"],
        created_at=row["created_at"],
        payload=json.loads(row["payload"]),
    )


async def record(
    conn: Connection,
    *,
    kind: str,
    subject_id: int | None,
    guild_id: int,
    channel_id: int,
    user_id: int | None,
    nonce: str | None,
    name: str | None,
    payload: dict[str, Any],
    now: int,
) -> Intent:
    """The intent, stored; an earlier one for the same subject is kept (and returned),
    so a retry completes the write that may already have happened."""
    row = await sql.returning_one(
        conn,
        "INSERT INTO discord_intents"
        " (kind, subject_id, guild_id, channel_id, user_id, nonce, name, payload, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (kind, subject_id) DO UPDATE SET kind = excluded.kind RETURNING *",
        (
            kind,
            subject_id,
            guild_id,
            channel_id,
            user_id,
            nonce,
            name,
            json.dumps(payload, separators=(",", ":")),
            now,
        ),
    )
    return _from_row(row)


async def complete(conn: Connection, intent_id: int) -> bool:
    return await sql.execute(conn, "DELETE FROM discord_intents WHERE id = ?", (intent_id,)) > 0


async def pending(conn: Connection, guild_id: int, kind: str) -> list[Intent]:
    rows = await sql.fetch_all(
        conn,
        "SELECT * FROM discord_intents WHERE guild_id = ? AND kind = ? ORDER BY id",
        (guild_id, kind),
    )
    return [_from_row(row) for row in rows]
