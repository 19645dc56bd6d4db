"""``nexus-bot migrate-data``: a community's data from its SQLite file into an empty
PostgreSQL database, then checked.

Both databases are first brought to the latest schema (as ``nexus-bot check`` does), so
their tables and columns are the same. Tables are copied in the order SQLite created
them, which is an order their foreign keys allow; the search index is not copied (on
PostgreSQL it is a generated column, filled as rows arrive), nor the generated columns.
The copy is one transaction on PostgreSQL with the tables' own triggers off: the rows
arrive as they are, the head counts and card versions included, and no trigger counts
them twice. Afterwards each identity sequence is moved past the highest id copied.

The check: every table holds as many rows on both sides, and a sample of each table's
rows (every n-th, about ``SAMPLE`` of them) is found on PostgreSQL, every column equal.
"""

from __future__ import annotations

from bot.db import sql
from bot.db.database import Database
from bot.db.postgres import PostgresDatabase
from bot.errors import StartupError

SAMPLE = 25


class CopyRefused(StartupError):
    """The copy was refused, or its check failed: nothing was (or should be) used."""


async def tables(source: Database) -> list[tuple[str, list[str]]]:
    """The SQLite tables to copy, in creation order, with their stored columns."""
    rows = await sql.fetch_all(
        source.reader,
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        " AND name NOT LIKE 'qa_fts%' ORDER BY rowid",
    )
    found = []
    for (table,) in rows:
        # table_xinfo's hidden: 0 a stored column, 2 and 3 generated ones.
        info = await sql.fetch_all(source.reader, f"PRAGMA table_xinfo({sql.identifier(table)})")
        found.append((table, [column["name"] for column in info if column["hidden"] == 0]))
    return found


async def refuse_non_empty(target: PostgresDatabase, names: list[str]) -> None:
    for table in names:
        if await sql.fetch_value(target.reader, f"SELECT 1 FROM {table} LIMIT 1"):  # noqa: S608
            raise CopyRefused(
                f"the target database {target.path} is not empty (table {table} has rows): "
                "migrate-data only copies into a database created for it"
            )


async def copy(source: Database, target: PostgresDatabase) -> dict[str, int]:
    """Copy every table (the target must be empty); returns the rows copied per table."""
    found = await tables(source)
    await refuse_non_empty(target, [table for table, _ in found])
    copied: dict[str, int] = {}
    async with target.transaction() as tx:
        for table, _ in found:
            await sql.execute(tx, f"ALTER TABLE {table} DISABLE TRIGGER USER")
        for table, columns in found:
            names = ", ".join(columns)
            rows = await sql.fetch_all(source.reader, f"SELECT {names} FROM {table}")  # noqa: S608
            await sql.execute_many(
                tx,
                f"INSERT INTO {table} ({names}) VALUES ({sql.placeholders(len(columns))})",  # noqa: S608
                [tuple(row) for row in rows],
            )
            copied[table] = len(rows)
            if "id" in columns:
                await sql.execute(
                    tx,
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"  # noqa: S608
                    f" COALESCE(MAX(id), 1), MAX(id) IS NOT NULL) FROM {table}",
                )
        for table, _ in found:
            await sql.execute(tx, f"ALTER TABLE {table} ENABLE TRIGGER USER")
    return copied


async def check(source: Database, target: PostgresDatabase) -> list[str]:
    """What differs between the two, one line each (empty: the copy is whole)."""
    problems = []
    for table, columns in await tables(source):
        count = f"SELECT COUNT(*) FROM {table}"  # noqa: S608
        mine = int(await sql.fetch_value(source.reader, count))
        theirs = int(await sql.fetch_value(target.reader, count))
        if mine != theirs:
            problems.append(f"{table}: {mine} rows in the source, {theirs} in the target")
            continue
        step = max(1, mine // SAMPLE)
        names = ", ".join(columns)
        sample = await sql.fetch_all(
            source.reader,
            f"SELECT {names} FROM (SELECT {names}, ROW_NUMBER() OVER () AS n FROM {table})"  # noqa: S608
            " WHERE (n - 1) % ? = 0",
            (step,),
        )
        same = " AND ".join(f"{column} IS NOT DISTINCT FROM ?" for column in columns)
        for row in sample:
            found = await sql.fetch_value(
                target.reader,
                f"SELECT COUNT(*) FROM {table} WHERE {same}",  # noqa: S608
                tuple(row),
            )
            if not found:
                shown = ", ".join(f"{c}={v!r}" for c, v in zip(columns, row, strict=True))
                problems.append(f"{table}: no row equal to ({shown[:200]}) in the target")
    return problems
