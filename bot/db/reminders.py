"""Repository: personal reminders, numbered per user. A reminder is pending while its
timer is live; a snooze books a new timer for the same reminder."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from bot.db import sql
from bot.db.database import Connection, Row


@dataclass(frozen=True)
class Reminder:
    id: int
    user_id: int
    number: int  # the user's own numbering: #1, #2 … for each person
    guild_id: int | None
    channel_id: int
    text: str
    due_at: int
    created_at: int
    done_at: int | None = None

    @property
    def due(self) -> datetime:
        return datetime.fromtimestamp(self.due_at, UTC)

    @property
    def created(self) -> datetime:
        return datetime.fromtimestamp(self.created_at, UTC)


def _from_row(row: Row) -> Reminder:
    return Reminder(
        id=row["id"],
        user_id=row["user_id"],
        number=row["number"],
        guild_id=row["guild_id"],
        channel_id=row["channel_id"],
        text=row["text"],
        due_at=row["due_at"],
        created_at=row["created_at"],
        done_at=row["done_at"],
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
    """A new reminder, numbered one past the user's highest (inside the caller's write
    transaction, so two at once cannot take the same number)."""
    row = await sql.returning_one(
        conn,
        """
        INSERT INTO reminders (user_id, number, guild_id, channel_id, text, due_at, created_at)
        VALUES (?, (SELECT COALESCE(MAX(number), 0) + 1 FROM reminders WHERE user_id = ?),
                ?, ?, ?, ?, ?)
        RETURNING *
        """,
        (user_id, user_id, guild_id, channel_id, text, due_at, now),
    )
    return _from_row(row)


async def get(conn: Connection, reminder_id: int) -> Reminder | None:
    row = await sql.fetch_one(conn, "SELECT * FROM reminders WHERE id = ?", (reminder_id,))
    return None if row is None else _from_row(row)


async def is_pending(conn: Connection, reminder_id: int) -> bool:
    """Whether a delivery of the reminder is still to come (its timer is live)."""
    row = await sql.fetch_one(
        conn,
        f"SELECT 1 FROM reminders r WHERE r.id = ? AND {_PENDING}",  # noqa: S608
        (reminder_id,),
    )
    return row is not None


async def pending_for(conn: Connection, user_id: int) -> list[Reminder]:
    rows = await sql.fetch_all(
        conn,
        f"SELECT * FROM reminders r WHERE r.user_id = ? AND {_PENDING} ORDER BY r.due_at, r.id",  # noqa: S608
        (user_id,),
    )
    return [_from_row(row) for row in rows]


async def delete_pending(conn: Connection, user_id: int, number: int) -> Reminder | None:
    """Delete the user's pending reminder ``number``; its timer is cancelled by a trigger."""
    row = await sql.returning_one_or_none(
        conn,
        f"DELETE FROM reminders AS r WHERE r.user_id = ? AND r.number = ? AND {_PENDING}"  # noqa: S608
        " RETURNING *",
        (user_id, number),
    )
    return None if row is None else _from_row(row)


async def move(conn: Connection, reminder_id: int, due_at: int) -> Reminder:
    """The reminder's next delivery is at ``due_at`` (a snooze)."""
    row = await sql.returning_one(
        conn, "UPDATE reminders SET due_at = ? WHERE id = ? RETURNING *", (due_at, reminder_id)
    )
    return _from_row(row)


async def mark_done(conn: Connection, reminder_id: int, now: int) -> Reminder | None:
    """Mark it done; None when it already was."""
    row = await sql.returning_one_or_none(
        conn,
        "UPDATE reminders SET done_at = ? WHERE id = ? AND done_at IS NULL RETURNING *",
        (now, reminder_id),
    )
    return None if row is None else _from_row(row)
