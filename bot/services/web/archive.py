"""The archive and the sessions as the web reads them: a published server's solved
questions (by topic, one by one, searched), unanswered counts, the helper leaderboard
and upcoming sessions, each list a page at a time with a cursor for the next.

Every read starts from ``require`` — a server that is not on the web does not exist
here — and names people by the rules of ``person``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from bot.db import qa as qa_repo
from bot.db import qa_archive as repo
from bot.db import session_calendar
from bot.db import web as web_repo
from bot.db.database import Database
from bot.db.qa import Question
from bot.db.sessions import SessionSummary
from bot.db.web import WebGuild
from bot.errors import InvalidInput, NotFound
from bot.services.qa.rules import PERIODS, TOPICS
from bot.services.qa.search import QASearch
from bot.services.web import cursors, paths
from bot.services.web.publishing import NOT_ON_THE_WEB, WebService
from bot.time.clock import Clock, epoch
from bot.ui.markup import FORMER_MEMBER, jump_url

T = TypeVar("T")

PAGE_MAX = 100
SEARCH_LIMIT = 10
SEARCH_MAX_TEXT = 300
HIDDEN_MEMBER = "a member who keeps their posts off the web"
SOME_MEMBER = "a member"


@dataclass(frozen=True)
class Person:
    """Someone as the web names them: ``member`` (their name), ``former`` (ran
    forget-me), ``hidden`` (keeps their posts off the web) or ``unknown`` (a member
    whose name the bot has not seen since the server went on the web)."""

    kind: str
    name: str

    @property
    def is_named(self) -> bool:
        return self.kind == "member"


@dataclass(frozen=True)
class Published:
    """A solved question as its page shows it."""

    question: Question
    asker: Person
    helper: Person | None  # None: nobody was credited (or the asker solved it)
    page_url: str
    thread_url: str
    answer_url: str | None


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    next_cursor: str | None


@dataclass(frozen=True)
class Helper:
    rank: int
    person: Person
    solved: int


class ArchiveService:
    def __init__(self, db: Database, clock: Clock, web: WebService, search: QASearch) -> None:
        self._db = db
        self._clock = clock
        self._web = web
        self._search = search

    async def require(self, guild_id: int) -> WebGuild:
        """The server, if it is on the web; NotFound otherwise."""
        found = await self._web.guild(guild_id)
        if found is None:
            raise NotFound(NOT_ON_THE_WEB)
        return found

    # -- questions --------------------------------------------------------------------

    async def question(self, guild_id: int, question_id: int) -> Published | None:
        """A solved question of a server on the web; None when its asker keeps it off
        the web (the page says so); NotFound when there is no such solved question."""
        await self.require(guild_id)
        question = await repo.solved(self._db.reader, guild_id, question_id)
        if question is None:
            raise NotFound("No solved question has that number here.")
        if not await repo.visible_ids(self._db.reader, [question.id]):
            return None
        [published] = await self._publish([question])
        return published

    async def solved(
        self, guild_id: int, *, topic: str | None = None, cursor: str | None = None, limit: int
    ) -> Page[Published]:
        await self.require(guild_id)
        if topic is not None and topic not in TOPICS:
            raise NotFound(f"There is no topic called {topic[:40]!r}.")
        before = _pair(cursors.decode(cursor, 2)) if cursor else None
        size = _page_size(limit)
        rows = await repo.solved_page(
            self._db.reader, guild_id, topic=topic, before=before, limit=size + 1
        )
        items = await self._publish(rows[:size])
        last = rows[size - 1] if len(rows) > size else None
        after = cursors.encode(last.resolved_at or 0, last.id) if last else None
        return Page(items, after)

    async def topics(self, guild_id: int) -> list[tuple[str, int]]:
        """Every topic with its number of solved questions on the web, in the product's
        topic order."""
        await self.require(guild_id)
        counts = await repo.solved_by_topic(self._db.reader, guild_id)
        return [(topic, counts.get(topic, 0)) for topic in TOPICS]

    async def unanswered(self, guild_id: int) -> list[tuple[str, int]]:
        await self.require(guild_id)
        counts = await repo.unanswered_by_topic(self._db.reader, guild_id)
        return [(topic, counts.get(topic, 0)) for topic in TOPICS]

    async def search(self, guild_id: int, text: str) -> list[Published]:
        """The best solved questions for ``text``, from the same index and ranking as
        ``/qa search``."""
        await self.require(guild_id)
        if len(text) > SEARCH_MAX_TEXT:
            raise InvalidInput(f"Search for at most {SEARCH_MAX_TEXT} characters.")
        hits = await self._search.search(guild_id, text, status="solved", limit=SEARCH_LIMIT * 2)
        shown = await repo.visible_ids(self._db.reader, [hit.question.id for hit in hits])
        kept = [hit.question for hit in hits if hit.question.id in shown][:SEARCH_LIMIT]
        return await self._publish(kept)

    async def sitemap(self, guild_id: int, *, offset: int, limit: int) -> list[tuple[str, int]]:
        """Question pages (their paths and solve times), newest solved first."""
        await self.require(guild_id)
        rows = await repo.sitemap_page(self._db.reader, guild_id, offset=offset, limit=limit)
        return [(paths.question(guild_id, qid), at) for qid, at in rows]

    # -- helpers and sessions ---------------------------------------------------------

    async def leaderboard(
        self, guild_id: int, *, period: str, cursor: str | None = None, limit: int
    ) -> Page[Helper]:
        await self.require(guild_id)
        if period not in PERIODS:
            raise InvalidInput(f"The period must be one of: {', '.join(PERIODS)}.")
        offset = cursors.decode(cursor, 1)[0] if cursor else 0
        if offset < 0:
            raise InvalidInput(cursors.INVALID)
        span = PERIODS[period]
        since = None if span is None else epoch(self._clock.now() - span)
        size = _page_size(limit)
        rows = await qa_repo.leaderboard(self._db.reader, guild_id, since, size + 1, offset)
        people = await self._people(guild_id, [helper for helper, _ in rows[:size]])
        items = [
            Helper(offset + rank, people[helper], solved)
            for rank, (helper, solved) in enumerate(rows[:size], start=1)
        ]
        return Page(items, cursors.encode(offset + size) if len(rows) > size else None)

    async def sessions(
        self, guild_id: int, *, cursor: str | None = None, limit: int
    ) -> Page[SessionSummary]:
        """Scheduled and live sessions that have not ended, soonest first."""
        await self.require(guild_id)
        after = _pair(cursors.decode(cursor, 2)) if cursor else None
        size = _page_size(limit)
        rows = await session_calendar.upcoming_page(
            self._db.reader, guild_id, now=epoch(self._clock.now()), after=after, limit=size + 1
        )
        last = rows[size - 1].session if len(rows) > size else None
        return Page(rows[:size], cursors.encode(last.starts_at, last.id) if last else None)

    # -- people -----------------------------------------------------------------------

    async def _publish(self, questions: Sequence[Question]) -> list[Published]:
        if not questions:
            return []
        guild_id = questions[0].guild_id
        ids = {q.asker_id for q in questions} | {q.answerer_id for q in questions}
        people = await self._people(guild_id, [uid for uid in ids if uid is not None])
        return [self._published(q, people) for q in questions]

    def _published(self, question: Question, people: dict[int, Person]) -> Published:
        asker = people[question.asker_id] if question.asker_id else _former()
        helper: Person | None = None
        if question.answerer_id is not None and question.answerer_id != question.asker_id:
            helper = people[question.answerer_id]
        elif question.answerer_id is None and question.answer_message_id is not None:
            helper = _former()  # the credited answerer ran forget-me
        guild, thread = question.guild_id, question.thread_id
        answer = question.answer_message_id
        return Published(
            question=question,
            asker=asker,
            helper=helper,
            page_url=self._web.url(paths.question(guild, question.id)),
            thread_url=jump_url(guild, thread),
            answer_url=jump_url(guild, thread, answer) if answer else None,
        )

    async def _people(self, guild_id: int, user_ids: Iterable[int]) -> dict[int, Person]:
        wanted = sorted(set(user_ids))
        hidden = await web_repo.hidden_among(self._db.reader, wanted)
        names = await web_repo.names(self._db.reader, guild_id, wanted)
        return {uid: person(uid in hidden, names.get(uid)) for uid in wanted}


def person(hidden: bool, name: str | None) -> Person:
    if hidden:
        return Person("hidden", HIDDEN_MEMBER)
    if name is None:
        return Person("unknown", SOME_MEMBER)
    return Person("member", name)


def _former() -> Person:
    return Person("former", FORMER_MEMBER)


def _page_size(limit: int) -> int:
    if not 1 <= limit <= PAGE_MAX:
        raise InvalidInput(f"limit must be between 1 and {PAGE_MAX}.")
    return limit


def _pair(values: tuple[int, ...]) -> tuple[int, int]:
    return values[0], values[1]
