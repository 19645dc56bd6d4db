"""Search over the Q&A archive: ``/qa search`` and the similar solved questions shown
before a question is posted.

The user's text never reaches a query syntax: it is split into words, stop words and
filler ("hey guys, please help") are dropped, and each remaining word becomes a quoted
term; the terms are joined with OR and BM25 ranks the matches (title heaviest), so word
order, inflections (stemming) and extra words do not hide a match.

Searches go to the archive's in-memory index (``index``) once the bot has built it;
before that, and wherever no index was started, to the database's own full-text index
(FTS5 or PostgreSQL's tsvector), whose cost the word-frequency cut and the gate below
keep bounded.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import partial

from bot.db import qa_search as repo
from bot.db.database import Database
from bot.db.qa import Question
from bot.db.qa_search import Ranked
from bot.services.qa.index import ArchiveIndex

MAX_TERMS = 24
MIN_TERM = 2
SIMILAR_LIMIT = 3
# A suggestion must cover at least this share of the title's weight (terms weighted by
# rarity), and at least two of its terms: sharing "django" alone is not similar.
SIMILAR_TITLE_COVERAGE = 0.5
SIMILAR_MIN_TERMS = 2
# Candidates a big archive ranks: those holding one of the query's rarer words, up to
# this share of the archive (never fewer than GATE_MIN_DOCS). Ranking costs about 2 µs a
# candidate (bm25), so this share is what a search costs: at 100,000 questions, 3% keeps
# 97% of held-out queries' intended question in the top 3 (5% kept 98%, 2% keeps 95%).
GATE_SHARE = 0.03
GATE_MIN_DOCS = 1000
# The word-frequency cut, in a big archive: a word found in more than this share of its
# questions is not searched ("using", "error": it says little about relevance, and it
# is what a search costs most, FTS5 walking its long token list for every candidate),
# and a search ranks on at most this many of its rarest words. At 100,000 questions
# both together take a fifth off a search and keep held-out queries' top 3 at 97%.
FREQUENT_SHARE = 0.15
RANKED_WORDS = 8
FREQUENT_MIN_ARCHIVE = 10_000
FREQUENCY_TTL = 600.0  # seconds
FREQUENCY_CACHE_SIZE = 20_000
# Up to this many questions, the index ranks on the event loop's thread: 0.5 ms at the
# median and 0.9 at p95 at 100,000 questions, less than handing it to a thread costs
# (0.4 ms at the median, and in the tail the GIL handed back to the loop; /qa search's
# round trip at concurrency 10, p99: 42 ms on a thread, 34 on the loop). A bigger
# archive ranks on a thread, so one search never holds the loop for long.
SEARCH_ON_LOOP_MAX = 250_000

_WORD = re.compile(r"[^\W_]+")

_STOP_TEXT = """
    a about above after again against all almost also am an and any are aren as at be
    because been before being below between both but by can cannot could couldn did didn do
    does doesn doing don done down during each either else even ever every few for from
    further had hadn has hasn have haven having he her here hers herself him himself his how
    i if im in into is isn it its itself ive just least less let like ll made make makes me
    might mine more most much must my myself neither no nor not now of off on once one only
    or other ought our ours ourselves out over own per quite rather re same shan she should
    shouldn since so some still such than that the their theirs them themselves then there
    these they this those though through thus to too under until up upon us ve very via was
    wasn we were weren what whatever when where whether which while who whom whose why will
    with within without won would wouldn yet you your yours yourself yourselves
    hey hi hello hiya guys guy folks everyone anyone anybody someone somebody
    please pls plz help helps helped thanks thank thx ty cheers getting get gets got keep
    keeps keeping kept quick question questions really actually basically literally
    trying tried try want wanted wants need needed needs know idea ok okay something
    anything thing things way stuff bit lot lots sure maybe perhaps appreciated advance
