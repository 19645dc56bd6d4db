"""Repository: study sessions, one row per occurrence."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.db import sql
from bot.db.database import Connection, Row
from bot.errors import Conflict
from bot.ui.markup import jump_url

OPEN = ("scheduled", "live")
# Must match the partial index `sessions_open_by_start` word for word to use it.
OPEN_SQL = "status IN ('scheduled', 'live')"


@dataclass(frozen=True)
class Session:
    id: int
    guild_id: int
    host_id: int | None
    title: str
    topic: str | None
    description: str | None
    starts_at: int
    duration_min: int
    capacity: int | None
    repeat: str
    zone: str
    voice_channel_id: int | None
    status: str
    cancel_reason: str | None
    previous_id: int | None
    channel_id: int | None
    message_id: int | None
    thread_id: int | None
    event_id: int | None
    sequence: int
    created_at: int
    updated_at: int

    @property
    def start(self) -> datetime:
        return datetime.fromtimestamp(self.starts_at, UTC)

    @property
    def end(self) -> datetime:
        return self.start + timedelta(minutes=self.duration_min)

    @property
    def is_open(self) -> bool:
        """Scheduled or live: people may still join, and it may still change."""
        return self.status in OPEN

    @property
    def talk_channel_id(self) -> int | None:
        """Where messages about the session go: its thread, else its card's channel."""
        return self.thread_id or self.channel_id

    @property
    def card_url(self) -> str | None:
        """A link to the session's card, for calendars and scheduled events."""
        if self.channel_id is None:
            return None
        return jump_url(self.guild_id, self.channel_id, self.message_id)


@dataclass(frozen=True)
class SessionSummary:
    """A session with its head counts, as lists show it."""

    session: Session
    going: int
    waiting: int


_FIELDS = tuple(Session.__dataclass_fields__)
# Columns our code may set: on insert, all but the id; on update, what a session's
# life changes (never its server, series or creation time).
_INSERTABLE = frozenset(_FIELDS) - {"id"}
_UPDATABLE = frozenset(
    {
        "host_id",
        "title",
        "topic",
        "description",
        "starts_at",
        "duration_min",
        "capacity",
        "voice_channel_id",
        "status",
        "cancel_reason",
        "channel_id",
        "message_id",
        "thread_id",
        "event_id",
        "sequence",
        "updated_at",
    }
)


def from_row(row: Row) -> Session:
    # Lists map ten rows a call and cards one per refresh: sql.record skips __init__.
    return sql.record(Session, {name: row[name] for name in _FIELDS})


def summary_from_row(row: Row) -> SessionSummary:
    return SessionSummary(from_row(row), going=row["going"], waiting=row["waiting"])


HEAD_COUNTS = "s.going_count AS going, s.waiting_count AS waiting"  # kept by triggers (0013)


async def insert(conn: Connection, values: dict[str, Any]) -> Session:
    return from_row(await sql.insert_columns(conn, "sessions", values, _INSERTABLE))


async def get(conn: Connection, session_id: int) -> Session | None:
    row = await sql.fetch_one(conn, "SELECT * FROM sessions WHERE id = ?", (session_id,))
    return None if row is None else from_row(row)


async def update(
    conn: Connection, session_id: int, values: dict[str, Any], *, where: str = ""
) -> Session | None:
    """Set ``values`` (column names from our code) and return the row, or None when no
    row matched ``where`` too."""
    try:
        row = await sql.update_columns(
            conn, "sessions", "id", session_id, values, _UPDATABLE, where=where
        )
    except sqlite3.IntegrityError as exc:
        if "capacity below attendees" in str(exc):
            raise Conflict(
                "More people are already going than that capacity allows. "
                "Pick a capacity at least as large as the number going."
            ) from exc
        raise
    return None if row is None else from_row(row)


