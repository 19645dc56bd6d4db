"""Repository: Q&A questions, credits, subscriptions and per-server timings.

Full-text search over the questions lives in ``bot/db/qa_search.py``, drafts in
``bot/db/qa_drafts.py``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from bot.db import sql
from bot.db.database import Connection, Row

UNANSWERED_AFTER = 6 * 3600
NUDGE_AFTER = 24 * 3600
DORMANT_AFTER = 72 * 3600

# An open question waiting for help: no reply from anyone but the asker, or the asker
# pressed "Still need help" and nobody has replied since.
WAITING_FOR_HELP = "status = 'open' AND (first_reply_at IS NULL OR needs_help_at IS NOT NULL)"


@dataclass(frozen=True)
class Question:
    id: int
    guild_id: int
    channel_id: int
    thread_id: int
    opener_id: int
    asker_id: int | None
    topic: str
    title: str
    body: str
    status: str  # open, solved, closed
    close_reason: str | None
    duplicate_of: int | None
    summary: str | None
    answer_message_id: int | None
    answerer_id: int | None
    resolved_by: int | None
    resolved_at: int | None
    asked_at: int
    last_activity_at: int
    first_reply_at: int | None
    escalation: int
    nudged: bool
    nudge_timer_id: int | None
    dormant_timer_id: int | None
    origin: str = "ask"  # ask: the bot's post for /ask; forum: a member's own post
    hint_message_id: int | None = None  # the bot's reply in a member's own post
    needs_help_at: int | None = None  # "Still need help", and no reply since
    check_timer_id: int | None = None  # the dormant timer that asked the asker first

    @property
    def asked(self) -> datetime:
        return datetime.fromtimestamp(self.asked_at, UTC)

    @property
    def last_activity(self) -> datetime:
        return datetime.fromtimestamp(self.last_activity_at, UTC)

    @property
    def has_reply(self) -> bool:
        return self.first_reply_at is not None


@dataclass(frozen=True)
class Timings:
    """Per-server delays of the automatic timers, in seconds."""

    unanswered_after: int = UNANSWERED_AFTER
    nudge_after: int = NUDGE_AFTER
    dormant_after: int = DORMANT_AFTER


def question_from_row(row: Row) -> Question:
    # A search maps its page of ten questions by the call: sql.record skips __init__.
    values = {name: row[name] for name in _QUESTION_FIELDS}
    values["nudged"] = bool(values["nudged"])
    return sql.record(Question, values)


_QUESTION_FIELDS = tuple(Question.__dataclass_fields__)


# -- questions ----------------------------------------------------------------------


async def insert_question(
    conn: Connection,
    *,
    guild_id: int,
    channel_id: int,
    thread_id: int,
    opener_id: int,
    asker_id: int,
    topic: str,
    title: str,
    body: str,
    now: int,
    origin: str = "ask",
) -> Question | None:
    """The new question; None when its thread is already a question (a replayed event)."""
    row = await sql.returning_one_or_none(
        conn,
        """
        INSERT INTO qa_questions (guild_id, channel_id, thread_id, opener_id, asker_id, topic,
                                  title, body, asked_at, last_activity_at, origin)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (thread_id) DO NOTHING
        RETURNING *
        """,
        (
            guild_id,
            channel_id,
            thread_id,
            opener_id,
            asker_id,
            topic,
            title,
            body,
            now,
            now,
            origin,
        ),
    )
    return None if row is None else question_from_row(row)


async def get(conn: Connection, question_id: int) -> Question | None:
    row = await sql.fetch_one(conn, "SELECT * FROM qa_questions WHERE id = ?", (question_id,))
    return None if row is None else question_from_row(row)


async def by_thread(conn: Connection, thread_id: int) -> Question | None:
    row = await sql.fetch_one(conn, "SELECT * FROM qa_questions WHERE thread_id = ?", (thread_id,))
    return None if row is None else question_from_row(row)


async def lock(conn: Connection, question_id: int) -> Question | None:
    """Re-read a question inside a write transaction (the state every decision is based on)."""
    return await get(conn, question_id)


# The columns ``update`` may set; the rest of a question never changes.
_UPDATABLE = frozenset(
    {"status", "close_reason", "duplicate_of", "summary", "answer_message_id", "answerer_id"}
    | {"resolved_by", "resolved_at", "last_activity_at", "first_reply_at", "escalation"}
    | {"nudged", "nudge_timer_id", "dormant_timer_id", "title", "body", "hint_message_id"}
    | {"needs_help_at", "check_timer_id"}
)


async def update(conn: Connection, question_id: int, **fields: Any) -> Question:
    row = await sql.update_columns(conn, "qa_questions", "id", question_id, fields, _UPDATABLE)
    if row is None:
        raise LookupError(f"question {question_id} vanished")
    return question_from_row(row)


async def unanswered(
    conn: Connection, guild_id: int, topic: str | None, limit: int
) -> tuple[list[Question], int]:
    """Open questions waiting for help, and how many there are in all: first those whose
    asker said they still need help (latest first), then those without a reply from
    anyone but the asker, oldest first."""
    where = f"guild_id = ? AND {WAITING_FOR_HELP}"
    params: list[Any] = [guild_id]
    if topic is not None:
        where += " AND topic = ?"
        params.append(topic)
    total = await sql.fetch_value(
        conn,
        f"SELECT COUNT(*) FROM qa_questions WHERE {where}",  # noqa: S608
        params,
    )
    rows = await sql.fetch_all(
        conn,
        f"SELECT * FROM qa_questions WHERE {where}"  # noqa: S608
        " ORDER BY needs_help_at IS NULL, needs_help_at DESC, asked_at, id LIMIT ?",
        (*params, limit),
    )
    return [question_from_row(row) for row in rows], int(total or 0)


async def hints_pending(conn: Connection, guild_id: int) -> list[Question]:
    """Open questions from members' own forum posts that the bot has not replied in yet."""
    rows = await sql.fetch_all(
        conn,
        "SELECT * FROM qa_questions WHERE guild_id = ? AND origin = 'forum'"
        " AND hint_message_id IS NULL AND status = 'open' ORDER BY id",
        (guild_id,),
    )
    return [question_from_row(row) for row in rows]


