"""Repository: full-text search over Q&A questions (SQLite FTS5, porter stemming, bm25;
on PostgreSQL the ``search`` tsvector column, its GIN index and ``ts_rank``: see the
end of this module).

Callers pass plain words; each one is quoted here (``"term"``), so no user text ever
reaches FTS5's query syntax.

What a search costs is bm25, and bm25 costs two things: for every phrase of the
``MATCH``, one pass over that phrase's whole token list (its document frequency,
computed afresh by every statement), and about 2 µs for every matching row. So:

* the ``MATCH`` holds only the query's words: a candidate must hold one of the rarer
  ones (``gate``) and is ranked on all of them. The server, status and topic are not
  phrases (the index's ``scope`` column still holds them as tokens, unused here): as a
  phrase, the server's token alone cost a pass over every question of the server;
* a candidate's server, status and topic are checked by its id in the narrow index
  ``qa_questions_filter``, and not at all when the archive holds only this server and
  no status or topic is asked for (checked in the same statement: two index lookups);
* one statement does it all, the similar-question check's matched title words
  included, and only the page it returns is read from the table.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from bot.db import sql
from bot.db.database import Connection, Row
from bot.db.qa import Question, question_from_row

# bm25 weight of each indexed column: title, question, solution summary, scope.
WEIGHTS = (10.0, 2.0, 5.0, 0.0)

_TEXT_COLUMNS = "{title body summary} : "
_OF_SERVER = (
    "EXISTS (SELECT 1 FROM qa_questions AS s INDEXED BY qa_questions_filter"
    " WHERE s.id = f.rowid AND s.guild_id = :guild{status}{topic})"
)
_ONLY_SERVER = (
    "((SELECT MIN(guild_id) FROM qa_questions) = :guild"
    " AND (SELECT MAX(guild_id) FROM qa_questions) = :guild)"
)


@dataclass(frozen=True)
class Ranked:
    question: Question
    score: float  # bm25: lower is more relevant
    marked: frozenset[str]  # which of the words asked about its text holds


def phrase(term: str) -> str:
    """One FTS5 string literal: a double quote inside is written twice."""
    return '"' + term.replace('"', '""') + '"'


def any_of(terms: Sequence[str]) -> str:
    return " OR ".join(phrase(term) for term in terms)


def expression(terms: Sequence[str], gate: Sequence[str]) -> str:
    """``(gate) AND (terms)``: a match must hold one of the ``gate`` terms (the query's
    rarer words), and is ranked on all of ``terms``."""
    if gate and set(gate) != set(terms):
        return f"({any_of(gate)}) AND ({any_of(terms)})"
    return f"({any_of(terms)})"


def _where(topic: str | None, status: str | None) -> str:
    of_server = _OF_SERVER.format(
        status="" if status is None else " AND s.status = :status",
        topic="" if topic is None else " AND s.topic = :topic",
    )
    if topic is None and status is None:
        return f"({_ONLY_SERVER} OR {of_server})"
    return of_server


async def ranked(
    conn: Connection,
    terms: Sequence[str],
    *,
    guild_id: int,
    gate: Sequence[str] = (),
    topic: str | None = None,
    status: str | None = None,
    limit: int = 10,
    mark: Sequence[str] = (),
) -> list[Ranked]:
    """The best ``limit`` questions of a server matching any of ``terms``, with their
    bm25 score, and which of the words in ``mark`` each one's title, question or summary
    contains: one statement."""
    if not terms:
        return []
    if conn.dialect == "postgresql":
        return await _ranked_pg(conn, terms, guild_id, gate, topic, status, limit, mark)
    params: dict[str, Any] = {
        "match": expression(terms, gate),
        "guild": guild_id,
        "limit": limit,
        **{f"w{index}": weight for index, weight in enumerate(WEIGHTS)},
    }
    if topic is not None:
        params["topic"] = topic
    if status is not None:
        params["status"] = status
    marks = "".join(_mark_column(conn, index, word, params) for index, word in enumerate(mark))
    rows = await sql.fetch_all(
        conn,
        f"""
        SELECT q.*, top.score AS score{marks} FROM (
            SELECT f.rowid AS id, bm25(qa_fts, :w0, :w1, :w2, :w3) AS score
            FROM qa_fts AS f
            WHERE qa_fts MATCH :match AND {_where(topic, status)}
            ORDER BY score LIMIT :limit
        ) AS top JOIN qa_questions AS q ON q.id = top.id
        ORDER BY top.score, q.id
        """,  # noqa: S608 - only code-made fragments; every value is a parameter
        params,
    )
    return _as_ranked(rows, mark)


def _as_ranked(rows: Sequence[Row], mark: Sequence[str]) -> list[Ranked]:
    """Rows with a ``score`` and an ``m<i>`` column per word of ``mark``."""
    return [
        Ranked(
            question_from_row(row),
            float(row["score"]),
            frozenset(word for index, word in enumerate(mark) if row[f"m{index}"]),
        )
        for row in rows
    ]


@dataclass(frozen=True)
class Indexed:
    """What the search index holds of a question."""

    id: int
    guild_id: int
    status: str
    topic: str
    title: str
    body: str
    summary: str | None


_INDEXED = "q.id, q.guild_id, q.status, q.topic, q.title, q.body, q.summary"


def _indexed(row: Row, first: int = 0) -> Indexed:
    """The seven ``_INDEXED`` columns of ``row``, from its ``first`` column on."""
    return Indexed(*(row[i] for i in range(first, first + 7)))


async def latest_change(conn: Connection) -> int:
    return int(await sql.fetch_value(conn, "SELECT COALESCE(MAX(id), 0) FROM qa_changes"))


async def archive_page(conn: Connection, after_id: int, limit: int) -> list[Indexed]:
    """The next ``limit`` questions (of every server) by id, for building the index."""
    rows = await sql.fetch_all(
        conn,
        f"SELECT {_INDEXED} FROM qa_questions AS q WHERE q.id > ? ORDER BY q.id LIMIT ?",  # noqa: S608
        (after_id, limit),
    )
    return [_indexed(row) for row in rows]


async def changes_since(conn: Connection, seq: int) -> tuple[int, list[Indexed | int]]:
    """The log's latest change past ``seq`` and each question changed since, as it is
    now (the id alone when it was deleted), in one statement: one snapshot."""
    rows = await sql.fetch_all(
        conn,
        f"SELECT c.id, c.question_id, {_INDEXED} FROM qa_changes AS c"  # noqa: S608
        " LEFT JOIN qa_questions AS q ON q.id = c.question_id"
        " WHERE c.id > ? ORDER BY c.id",
        (seq,),
    )
    latest: dict[int, Indexed | int] = {}
    for row in rows:
        question_id = int(row[1])
        latest.pop(question_id, None)  # keep the order of each one's last change
        present = row[2] is not None
        latest[question_id] = _indexed(row, 2) if present else question_id
    return (int(rows[-1][0]) if rows else seq), list(latest.values())


async def by_ids(conn: Connection, scored: Sequence[tuple[int, float]]) -> list[Ranked]:
    """The questions of ``scored`` (ids and scores, higher better) in that order, the
    score negated (lower is more relevant, as bm25's). A question deleted since it was
    ranked is left out."""
    if not scored:
        return []
    ids = [qid for qid, _ in scored]
    rows = await sql.fetch_all(
        conn,
        f"SELECT * FROM qa_questions WHERE id IN ({sql.placeholders(len(ids))})",  # noqa: S608
        ids,
    )
    found = {int(row["id"]): question_from_row(row) for row in rows}
    return [Ranked(found[qid], -score, frozenset()) for qid, score in scored if qid in found]


def _mark_column(conn: Connection, index: int, word: str, params: dict[str, Any]) -> str:
    """A column ``m<index>``: whether the question's text holds ``word``."""
    if conn.dialect == "postgresql":
        params[f"m{index}"] = word
        return f", q.search @@ phraseto_tsquery('nexus', :m{index}) AS m{index}"
    params[f"m{index}"] = _TEXT_COLUMNS + phrase(word)
    return (
        f", (SELECT COUNT(*) FROM qa_fts WHERE qa_fts MATCH :m{index}"  # noqa: S608 - a number only
        f" AND rowid = q.id) AS m{index}"
    )


async def statistics(conn: Connection, terms: Sequence[str]) -> tuple[dict[str, int], int]:
    """How many questions (of every server) contain each term, and about how many
    questions there are (the highest id: one index lookup), in one statement."""
    if conn.dialect == "postgresql":
        return await _statistics_pg(conn, terms)
    parts = [
        f"SELECT {index}, COUNT(*) FROM qa_fts WHERE qa_fts MATCH ?"  # noqa: S608
        for index in range(len(terms))
    ]
    parts.append("SELECT -1, COALESCE(MAX(id), 0) FROM qa_questions")
    rows = await sql.fetch_all(conn, " UNION ALL ".join(parts), [phrase(t) for t in terms])
    counts = {terms[row[0]]: int(row[1]) for row in rows if row[0] >= 0}
    total = next(int(row[1]) for row in rows if row[0] < 0)
    return counts, total


async def asked_again(
    conn: Connection, guild_id: int, asker_id: int, title: str, since: int
) -> Question | None:
    """The asker's open question of that title since ``since``: a repeated ``/ask``."""
    row = await sql.fetch_one(
        conn,
        "SELECT * FROM qa_questions WHERE guild_id = ? AND asker_id = ? AND status = 'open'"
        " AND lower(title) = lower(?) AND asked_at >= ? ORDER BY id DESC LIMIT 1",
        (guild_id, asker_id, title, since),
    )
    return None if row is None else question_from_row(row)


# -- PostgreSQL ----------------------------------------------------------------------
# Each word is a parameter of phraseto_tsquery (a phrase, as a quoted FTS5 string is),
# so no user text reaches the query syntax either. ts_rank's weights are for the
# tsvector's D, C, B, A: unused, question (C), summary (B), title (A), in the same
# proportions as WEIGHTS. The score is negated: lower is more relevant, as with bm25.
_PG_WEIGHTS = "'{0, 0.2, 0.5, 1.0}'"


def _pg_any(prefix: str, terms: Sequence[str], params: dict[str, Any]) -> str:
    parts = []
    for index, term in enumerate(terms):
        params[f"{prefix}{index}"] = term
        parts.append(f"phraseto_tsquery('nexus', :{prefix}{index})")
    return "(" + " || ".join(parts) + ")"


async def _ranked_pg(
    conn: Connection,
    terms: Sequence[str],
    guild_id: int,
    gate: Sequence[str],
    topic: str | None,
    status: str | None,
    limit: int,
    mark: Sequence[str],
) -> list[Ranked]:
    params: dict[str, Any] = {"guild": guild_id, "limit": limit}
    query = _pg_any("t", terms, params)
    if gate and set(gate) != set(terms):
        query = f"({_pg_any('g', gate, params)} && {query})"
    where = "q.guild_id = :guild"
    if status is not None:
        params["status"] = status
        where += " AND q.status = :status"
    if topic is not None:
        params["topic"] = topic
        where += " AND q.topic = :topic"
    marks = "".join(_mark_column(conn, index, word, params) for index, word in enumerate(mark))
    # bm25's idea on ts_rank: each word's rank weighed by how rare the word is (its
    # document frequency, counted from the GIN index in the same statement, as FTS5's
    # bm25 counts it), so a rare word outranks one every question holds.
    weighed = []
    words = []
    for index in range(len(terms)):
        weighed.append(
            f"ln(1 + (total.n - w{index}.n + 0.5) / (w{index}.n + 0.5))"
            f" * ts_rank({_PG_WEIGHTS}, q.search, w{index}.query)"
        )
        words.append(
            f" CROSS JOIN (SELECT phraseto_tsquery('nexus', :t{index}) AS query,"  # noqa: S608
            f" (SELECT COUNT(*) FROM qa_questions WHERE search @@ phraseto_tsquery('nexus',"
            f" :t{index})) AS n) AS w{index}"
        )
    rows = await sql.fetch_all(
        conn,
        f"""
        SELECT q.*, -({" + ".join(weighed)}) AS score{marks}
        FROM qa_questions AS q CROSS JOIN (SELECT {query} AS query) AS k
        CROSS JOIN (SELECT COALESCE(MAX(id), 0)::float8 AS n FROM qa_questions) AS total
        {"".join(words)}
        WHERE q.search @@ k.query AND {where}
        ORDER BY score, q.id LIMIT :limit
        """,  # noqa: S608 - only code-made fragments; every value is a parameter
        params,
    )
    return _as_ranked(rows, mark)


async def _statistics_pg(conn: Connection, terms: Sequence[str]) -> tuple[dict[str, int], int]:
    parts = [
        f"SELECT {index}, COUNT(*) FROM qa_questions"  # noqa: S608 - numbers only
        f" WHERE search @@ phraseto_tsquery('nexus', ?)"
        for index in range(len(terms))
    ]
    parts.append("SELECT -1, COALESCE(MAX(id), 0) FROM qa_questions")
    rows = await sql.fetch_all(conn, " UNION ALL ".join(parts), list(terms))
    counts = {terms[row[0]]: int(row[1]) for row in rows if row[0] >= 0}
    total = next(int(row[1]) for row in rows if row[0] < 0)
    return counts, total
