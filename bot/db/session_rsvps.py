"""Repository: who is going to a session, and who waits, in order.

Capacity is enforced by the schema (a trigger refuses a place beyond it); callers make
the "going or waitlist" decision inside one write transaction, so two people pressing
Join for the last place are serialised and exactly one gets it.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from bot.db import sql
from bot.db.database import Connection, Row
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
    """Who is going and who waits, in order: everyone, or (``head``) the first few of
    each with how many more there are."""

    going: list[int]  # in join order
    waitlist: list[int]  # first waiter first
    more_going: int = 0  # not listed in ``going``
    more_waiting: int = 0  # not listed in ``waitlist``

    @property
    def going_count(self) -> int:
        return len(self.going) + self.more_going

    @property
    def waiting_count(self) -> int:
        return len(self.waitlist) + self.more_waiting


def _from_row(row: Row) -> Rsvp:
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


async def get(conn: Connection, session_id: int, user_id: int) -> Rsvp | None:
    row = await sql.fetch_one(
        conn,
        "SELECT * FROM session_rsvps WHERE session_id = ? AND user_id = ?",
        (session_id, user_id),
    )
    return None if row is None else _from_row(row)


async def count_going(conn: Connection, session_id: int) -> int:
    """How many are going: the session's head count (kept by triggers, migration 0013)."""
    value = await sql.fetch_value(
        conn, "SELECT going_count FROM sessions WHERE id = ?", (session_id,)
    )
    return int(value or 0)


async def count_waiting(conn: Connection, session_id: int) -> int:
    """How many wait: the last waiter's place in line (one row, however long the line)."""
    value = await sql.fetch_value(
        conn, "SELECT waiting_count FROM sessions WHERE id = ?", (session_id,)
    )
    return int(value or 0)


async def waitlist_place(conn: Connection, session_id: int, position: int) -> int:
    """Where a waiter at ``position`` stands in the waitlist (1 = next in)."""
    value = await sql.fetch_value(
        conn,
        "SELECT COUNT(*) FROM session_rsvps WHERE session_id = ? AND status = 'waitlist'"
        " AND position <= ?",
        (session_id, position),
    )
    return int(value or 0)


async def add(conn: Connection, session_id: int, user_id: int, status: str, now: int) -> Rsvp:
    """Append the user at the end of the line (going or waitlist)."""
    try:
        row = await sql.returning_one(
            conn,
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
    except sqlite3.IntegrityError as exc:
        if _full(exc):
            raise Conflict("That session just filled up. Try again to join the waitlist.") from exc
        raise
    return _from_row(row)


async def remove(conn: Connection, session_id: int, user_id: int) -> Rsvp | None:
    row = await sql.returning_one_or_none(
        conn,
        "DELETE FROM session_rsvps WHERE session_id = ? AND user_id = ? RETURNING *",
        (session_id, user_id),
    )
    return None if row is None else _from_row(row)


async def delete_hosts(conn: Connection, guild_id: int) -> list[Rsvp]:
    """Remove the RSVPs hosts hold for their own open sessions in a server (the host is
    going without one: from before that rule, a host may have joined their session)."""
    rows = await sql.fetch_all(
        conn,
        """
        DELETE FROM session_rsvps
        WHERE id IN (SELECT r.id FROM session_rsvps r JOIN sessions s ON s.id = r.session_id
                     WHERE s.guild_id = ? AND s.status IN ('scheduled', 'live')
                       AND r.user_id = s.host_id)
        RETURNING *
        """,
        (guild_id,),
    )
    return [_from_row(row) for row in rows]


# "No limit" in a LIMIT both dialects accept (SQLite's -1 is an error on PostgreSQL).
NO_LIMIT = 2**62


async def promote_waiters(conn: Connection, session_id: int, capacity: int | None) -> list[Rsvp]:
    """Give free places to the first waiters, in order; returns those promoted."""
    going = await count_going(conn, session_id)
    free = None if capacity is None else max(0, capacity - going)
    if free == 0:
        return []
    rows = await sql.fetch_all(
        conn,
        """
        UPDATE session_rsvps SET status = 'going'
        WHERE id IN (SELECT id FROM session_rsvps
                     WHERE session_id = ? AND status = 'waitlist'
                     ORDER BY position LIMIT ?)
        RETURNING *
        """,
        (session_id, NO_LIMIT if free is None else free),
    )
    return sorted((_from_row(row) for row in rows), key=lambda r: r.position)


async def roster(conn: Connection, session_id: int) -> Roster:
    rows = await sql.fetch_all(
        conn,
        "SELECT user_id, status FROM session_rsvps WHERE session_id = ? ORDER BY position",
        (session_id,),
    )
    return Roster(
        going=[row[0] for row in rows if row[1] == GOING],
        waitlist=[row[0] for row in rows if row[1] == WAITLIST],
    )


async def head(conn: Connection, session_id: int, names: int) -> Roster:
    """The first ``names`` going and the first ``names`` waiting, and how many there are
    of each, in one statement: what a card shows, however long the line (two short
    ranges of the ``session_rsvps_by_status`` index, which holds the user ids too, and
    the session's head counts)."""
    rows = await sql.fetch_all(
        conn,
        """
        SELECT * FROM (SELECT status, user_id FROM session_rsvps
                       WHERE session_id = :id AND status = 'going'
                       ORDER BY position LIMIT :names) AS going
        UNION ALL
        SELECT * FROM (SELECT status, user_id FROM session_rsvps
                       WHERE session_id = :id AND status = 'waitlist'
                       ORDER BY position LIMIT :names) AS waiting
        UNION ALL
        SELECT 'count', (SELECT going_count FROM sessions WHERE id = :id)
        UNION ALL
        SELECT 'count', (SELECT waiting_count FROM sessions WHERE id = :id)
        """,
        {"id": session_id, "names": names},
    )
    going = [row[1] for row in rows if row[0] == GOING]
    waitlist = [row[1] for row in rows if row[0] == WAITLIST]
    going_total, waiting_total = (int(row[1] or 0) for row in rows[-2:])
    return Roster(
        going,
        waitlist,
        more_going=going_total - len(going),
        more_waiting=waiting_total - len(waitlist),
    )


async def copy(conn: Connection, source_id: int, target_id: int, now: int) -> None:
    """Carry a session's attendees and waiters, in order, over to another session."""
    await sql.execute(
        conn,
        """
        INSERT INTO session_rsvps (session_id, user_id, status, position, joined_at)
        SELECT ?, user_id, status, position, ? FROM session_rsvps
        WHERE session_id = ? ORDER BY position
        """,
        (target_id, now, source_id),
    )


async def sessions_of(conn: Connection, user_id: int) -> list[int]:
    rows = await sql.fetch_all(
        conn, "SELECT session_id FROM session_rsvps WHERE user_id = ?", (user_id,)
    )
    return [row[0] for row in rows]


async def count_for_user(conn: Connection, user_id: int) -> int:
    value = await sql.fetch_value(
        conn, "SELECT COUNT(*) FROM session_rsvps WHERE user_id = ?", (user_id,)
    )
    return int(value or 0)


async def delete_for_user(conn: Connection, user_id: int) -> int:
    return await sql.execute(conn, "DELETE FROM session_rsvps WHERE user_id = ?", (user_id,))