async def same_as(
    conn: Connection, guild_id: int, host_id: int, title: str, starts_at: int, slack: int
) -> Session | None:
    """The host's session of that title starting within ``slack`` seconds of
    ``starts_at``, not cancelled: a repeated create ("in 20 minutes" typed again a
    little later names a slightly later instant)."""
    row = await sql.fetch_one(
        conn,
        "SELECT * FROM sessions WHERE guild_id = ? AND host_id = ?"
        " AND starts_at BETWEEN ? AND ? AND lower(title) = lower(?)"
        " AND status != 'cancelled' ORDER BY id LIMIT 1",
        (guild_id, host_id, starts_at - slack, starts_at + slack, title),
    )
    return None if row is None else from_row(row)


async def delete(conn: Connection, session_id: int) -> None:
    await sql.execute(conn, "DELETE FROM sessions WHERE id = ?", (session_id,))


async def upcoming(
    conn: Connection, guild_id: int, *, limit: int, offset: int = 0
) -> tuple[list[SessionSummary], int | None]:
    """A page of open sessions, soonest first, and how many there are in all, in one
    statement (the total is a subquery run once; head counts are made for the page's
    rows). The total is None when the page is empty (past the end: count apart)."""
    rows = await sql.fetch_all(
        conn,
        f"SELECT s.*, {HEAD_COUNTS}, (SELECT COUNT(*) FROM sessions x"  # noqa: S608
        f" WHERE x.guild_id = :guild AND x.{OPEN_SQL}) AS total"
        f" FROM sessions s WHERE s.guild_id = :guild AND s.{OPEN_SQL}"
        " ORDER BY s.starts_at, s.id LIMIT :limit OFFSET :offset",
        {"guild": guild_id, "limit": limit, "offset": offset},
    )
    return [summary_from_row(row) for row in rows], (rows[0]["total"] if rows else None)


async def count_upcoming(conn: Connection, guild_id: int) -> int:
    value = await sql.fetch_value(
        conn,
        f"SELECT COUNT(*) FROM sessions s WHERE s.guild_id = ? AND s.{OPEN_SQL}",  # noqa: S608
        (guild_id,),
    )
    return int(value or 0)


_MINE = """
    s.guild_id = ? AND s.status IN ('scheduled', 'live')
    AND (s.host_id = ? OR EXISTS (SELECT 1 FROM session_rsvps r
                                  WHERE r.session_id = s.id AND r.user_id = ?))
"""


async def joined(
    conn: Connection, guild_id: int, user_id: int, *, limit: int, offset: int = 0
) -> list[SessionSummary]:
    """Open sessions the user joined, waits for, or hosts."""
    rows = await sql.fetch_all(
        conn,
        f"SELECT s.*, {HEAD_COUNTS} FROM sessions s WHERE {_MINE}"  # noqa: S608
        " ORDER BY s.starts_at, s.id LIMIT ? OFFSET ?",
        (guild_id, user_id, user_id, limit, offset),
    )
    return [summary_from_row(row) for row in rows]


async def count_joined(conn: Connection, guild_id: int, user_id: int) -> int:
    value = await sql.fetch_value(
        conn,
        f"SELECT COUNT(*) FROM sessions s WHERE {_MINE}",  # noqa: S608
        (guild_id, user_id, user_id),
    )
    return int(value or 0)


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


async def search_open(conn: Connection, guild_id: int, text: str, *, limit: int) -> list[Session]:
    """Open sessions whose id, title or topic contains ``text``, soonest first."""
    needle = text.strip().lstrip("#")
    if not needle:
        rows = await sql.fetch_all(
            conn,
            f"SELECT * FROM sessions s WHERE s.guild_id = ? AND s.{OPEN_SQL}"  # noqa: S608
            " ORDER BY s.starts_at, s.id LIMIT ?",
            (guild_id, limit),
        )
    else:
        pattern = _like(needle)
        rows = await sql.fetch_all(
            conn,
            f"SELECT * FROM sessions s WHERE s.guild_id = ? AND s.{OPEN_SQL}"  # noqa: S608
            " AND (CAST(s.id AS TEXT) LIKE ? ESCAPE '\\'"
            "      OR lower(s.title) LIKE lower(?) ESCAPE '\\'"
            "      OR lower(s.topic) LIKE lower(?) ESCAPE '\\')"
            " ORDER BY s.starts_at, s.id LIMIT ?",
            (guild_id, pattern, pattern, pattern, limit),
        )
    return [from_row(row) for row in rows]


