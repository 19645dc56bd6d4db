"""Repository: pairing requests (one open request between two people at a time)."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from bot.db import sql
from bot.db.database import Connection, Row
from bot.errors import Conflict


@dataclass(frozen=True)
class PairRequest:
    id: int
    guild_id: int
    from_id: int
    to_id: int
    message: str | None
    status: str
    channel_id: int | None
    message_id: int | None
    created_at: int
    expires_at: int


def _from_row(row: Row) -> PairRequest:
    return PairRequest(
        id=row["id"],
        guild_id=row["guild_id"],
        from_id=row["from_id"],
        to_id=row["to_id"],
        message=row["message"],
        status=row["status"],
        channel_id=row["channel_id"],
        message_id=row["message_id"],
        created_at=row["created_at"],
        expires_at=row["expires_at"],
    )


async def insert(
    conn: Connection,
    *,
    guild_id: int,
    from_id: int,
    to_id: int,
    message: str | None,
    now: int,
    expires_at: int,
) -> PairRequest:
    try:
        row = await sql.returning_one(
            conn,
            "INSERT INTO pair_requests (guild_id, from_id, to_id, message, created_at, expires_at)"
            " VALUES (?, ?, ?, ?, ?, ?) RETURNING *",
            (guild_id, from_id, to_id, message, now, expires_at),
        )
    except sqlite3.IntegrityError as error:
        raise Conflict(
            f"There is already an open request between you and <@{to_id}>: `/pair status` shows it."
        ) from error
    return _from_row(row)


async def get(conn: Connection, request_id: int) -> PairRequest | None:
    row = await sql.fetch_one(conn, "SELECT * FROM pair_requests WHERE id = ?", (request_id,))
    return None if row is None else _from_row(row)


async def attach_message(
    conn: Connection, request_id: int, channel_id: int, message_id: int
) -> None:
    await sql.execute(
        conn,
        "UPDATE pair_requests SET channel_id = ?, message_id = ? WHERE id = ?",
        (channel_id, message_id, request_id),
    )


async def decide(conn: Connection, request_id: int, status: str, now: int) -> PairRequest | None:
    """Move a pending request to ``status``; None when it was no longer pending."""
    row = await sql.returning_one_or_none(
        conn,
        "UPDATE pair_requests SET status = ?, decided_at = ? WHERE id = ? AND status = 'pending'"
        " RETURNING *",
        (status, now, request_id),
    )
    return None if row is None else _from_row(row)


async def open_involving(conn: Connection, guild_id: int, user_id: int) -> list[PairRequest]:
    rows = await sql.fetch_all(
        conn,
        "SELECT * FROM pair_requests WHERE guild_id = ? AND status = 'pending'"
        " AND (from_id = ? OR to_id = ?) ORDER BY created_at",
        (guild_id, user_id, user_id),
    )
    return [_from_row(row) for row in rows]


async def declined(conn: Connection, guild_id: int) -> list[tuple[int, int, int]]:
    """(requester, decliner, when) of every declined request in the server."""
    rows = await sql.fetch_all(
        conn,
        "SELECT from_id, to_id, decided_at FROM pair_requests"
        " WHERE guild_id = ? AND status = 'declined'",
        (guild_id,),
    )
    return [(row[0], row[1], row[2]) for row in rows]


async def count_involving(conn: Connection, user_id: int) -> int:
    return int(
        await sql.fetch_value(
            conn,
            "SELECT COUNT(*) FROM pair_requests WHERE from_id = ? OR to_id = ?",
            (user_id, user_id),
        )
        or 0
    )


async def delete_involving(conn: Connection, user_id: int) -> list[PairRequest]:
    """Delete a user's requests, sent and received; the open ones are returned so their
    posts can be updated."""
    rows = await sql.fetch_all(
        conn,
        "DELETE FROM pair_requests WHERE from_id = ? OR to_id = ? RETURNING *",
        (user_id, user_id),
    )
    return [_from_row(row) for row in rows if row["status"] == "pending"]
