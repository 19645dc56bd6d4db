"""The small SQL helpers every repository uses, one statement each.

Each takes the connection first: ``db.reader`` for reads (a thread hop each), the ``tx``
of ``async with db.transaction() as tx`` for writes and for reads of what the
transaction wrote (no hop: run at once). None of them opens a transaction.
Table and column names passed here come from code, never from users; they are checked
to be plain identifiers all the same.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, TypeVar

from bot.db.database import Connection, Row
from bot.sharding import Shards

Params = Sequence[Any] | Mapping[str, Any]
R = TypeVar("R")

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def identifier(name: str) -> str:
    """``name`` if it is a plain SQL identifier (a table or column), else ValueError."""
    if not _IDENTIFIER.fullmatch(name):
        raise ValueError(f"not an SQL identifier: {name!r}")
    return name


def record(cls: type[R], values: dict[str, Any]) -> R:
    """A frozen dataclass ``cls`` holding ``values`` (one per field, by name): what
    ``cls(**values)`` makes, without its ``__init__``. A frozen dataclass's ``__init__``
    sets each field through ``object.__setattr__``; for rows mapped by the page
    (sessions: 22 fields, questions: 28) that cost twice what filling ``__dict__`` at
    once does. Same object: fields, equality, hash and repr."""
    made = _new(cls)
    _setattr(made, "__dict__", values)
    return made


_new = object.__new__
_setattr = object.__setattr__


def placeholders(count: int) -> str:
    """``?, ?, ?`` for an ``IN (…)`` list; ``NULL`` when empty (which matches nothing)."""
    return ", ".join("?" * count) if count else "NULL"


def owned_by(shards: Shards, column: str = "guild_id") -> tuple[str, tuple[int, ...]]:
    """A condition on ``column`` (a guild id) true for the rows whose guild ``shards``
    own, by Discord's formula ``(guild_id >> 22) % count``; a row of no guild belongs to
    shard 0. Unsharded: always true. Returns the SQL and its parameters."""
    if shards.count is None:
        return "1 = 1", ()
    name = identifier(column)
    return (
        f"COALESCE(({name} >> 22) % ?, 0) IN ({placeholders(len(shards.ids))})",
        (shards.count, *shards.ids),
    )


async def fetch_all(conn: Connection, sql: str, params: Params = ()) -> list[Row]:
    """Every row of a query (or of a statement's ``RETURNING``)."""
    return list(await conn.execute_fetchall(sql, params))


async def fetch_one(conn: Connection, sql: str, params: Params = ()) -> Row | None:
    """The row of a query that returns at most one (by key, an aggregate, ``LIMIT 1``)."""
    rows = await fetch_all(conn, sql, params)
    return rows[0] if rows else None


async def fetch_value(conn: Connection, sql: str, params: Params = ()) -> Any:
    """The first column of the first row, or None when there is no row."""
    row = await fetch_one(conn, sql, params)
    return None if row is None else row[0]


async def execute(conn: Connection, sql: str, params: Params = ()) -> int:
    """One statement; returns the rows it changed."""
    outcome = await conn.execute(sql, params)
    return outcome.rowcount


async def execute_many(conn: Connection, sql: str, rows: Iterable[Params]) -> None:
    """One statement over many parameter rows (one call)."""
    await conn.executemany(sql, rows)


async def returning_one_or_none(conn: Connection, sql: str, params: Params = ()) -> Row | None:
    """The row an ``INSERT/UPDATE/DELETE … RETURNING`` of at most one row gave back."""
    return await fetch_one(conn, sql, params)


async def returning_one(conn: Connection, sql: str, params: Params = ()) -> Row:
    """The row an ``INSERT/UPDATE … RETURNING`` must give back; LookupError if none."""
    row = await fetch_one(conn, sql, params)
    if row is None:
        statement = " ".join(sql.split())[:80]
        raise LookupError(f"no row came back from: {statement}")
    return row


def _checked(table: str, values: Mapping[str, Any], allowed: frozenset[str]) -> None:
    if not values:
        raise ValueError(f"no columns given for {table}")
    unknown = set(values) - allowed
    if unknown:
        raise ValueError(f"not allowed in {table}: {sorted(unknown)}")


async def update_columns(
    conn: Connection,
    table: str,
    key_column: str,
    key: Any,
    values: Mapping[str, Any],
    allowed: frozenset[str],
    where: str = "",
) -> Row | None:
    """``UPDATE table SET <values> WHERE key_column = key [AND (where)] RETURNING *``.

    Only the columns in ``allowed`` may be set (ValueError otherwise); ``where`` is SQL
    from code. Returns the updated row, or None when no row matched."""
    _checked(table, values, allowed)
    assignments = ", ".join(f"{identifier(column)} = ?" for column in values)
    condition = f" AND ({where})" if where else ""
    sql = (
        f"UPDATE {identifier(table)} SET {assignments}"  # noqa: S608 - names checked
        f" WHERE {identifier(key_column)} = ?{condition} RETURNING *"
    )
    return await returning_one_or_none(conn, sql, (*values.values(), key))


async def insert_columns(
    conn: Connection, table: str, values: Mapping[str, Any], allowed: frozenset[str]
) -> Row:
    """``INSERT INTO table (<columns>) VALUES (…) RETURNING *`` for the columns in
    ``values``, each of them in ``allowed`` (ValueError otherwise)."""
    _checked(table, values, allowed)
    columns = ", ".join(identifier(column) for column in values)
    sql = (
        f"INSERT INTO {identifier(table)} ({columns})"  # noqa: S608 - names checked
        f" VALUES ({placeholders(len(values))}) RETURNING *"
    )
    return await returning_one(conn, sql, tuple(values.values()))
