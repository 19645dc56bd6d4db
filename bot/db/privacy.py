"""Repository: the rows of a table that belong to one user, for ``/privacy forget-me``.

Table, column and ``where`` come from code (a feature's registration), never from
users; the names are checked to be plain identifiers all the same.
"""

from __future__ import annotations

from bot.db import sql
from bot.db.database import Connection


def _condition(table: str, user_column: str, where: str) -> str:
    sql.identifier(table)
    column = sql.identifier(user_column)
    return f"{column} = ?" + (f" AND ({where})" if where else "")


async def count_rows(
    conn: Connection, table: str, user_column: str, user_id: int, where: str = ""
) -> int:
    value = await sql.fetch_value(
        conn,
        f"SELECT COUNT(*) FROM {table} WHERE {_condition(table, user_column, where)}",  # noqa: S608
        (user_id,),
    )
    return int(value or 0)


async def delete_rows(
    conn: Connection, table: str, user_column: str, user_id: int, where: str = ""
) -> int:
    return await sql.execute(
        conn,
        f"DELETE FROM {table} WHERE {_condition(table, user_column, where)}",  # noqa: S608
        (user_id,),
    )


async def clear_column(conn: Connection, table: str, user_column: str, user_id: int) -> int:
    """Take the user's id off a column that only refers to them (who started a round,
    whom a timer was for): the rows stay for everyone else."""
    return await sql.execute(
        conn,
        f"UPDATE {table} SET {sql.identifier(user_column)} = NULL"  # noqa: S608
        f" WHERE {_condition(table, user_column, '')}",
        (user_id,),
    )
