"""Repository: pairing profiles and private exclusions."""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from typing import Any

from bot.db import sql
from bot.db.database import Connection, Row

PROFILE_COLUMNS = frozenset(
    {
        "track",
        "skills",
        "looking_for",
        "availability",
        "windows",
        "zone",
        "bio",
        "available",
        "snoozed_until",
    }
)


@dataclass(frozen=True)
class Profile:
    guild_id: int
    user_id: int
    track: str
    skills: tuple[str, ...]
    looking_for: str
    availability: str | None  # as typed
    windows: tuple[tuple[int, int, int], ...]  # (weekday, start minute, end minute), local
    zone: str
    bio: str | None
    available: bool
    snoozed_until: int | None


_FIELDS = ", ".join(Profile.__dataclass_fields__)  # its columns, in its order


def _from_row(row: Row) -> Profile:
    return Profile(
        guild_id=row["guild_id"],
        user_id=row["user_id"],
        track=row["track"],
        skills=_skills(row["skills"]),
        looking_for=row["looking_for"],
        availability=row["availability"],
        windows=_windows(row["windows"]),
        zone=row["zone"],
        bio=row["bio"],
        available=bool(row["available"]),
        snoozed_until=row["snoozed_until"],
    )


# Memoised on the stored text: ``/pair find`` reads every profile of the server, and
# learners share skill lists and hours.
@functools.lru_cache(maxsize=8192)
def _skills(text: str) -> tuple[str, ...]:
    return tuple(json.loads(text))


@functools.lru_cache(maxsize=8192)
def _windows(text: str) -> tuple[tuple[int, int, int], ...]:
    return tuple((int(d), int(a), int(b)) for d, a, b in json.loads(text))


def encode(values: dict[str, object]) -> dict[str, object]:
    """Lists stored as JSON text."""
    return {k: json.dumps(v) if isinstance(v, list | tuple) else v for k, v in values.items()}


async def save(
    conn: Connection, guild_id: int, user_id: int, values: dict[str, object], now: int
) -> Profile:
    """Create the profile, or change the columns given."""
    stored = encode(values)
    row = await sql.fetch_one(
        conn, "SELECT 1 FROM pair_profiles WHERE guild_id = ? AND user_id = ?", (guild_id, user_id)
    )
    if row is None:
        created = await sql.insert_columns(
            conn,
            "pair_profiles",
            {
                **stored,
                "guild_id": guild_id,
                "user_id": user_id,
                "created_at": now,
                "updated_at": now,
            },
            PROFILE_COLUMNS | {"guild_id", "user_id", "created_at", "updated_at"},
        )
        return _from_row(created)
    updated = await sql.update_columns(
        conn,
        "pair_profiles",
        "user_id",
        user_id,
        {**stored, "updated_at": now},
        PROFILE_COLUMNS | {"updated_at"},
        where=f"guild_id = {int(guild_id)}",
    )
    if updated is None:  # pragma: no cover - read in this transaction
        raise LookupError("profile vanished")
    return _from_row(updated)


async def get(conn: Connection, guild_id: int, user_id: int) -> Profile | None:
    row = await sql.fetch_one(
        conn,
        "SELECT * FROM pair_profiles WHERE guild_id = ? AND user_id = ?",
        (guild_id, user_id),
    )
    return None if row is None else _from_row(row)


async def many(conn: Connection, guild_id: int, user_ids: list[int]) -> dict[int, Profile]:
    rows = await sql.fetch_all(
        conn,
        f"SELECT * FROM pair_profiles WHERE guild_id = ? AND user_id IN ({sql.placeholders(len(user_ids))})",  # noqa: S608,E501
        (guild_id, *user_ids),
    )
    return {row["user_id"]: _from_row(row) for row in rows}


async def in_guild(conn: Connection, guild_id: int) -> list[Profile]:
    """Every profile of the server, by user id."""
    rows = await sql.fetch_all(
        conn,
        f"SELECT {_FIELDS} FROM pair_profiles WHERE guild_id = ? ORDER BY user_id",  # noqa: S608
        (guild_id,),
    )
    return [_from_values(tuple(row)) for row in rows]


# Memoised on the row's values: ``/pair find`` reads the whole server again after a
# change, and all but the changed profile are the ones it read before.
@functools.lru_cache(maxsize=8192)
def _from_values(values: tuple[Any, ...]) -> Profile:
    guild_id, user_id, track, skills, looking_for, availability, windows, *rest = values
    zone, bio, available, snoozed_until = rest
    return Profile(
        guild_id=guild_id,
        user_id=user_id,
        track=track,
        skills=_skills(skills),
        looking_for=looking_for,
        availability=availability,
        windows=_windows(windows),
        zone=zone,
        bio=bio,
        available=bool(available),
        snoozed_until=snoozed_until,
    )


async def count(conn: Connection, guild_id: int) -> int:
    return int(
        await sql.fetch_value(
            conn, "SELECT COUNT(*) FROM pair_profiles WHERE guild_id = ?", (guild_id,)
        )
        or 0
    )


# -- exclusions --------------------------------------------------------------------------


async def exclude(conn: Connection, guild_id: int, user_id: int, other_id: int, now: int) -> bool:
    """True when newly excluded (False: it already was)."""
    return (
        await sql.execute(
            conn,
            "INSERT INTO pair_exclusions (guild_id, user_id, excluded_id, created_at)"
            " VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
            (guild_id, user_id, other_id, now),
        )
        > 0
    )


async def exclusions(conn: Connection, guild_id: int) -> list[tuple[int, int]]:
    """Every (author, excluded) of the server, for the matcher's hard constraints."""
    rows = await sql.fetch_all(
        conn, "SELECT user_id, excluded_id FROM pair_exclusions WHERE guild_id = ?", (guild_id,)
    )
    return [(row[0], row[1]) for row in rows]


async def excluded_by(conn: Connection, guild_id: int, user_id: int) -> list[int]:
    rows = await sql.fetch_all(
        conn,
        "SELECT excluded_id FROM pair_exclusions WHERE guild_id = ? AND user_id = ?"
        " ORDER BY created_at",
        (guild_id, user_id),
    )
    return [row[0] for row in rows]


# -- forget-me -----------------------------------------------------------------------------


async def count_exclusions_involving(conn: Connection, user_id: int) -> int:
    return int(
        await sql.fetch_value(
            conn,
            "SELECT COUNT(*) FROM pair_exclusions WHERE user_id = ? OR excluded_id = ?",
            (user_id, user_id),
        )
        or 0
    )


async def delete_exclusions_involving(conn: Connection, user_id: int) -> int:
    return await sql.execute(
        conn,
        "DELETE FROM pair_exclusions WHERE user_id = ? OR excluded_id = ?",
        (user_id, user_id),
    )


# -- what /pair find reads, versioned ------------------------------------------------------


async def versions(conn: Connection, guild_id: int) -> tuple[int, int]:
    """The server's pairing counters (triggers, migration 0015): ``profiles`` goes up
    with every change to its profiles, ``links`` with every change to its exclusions,
    pairs and declined requests; (0, 0) before any."""
    row = await sql.fetch_one(
        conn, "SELECT profiles, links FROM pair_versions WHERE guild_id = ?", (guild_id,)
    )
    return (0, 0) if row is None else (int(row[0]), int(row[1]))
