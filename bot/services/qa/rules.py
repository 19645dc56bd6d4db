"""Q&A rules that need no storage: topics, reasons, periods, limits, the shapes passed
between the service and the cog, and parsing of what users type."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Literal, get_args

from bot.db.qa import Question
from bot.db.qa_drafts import Draft
from bot.errors import InvalidInput
from bot.services.qa.search import SearchHit
from bot.ui import limits, markup

# The topics of PRODUCT.md; as a Literal, a slash option typed with it is a picker.
Topic = Literal[
    "python",
    "django",
    "rest-api",
    "graphql",
    "databases",
    "async",
    "caching",
    "auth",
    "docker",
    "ci-cd",
    "testing",
    "frontend",
    "career",
    "other",
]
TOPICS: tuple[str, ...] = get_args(Topic)
CLOSE_REASONS = ("duplicate", "off-topic", "stale")
PERIODS: dict[str, timedelta | None] = {
    "week": timedelta(days=7),
    "month": timedelta(days=30),
    "all": None,
}

KIND_UNANSWERED = "qa_unanswered"
KIND_NUDGE = "qa_nudge"
KIND_DORMANT = "qa_dormant"
TIMER_KINDS = (KIND_UNANSWERED, KIND_NUDGE, KIND_DORMANT)

TITLE_MAX = 100  # a thread name
# The question is the opener's message text, under a one-line header (asker, topic) and
# above a one-line footer: this much of Discord's 2000 characters is kept for those two.
OPENER_ROOM = 200
BODY_MAX = limits.MESSAGE - OPENER_ROOM
SUMMARY_MAX = 200
DRAFT_TTL = timedelta(hours=24)
# The same asker and title again within this is a retry, not a new question.
REPEAT_WINDOW = timedelta(hours=24)
# Thread activity moves the timers at most once a minute per thread.
ACTIVITY_DEBOUNCE = 60
MAX_PINGED_USERS = 50
LEADERBOARD_SIZE = 10
UNANSWERED_LIST = 15


def asked_already(question: Question) -> str:
    """The answer to asking again what the asker's open question already asks."""
    link = markup.jump_url(question.guild_id, question.thread_id)
    return (
        f"You already asked **{question.title}**, so nothing new was posted: {link}\n"
        "Add anything new there as a reply."
    )


@dataclass(frozen=True)
class Ask:
    topic: str
    title: str
    body: str


@dataclass(frozen=True)
class Prepared:
    """A validated question; with a draft when similar solved questions were found."""

    ask: Ask
    draft: Draft | None
    similar: list[SearchHit]


@dataclass(frozen=True)
class Ping:
    """An unanswered question's escalation: whom to ping, in its thread."""

    question: Question
    stage: int  # 1: subscribed helpers or the helper role; 2: the mentor role
    user_ids: list[int]
    role_id: int | None
    waited: timedelta


@dataclass(frozen=True)
class HelpCall:
    """The asker still needs help: whom to ping with a new message in the thread (the
    topic's subscribed helpers, else the helper role; nobody without either)."""

    question: Question
    user_ids: list[int]
    role_id: int | None


@dataclass(frozen=True)
class Dormant:
    """A dormant timer's decision: close the question as stale, or (no reply yet, and
    its asker not asked) ask the asker first and close only after another quiet spell."""

    question: Question
    ask_first: bool


@dataclass(frozen=True)
class Adopted:
    """A post a member opened in the Q&A forum, tracked as a question: the bot still
    owes it one reply (similar solved questions, how to mark a solution)."""

    question: Question
    similar: list[SearchHit]


@dataclass(frozen=True)
class Activity:
    question: Question
    reopened: bool  # a reply reopened a solved or closed question


def normalise_topic(text: str) -> str | None:
    """``REST API``, ``rest_api`` and ``rest-api`` are the same topic."""
    key = re.sub(r"[^a-z0-9]", "", text.casefold())
    for topic in TOPICS:
        if topic.replace("-", "") == key:
            return topic
    return None


def topic_from_tags(names: list[str]) -> str:
    """The topic of a member's forum post: its first tag naming one (``REST API`` is
    ``rest-api``), else ``other``."""
    for name in names:
        topic = normalise_topic(name)
        if topic is not None:
            return topic
    return "other"


def one_line(text: str) -> str:
    return " ".join(text.split())


def validate_ask(topic: str, title: str | None, body: str | None) -> Ask:
    """A question as asked: a known topic, a one-line title, the question within limits."""
    chosen = normalise_topic(topic)
    if chosen is None:
        raise InvalidInput(f"`{topic}` is not a topic. Pick one of: {', '.join(TOPICS)}.")
    return Ask(
        topic=chosen,
        title=one_line(limits.require_text("title", title, TITLE_MAX)),
        body=limits.require_text("question", body, BODY_MAX),
    )


def parse_thread_ref(text: str) -> int | None:
    """A thread link (``…/channels/guild/thread``), a mention (``<#id>``) or a bare id."""
    text = text.strip()
    link = re.search(r"/channels/(?:\d+|@me)/(\d+)(?:/\d+)?/?$", text)
    if link:
        return int(link.group(1))
    mention = re.fullmatch(r"<#(\d+)>", text)
    if mention:
        return int(mention.group(1))
    if re.fullmatch(r"\d{15,21}", text):
        return int(text)
    return None


def parse_topics(text: str) -> list[str]:
    cleaned = text.strip().casefold()
    if cleaned in ("none", "off", "nothing", "-"):
        return []
    if cleaned in ("all", "every", "everything", "*"):
        return list(TOPICS)
    chosen: list[str] = []
    unknown: list[str] = []
    for part in re.split(r"[,;\n]+", text):
        part = part.strip()
        if not part:
            continue
        topic = normalise_topic(part)
        if topic is None:
            unknown.append(part)
        elif topic not in chosen:
            chosen.append(topic)
    if unknown:
        raise InvalidInput(
            f"Unknown topic(s): {', '.join(f'`{u[:30]}`' for u in unknown[:5])}. "
            f"Topics are: {', '.join(TOPICS)} (or `all`, or `none` to stop)."
        )
    if not chosen:
        raise InvalidInput("Name at least one topic, `all`, or `none` to stop the pings.")
    return chosen
