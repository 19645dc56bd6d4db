"""Repository: full-text search over Q&A questions (SQLite FTS5, porter stemming, bm25).

Callers pass plain words; each one is quoted here (``"term"``), so no user text ever
reaches FTS5's query syntax. The index has a fourth column, ``scope``, holding the
question's server, status and topic as tokens (``g123 ssolved tdjango``): a search
narrows to one server (and status, topic) inside the index, before any ranking, and
ranks only the page it returns.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.db import sql
from bot.db.database import Connection
from bot.db.qa import Question, question_from_row

# bm25 weight of each indexed column: title, question, solution summary, scope.
WEIGHTS = (10.0, 2.0, 5.0, 0.0)


def phrase(term: str) -> str:
    """One FTS5 string literal: a double quote inside is written twice."""
    return '"' + term.replace('"', '""') + '"'


def any_of(terms: Sequence[str]) -> str:
    return " OR ".join(phrase(term) for term in terms)


def scope_tokens(guild_id: int, topic: str | None = None, status: str | None = None) -> list[str]:
    """The tokens the ``scope`` column holds (see the generated column in the schema)."""
    tokens = [f"g{guild_id}"]
    if status is not None:
        tokens.append(f"s{status}")
    if topic is not None:
        tokens.append("t" + topic.replace("-", ""))
    return tokens


def expression(terms: Sequence[str], gate: Sequence[str], scope: Sequence[str]) -> str:
    """``scope AND (gate) AND (terms)``: a match must be in scope and hold one of the
    ``gate`` terms (the query's rarer words), and is ranked on all of ``terms``."""
    parts = [f"scope : {phrase(token)}" for token in scope]
    if gate and set(gate) != set(terms):
        parts.append(f"({any_of(gate)})")
    parts.append(f"({any_of(terms)})")
    return " AND ".join(parts)


async def ranked(
    conn: Connection,
    terms: Sequence[str],
    *,
    guild_id: int,
    gate: Sequence[str] = (),
    topic: str | None = None,
    status: str | None = None,
    limit: int = 10,
) -> list[tuple[Question, float]]:
    """The best ``limit`` questions of a server matching any of ``terms``, with their
    bm25 score (lower is better)."""
    if not terms:
        return []
    match = expression(terms, gate, scope_tokens(guild_id, topic, status))
    rows = await sql.fetch_all(
        conn,
        """
        SELECT q.*, top.score AS score FROM (
            SELECT rowid AS id, bm25(qa_fts, ?, ?, ?, ?) AS score
            FROM qa_fts WHERE qa_fts MATCH ?
            ORDER BY score LIMIT ?
        ) AS top JOIN qa_questions AS q ON q.id = top.id
        ORDER BY top.score, q.id
        """,
        (*WEIGHTS, match, limit),
    )
    return [(question_from_row(row), float(row["score"])) for row in rows]


async def matched_terms(
    conn: Connection, terms: Sequence[str], question_ids: Sequence[int]
) -> dict[int, set[str]]:
    """For each question, which of ``terms`` its title, question or summary contains,
    in one round trip."""
    if not terms or not question_ids:
        return {}
    marks = sql.placeholders(len(question_ids))
    parts: list[str] = []
    params: list[Any] = []
    for index, term in enumerate(terms):
        parts.append(
            f"SELECT rowid, {index} AS term FROM qa_fts"  # noqa: S608
            f" WHERE qa_fts MATCH ? AND rowid IN ({marks})"
        )
        params += ["{title body summary} : " + phrase(term), *question_ids]
    rows = await sql.fetch_all(conn, " UNION ALL ".join(parts), params)
    found: dict[int, set[str]] = {}
    for row in rows:
        found.setdefault(row[0], set()).add(terms[row[1]])
    return found


async def document_frequencies(conn: Connection, terms: Sequence[str]) -> dict[str, int]:
    """How many questions (of every server) contain each term, in one round trip."""
    if not terms:
        return {}
    parts = [
        f"SELECT {index}, COUNT(*) FROM qa_fts WHERE qa_fts MATCH ?"  # noqa: S608
        for index in range(len(terms))
    ]
    rows = await sql.fetch_all(conn, " UNION ALL ".join(parts), [phrase(term) for term in terms])
    return {terms[row[0]]: int(row[1]) for row in rows}


async def size(conn: Connection) -> int:
    """About how many questions there are (the highest id: one index lookup)."""
    return int(await sql.fetch_value(conn, "SELECT COALESCE(MAX(id), 0) FROM qa_questions"))


async def asked_again(
    conn: Connection, guild_id: int, asker_id: int, title: str, since: int
) -> Question | None:
    """The asker's open question of that title since ``since``: a repeated ``/ask``."""
    row = await sql.fetch_one(
        conn,
        "SELECT * FROM qa_questions WHERE guild_id = ? AND asker_id = ? AND status = 'open'"
        " AND title = ? COLLATE NOCASE AND asked_at >= ? ORDER BY id DESC LIMIT 1",
        (guild_id, asker_id, title, since),
    )
    return None if row is None else question_from_row(row)
