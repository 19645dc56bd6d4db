"""Repository: who is going to a session, and who waits, in order.

Capacity is enforced by the schema (a trigger refuses a place beyond it); callers make
the "going or waitlist" decision inside one write transaction, so two people pressing
Join for the last place are serialised and exactly one gets it.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

import aiosqlite

from bot.db.database import Database
from bot.errors import Conflict

GOING, WAITLIST = "going", "waitlist"


@dataclass(frozen=True)
class Rsvp:
    id: int
    session_id: int
    user_id: int
    status: str
    position: int
    joined_at: int


@dataclass(frozen=True)
class Roster:
    going: list[int]  # in join order
    waitlist: list[int]  # first waiter first


def _from_row(row: sqlite3.Row) -> Rsvp:
    return Rsvp(
        id=row["id"],
        session_id=row["session_id"],
        user_id=row["user_id"],
        status=row["status"],
        position=row["position"],
        joined_at=row["joined_at"],
    )


def _full(exc: sqlite3.IntegrityError) -> bool:
    return "session full" in str(exc)


async def get(conn: aiosqlite.Connection, session_id: int, user_id: int) -> Rsvp | None:
    async with conn.execute(
        "SELECT * FROM session_rsvps WHERE session_id = ? AND user_id = ?", (session_id, user_id)
    ) as cursor:
        row = await cursor.fetchone()
    return None if row is None else _from_row(row)


async def count_going(conn: aiosqlite.Connection, session_id: int) -> int:
    async with conn.execute(
        "SELECT COUNT(*) FROM session_rsvps WHERE session_id = ? AND status = 'going'",
        (session_id,),
    ) as cursor:
        row = await cursor.fetchone()
    return int(row[0]) if row else 0


async def add(
    conn: aiosqlite.Connection, session_id: int, user_id: int, status: str, now: int
) -> Rsvp:
    """Append the user at the end of the line (going or waitlist)."""
    try:
        cursor = await conn.execute(
            """
            INSERT INTO session_rsvps (session_id, user_id, status, position, joined_at)
            VALUES (?, ?, ?,
                    (SELECT COALESCE(MAX(position), 0) + 1 FROM session_rsvps
                     WHERE session_id = ?),
                    ?)
            RETURNING *
            """,
            (session_id, user_id, status, session_id, now),
        )
        row = await cursor.fetchone()
        await cursor.close()
    except sqlite3.IntegrityError as exc:
        if _full(exc):
            raise Conflict("That session just filled up. Try again to join the waitlist.") from exc
        raise
    if row is None:
        raise RuntimeError("RSVP insert returned no row")
    return _from_row(row)


async def remove(conn: aiosqlite.Connection, session_id: int, user_id: int) -> Rsvp | None:
    cursor = await conn.execute(
        "DELETE FROM session_rsvps WHERE session_id = ? AND user_id = ? RETURNING *",
        (session_id, user_id),
    )
    row = await cursor.fetchone()
    await cursor.close()
    return None if row is None else _from_row(row)


async def promote_waiters(
    conn: aiosqlite.Connection, session_id: int, capacity: int | None
) -> list[Rsvp]:
    """Give free places to the first waiters, in order; returns those promoted."""
    going = await count_going(conn, session_id)
    free = None if capacity is None else max(0, capacity - going)
    if free == 0:
        return []
    cursor = await conn.execute(
        """
        UPDATE session_rsvps SET status = 'going'
        WHERE id IN (SELECT id FROM session_rsvps
                     WHERE session_id = ? AND status = 'waitlist'
                     ORDER BY position LIMIT ?)
        RETURNING *
        """,
        (session_id, -1 if free is None else free),
    )
    rows = await cursor.fetchall()
    await cursor.close()
    return sorted((_from_row(row) for row in rows), key=lambda r: r.position)


async def roster(db: Database | aiosqlite.Connection, session_id: int) -> Roster:
    conn = db.conn if isinstance(db, Database) else db
    async with conn.execute(
        "SELECT user_id, status FROM session_rsvps WHERE session_id = ? ORDER BY position",
        (session_id,),
    ) as cursor:
        rows = await cursor.fetchall()
    return Roster(
        going=[row[0] for row in rows if row[1] == GOING],
        waitlist=[row[0] for row in rows if row[1] == WAITLIST],
    )


async def copy(conn: aiosqlite.Connection, source_id: int, target_id: int, now: int) -> None:
    """Carry a session's attendees and waiters, in order, over to another session."""
    await conn.execute(
        """
        INSERT INTO session_rsvps (session_id, user_id, status, position, joined_at)
        SELECT ?, user_id, status, position, ? FROM session_rsvps
        WHERE session_id = ? ORDER BY position
        """,
        (target_id, now, source_id),
    )


async def sessions_of(conn: aiosqlite.Connection, user_id: int) -> list[int]:
    async with conn.execute(
        "SELECT session_id FROM session_rsvps WHERE user_id = ?", (user_id,)
    ) as cursor:
        return [row[0] for row in await cursor.fetchall()]


async def count_for_user(conn: aiosqlite.Connection, user_id: int) -> int:
    async with conn.execute(
        "SELECT COUNT(*) FROM session_rsvps WHERE user_id = ?", (user_id,)
    ) as cursor:
        row = await cursor.fetchone()
    return int(row[0]) if row else 0


async def delete_for_user(conn: aiosqlite.Connection, user_id: int) -> int:
    cursor = await conn.execute("DELETE FROM session_rsvps WHERE user_id = ?", (user_id,))
    return cursor.rowcount
