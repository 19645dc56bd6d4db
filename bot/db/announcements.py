"""Repository: announcements, the messages they posted, their audit trail, and the
weekly digest's schedule."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from bot.db import sql
from bot.db.database import Connection, Row

COLUMNS = frozenset(
    {
        "guild_id",
        "author_id",
        "author_name",
        "channel_id",
        "title",
        "body",
        "ping_role_id",
        "status",
        "due_at",
        "repeat",
        "zone",
        "occurrence",
        "created_at",
        "updated_at",
    }
)


@dataclass(frozen=True)
class Announcement:
    id: int
    guild_id: int
    author_id: int | None
    author_name: str
    channel_id: int
    title: str
    body: str
    ping_role_id: int | None
    status: str
    due_at: int | None
    repeat: str
    zone: str
    occurrence: int
    created_at: int

    @property
    def due(self) -> datetime | None:
        return None if self.due_at is None else datetime.fromtimestamp(self.due_at, UTC)

    @property
    def pings_everyone(self) -> bool:
        return self.ping_role_id is not None and self.ping_role_id == self.guild_id


@dataclass(frozen=True)
class Post:
    announcement_id: int
    channel_id: int
    message_id: int
    occurrence: int
    published: bool
    posted_at: int
    deleted: bool


@dataclass(frozen=True)
class AuditEntry:
    announcement_id: int
    actor_id: int | None
    action: str
    detail: str
    at: int


def _announcement(row: Row) -> Announcement:
    return Announcement(**{k: row[k] for k in Announcement.__dataclass_fields__})


def _post(row: Row) -> Post:
    return Post(
        announcement_id=row["announcement_id"],
        channel_id=row["channel_id"],
        message_id=row["message_id"],
        occurrence=row["occurrence"],
        published=bool(row["published"]),
        posted_at=row["posted_at"],
        deleted=row["deleted_at"] is not None,
    )


async def insert(conn: Connection, values: dict[str, object]) -> Announcement:
    return _announcement(await sql.insert_columns(conn, "announcements", values, COLUMNS))


async def get(conn: Connection, announcement_id: int) -> Announcement | None:
    row = await sql.fetch_one(conn, "SELECT * FROM announcements WHERE id = ?", (announcement_id,))
    return None if row is None else _announcement(row)


async def update(
    conn: Connection, announcement_id: int, values: dict[str, object], where: str = ""
) -> Announcement | None:
    """Set ``values``; None when the row is gone or ``where`` (SQL from code) fails."""
    row = await sql.update_columns(
        conn, "announcements", "id", announcement_id, values, COLUMNS, where=where
    )
    return None if row is None else _announcement(row)


async def in_guild(conn: Connection, guild_id: int, *, limit: int = 20) -> list[Announcement]:
    """The server's scheduled announcements (soonest first), then the last ``limit`` that
    were posted, cancelled, deleted or failed (newest first)."""
    scheduled = await sql.fetch_all(
        conn,
        "SELECT * FROM announcements WHERE guild_id = ? AND status = 'scheduled'"
        " ORDER BY due_at, id",
        (guild_id,),
    )
    recent = await sql.fetch_all(
        conn,
        "SELECT * FROM announcements WHERE guild_id = ? AND status NOT IN ('draft', 'scheduled')"
        " ORDER BY updated_at DESC, id DESC LIMIT ?",
        (guild_id, limit),
    )
    return [_announcement(row) for row in [*scheduled, *recent]]


async def search(conn: Connection, guild_id: int, text: str, limit: int) -> list[Announcement]:
    like = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    rows = await sql.fetch_all(
        conn,
        "SELECT * FROM announcements WHERE guild_id = ? AND status != 'draft'"
        " AND (lower(title) LIKE lower(?) ESCAPE '\\' OR CAST(id AS TEXT) = ?)"
        " ORDER BY (status = 'scheduled') DESC, updated_at DESC LIMIT ?",
        (guild_id, like, text.strip().lstrip("#"), limit),
    )
    return [_announcement(row) for row in rows]


# -- posts ----------------------------------------------------------------------------------


async def record_post(
    conn: Connection,
    *,
    announcement_id: int,
    channel_id: int,
    message_id: int,
    occurrence: int,
    now: int,
) -> bool:
    """Record a posted message; False when this occurrence was already recorded."""
    return (
        await sql.execute(
            conn,
            "INSERT INTO announcement_posts (announcement_id, channel_id, message_id, occurrence,"
            " posted_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            (announcement_id, channel_id, message_id, occurrence, now),
        )
        > 0
    )


async def mark_published(conn: Connection, announcement_id: int, occurrence: int) -> None:
    await sql.execute(
        conn,
        "UPDATE announcement_posts SET published = 1 WHERE announcement_id = ? AND occurrence = ?",
        (announcement_id, occurrence),
    )


async def published_since(conn: Connection, channel_id: int, since: int) -> int:
    """Messages the bot published (crossposted) in a channel since ``since``."""
    return int(
        await sql.fetch_value(
            conn,
            "SELECT COUNT(*) FROM announcement_posts WHERE channel_id = ? AND published = 1"
            " AND posted_at >= ?",
            (channel_id, since),
        )
        or 0
    )


async def posts(conn: Connection, announcement_id: int) -> list[Post]:
    rows = await sql.fetch_all(
        conn,
        "SELECT * FROM announcement_posts WHERE announcement_id = ? ORDER BY occurrence",
        (announcement_id,),
    )
    return [_post(row) for row in rows]


async def mark_deleted(conn: Connection, announcement_id: int, now: int) -> None:
    await sql.execute(
        conn,
        "UPDATE announcement_posts SET deleted_at = ? WHERE announcement_id = ?"
        " AND deleted_at IS NULL",
        (now, announcement_id),
    )


# -- audit ----------------------------------------------------------------------------------


async def audit(
    conn: Connection,
    announcement_id: int,
    actor_id: int | None,
    action: str,
    detail: str,
    now: int,
) -> None:
    await sql.execute(
        conn,
        "INSERT INTO announcement_audit (announcement_id, actor_id, action, detail, at)"
        " VALUES (?, ?, ?, ?, ?)",
        (announcement_id, actor_id, action, detail, now),
    )


async def audit_of(conn: Connection, announcement_ids: list[int]) -> list[AuditEntry]:
    marks = sql.placeholders(len(announcement_ids))
    query = f"SELECT * FROM announcement_audit WHERE announcement_id IN ({marks})"  # noqa: S608
    rows = await sql.fetch_all(conn, query + " ORDER BY at, id", announcement_ids)
    return [
        AuditEntry(row["announcement_id"], row["actor_id"], row["action"], row["detail"], row["at"])
        for row in rows
    ]


# -- forget-me --------------------------------------------------------------------------------


async def count_authored(conn: Connection, user_id: int) -> int:
    return int(
        await sql.fetch_value(
            conn, "SELECT COUNT(*) FROM announcements WHERE author_id = ?", (user_id,)
        )
        or 0
    )


async def forget_author(conn: Connection, user_id: int, name: str) -> list[Announcement]:
    """The author becomes "a former member" on their announcements (which stay), and in
    the audit trail; the posted ones are returned so their messages can be re-signed."""
    rows = await sql.fetch_all(
        conn,
        "UPDATE announcements SET author_id = NULL, author_name = ? WHERE author_id = ?"
        " RETURNING *",
        (name, user_id),
    )
    await sql.execute(
        conn, "UPDATE announcement_audit SET actor_id = NULL WHERE actor_id = ?", (user_id,)
    )
    return [_announcement(row) for row in rows]


# -- the digest's schedule --------------------------------------------------------------------


async def digest_schedule(conn: Connection, guild_id: int) -> tuple[int, int, str] | None:
    row = await sql.fetch_one(
        conn,
        "SELECT weekday, at_minute, zone FROM announcement_digests WHERE guild_id = ?",
        (guild_id,),
    )
    return None if row is None else (row[0], row[1], row[2])


async def set_digest_schedule(
    conn: Connection, guild_id: int, weekday: int, at_minute: int, zone: str, now: int
) -> None:
    await sql.execute(
        conn,
        "INSERT INTO announcement_digests (guild_id, weekday, at_minute, zone, updated_at)"
        " VALUES (?, ?, ?, ?, ?) ON CONFLICT (guild_id) DO UPDATE SET weekday = excluded.weekday,"
        " at_minute = excluded.at_minute, zone = excluded.zone, updated_at = excluded.updated_at",
        (guild_id, weekday, at_minute, zone, now),
    )


async def clear_digest_schedule(conn: Connection, guild_id: int) -> None:
    await sql.execute(conn, "DELETE FROM announcement_digests WHERE guild_id = ?", (guild_id,))