"""
STOP_WORDS = frozenset(_STOP_TEXT.split())


def terms(text: str, limit: int = MAX_TERMS) -> list[str]:
    """The searchable words of ``text``: lower-cased, without stop words, each once."""
    found: list[str] = []
    seen: set[str] = set()
    for word in _WORD.findall(text.casefold()):
        if len(word) < MIN_TERM or word in STOP_WORDS or word in seen:
            continue
        seen.add(word)
        found.append(word)
        if len(found) >= limit:
            break
    return found


@dataclass(frozen=True)
class SearchHit:
    question: Question
    score: float  # bm25: lower is more relevant


def searched_words(
    words: list[str], frequency: dict[str, int], total: int, *, most: int | None = RANKED_WORDS
) -> list[str]:
    """The words a search matches and ranks on (the word-frequency cut): in a big
    archive, not those in more than ``FREQUENT_SHARE`` of its questions (the rarest one
    when all are), and at most ``RANKED_WORDS`` of the rarest. A small archive keeps
    every word: it is cheap to rank, and there a common word still tells questions
    apart."""
    if total < FREQUENT_MIN_ARCHIVE:
        return words
    rarest = sorted(words, key=lambda w: (frequency.get(w, 0), words.index(w)))
    kept = [w for w in rarest if frequency.get(w, 0) <= FREQUENT_SHARE * total] or rarest[:1]
    return kept[:most]


def choose_gate(words: list[str], frequency: dict[str, int], total: int) -> list[str]:
    """The query's rarer words, whose matches together stay within a small share of the
    archive: every result must hold one of them, so a big archive ranks thousands of
    candidates rather than every question that says "django". A small archive, or a
    query of rare words only, is ranked in full."""
    budget = max(GATE_MIN_DOCS, GATE_SHARE * total)
    gate: list[str] = []
    covered = 0
    for word in sorted(words, key=lambda w: (frequency.get(w, 0), words.index(w))):
        n = frequency.get(word, 0)
        if gate and covered + n > budget:
            break
        gate.append(word)
        covered += n
    return gate


class QASearch:
    def __init__(self, db: Database) -> None:
        self._db = db
        # Document frequencies and the archive's size move slowly; a short-lived cache
        # spares counting them for every search, so a search is one statement.
        self._frequencies: dict[str, tuple[int, float]] = {}
        self._total: tuple[int, float] = (0, 0.0)
        self.index = ArchiveIndex()
        self._building: asyncio.Task[None] | None = None

    def start_index(self) -> None:
        """Build the archive's index in the background; searches use the database's
        full-text index until it is ready."""
        if self._building is None:
            self._building = asyncio.get_running_loop().create_task(
                self.index.build(self._db.reader), name="search index"
            )

    async def index_settled(self) -> None:
        """Once the start's build has ended, built or failed (a failure is logged)."""
        if self._building is not None:
            await asyncio.wait([self._building])

    async def stop_index(self) -> None:
        if self._building is not None and not self._building.done():
            self._building.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._building

    async def _ranked(
        self,
        words: list[str],
        guild_id: int,
        *,
        topic: str | None = None,
        status: str | None = None,
        limit: int,
        mark: Sequence[str] = (),
    ) -> tuple[list[Ranked], dict[str, int], int]:
        """The best matches, with how many questions hold each word and how many there
        are: from the index once it is ready, from the database's index before. Either
        way, words in more than ``FREQUENT_SHARE`` of a big archive are not searched:
        they tell little apart and cost most (every question holding one is scored)."""
        if await self.index.catch_up(self._db.reader):
            frequency, total = self.index.statistics(words)
            searched = searched_words(words, frequency, total, most=None)
            search = partial(
                self.index.search,
                searched,
                guild_id=guild_id,
                topic=topic,
                status=status,
                limit=limit,
            )
            scored = search() if total <= SEARCH_ON_LOOP_MAX else await asyncio.to_thread(search)
            rows = await repo.by_ids(self._db.reader, scored)
            if mark:  # the similar-question check; stemming every result's text costs
                rows = [
                    replace(row, marked=self.index.holds(_texts(row.question), mark))
                    for row in rows
                ]
            return rows, frequency, total
        frequency, total = await self._statistics(words)
        searched = searched_words(words, frequency, total)
        rows = await repo.ranked(
            self._db.reader,
            searched,
            guild_id=guild_id,
            gate=choose_gate(searched, frequency, total),
            topic=topic,
            status=status,
            limit=limit,
            mark=mark,
        )
        return rows, frequency, total

    async def search(
        self,
        guild_id: int,
        text: str,
        *,
        topic: str | None = None,
        status: str | None = None,
        limit: int = 10,
    ) -> list[SearchHit]:
        words = terms(text)
        if not words:
            return []
        rows, _, _ = await self._ranked(words, guild_id, topic=topic, status=status, limit=limit)
        return [SearchHit(row.question, row.score) for row in rows]

    async def similar_solved(self, guild_id: int, title: str, body: str) -> list[SearchHit]:
        """Up to 3 solved questions of this server that look like the one being asked.

        Ranked by BM25 over the title and question together. A suggestion must contain
        at least two of the new title's words, together at least half of the title's
        weight, each word weighted by how rare it is in the archive: sharing "django" or
        "error" alone never makes a question similar."""
        title_terms = terms(title)
        if len(title_terms) < SIMILAR_MIN_TERMS:
            return []
        words = terms(f"{title} {body}", limit=MAX_TERMS + 8)
        candidates, frequency, total = await self._ranked(
            words, guild_id, status="solved", limit=SIMILAR_LIMIT, mark=title_terms
        )
        weight = {word: idf(frequency.get(word, 0), total) for word in title_terms}
        whole = sum(weight.values())
        hits = []
        for row in candidates:
            share = sum(weight[t] for t in row.marked) / whole if whole else 0.0
            if len(row.marked) >= SIMILAR_MIN_TERMS and share >= SIMILAR_TITLE_COVERAGE:
                hits.append(SearchHit(row.question, row.score))
        return hits

    async def _statistics(self, words: list[str]) -> tuple[dict[str, int], int]:
        now = time.monotonic()
        known = {}
        for word in words:
            cached = self._frequencies.get(word)
            if cached is not None and cached[1] > now:
                known[word] = cached[0]
        missing = [word for word in words if word not in known]
        total, until = self._total
        if missing or until <= now:
            fresh, total = await repo.statistics(self._db.reader, missing)
            self._total = (total, now + FREQUENCY_TTL)
            if len(self._frequencies) > FREQUENCY_CACHE_SIZE:
                self._frequencies.clear()
            for word in missing:
                count = fresh.get(word, 0)
                known[word] = count
                self._frequencies[word] = (count, now + FREQUENCY_TTL)
        return known, total


def _texts(question: Question) -> tuple[str, str, str | None]:
    return question.title, question.body, question.summary


def idf(n: int, total: int) -> float:
    """Inverse document frequency, always positive."""
    return math.log(1 + (max(total, n) - n + 0.5) / (n + 0.5))
