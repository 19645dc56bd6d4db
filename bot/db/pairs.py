"""Repository: pairs and trios, their members and check-ins, rounds and their schedule."""

from __future__ import annotations

import json
from dataclasses import dataclass

from bot.db import sql
from bot.db.database import Connection, Row


@dataclass(frozen=True)
class Pair:
    id: int
    guild_id: int
    round_id: int | None
    request_id: int | None
    status: str
    score: int
    thread_name: str
    thread_id: int | None
    created_at: int
    members: tuple[int, ...]


@dataclass(frozen=True)
class Round:
    id: int
    guild_id: int
    started_by: int | None
    status: str
    learners: int
    total_score: int
    shuffle_score: int
    unpaired: tuple[tuple[int, str], ...]
    created_at: int


@dataclass(frozen=True)
class Schedule:
    guild_id: int
    weekday: int
    at_minute: int
    zone: str
    timer_id: int | None


def _pair(row: Row, members: list[int]) -> Pair:
    return Pair(
        id=row["id"],
        guild_id=row["guild_id"],
        round_id=row["round_id"],
        request_id=row["request_id"],
        status=row["status"],
        score=row["score"],
        thread_name=row["thread_name"],
        thread_id=row["thread_id"],
        created_at=row["created_at"],
        members=tuple(sorted(members)),
    )


def _round(row: Row) -> Round:
    return Round(
        id=row["id"],
        guild_id=row["guild_id"],
        started_by=row["started_by"],
        status=row["status"],
        learners=row["learners"],
        total_score=row["total_score"],
        shuffle_score=row["shuffle_score"],
        unpaired=tuple((int(u), str(r)) for u, r in json.loads(row["unpaired"])),
        created_at=row["created_at"],
    )


async def _with_members(conn: Connection, rows: list[Row]) -> list[Pair]:
    if not rows:
        return []
    ids = [row["id"] for row in rows]
    found = await sql.fetch_all(
        conn,
        f"SELECT pair_id, user_id FROM pair_members WHERE pair_id IN ({sql.placeholders(len(ids))})",  # noqa: S608,E501
        ids,
    )
    members: dict[int, list[int]] = {i: [] for i in ids}
    for row in found:
        members[row[0]].append(row[1])
    return [_pair(row, members[row["id"]]) for row in rows]


async def insert(
    conn: Connection,
    *,
    guild_id: int,
    members: list[int],
    score: int,
    name: str,
    now: int,
    round_id: int | None = None,
    request_id: int | None = None,
) -> Pair:
    """A pair or trio; its thread is named ``name`` with the pair's id (the intent that
    finds the thread again after a crash)."""
    row = await sql.returning_one(
        conn,
        "INSERT INTO pairs (guild_id, round_id, request_id, score, thread_name, created_at)"
        " VALUES (?, ?, ?, ?, '', ?) RETURNING id",
        (guild_id, round_id, request_id, score, now),
    )
    pair_id = int(row["id"])
    row = await sql.returning_one(
        conn,
        "UPDATE pairs SET thread_name = ? WHERE id = ? RETURNING *",
        (name.format(id=pair_id), pair_id),
    )
    await sql.execute_many(
        conn,
        "INSERT INTO pair_members (pair_id, guild_id, user_id) VALUES (?, ?, ?)",
        [(pair_id, guild_id, user_id) for user_id in members],
    )
    return _pair(row, members)


async def get(conn: Connection, pair_id: int) -> Pair | None:
    rows = await sql.fetch_all(conn, "SELECT * FROM pairs WHERE id = ?", (pair_id,))
    found = await _with_members(conn, rows)
    return found[0] if found else None


async def attach_thread(conn: Connection, pair_id: int, thread_id: int) -> None:
    await sql.execute(
        conn,
        "UPDATE pairs SET thread_id = ? WHERE id = ? AND thread_id IS NULL",
        (thread_id, pair_id),
    )


async def without_thread(conn: Connection, guild_id: int | None = None) -> list[Pair]:
    """Pairs whose private thread was not (known to be) opened yet, oldest first."""
    rows = await sql.fetch_all(
        conn,
        "SELECT * FROM pairs WHERE thread_id IS NULL AND status = 'active'"
        " AND (CAST(? AS BIGINT) IS NULL OR guild_id = ?) ORDER BY id",
        (guild_id, guild_id),
    )
    return await _with_members(conn, rows)


