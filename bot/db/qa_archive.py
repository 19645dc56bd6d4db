"""Repository: the solved-question archive as the web shows it — a server's solved
questions page by page (newest solved first), by topic, counted, and for the sitemap.

Only what may be published is read: a question whose asker keeps their posts off the
web (``web_hidden_users``), or kept it off before forgetting themselves
(``web_hidden_questions``), is left out here, not filtered later.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.db import sql
from bot.db.database import Connection
from bot.db.qa import WAITING_FOR_HELP, Question, question_from_row

VISIBLE = (
    "NOT EXISTS (SELECT 1 FROM web_hidden_users h WHERE h.user_id = q.asker_id)"
    " AND NOT EXISTS (SELECT 1 FROM web_hidden_questions x WHERE x.question_id = q.id)"
)


async def solved_page(
    conn: Connection,
    guild_id: int,
    *,
    topic: str | None = None,
    before: tuple[int, int] | None = None,
    limit: int,
) -> list[Question]:
    """Visible solved questions, newest solved first, from just before ``before`` (a
    solve time and an id: the last row of the previous page)."""
    where = "q.guild_id = ? AND q.status = 'solved'"
    params: list[Any] = [guild_id]
    if topic is not None:
        where += " AND q.topic = ?"
        params.append(topic)
    if before is not None:
        where += " AND (q.resolved_at, q.id) < (?, ?)"
        params += before
    rows = await sql.fetch_all(
        conn,
        f"SELECT q.* FROM qa_questions q WHERE {where} AND {VISIBLE}"  # noqa: S608
        " ORDER BY q.resolved_at DESC, q.id DESC LIMIT ?",
        (*params, limit),
    )
    return [question_from_row(row) for row in rows]


async def solved(conn: Connection, guild_id: int, question_id: int) -> Question | None:
    """A solved question of the server (visible or not: the page says which)."""
    row = await sql.fetch_one(
        conn,
        "SELECT * FROM qa_questions WHERE id = ? AND guild_id = ? AND status = 'solved'",
        (question_id, guild_id),
    )
    return None if row is None else question_from_row(row)


async def visible_ids(conn: Connection, question_ids: Sequence[int]) -> set[int]:
    """Which of these questions may be shown."""
    if not question_ids:
        return set()
    marks = sql.placeholders(len(question_ids))
    rows = await sql.fetch_all(
        conn,
        f"SELECT q.id FROM qa_questions q WHERE q.id IN ({marks}) AND {VISIBLE}",  # noqa: S608
        tuple(question_ids),
    )
    return {row[0] for row in rows}


async def solved_by_topic(conn: Connection, guild_id: int) -> dict[str, int]:
    """How many visible solved questions each topic has (topics with none left out)."""
    rows = await sql.fetch_all(
        conn,
        f"SELECT q.topic, COUNT(*) FROM qa_questions q"  # noqa: S608
        f" WHERE q.guild_id = ? AND q.status = 'solved' AND {VISIBLE} GROUP BY q.topic",
        (guild_id,),
    )
    return {row[0]: int(row[1]) for row in rows}


async def unanswered_by_topic(conn: Connection, guild_id: int) -> dict[str, int]:
    """How many questions wait for help in each topic (as ``/qa unanswered`` counts)."""
    rows = await sql.fetch_all(
        conn,
        f"SELECT topic, COUNT(*) FROM qa_questions"  # noqa: S608
        f" WHERE guild_id = ? AND {WAITING_FOR_HELP} GROUP BY topic",
        (guild_id,),
    )
    return {row[0]: int(row[1]) for row in rows}


async def sitemap_page(
    conn: Connection, guild_id: int, *, offset: int, limit: int
) -> list[tuple[int, int]]:
    """Visible solved questions' ids and solve times, newest solved first."""
    rows = await sql.fetch_all(
        conn,
        f"SELECT q.id, q.resolved_at FROM qa_questions q"  # noqa: S608
        f" WHERE q.guild_id = ? AND q.status = 'solved' AND {VISIBLE}"
        " ORDER BY q.resolved_at DESC, q.id DESC LIMIT ? OFFSET ?",
        (guild_id, limit, offset),
    )
    return [(int(row[0]), int(row[1] or 0)) for row in rows]
