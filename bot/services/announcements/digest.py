"""The weekly digest: what the community did this week, and what comes next.

Plain text assembled from the database (no Discord): sessions starting in the next seven
days, questions still waiting for a reply, questions solved this week, new pairs and the
week's top helpers. The cog renders a ``Digest`` as one embed, one field per section;
``fit`` keeps it within Discord's limits by leaving whole lines out, never cutting one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from bot.db import announcements as schedule_repo
from bot.db import pairs as pair_repo
from bot.db import qa as qa_repo
from bot.db import sessions as session_repo
from bot.db.database import Database
from bot.db.pairs import Pair
from bot.db.qa import Question
from bot.db.sessions import SessionSummary
from bot.scheduling import Scheduler
from bot.services import weekly
from bot.services.guild_settings import GuildSettingsService
from bot.services.weekly import WeeklySlot
from bot.time.clock import Clock, epoch
from bot.time.durations import format_duration
from bot.time.timeparse import parse_weekly_schedule
from bot.ui import markup
from bot.ui.limits import EMBED_FIELD_VALUE

KIND_DIGEST = "announce.digest"
TITLE = "This week in the community"
WEEK = timedelta(days=7)
# The embed's fields together (names and values); the rest of Discord's 6,000 is left
# for the title, the date range and the footer.
TOTAL_LIMIT = 5_500
TOP_HELPERS = 3
# Fetched at most per list: more than ever fits in a field; the rest is "…and N more".
UNANSWERED_FETCH = 50

SESSIONS_NEXT_WEEK = "Sessions next week"
STILL_UNANSWERED = "Still unanswered"
SOLVED_THIS_WEEK = "Solved this week"
NEW_PAIRS = "New pairs"
TOP_HELPERS_TITLE = "Top helpers"


@dataclass(frozen=True)
class Section:
    """A titled list of lines; ``more`` counts the items left out of ``lines``."""

    title: str
    lines: tuple[str, ...]
    more: int = 0

    @property
    def value(self) -> str:
        """The field's text: the lines, then "…and N more" when some were left out."""
        shown = [*self.lines, f"…and {self.more} more"] if self.more else list(self.lines)
        return "\n".join(shown)

    @property
    def size(self) -> int:
        """What the section counts against the embed's total: its name and its value."""
        return len(self.title) + len(self.value)


@dataclass(frozen=True)
class Digest:
    title: str
    since: datetime  # the week, in the server's timezone
    until: datetime
    sections: tuple[Section, ...]

    @property
    def period(self) -> str:
        """The week as dates: "21 – 28 Nov 2026", "28 Dec 2026 – 4 Jan 2027"."""
        end = f"{self.until.day} {self.until:%b %Y}"
        if self.since.year != self.until.year:
            return f"{self.since.day} {self.since:%b %Y} – {end}"
        if self.since.month != self.until.month:
            return f"{self.since.day} {self.since:%b} – {end}"
        return f"{self.since.day} – {end}"


# -- fitting ------------------------------------------------------------------------------


def _drop_last(section: Section) -> Section:
    return replace(section, lines=section.lines[:-1], more=section.more + 1)


def fit(sections: Sequence[Section], field_limit: int, total_limit: int) -> tuple[Section, ...]:
    """The sections shortened to fit: each value at most ``field_limit`` characters and
    all names and values together at most ``total_limit``.

    Lines are left out from the end of a section, whole, and counted in its "…and N
    more"; the longest section gives up a line first. A section that cannot fit even as
    "…and N more" alone is left out (only with limits far below Discord's)."""
    fitted: list[Section] = []
    for section in sections:
        while section.lines and len(section.value) > field_limit:
            section = _drop_last(section)
        if len(section.value) <= field_limit:
            fitted.append(section)
    while sum(section.size for section in fitted) > total_limit:
        shortenable = [i for i, section in enumerate(fitted) if section.lines]
        if not shortenable:
            fitted.pop()
            continue
        longest = max(shortenable, key=lambda i: (len(fitted[i].value), -i))
        fitted[longest] = _drop_last(fitted[longest])
    return tuple(fitted)


# -- lines --------------------------------------------------------------------------------


def _link(text: str, url: str | None) -> str:
    """A markdown link (brackets in the text escaped), or the text when there is no url."""
    label = text.replace("[", "\\[").replace("]", "\\]")
    return label if url is None else f"[{label}]({url})"


def _timestamp(instant: int) -> str:
    return f"<t:{instant}:f>"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def session_line(summary: SessionSummary) -> str:
    session = summary.session
    places = f"{summary.going}/{session.capacity}" if session.capacity else f"{summary.going}"
    title = _link(session.title, session.card_url)
    return f"{title} — {_timestamp(session.starts_at)} · {places} going"


def unanswered_line(question: Question, now: int) -> str:
    waited = format_duration(timedelta(seconds=max(0, now - question.asked_at)), approximate=True)
    url = markup.jump_url(question.guild_id, question.thread_id)
    return f"{_link(question.title, url)} — asked {waited} ago"


