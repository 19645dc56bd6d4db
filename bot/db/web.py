"""Repository: Nexus on the web — which servers publish, who keeps their posts off the
web, and the names the pages show."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.db import sql
from bot.db.database import Connection


@dataclass(frozen=True)
class WebGuild:
    guild_id: int
    enabled: bool
    name: str
    updated_at: int


# -- servers --------------------------------------------------------------------------


async def guild(conn: Connection, guild_id: int) -> WebGuild | None:
    row = await sql.fetch_one(conn, "SELECT * FROM web_guilds WHERE guild_id = ?", (guild_id,))
    if row is None:
        return None
    return WebGuild(row["guild_id"], bool(row["enabled"]), row["name"], row["updated_at"])


async def set_guild(
    conn: Connection, guild_id: int, *, enabled: bool, name: str, changed_by: int, now: int
) -> WebGuild:
    row = await sql.returning_one(
        conn,
        """
        INSERT INTO web_guilds (guild_id, enabled, name, changed_by, updated_at)
        VALUES (?, ?, ?, ?, ?)
        ON CONFLICT (guild_id) DO UPDATE SET
            enabled = excluded.enabled, name = excluded.name,
            changed_by = excluded.changed_by, updated_at = excluded.updated_at
        RETURNING *
        """,
        (guild_id, int(enabled), name, changed_by, now),
    )
    return WebGuild(row["guild_id"], bool(row["enabled"]), row["name"], row["updated_at"])


async def rename_guild(conn: Connection, guild_id: int, name: str) -> int:
    return await sql.execute(
        conn, "UPDATE web_guilds SET name = ? WHERE guild_id = ?", (name, guild_id)
    )


async def published(conn: Connection) -> list[WebGuild]:
    rows = await sql.fetch_all(
        conn, "SELECT * FROM web_guilds WHERE enabled = 1 ORDER BY name, guild_id"
    )
    return [WebGuild(r["guild_id"], True, r["name"], r["updated_at"]) for r in rows]


# -- members who keep their posts off the web -----------------------------------------


async def hide(conn: Connection, user_id: int, now: int) -> bool:
    """True when the user was shown until now."""
    changed = await sql.execute(
        conn,
        "INSERT INTO web_hidden_users (user_id, hidden_at) VALUES (?, ?)"
        " ON CONFLICT (user_id) DO NOTHING",
        (user_id, now),
    )
    return changed > 0


async def show(conn: Connection, user_id: int) -> bool:
    """True when the user was hidden until now."""
    return await sql.execute(conn, "DELETE FROM web_hidden_users WHERE user_id = ?", (user_id,)) > 0


async def is_hidden(conn: Connection, user_id: int) -> bool:
    value = await sql.fetch_value(
        conn, "SELECT 1 FROM web_hidden_users WHERE user_id = ?", (user_id,)
    )
    return value is not None


async def hidden_among(conn: Connection, user_ids: Sequence[int]) -> set[int]:
    if not user_ids:
        return set()
    marks = sql.placeholders(len(user_ids))
    rows = await sql.fetch_all(
        conn,
        f"SELECT user_id FROM web_hidden_users WHERE user_id IN ({marks})",  # noqa: S608
        tuple(user_ids),
    )
    return {row[0] for row in rows}


async def keep_questions_hidden(conn: Connection, user_id: int) -> int:
    """Before a hidden user's id is taken off their questions (forget-me): remember the
    questions themselves as hidden. Nothing for a user who is not hidden."""
    return await sql.execute(
        conn,
        "INSERT INTO web_hidden_questions (question_id)"
        " SELECT q.id FROM qa_questions q WHERE q.asker_id = ?"
        " AND EXISTS (SELECT 1 FROM web_hidden_users h WHERE h.user_id = q.asker_id)"
        " ON CONFLICT (question_id) DO NOTHING",
        (user_id,),
    )


# -- names ----------------------------------------------------------------------------


async def save_name(conn: Connection, guild_id: int, user_id: int, name: str, now: int) -> None:
    await sql.execute(
        conn,
        "INSERT INTO web_names (guild_id, user_id, name, updated_at) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (guild_id, user_id) DO UPDATE SET"
        " name = excluded.name, updated_at = excluded.updated_at",
        (guild_id, user_id, name, now),
    )


async def names(conn: Connection, guild_id: int, user_ids: Sequence[int]) -> dict[int, str]:
    if not user_ids:
        return {}
    marks = sql.placeholders(len(user_ids))
    rows = await sql.fetch_all(
        conn,
        f"SELECT user_id, name FROM web_names WHERE guild_id = ? AND user_id IN ({marks})",  # noqa: S608
        (guild_id, *user_ids),
    )
    return {row[0]: row[1] for row in rows}
