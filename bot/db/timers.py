"""Repository: timer rows, the truth behind every scheduled action."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import aiosqlite

from bot.db.database import Database

LIVE = ("pending", "sending")


@dataclass(frozen=True)
class Timer:
    id: int
    kind: str
    guild_id: int | None
    subject_id: int | None
    user_id: int | None
    due_at: int
    state: str
    attempts: int
    payload: dict[str, Any]

    @property
    def due(self) -> datetime:
        return datetime.fromtimestamp(self.due_at, UTC)

    def nonce(self, part: int | str = 0) -> str:
        """Deterministic per message: a retry after a crash reuses it, so Discord
        returns the earlier message instead of posting twice (at most 25 characters)."""
        return f"nx{self.id}.{part}"[:25]


def _from_row(row: sqlite3.Row) -> Timer:
    return Timer(
        id=row["id"],
        kind=row["kind"],
        guild_id=row["guild_id"],
        subject_id=row["subject_id"],
        user_id=row["user_id"],
        due_at=row["due_at"],
        state=row["state"],
        attempts=row["attempts"],
        payload=json.loads(row["payload"]),
    )


async def insert(
    conn: aiosqlite.Connection,
    *,
    kind: str,
    due_at: int,
    now: int,
    guild_id: int | None,
    subject_id: int | None,
    user_id: int | None,
    payload: dict[str, Any],
) -> Timer:
    cursor = await conn.execute(
        """
        INSERT INTO timers (kind, guild_id, subject_id, user_id, due_at, payload,
                            created_at, updated_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?)
        RETURNING *
        """,
        (kind, guild_id, subject_id, user_id, due_at, json.dumps(payload), now, now),
    )
    row = await cursor.fetchone()
    await cursor.close()
    if row is None:
        raise RuntimeError("timer insert returned no row")
    return _from_row(row)


async def get(db: Database, timer_id: int) -> Timer | None:
    row = await db.fetchone("SELECT * FROM timers WHERE id = ?", (timer_id,))
    return None if row is None else _from_row(row)


async def for_subject(db: Database, kind: str, subject_id: int) -> list[Timer]:
    rows = await db.fetchall(
        "SELECT * FROM timers WHERE kind = ? AND subject_id = ? AND state IN ('pending', 'sending')"
        " ORDER BY due_at",
        (kind, subject_id),
    )
    return [_from_row(row) for row in rows]


async def release_interrupted(db: Database, now: int) -> int:
    """Rows a crash left in ``sending`` go back to ``pending``, to be retried with the
    same nonce."""
    return await db.execute(
        "UPDATE timers SET state = 'pending', updated_at = ? WHERE state = 'sending'", (now,)
    )


async def live_due_seconds(db: Database, *, since: int, until: int) -> list[int]:
    """The distinct due seconds of pending timers in ``(since, until]``, soonest first."""
    rows = await db.fetchall(
        "SELECT DISTINCT due_at FROM timers WHERE state = 'pending' AND due_at > ? AND due_at <= ?"
        " ORDER BY due_at",
        (since, until),
    )
    return [row[0] for row in rows]


async def has_due(db: Database, now: int) -> bool:
    row = await db.fetchone(
        "SELECT 1 FROM timers WHERE state = 'pending' AND due_at <= ? LIMIT 1", (now,)
    )
    return row is not None


async def claim_due(db: Database, up_to: int, now: int, limit: int) -> list[Timer]:
    """Move pending timers due by ``up_to`` to ``sending`` and return them: whoever
    claims a row owns it; a repeated or concurrent trigger finds nothing."""
    async with db.transaction() as conn:
        cursor = await conn.execute(
            """
            UPDATE timers SET state = 'sending', attempts = attempts + 1, updated_at = ?
            WHERE id IN (
                SELECT id FROM timers WHERE state = 'pending' AND due_at <= ?
                ORDER BY due_at, id LIMIT ?
            )
            RETURNING *
            """,
            (now, up_to, limit),
        )
        rows = await cursor.fetchall()
        await cursor.close()
    return sorted((_from_row(row) for row in rows), key=lambda t: (t.due_at, t.id))


async def finish(
    db: Database, timer_id: int, state: str, now: int, error: str | None = None
) -> bool:
    return (
        await db.execute(
            "UPDATE timers SET state = ?, last_error = ?, updated_at = ?"
            " WHERE id = ? AND state = 'sending'",
            (state, error, now, timer_id),
        )
        > 0
    )


async def retry_later(db: Database, timer_id: int, due_at: int, now: int, error: str) -> bool:
    return (
        await db.execute(
            "UPDATE timers SET state = 'pending', due_at = ?, last_error = ?, updated_at = ?"
            " WHERE id = ? AND state = 'sending'",
            (due_at, error, now, timer_id),
        )
        > 0
    )


async def cancel(conn: aiosqlite.Connection, timer_id: int, now: int) -> bool:
    cursor = await conn.execute(
        "UPDATE timers SET state = 'cancelled', updated_at = ? WHERE id = ? AND state = 'pending'",
        (now, timer_id),
    )
    return cursor.rowcount > 0


async def cancel_subject(conn: aiosqlite.Connection, kind: str, subject_id: int, now: int) -> int:
    cursor = await conn.execute(
        "UPDATE timers SET state = 'cancelled', updated_at = ?"
        " WHERE kind = ? AND subject_id = ? AND state = 'pending'",
        (now, kind, subject_id),
    )
    return cursor.rowcount


async def move(conn: aiosqlite.Connection, timer_id: int, due_at: int, now: int) -> bool:
    cursor = await conn.execute(
        "UPDATE timers SET due_at = ?, updated_at = ? WHERE id = ? AND state = 'pending'",
        (due_at, now, timer_id),
    )
    return cursor.rowcount > 0


async def prune_finished(db: Database, before: int) -> int:
    return await db.execute(
        "DELETE FROM timers WHERE state IN ('sent', 'missed', 'cancelled', 'failed')"
        " AND updated_at < ?",
        (before,),
    )
