"""The Q&A archive's search index: every question's title, text and solution summary in
an in-memory tantivy index (BM25 per field, English stemming, accents folded). It ranks
100,000 questions in a few milliseconds, where SQLite's FTS5 pays its bm25 2–6 µs for
every candidate and PostgreSQL's ts_rank more.

The database stays the truth; the index is derived. It is built from the database at
start, in the background (until it is ready, searches use the database's own full-text
index), and kept in step by ``qa_changes``: a log the database's triggers append to on
every insert, edit and delete of a question, whatever the code path or process. Before
each search the index applies what the log holds past the last change it applied (one
indexed read, returning nothing in the common case), so a search sees every committed
change, another process's too. An index that fell further behind than the log keeps is
built again.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import tantivy

from bot.db import qa_search as repo
from bot.db.database import Connection
from bot.db.qa_search import Indexed

log = logging.getLogger(__name__)

# How many times each part of a question is written into the one indexed text: its
# weight, as FTS5's bm25 weights columns (a word of the title says most about what the
# question is, then the solution's summary, then its text). One field with repeats
# rather than three boosted fields: a boost multiplies a field's score, where a repeat
# adds to the word's count, which BM25 saturates, so a question holding four of the
# words in its text still outranks one holding one of them in its title; and a query
# of plain terms over one field is the shape tantivy ranks fastest (block-max WAND).
REPEATS = {"title": 5, "summary": 2, "body": 1}
ANALYZER = "nexus"
BUILD_PAGE = 1000
# The log keeps its latest 10,000 changes at least (every 1,000th change trims it); an
# index more than this many changes behind may have missed some and is built again.
LOG_KEPT = 9000
WRITER_HEAP = 16_000_000  # bytes: tantivy buffers added documents in this much


def _schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    # Signed: Discord ids and row ids fit in 63 bits, and Python ints reach tantivy as
    # signed values (a term of an unsigned field would match nothing).
    builder.add_integer_field("id", stored=True, indexed=True, fast=True)
    builder.add_integer_field("guild", indexed=True, fast=True)
    builder.add_text_field("status", tokenizer_name="raw")
    builder.add_text_field("topic", tokenizer_name="raw")
    builder.add_text_field("text", tokenizer_name=ANALYZER, index_option="freq")
    return builder.build()


def _analyzer() -> tantivy.TextAnalyzer:
    """Words as the database's index splits them (letters and digits), lower-cased,
    accents folded, English stems: "Migrations" finds "migrating"."""
    return (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.remove_long(64))
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.ascii_fold())
        .filter(tantivy.Filter.stemmer("english"))
        .build()
    )


@dataclass(frozen=True)
class _View:
    """What searches read: a committed snapshot, and the servers it holds questions of."""

    searcher: tantivy.Searcher
    guilds: frozenset[int]


class ArchiveIndex:
    def __init__(self) -> None:
        self._schema = _schema()
        self._analyzer = _analyzer()
        self._index = tantivy.Index(self._schema)  # no path: in memory
        self._index.register_tokenizer(ANALYZER, self._analyzer)
        self._writer: tantivy.IndexWriter | None = None  # made by the first build
        self._view = _View(self._index.searcher(), frozenset())
        self._per_guild: Counter[int] = Counter()  # questions held, as written
        self._applied = 0  # the last change of the log the index holds
        self._ready = False
        self._lock = asyncio.Lock()  # one build or catch-up at a time
        self._rebuild: asyncio.Task[None] | None = None

    @property
    def ready(self) -> bool:
        return self._ready

    @property
    def _writes(self) -> tantivy.IndexWriter:
        """The index's one writer, made on first use (it starts a thread)."""
        if self._writer is None:
            self._writer = self._index.writer(WRITER_HEAP, 1)
        return self._writer

    @property
    def size(self) -> int:
        return int(self._view.searcher.num_docs)

    async def build(self, conn: Connection) -> None:
        """Index the whole archive, page by page, then follow the log from the change
        read before the first page (a question changed meanwhile is indexed again). A
        failed build is logged and leaves searches on the database's index."""
        try:
            await self._build(conn)
        except Exception:
            log.exception("search index not built: searches keep using the database's")

    async def _build(self, conn: Connection) -> None:
        async with self._lock:
            started = time.perf_counter()
            self._ready = False
            await asyncio.to_thread(self._writes.delete_all_documents)
            self._per_guild.clear()
            applied = await repo.latest_change(conn)
            after = 0
            while page := await repo.archive_page(conn, after, BUILD_PAGE):
                await asyncio.to_thread(self._add, page)
                after = page[-1].id
            await self._commit()
            await asyncio.to_thread(self._settle)
            self._applied = applied
            await self._follow(conn)
            self._ready = True
        log.info(
            "search index ready: %d questions in %.1f s",
            self.size,
            time.perf_counter() - started,
        )

    async def catch_up(self, conn: Connection) -> bool:
        """Apply the changes logged since the last one applied. False when the index is
        not ready (being built, or rebuilt now because it fell behind the log)."""
        if not self._ready:
            return False
        # Whoever holds the lock may have read the log before this search's own write
        # committed: read it again once it is ours (usually nothing: one indexed read).
        async with self._lock:
            return self._ready and await self._follow(conn)

    async def _follow(self, conn: Connection) -> bool:
        latest, changed = await repo.changes_since(conn, self._applied)
        if not changed:
            return True
        if latest - self._applied > LOG_KEPT:
            self._ready = False
            self._rebuild = asyncio.get_running_loop().create_task(self.build(conn))
            return False
        await asyncio.to_thread(self._replace, changed)
        await self._commit()
        self._applied = latest
        return True

    def statistics(self, words: Sequence[str]) -> tuple[dict[str, int], int]:
        """How many questions (of every server) hold each word, and how many questions
        there are."""
        searcher = self._view.searcher
        counts = {}
        for word in words:
            stems = self._analyzer.analyze(word)
            counts[word] = max((searcher.doc_freq("text", stem) for stem in stems), default=0)
        return counts, int(searcher.num_docs)

    def holds(self, texts: Sequence[str | None], words: Sequence[str]) -> frozenset[str]:
        """Which of ``words`` the texts hold, stemmed as the index stems them."""
        held = {stem for text in texts if text for stem in self._analyzer.analyze(text)}
        return frozenset(
            word for word in words if any(s in held for s in self._analyzer.analyze(word))
        )

    def search(
        self,
        words: Sequence[str],
        *,
        guild_id: int,
        topic: str | None = None,
        status: str | None = None,
        limit: int = 10,
    ) -> list[tuple[int, float]]:
        """The ids and scores (higher is more relevant) of the best ``limit`` questions
        of a server holding any of ``words``. Blocking, and tantivy lets go of the GIL
        while it ranks: a big archive's search may run on a thread."""
        view = self._view
        stems = dict.fromkeys(stem for word in words for stem in self._analyzer.analyze(word))
        matching = tantivy.Query.boolean_query(
            [(tantivy.Occur.Should, self._term("text", stem)) for stem in stems]
        )
        filters: list[tuple[str, object]] = [("topic", topic), ("status", status)]
        if view.guilds != {guild_id}:  # the filter costs; one server's index needs none
            filters.append(("guild", guild_id))
        query = tantivy.Query.boolean_query(
            [(tantivy.Occur.Must, matching)]
            + [
                (tantivy.Occur.Must, tantivy.Query.const_score_query(self._term(field, value), 0))
                for field, value in filters
                if value is not None
            ]
        )
        # count=False: counting every match makes tantivy visit each one, where ranking
        # alone skips the blocks that cannot reach the top (a fifth of a search).
        found = view.searcher.search(query, limit, count=False).hits if stems else []
        if not found:
            return []
        ids = view.searcher.fast_field_values("id", [address for _, address in found])
        ranked = [(int(i or 0), float(score)) for (score, _), i in zip(found, ids, strict=True)]
        return sorted(ranked, key=lambda hit: (-hit[1], hit[0]))

    def _term(self, field: str, value: object) -> tantivy.Query:
        return tantivy.Query.term_query(self._schema, field, value)

    def _add(self, questions: Sequence[Indexed]) -> None:
        for question in questions:
            parts = {"title": question.title, "summary": question.summary, "body": question.body}
            text = "\n".join(
                "\n".join([part] * REPEATS[name]) for name, part in parts.items() if part
            )
            document = tantivy.Document(
                id=question.id,
                guild=question.guild_id,
                status=question.status,
                topic=question.topic,
                text=text,
            )
            self._writes.add_document(document)
            self._per_guild[question.guild_id] += 1

    def _replace(self, changed: Sequence[Indexed | int]) -> None:
        """Each changed question as it is now; an id alone is a deleted question."""
        searcher = self._view.searcher
        for item in changed:
            question_id = item if isinstance(item, int) else item.id
            held = searcher.search(self._term("id", question_id), 1, count=False).hits
            if held:
                (guild,) = searcher.fast_field_values("guild", [held[0][1]])
                self._per_guild[int(guild or 0)] -= 1
            self._writes.delete_documents_by_term("id", question_id)
        self._add([item for item in changed if not isinstance(item, int)])

    def _settle(self) -> None:
        """Wait for the writer's merges of the segments a build leaves (each search
        visits every segment, so a fresh build of many searches slower until they are
        merged); waiting ends that writer, and the next change makes another."""
        if self._writer is not None:
            self._writer.wait_merging_threads()
            self._writer = None
        self._index.reload()
        self._view = _View(self._index.searcher(), self._view.guilds)

    async def _commit(self) -> None:
        def commit() -> _View:
            self._writes.commit()
            self._index.reload()
            guilds = frozenset(guild for guild, held in self._per_guild.items() if held > 0)
            return _View(self._index.searcher(), guilds)

        self._view = await asyncio.to_thread(commit)
