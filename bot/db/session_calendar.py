"""Repository: sessions as calendars and the web list them — the export of a member's
sessions, the server's public feed, and the upcoming list page by page.

A repeating session stands for its series in a calendar: each row comes with the
series' first occurrence (its UID) and the edits across the series plus one per
occurrence since (its SEQUENCE), walked back through ``previous_id``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.db import sql
from bot.db.database import Connection
from bot.db.sessions import (
    HEAD_COUNTS,
    OPEN_SQL,
    Session,
    SessionSummary,
    from_row,
    summary_from_row,
)


@dataclass(frozen=True)
class Exported:
    """A session as a calendar shows it: a repeating one stands for its series."""

    session: Session
    series_id: int  # the series' first occurrence (the session itself when it stands alone)
    series_sequence: int  # edits across the series up to this occurrence, plus one per step


# ``chosen`` is the sessions to export (a WHERE over ``sessions s`` from this module);
# the rest walks each one's series back to its first occurrence.
_SERIES = """
    WITH RECURSIVE chosen AS (SELECT s.* FROM sessions s WHERE {where}),
    back (id, at, previous, steps, edits) AS (
        SELECT id, id, previous_id, 0, sequence FROM chosen
        UNION ALL
        SELECT b.id, p.id, p.previous_id, b.steps + 1, b.edits + p.sequence
        FROM back b JOIN sessions p ON p.id = b.previous
    )
    SELECT c.*, b.at AS series_id, b.edits + b.steps AS series_sequence
    FROM chosen c JOIN back b ON b.id = c.id AND b.previous IS NULL
    ORDER BY c.starts_at, c.id
"""

_NOT_OVER = "s.guild_id = ? AND s.starts_at + s.duration_min * 60 > ?"


async def _series(conn: Connection, where: str, params: tuple[Any, ...]) -> list[Exported]:
    rows = await sql.fetch_all(conn, _SERIES.format(where=where), params)
    return [
        Exported(from_row(row), series_id=row["series_id"], series_sequence=row["series_sequence"])
        for row in rows
    ]


async def for_export(conn: Connection, guild_id: int, user_id: int, since: int) -> list[Exported]:
    """Sessions the user hosts or RSVPed to that have not ended by ``since``, cancelled
    ones included (so a calendar that imported them learns they are off)."""
    mine = (
        f"{_NOT_OVER}"  # noqa: S608 - fragments from this module
        " AND (s.host_id = ? OR EXISTS (SELECT 1 FROM session_rsvps r"
        " WHERE r.session_id = s.id AND r.user_id = ?))"
    )
    return await _series(conn, mine, (guild_id, since, user_id, user_id))


async def for_server(conn: Connection, guild_id: int, since: int) -> list[Exported]:
    """Every session of the server that has not ended by ``since``, cancelled ones
    included: the server's public calendar feed."""
    return await _series(conn, _NOT_OVER, (guild_id, since))


async def upcoming_page(
    conn: Connection,
    guild_id: int,
    *,
    now: int,
    after: tuple[int, int] | None,
    limit: int,
) -> list[SessionSummary]:
    """Open sessions that have not ended by ``now``, soonest first, from just after
    ``after`` (a start and an id: the last row of the previous page)."""
    start, last_id = after if after is not None else (-1, -1)
    rows = await sql.fetch_all(
        conn,
        f"SELECT s.*, {HEAD_COUNTS} FROM sessions s"  # noqa: S608 - fragments from this code
        f" WHERE s.guild_id = ? AND s.{OPEN_SQL}"
        " AND s.starts_at + s.duration_min * 60 > ? AND (s.starts_at, s.id) > (?, ?)"
        " ORDER BY s.starts_at, s.id LIMIT ?",
        (guild_id, now, start, last_id, limit),
    )
    return [summary_from_row(row) for row in rows]