async def asked_by(conn: Connection, user_id: int) -> list[Question]:
    rows = await sql.fetch_all(
        conn, "SELECT * FROM qa_questions WHERE asker_id = ? ORDER BY id", (user_id,)
    )
    return [question_from_row(row) for row in rows]


async def count_involving(conn: Connection, user_id: int) -> int:
    value = await sql.fetch_value(
        conn,
        "SELECT COUNT(*) FROM qa_questions WHERE ? IN (asker_id, answerer_id, resolved_by)",
        (user_id,),
    )
    return int(value or 0)


async def anonymise(conn: Connection, user_id: int) -> int:
    """Questions stay; the user's id is taken off them (asker, answerer, resolver)."""
    total = 0
    for column in ("asker_id", "answerer_id", "resolved_by"):
        total += await sql.execute(
            conn,
            f"UPDATE qa_questions SET {column} = NULL WHERE {column} = ?",  # noqa: S608
            (user_id,),
        )
    return total


# -- credits ------------------------------------------------------------------------


async def set_credit(
    conn: Connection, question_id: int, guild_id: int, helper_id: int | None, now: int
) -> None:
    await sql.execute(conn, "DELETE FROM qa_credits WHERE question_id = ?", (question_id,))
    if helper_id is not None:
        await sql.execute(
            conn,
            "INSERT INTO qa_credits (question_id, guild_id, helper_id, credited_at)"
            " VALUES (?, ?, ?, ?)",
            (question_id, guild_id, helper_id, now),
        )


async def leaderboard(
    conn: Connection, guild_id: int, since: int | None, limit: int, offset: int = 0
) -> list[tuple[int, int]]:
    rows = await sql.fetch_all(
        conn,
        """
        SELECT helper_id, COUNT(*) AS credits FROM qa_credits
        WHERE guild_id = ? AND credited_at >= ?
        GROUP BY helper_id
        ORDER BY credits DESC, MIN(credited_at), helper_id
        LIMIT ? OFFSET ?
        """,
        (guild_id, since if since is not None else 0, limit, offset),
    )
    return [(row["helper_id"], row["credits"]) for row in rows]


# -- subscriptions ------------------------------------------------------------------


async def replace_subscriptions(
    conn: Connection, guild_id: int, user_id: int, topics: Iterable[str], now: int
) -> None:
    await sql.execute(
        conn,
        "DELETE FROM qa_subscriptions WHERE guild_id = ? AND user_id = ?",
        (guild_id, user_id),
    )
    await sql.execute_many(
        conn,
        "INSERT INTO qa_subscriptions (guild_id, user_id, topic, created_at) VALUES (?, ?, ?, ?)",
        [(guild_id, user_id, topic, now) for topic in topics],
    )


async def subscriptions(conn: Connection, guild_id: int, user_id: int) -> list[str]:
    rows = await sql.fetch_all(
        conn,
        "SELECT topic FROM qa_subscriptions WHERE guild_id = ? AND user_id = ? ORDER BY topic",
        (guild_id, user_id),
    )
    return [row["topic"] for row in rows]


async def subscribers(conn: Connection, guild_id: int, topic: str, limit: int) -> list[int]:
    rows = await sql.fetch_all(
        conn,
        "SELECT user_id FROM qa_subscriptions WHERE guild_id = ? AND topic = ?"
        " ORDER BY created_at, user_id LIMIT ?",
        (guild_id, topic, limit),
    )
    return [row["user_id"] for row in rows]


# -- timings ------------------------------------------------------------------------


async def timings(conn: Connection, guild_id: int) -> Timings:
    row = await sql.fetch_one(conn, "SELECT * FROM qa_settings WHERE guild_id = ?", (guild_id,))
    if row is None:
        return Timings()
    return Timings(
        unanswered_after=row["unanswered_after"],
        nudge_after=row["nudge_after"],
        dormant_after=row["dormant_after"],
    )


async def save_timings(conn: Connection, guild_id: int, timings: Timings, now: int) -> None:
    await sql.execute(
        conn,
        """
        INSERT INTO qa_settings (guild_id, unanswered_after, nudge_after, dormant_after,
                                 updated_at)
        VALUES (?, ?, ?, ?, ?)
        ON CONFLICT (guild_id) DO UPDATE SET
            unanswered_after = excluded.unanswered_after,
            nudge_after = excluded.nudge_after,
            dormant_after = excluded.dormant_after,
            updated_at = excluded.updated_at
        """,
        (guild_id, timings.unanswered_after, timings.nudge_after, timings.dormant_after, now),
    )


async def solved_between(conn: Connection, guild_id: int, since: int, until: int) -> list[Question]:
    rows = await sql.fetch_all(
        conn,
        "SELECT * FROM qa_questions WHERE guild_id = ? AND status = 'solved'"
        " AND resolved_at BETWEEN ? AND ? ORDER BY resolved_at, id",
        (guild_id, since, until),
    )
    return [question_from_row(row) for row in rows]