async def active_for(conn: Connection, guild_id: int, user_id: int) -> list[Pair]:
    rows = await sql.fetch_all(
        conn,
        "SELECT p.* FROM pairs p JOIN pair_members m ON m.pair_id = p.id"
        " WHERE p.guild_id = ? AND m.user_id = ? AND p.status = 'active' ORDER BY p.id",
        (guild_id, user_id),
    )
    return await _with_members(conn, rows)


async def partnered(conn: Connection, guild_id: int) -> set[int]:
    """Everyone in the server with an active partnership."""
    rows = await sql.fetch_all(
        conn,
        "SELECT DISTINCT m.user_id FROM pair_members m JOIN pairs p ON p.id = m.pair_id"
        " WHERE p.guild_id = ? AND p.status = 'active'",
        (guild_id,),
    )
    return {row[0] for row in rows}


async def end(conn: Connection, pair_id: int, by: int, now: int) -> bool:
    return (
        await sql.execute(
            conn,
            "UPDATE pairs SET status = 'ended', ended_at = ?, ended_by = ?"
            " WHERE id = ? AND status = 'active'",
            (now, by, pair_id),
        )
        > 0
    )


async def history(conn: Connection, guild_id: int) -> list[tuple[tuple[int, ...], int, bool]]:
    """Every pairing of the server: its members, when it was made, whether it ended."""
    rows = await sql.fetch_all(
        conn,
        "SELECT p.id, p.status, p.created_at, m.user_id FROM pairs p"
        " JOIN pair_members m ON m.pair_id = p.id WHERE p.guild_id = ?",
        (guild_id,),
    )
    groups: dict[int, tuple[list[int], int, bool]] = {}
    for row in rows:
        entry = groups.setdefault(row["id"], ([], row["created_at"], row["status"] == "ended"))
        entry[0].append(row["user_id"])
    return [(tuple(members), made, ended) for members, made, ended in groups.values()]


async def made_since(conn: Connection, guild_id: int, since: int) -> list[Pair]:
    rows = await sql.fetch_all(
        conn,
        "SELECT * FROM pairs WHERE guild_id = ? AND created_at >= ? ORDER BY id",
        (guild_id, since),
    )
    return await _with_members(conn, rows)


# -- check-ins ---------------------------------------------------------------------------


async def check_in(conn: Connection, pair_id: int, user_id: int, answer: str, now: int) -> None:
    await sql.execute(
        conn,
        "INSERT INTO pair_checkins (pair_id, user_id, answer, answered_at) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (pair_id, user_id) DO UPDATE SET answer = excluded.answer,"
        " answered_at = excluded.answered_at",
        (pair_id, user_id, answer, now),
    )


async def checkins(conn: Connection, pair_id: int) -> dict[int, str]:
    rows = await sql.fetch_all(
        conn, "SELECT user_id, answer FROM pair_checkins WHERE pair_id = ?", (pair_id,)
    )
    return {row[0]: row[1] for row in rows}


async def checkin_stats(conn: Connection, guild_id: int) -> dict[str, int]:
    """How pairs went, by their members' latest answers: pairs where someone met,
    where nobody has yet, where it didn't work out."""
    rows = await sql.fetch_all(
        conn,
        "SELECT c.answer, COUNT(DISTINCT c.pair_id) FROM pair_checkins c"
        " JOIN pairs p ON p.id = c.pair_id WHERE p.guild_id = ? GROUP BY c.answer",
        (guild_id,),
    )
    return {row[0]: row[1] for row in rows}


# -- rounds and schedule -------------------------------------------------------------------


async def insert_round(
    conn: Connection,
    *,
    guild_id: int,
    started_by: int | None,
    timer_id: int | None,
    learners: int,
    total_score: int,
    shuffle_score: int,
    unpaired: list[tuple[int, str]],
    now: int,
) -> Round:
    row = await sql.returning_one(
        conn,
        "INSERT INTO pair_rounds (guild_id, started_by, timer_id, learners, total_score,"
        " shuffle_score, unpaired, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING *",
        (
            guild_id,
            started_by,
            timer_id,
            learners,
            total_score,
            shuffle_score,
            json.dumps(unpaired),
            now,
        ),
    )
    return _round(row)