async def needing_mirror(conn: Connection, guild_id: int, now: int) -> list[Session]:
    """Sessions whose scheduled event may need creating, moving, ending or cancelling:
    open and not over yet, or still pointing at an event."""
    rows = await sql.fetch_all(
        conn,
        """
        SELECT * FROM sessions
        WHERE guild_id = ?
          AND ((status IN ('scheduled', 'live') AND starts_at + duration_min * 60 > ?)
               OR event_id IS NOT NULL)
        ORDER BY starts_at, id
        """,
        (guild_id, now),
    )
    return [from_row(row) for row in rows]


async def hosted_by(conn: Connection, user_id: int) -> list[int]:
    rows = await sql.fetch_all(conn, "SELECT id FROM sessions WHERE host_id = ?", (user_id,))
    return [row[0] for row in rows]


async def count_hosted(conn: Connection, user_id: int) -> int:
    value = await sql.fetch_value(
        conn, "SELECT COUNT(*) FROM sessions WHERE host_id = ?", (user_id,)
    )
    return int(value or 0)


async def forget_host(conn: Connection, user_id: int) -> int:
    return await sql.execute(
        conn, "UPDATE sessions SET host_id = NULL WHERE host_id = ?", (user_id,)
    )


async def next_of(conn: Connection, session_id: int) -> Session | None:
    """The occurrence that follows ``session_id`` in its series, once created."""
    row = await sql.fetch_one(conn, "SELECT * FROM sessions WHERE previous_id = ?", (session_id,))
    return None if row is None else from_row(row)


async def open_ids(conn: Connection, guild_id: int, after: int) -> list[int]:
    """Scheduled sessions of a server starting after ``after``: those whose reminders
    follow the server's offsets."""
    rows = await sql.fetch_all(
        conn,
        "SELECT id FROM sessions WHERE guild_id = ? AND status = 'scheduled' AND starts_at > ?",
        (guild_id, after),
    )
    return [row[0] for row in rows]


async def starting_between(
    conn: Connection, guild_id: int, start: int, end: int
) -> list[SessionSummary]:
    """Scheduled sessions of a server starting in ``[start, end)``, soonest first."""
    rows = await sql.fetch_all(
        conn,
        f"SELECT s.*, {HEAD_COUNTS} FROM sessions s"  # noqa: S608
        " WHERE s.guild_id = ? AND s.status = 'scheduled' AND s.starts_at >= ?"
        " AND s.starts_at < ? ORDER BY s.starts_at, s.id",
        (guild_id, start, end),
    )
    return [summary_from_row(row) for row in rows]


# -- the card's version (see migration 0013) ------------------------------------------


async def get_versioned(conn: Connection, session_id: int) -> tuple[Session, int] | None:
    """The session and its version: how many changes its card has had to show."""
    row = await sql.fetch_one(conn, "SELECT * FROM sessions WHERE id = ?", (session_id,))
    return None if row is None else (from_row(row), int(row["version"]))


async def card_shown(conn: Connection, session_id: int, shown: int) -> None:
    """The card now shows version ``shown`` (never moves back: edits may finish out of
    order)."""
    larger = "GREATEST" if conn.dialect == "postgresql" else "MAX"  # the scalar form
    await sql.execute(
        conn,
        f"UPDATE sessions SET card_version = {larger}(card_version, ?) WHERE id = ?",  # noqa: S608
        (shown, session_id),
    )


async def cards_behind(conn: Connection, guild_id: int) -> list[int]:
    """Sessions of a server whose card shows an older state than the database holds."""
    rows = await sql.fetch_all(
        conn,
        "SELECT id FROM sessions WHERE guild_id = ? AND message_id IS NOT NULL"
        " AND card_version < version ORDER BY id",
        (guild_id,),
    )
    return [row[0] for row in rows]
