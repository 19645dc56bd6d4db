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
from bot.sharding import Shards

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


# Every query that finds timers to run takes ``shards``: a sharded process runs only
# the timers of the guilds it owns (``sql.owned_by``); unsharded, that is all of them.
ALL = Shards.single()


async def release_interrupted(conn: Connection, now: int, *, shards: Shards = ALL) -> int:
    """Rows a crash left in ``sending`` go back to ``pending``, to be retried with the
    same nonce: only ``shards``' own, as another process may be sending its rows now."""
    owned, params = sql.owned_by(shards)
    return await sql.execute(
        conn,
        "UPDATE timers SET state = 'pending', updated_at = ?"  # noqa: S608 - placeholders
        f" WHERE state = 'sending' AND {owned}",
        (now, *params),
    )


async def live_due_seconds(
    conn: Connection, *, since: int, until: int, shards: Shards = ALL
) -> list[int]:
    """The distinct due seconds of pending timers in ``(since, until]``, soonest first."""
    owned, params = sql.owned_by(shards)
    rows = await sql.fetch_all(
        conn,
        "SELECT DISTINCT due_at FROM timers WHERE state = 'pending'"  # noqa: S608 - placeholders
        f" AND due_at > ? AND due_at <= ? AND {owned} ORDER BY due_at",
        (since, until, *params),
    )
    return [row[0] for row in rows]


async def has_due(
    conn: Connection, now: int, *, kinds: Sequence[str], shards: Shards = ALL
) -> bool:
    """Whether a pending timer of a handled kind is due."""
    owned, params = sql.owned_by(shards)
    row = await sql.fetch_one(
        conn,
        "SELECT 1 FROM timers WHERE state = 'pending' AND due_at <= ?"  # noqa: S608 - placeholders
        f" AND kind IN ({sql.placeholders(len(kinds))}) AND {owned} LIMIT 1",
        (now, *kinds, *params),
    )
    return row is not None


async def claim_due(
    conn: Connection,
    up_to: int,
    now: int,
    limit: int,
    *,
    kinds: Sequence[str],
    shards: Shards = ALL,
) -> list[Timer]:
    """Move pending timers of ``kinds`` due by ``up_to`` to ``sending`` and return them:
    whoever claims a row owns it; a repeated or concurrent trigger finds nothing. Rows
    of a kind with no handler (its cog is not loaded) stay pending, and so do rows of
    guilds another shard's process owns."""
    owned, params = sql.owned_by(shards)
    # PostgreSQL: rows another transaction holds are left to it, not waited for. The
    # advisory write lock serialises writes, so no claim meets another today; this keeps
    # two processes' claims apart should writes ever run side by side.
    skip_locked = " FOR UPDATE SKIP LOCKED" if conn.dialect == "postgresql" else ""
    rows = await sql.fetch_all(
        conn,
        f"""
        UPDATE timers SET state = 'sending', attempts = attempts + 1, updated_at = ?
        WHERE state = 'pending' AND id IN (
            SELECT id FROM timers WHERE state = 'pending' AND due_at <= ?
            AND kind IN ({sql.placeholders(len(kinds))}) AND {owned}
            ORDER BY due_at, id LIMIT ?{skip_locked}
        )
        RETURNING *
        """,  # noqa: S608 - placeholders only
        (now, up_to, *kinds, *params, limit),
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


async def backlog(
    conn: Connection, late_since: int, *, shards: Shards = ALL
) -> dict[str, tuple[int, int]]:
    """Pending timers by kind: how many, and how many were due before ``late_since``
    (``shards``' own: each process reports its part)."""
    owned, params = sql.owned_by(shards)
    rows = await sql.fetch_all(
        conn,
        "SELECT kind, COUNT(*), SUM(CASE WHEN due_at < ? THEN 1 ELSE 0 END)"  # noqa: S608
        f" FROM timers WHERE state = 'pending' AND {owned} GROUP BY kind",
        (late_since, *params),
    )
    return {row[0]: (int(row[1]), int(row[2] or 0)) for row in rows}
