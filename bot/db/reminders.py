"""Repository: personal reminders. A reminder is pending while its timer is live."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from bot.db import sql
from bot.db.database import Connection, Row


@dataclass(frozen=True)
class Reminder:
    id: int
    user_id: int
    guild_id: int | None
    channel_id: int
    text: str
    due_at: int

    @property
    def due(self) -> datetime:
        return datetime.fromtimestamp(self.due_at, UTC)


def _from_row(row: Row) -> Reminder:
    return Reminder(
        id=row["id"],
        user_id=row["user_id"],
        guild_id=row["guild_id"],
        channel_id=row["channel_id"],
        text=row["text"],
        due_at=row["due_at"],
    )


_PENDING = """
    EXISTS (SELECT 1 FROM timers t WHERE t.kind = 'reminder' AND t.subject_id = r.id
            AND t.state IN ('pending', 'sending'))
"""


async def count_pending(conn: Connection, user_id: int) -> int:
    value = await sql.fetch_value(
        conn,
        f"SELECT COUNT(*) FROM reminders r WHERE r.user_id = ? AND {_PENDING}",  # noqa: S608
        (user_id,),
    )
    return int(value or 0)


async def insert(
    conn: Connection,
    *,
    user_id: int,
    guild_id: int | None,
    channel_id: int,
    text: str,
    due_at: int,
    now: int,
) -> Reminder:
    row = await sql.returning_one(
        conn,
        "INSERT INTO reminders (user_id, guild_id, channel_id, text, due_at, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?) RETURNING *",
        (user_id, guild_id, channel_id, text, due_at, now),
    )
    return _from_row(row)


async def get(conn: Connection, reminder_id: int) -> Reminder | None:
    row = await sql.fetch_one(conn, "SELECT * FROM reminders WHERE id = ?", (reminder_id,))
    return None if row is None else _from_row(row)


async def pending_for(conn: Connection, user_id: int) -> list[Reminder]:
    rows = await sql.fetch_all(
        conn,
        f"SELECT * FROM reminders r WHERE r.user_id = ? AND {_PENDING} ORDER BY r.due_at, r.id",  # noqa: S608
        (user_id,),
    )
    return [_from_row(row) for row in rows]


async def delete_pending(conn: Connection, user_id: int, reminder_id: int) -> bool:
    """Delete one of the user's pending reminders; its timer is cancelled by a trigger."""
    deleted = await sql.execute(
        conn,
        f"DELETE FROM reminders AS r WHERE r.id = ? AND r.user_id = ? AND {_PENDING}",  # noqa: S608
        (reminder_id, user_id),
    )
    return deleted > 0