async def get_round(conn: Connection, round_id: int) -> Round | None:
    row = await sql.fetch_one(conn, "SELECT * FROM pair_rounds WHERE id = ?", (round_id,))
    return None if row is None else _round(row)


async def finish_round(conn: Connection, round_id: int, now: int) -> bool:
    return (
        await sql.execute(
            conn,
            "UPDATE pair_rounds SET status = 'done', finished_at = ?"
            " WHERE id = ? AND status = 'opening'",
            (now, round_id),
        )
        > 0
    )


async def of_round(conn: Connection, round_id: int) -> list[Pair]:
    rows = await sql.fetch_all(
        conn, "SELECT * FROM pairs WHERE round_id = ? ORDER BY id", (round_id,)
    )
    return await _with_members(conn, rows)


async def opening_rounds(conn: Connection, guild_id: int) -> list[Round]:
    rows = await sql.fetch_all(
        conn,
        "SELECT * FROM pair_rounds WHERE guild_id = ? AND status = 'opening' ORDER BY id",
        (guild_id,),
    )
    return [_round(row) for row in rows]


async def round_of_timer(conn: Connection, timer_id: int) -> Round | None:
    row = await sql.fetch_one(conn, "SELECT * FROM pair_rounds WHERE timer_id = ?", (timer_id,))
    return None if row is None else _round(row)


async def get_schedule(conn: Connection, guild_id: int) -> Schedule | None:
    row = await sql.fetch_one(conn, "SELECT * FROM pair_schedules WHERE guild_id = ?", (guild_id,))
    if row is None:
        return None
    return Schedule(row["guild_id"], row["weekday"], row["at_minute"], row["zone"], row["timer_id"])


async def set_schedule(conn: Connection, schedule: Schedule, now: int) -> None:
    await sql.execute(
        conn,
        "INSERT INTO pair_schedules (guild_id, weekday, at_minute, zone, timer_id, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (guild_id) DO UPDATE SET"
        " weekday = excluded.weekday, at_minute = excluded.at_minute, zone = excluded.zone,"
        " timer_id = excluded.timer_id, updated_at = excluded.updated_at",
        (
            schedule.guild_id,
            schedule.weekday,
            schedule.at_minute,
            schedule.zone,
            schedule.timer_id,
            now,
        ),
    )


async def clear_schedule(conn: Connection, guild_id: int) -> Schedule | None:
    row = await sql.returning_one_or_none(
        conn, "DELETE FROM pair_schedules WHERE guild_id = ? RETURNING *", (guild_id,)
    )
    if row is None:
        return None
    return Schedule(row["guild_id"], row["weekday"], row["at_minute"], row["zone"], row["timer_id"])


# -- forget-me -----------------------------------------------------------------------------


async def count_memberships(conn: Connection, user_id: int) -> int:
    return int(
        await sql.fetch_value(
            conn, "SELECT COUNT(*) FROM pair_members WHERE user_id = ?", (user_id,)
        )
        or 0
    )


async def forget_member(conn: Connection, user_id: int) -> list[int]:
    """Drop a user from every pair (their check-ins too); a pair left with one member
    ends. Returns the ids of the pairs that were active."""
    rows = await sql.fetch_all(
        conn,
        "SELECT p.id FROM pairs p JOIN pair_members m ON m.pair_id = p.id"
        " WHERE m.user_id = ? AND p.status = 'active'",
        (user_id,),
    )
    await sql.execute(conn, "DELETE FROM pair_checkins WHERE user_id = ?", (user_id,))
    await sql.execute(conn, "DELETE FROM pair_members WHERE user_id = ?", (user_id,))
    await sql.execute(
        conn,
        "UPDATE pairs SET status = 'ended' WHERE status = 'active'"
        " AND (SELECT COUNT(*) FROM pair_members m WHERE m.pair_id = pairs.id) < 2",
    )
    return [row[0] for row in rows]
