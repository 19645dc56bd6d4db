"""The API's response shapes: FastAPI writes the OpenAPI document from these, and every
JSON answer is one of them, serialised by pydantic (so it matches its schema)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal

from pydantic import BaseModel, Field

PersonKind = Literal["member", "former", "hidden", "unknown"]


class Problem(BaseModel):
    detail: str = Field(description="What went wrong, and what to do instead.")


class PersonOut(BaseModel):
    name: str = Field(
        description="The member's name; 'a former member' after forget-me, 'a member who "
        "keeps their posts off the web', or 'a member' when the name is not known."
    )
    kind: PersonKind


class QuestionOut(BaseModel):
    id: int
    title: str
    topic: str
    question: str = Field(description="The question as asked.")
    solution: str = Field(description="The one-line solution kept when it was solved.")
    asked_at: datetime
    solved_at: datetime | None
    asked_by: PersonOut
    helped_by: PersonOut | None = Field(description="Who was credited; null when nobody was.")
    url: str = Field(description="The question's web page.")
    discord_url: str = Field(description="The question's thread on Discord.")
    answer_url: str | None = Field(description="The answer message on Discord, if marked.")


class QuestionPage(BaseModel):
    items: list[QuestionOut]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page.")


class SearchResults(BaseModel):
    query: str
    items: list[QuestionOut]


class SessionOut(BaseModel):
    id: int
    title: str
    topic: str | None
    description: str | None
    status: Literal["scheduled", "live"]
    starts_at: datetime
    ends_at: datetime
    duration_minutes: int
    timezone: str = Field(description="The series' IANA timezone (repeats keep its wall time).")
    repeat: Literal["none", "daily", "weekly"]
    capacity: int | None = Field(description="Places besides the host; null: no limit.")
    going: int
    waitlist: int
    discord_url: str | None = Field(description="The session's card on Discord.")
    calendar_uid: str = Field(description="The UID its calendar events carry.")


class SessionPage(BaseModel):
    items: list[SessionOut]
    next_cursor: str | None


class TopicCount(BaseModel):
    topic: str
    count: int


class Unanswered(BaseModel):
    total: int
    topics: list[TopicCount]


class HelperOut(BaseModel):
    rank: int
    helper: PersonOut
    solved: int


class Leaderboard(BaseModel):
    period: Literal["week", "month", "all"]
    items: list[HelperOut]
    next_cursor: str | None


class ServerOut(BaseModel):
    id: str = Field(description="The Discord server id, as a string (it exceeds 2^53).")
    name: str
    url: str
    calendar_url: str


class ServerList(BaseModel):
    items: list[ServerOut]


class Health(BaseModel):
    status: Literal["ok", "failing"]
    gateway_connected: bool
    database_writable: bool
    scheduler_running: bool


def utc(epoch_seconds: int) -> datetime:
    return datetime.fromtimestamp(epoch_seconds, UTC)
