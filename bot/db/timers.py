"""Repository: timer rows, the truth behind every scheduled action."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from bot import nonces
from bot.db import sql
from bot.db.database import Connection, Row

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
        return nonces.timer(self.id, part)


def _from_row(row: Row) -> Timer:
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
    conn: Connection,
    *,
    kind: str,
    due_at: int,
    now: int,
    guild_id: int | None,
    subject_id: int | None,
    user_id: int | None,
    payload: dict[str, Any],
) -> Timer:
    row = await sql.returning_one(
        conn,
        """
        INSERT INTO timers (kind, guild_id, subject_id, user_id, due_at, payload,
                            created_at, updated_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?)
        RETURNING *
        """,
        (kind, guild_id, subject_id, user_id, due_at, json.dumps(payload), now, now),
    )
    return _from_row(row)


async def get(conn: Connection, timer_id: int) -> Timer | None:
    row = await sql.fetch_one(conn, "SELECT * FROM timers WHERE id = ?", (timer_id,))
    return None if row is None else _from_row(row)


async def for_subject(conn: Connection, kind: str, subject_id: int) -> list[Timer]:
    rows = await sql.fetch_all(
        conn,
        "SELECT * FROM timers WHERE kind = ? AND subject_id = ? AND state IN ('pending', 'sending')"
        " ORDER BY due_at",
        (kind, subject_id),
    )
    return [_from_row(row) for row in rows]


async def release_interrupted(conn: Connection, now: int) -> int:
    """Rows a crash left in ``sending`` go back to ``pending``, to be retried with the
    same nonce."""
    return await sql.execute(
        conn, "UPDATE timers SET state = 'pending', updated_at = ? WHERE state = 'sending'", (now,)
    )


async def live_due_seconds(conn: Connection, *, since: int, until: int) -> list[int]:
    """The distinct due seconds of pending timers in ``(since, until]``, soonest first."""
    rows = await sql.fetch_all(
        conn,
        "SELECT DISTINCT due_at FROM timers WHERE state = 'pending' AND due_at > ? AND due_at <= ?"
        " ORDER BY due_at",
        (since, until),
    )
    return [row[0] for row in rows]


async def has_due(conn: Connection, now: int, *, kinds: Sequence[str]) -> bool:
    """Whether a pending timer of a handled kind is due."""
    row = await sql.fetch_one(
        conn,
        "SELECT 1 FROM timers WHERE state = 'pending' AND due_at <= ?"  # noqa: S608 - placeholders
        f" AND kind IN ({sql.placeholders(len(kinds))}) LIMIT 1",
        (now, *kinds),
    )
    return row is not None


async def claim_due(
    conn: Connection, up_to: int, now: int, limit: int, *, kinds: Sequence[str]
) -> list[Timer]:
    """Move pending timers of ``kinds`` due by ``up_to`` to ``sending`` and return them:
    whoever claims a row owns it; a repeated or concurrent trigger finds nothing. Rows
    of a kind with no handler (its cog is not loaded) stay pending."""
    rows = await sql.fetch_all(
        conn,
        f"""
        UPDATE timers SET state = 'sending', attempts = attempts + 1, updated_at = ?
        WHERE id IN (
            SELECT id FROM timers WHERE state = 'pending' AND due_at <= ?
            AND kind IN ({sql.placeholders(len(kinds))})
            ORDER BY due_at, id LIMIT ?
        )
        RETURNING *
        """,  # noqa: S608 - placeholders only
        (now, up_to, *kinds, limit),
    )
    return sorted((_from_row(row) for row in rows), key=lambda t: (t.due_at, t.id))


async def finish(
    conn: Connection, timer_id: int, state: str, now: int, error: str | None = None
) -> bool:
    return (
        await sql.execute(
            conn,
            "UPDATE timers SET state = ?, last_error = ?, updated_at = ?"
            " WHERE id = ? AND state = 'sending'",
            (state, error, now, timer_id),
        )
        > 0
    )


async def release(conn: Connection, timer_id: int, now: int) -> bool:
    """A claimed timer goes back to ``pending`` untouched (its attempt not counted)."""
    return (
        await sql.execute(
            conn,
            "UPDATE timers SET state = 'pending', attempts = attempts - 1, updated_at = ?"
            " WHERE id = ? AND state = 'sending'",
            (now, timer_id),
        )
        > 0
    )


async def retry_later(conn: Connection, timer_id: int, due_at: int, now: int, error: str) -> bool:
    return (
        await sql.execute(
            conn,
            "UPDATE timers SET state = 'pending', due_at = ?, last_error = ?, updated_at = ?"
            " WHERE id = ? AND state = 'sending'",
            (due_at, error, now, timer_id),
        )
        > 0
    )


async def cancel(conn: Connection, timer_id: int, now: int) -> bool:
    changed = await sql.execute(
        conn,
        "UPDATE timers SET state = 'cancelled', updated_at = ? WHERE id = ? AND state = 'pending'",
        (now, timer_id),
    )
    return changed > 0


async def cancel_subject(conn: Connection, kind: str, subject_id: int, now: int) -> int:
    return await sql.execute(
        conn,
        "UPDATE timers SET state = 'cancelled', updated_at = ?"
        " WHERE kind = ? AND subject_id = ? AND state = 'pending'",
        (now, kind, subject_id),
    )


async def move(conn: Connection, timer_id: int, due_at: int, now: int) -> bool:
    changed = await sql.execute(
        conn,
        "UPDATE timers SET due_at = ?, updated_at = ? WHERE id = ? AND state = 'pending'",
        (due_at, now, timer_id),
    )
    return changed > 0


async def prune_finished(conn: Connection, before: int) -> int:
    return await sql.execute(
        conn,
        "DELETE FROM timers WHERE state IN ('sent', 'missed', 'cancelled', 'failed')"
        " AND updated_at < ?",
        (before,),
    )


async def backlog(conn: Connection, late_since: int) -> dict[str, tuple[int, int]]:
    """Pending timers by kind: how many, and how many were due before ``late_since``."""
    rows = await sql.fetch_all(
        conn,
        "SELECT kind, COUNT(*), SUM(CASE WHEN due_at < ? THEN 1 ELSE 0 END) FROM timers"
        " WHERE state = 'pending' GROUP BY kind",
        (late_since,),
    )
    return {row[0]: (int(row[1]), int(row[2] or 0)) for row in rows}