def solved_line(question: Question) -> str:
    url = markup.jump_url(question.guild_id, question.thread_id)
    line = _link(question.title, url)
    if question.summary:
        line += f" — {question.summary}"
    helper = question.answerer_id
    if helper is not None and helper != question.asker_id:
        line += f" · helped by {markup.user(helper)}"
    return line


def pair_line(pair: Pair) -> str:
    mentions = [markup.user(member) for member in pair.members]
    names = f"{', '.join(mentions[:-1])} & {mentions[-1]}"
    return f"{names} — {'pair' if len(pair.members) == 2 else 'trio'}"


def helper_line(rank: int, helper_id: int, credits: int) -> str:
    return f"{rank}. {markup.user(helper_id)} — {_plural(credits, 'answer')}"


# -- the service --------------------------------------------------------------------------


class DigestService:
    def __init__(
        self, db: Database, clock: Clock, guilds: GuildSettingsService, scheduler: Scheduler
    ) -> None:
        self._scheduler = scheduler
        self._db = db
        self._clock = clock
        self._guilds = guilds

    async def compose(self, guild_id: int) -> Digest | None:
        """This week's digest of a server, fitted to one embed; None when there is
        nothing to say (the weekly post is then skipped)."""
        now = self._clock.now()
        start, end = epoch(now - WEEK), epoch(now)
        sections = [
            await self._sessions(guild_id, end, epoch(now + WEEK)),
            await self._unanswered(guild_id, end),
            await self._solved(guild_id, start, end),
            await self._pairs(guild_id, start),
            await self._helpers(guild_id, start),
        ]
        found = [section for section in sections if section.lines]
        if not found:
            return None
        zone = await self._guilds.zone(guild_id)
        return Digest(
            title=TITLE,
            since=(now - WEEK).astimezone(zone),
            until=now.astimezone(zone),
            sections=fit(found, EMBED_FIELD_VALUE, TOTAL_LIMIT),
        )

    async def _sessions(self, guild_id: int, start: int, end: int) -> Section:
        found = await session_repo.starting_between(self._db.reader, guild_id, start, end)
        return Section(SESSIONS_NEXT_WEEK, tuple(session_line(s) for s in found))

    async def _unanswered(self, guild_id: int, now: int) -> Section:
        found, total = await qa_repo.unanswered(self._db.reader, guild_id, None, UNANSWERED_FETCH)
        lines = tuple(unanswered_line(question, now) for question in found)
        return Section(STILL_UNANSWERED, lines, more=max(0, total - len(found)) if lines else 0)

    async def _solved(self, guild_id: int, start: int, end: int) -> Section:
        found = await qa_repo.solved_between(self._db.reader, guild_id, start, end)
        return Section(SOLVED_THIS_WEEK, tuple(solved_line(question) for question in found))

    async def _pairs(self, guild_id: int, start: int) -> Section:
        found = await pair_repo.made_since(self._db.reader, guild_id, start)
        # Pairs that already ended, or lost a member to forget-me, are not news.
        made = [p for p in found if p.status == "active" and len(p.members) >= 2]
        return Section(NEW_PAIRS, tuple(pair_line(pair) for pair in made))

    async def _helpers(self, guild_id: int, start: int) -> Section:
        board = await qa_repo.leaderboard(self._db.reader, guild_id, start, TOP_HELPERS)
        lines = (helper_line(rank, *entry) for rank, entry in enumerate(board, start=1))
        return Section(TOP_HELPERS_TITLE, tuple(lines))

    # -- the schedule ---------------------------------------------------------------------

    async def set_digest(self, guild_id: int, text: str) -> WeeklySlot | None:
        """``mon 09:00`` (in the server's zone) or ``off``."""
        parsed = parse_weekly_schedule(text)
        now = self._clock.now()
        async with self._db.transaction() as tx:
            if parsed is None:
                await self._scheduler.cancel_subject(KIND_DIGEST, guild_id, conn=tx)
                await schedule_repo.clear_digest_schedule(tx, guild_id)
                return None
            weekday, at = parsed
            zone = (await self._guilds.zone(guild_id)).key
            minute = at.hour * 60 + at.minute
            await schedule_repo.set_digest_schedule(tx, guild_id, weekday, minute, zone, epoch(now))
            timer = await weekly.book(
                self._scheduler,
                tx,
                KIND_DIGEST,
                guild_id,
                weekday=weekday,
                at_minute=minute,
                zone=zone,
                after=now,
            )
        return WeeklySlot(weekday, minute, zone, timer.due)

    async def book_next_digest(self, guild_id: int, due: datetime) -> None:
        """After a digest: the next slot of the schedule."""
        schedule = await schedule_repo.digest_schedule(self._db.reader, guild_id)
        if schedule is None:
            return
        weekday, minute, zone = schedule
        async with self._db.transaction() as tx:
            await weekly.book(
                self._scheduler,
                tx,
                KIND_DIGEST,
                guild_id,
                weekday=weekday,
                at_minute=minute,
                zone=zone,
                after=max(due, self._clock.now()),
            )
