"""Repository: Q&A drafts, questions shown with similar solved ones and waiting for
**Post anyway** (kept so the button works after a restart)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.db import sql
from bot.db.database import Connection, Row


@dataclass(frozen=True)
class Draft:
    id: int
    guild_id: int
    user_id: int
    topic: str
    title: str
    body: str
    created_at: int


async def insert_draft(
    conn: Connection,
    *,
    guild_id: int,
    user_id: int,
    topic: str,
    title: str,
    body: str,
    now: int,
) -> Draft:
    row = await sql.returning_one(
        conn,
        "INSERT INTO qa_drafts (guild_id, user_id, topic, title, body, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?) RETURNING *",
        (guild_id, user_id, topic, title, body, now),
    )
    return _draft(row)


def _draft(row: Row) -> Draft:
    return Draft(
        id=row["id"],
        guild_id=row["guild_id"],
        user_id=row["user_id"],
        topic=row["topic"],
        title=row["title"],
        body=row["body"],
        created_at=row["created_at"],
    )


async def get_draft(conn: Connection, draft_id: int) -> Draft | None:
    row = await sql.fetch_one(conn, "SELECT * FROM qa_drafts WHERE id = ?", (draft_id,))
    return None if row is None else _draft(row)


async def take_draft(conn: Connection, draft_id: int, user_id: int) -> Draft | None:
    """Delete and return the user's draft: whoever takes it first posts it, once."""
    row = await sql.returning_one_or_none(
        conn,
        "DELETE FROM qa_drafts WHERE id = ? AND user_id = ? RETURNING *",
        (draft_id, user_id),
    )
    return None if row is None else _draft(row)


async def restore_draft(conn: Connection, draft: Draft) -> None:
    """Put back a taken draft (posting it failed), under the same id: its buttons work."""
    await sql.execute(
        conn,
        "INSERT INTO qa_drafts (id, guild_id, user_id, topic, title, body, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
        (
            draft.id,
            draft.guild_id,
            draft.user_id,
            draft.topic,
            draft.title,
            draft.body,
            draft.created_at,
        ),
    )


async def prune_drafts(conn: Connection, before: int) -> int:
    return await sql.execute(conn, "DELETE FROM qa_drafts WHERE created_at < ?", (before,))
