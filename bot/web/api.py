"""The read API under ``/api/v1``: servers on the web, their solved questions (with
their one-line solutions), search, upcoming sessions, unanswered counts by topic and
the helper leaderboard. Lists are cursor-paginated; every answer carries an ETag and a
matching ``If-None-Match`` gets 304."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from bot.calendar_export import session_uid
from bot.db.sessions import SessionSummary
from bot.errors import NotFound
from bot.services.container import Services
from bot.services.qa.rules import Topic
from bot.services.web import paths
from bot.services.web.archive import Person, Published
from bot.web import schemas
from bot.web.deps import GuildId, QuestionId, etagged, services

Svc = Annotated[Services, Depends(services)]
Limit = Annotated[int, Query(ge=1, le=100, description="Items per page.")]
Cursor = Annotated[
    str | None,
    Query(max_length=200, description="`next_cursor` of the previous page; omit for the first."),
]
PROBLEMS: dict[int | str, dict[str, object]] = {
    304: {"description": "Not modified: `If-None-Match` named the current ETag."},
    400: {"model": schemas.Problem, "description": "A parameter that cannot be used."},
    404: {"model": schemas.Problem, "description": "No such server on the web, or item."},
    429: {
        "model": schemas.Problem,
        "description": "Too many requests from this client; `Retry-After` says when to retry.",
    },
}

HIDDEN_QUESTION = "That question's asker keeps their posts off the web."

router = APIRouter(prefix="/api/v1", responses=PROBLEMS, tags=["read API"])


def person(who: Person) -> schemas.PersonOut:
    return schemas.PersonOut(name=who.name, kind=who.kind)  # type: ignore[arg-type]


def question(item: Published) -> schemas.QuestionOut:
    q = item.question
    return schemas.QuestionOut(
        id=q.id,
        title=q.title,
        topic=q.topic,
        question=q.body,
        solution=q.summary or "",
        asked_at=schemas.utc(q.asked_at),
        solved_at=schemas.utc(q.resolved_at) if q.resolved_at else None,
        asked_by=person(item.asker),
        helped_by=person(item.helper) if item.helper else None,
        url=item.page_url,
        discord_url=item.thread_url,
        answer_url=item.answer_url,
    )


def session(summary: SessionSummary) -> schemas.SessionOut:
    s = summary.session
    return schemas.SessionOut(
        id=s.id,
        title=s.title,
        topic=s.topic,
        description=s.description,
        status="live" if s.status == "live" else "scheduled",
        starts_at=s.start,
        ends_at=s.end,
        duration_minutes=s.duration_min,
        timezone=s.zone,
        repeat=s.repeat,  # type: ignore[arg-type]
        capacity=s.capacity,
        going=summary.going,
        waitlist=summary.waiting,
        discord_url=s.card_url,
        calendar_uid=session_uid(s.id),
    )


@router.get("/servers", response_model=schemas.ServerList, summary="Servers on the web")
async def servers(request: Request, svc: Svc) -> Response:
    found = await svc.web.published()
    items = [
        schemas.ServerOut(
            id=str(g.guild_id),
            name=g.name,
            url=svc.web.url(paths.server(g.guild_id)),
            calendar_url=svc.web.url(paths.server_calendar(g.guild_id)),
        )
        for g in found
    ]
    return etagged(request, schemas.ServerList(items=items))


@router.get(
    "/servers/{guild_id}/questions",
    response_model=schemas.QuestionPage,
    summary="Solved questions, newest solved first",
)
async def questions(
    request: Request,
    svc: Svc,
    guild_id: GuildId,
    limit: Limit = 20,
    cursor: Cursor = None,
    topic: Annotated[Topic | None, Query(description="Only this topic.")] = None,
) -> Response:
    page = await svc.archive.solved(guild_id, topic=topic, cursor=cursor, limit=limit)
    body = schemas.QuestionPage(
        items=[question(item) for item in page.items], next_cursor=page.next_cursor
    )
    return etagged(request, body)


@router.get(
    "/servers/{guild_id}/questions/{question_id}",
    response_model=schemas.QuestionOut,
    summary="One solved question",
)
async def one_question(
    request: Request, svc: Svc, guild_id: GuildId, question_id: QuestionId
) -> Response:
    found = await svc.archive.question(guild_id, question_id)
    if found is None:
        raise NotFound(HIDDEN_QUESTION)
    return etagged(request, question(found))


@router.get(
    "/servers/{guild_id}/search",
    response_model=schemas.SearchResults,
    summary="Search solved questions (the index of /qa search)",
)
async def search(
    request: Request,
    svc: Svc,
    guild_id: GuildId,
    q: Annotated[str, Query(min_length=1, max_length=300, description="Words to look for.")],
) -> Response:
    found = await svc.archive.search(guild_id, q)
    return etagged(request, schemas.SearchResults(query=q, items=[question(i) for i in found]))


@router.get(
    "/servers/{guild_id}/sessions",
    response_model=schemas.SessionPage,
    summary="Upcoming and live sessions, soonest first",
)
async def sessions(
    request: Request, svc: Svc, guild_id: GuildId, limit: Limit = 20, cursor: Cursor = None
) -> Response:
    page = await svc.archive.sessions(guild_id, cursor=cursor, limit=limit)
    body = schemas.SessionPage(
        items=[session(item) for item in page.items], next_cursor=page.next_cursor
    )
    return etagged(request, body)


@router.get(
    "/servers/{guild_id}/unanswered",
    response_model=schemas.Unanswered,
    summary="Questions waiting for help, counted by topic",
)
async def unanswered(request: Request, svc: Svc, guild_id: GuildId) -> Response:
    counts = await svc.archive.unanswered(guild_id)
    body = schemas.Unanswered(
        total=sum(n for _, n in counts),
        topics=[schemas.TopicCount(topic=t, count=n) for t, n in counts],
    )
    return etagged(request, body)


@router.get(
    "/servers/{guild_id}/leaderboard",
    response_model=schemas.Leaderboard,
    summary="Helpers credited with the most solved questions",
)
async def leaderboard(
    request: Request,
    svc: Svc,
    guild_id: GuildId,
    period: Literal["week", "month", "all"] = "all",
    limit: Limit = 10,
    cursor: Cursor = None,
) -> Response:
    page = await svc.archive.leaderboard(guild_id, period=period, cursor=cursor, limit=limit)
    items = [
        schemas.HelperOut(rank=h.rank, helper=person(h.person), solved=h.solved) for h in page.items
    ]
    return etagged(
        request, schemas.Leaderboard(period=period, items=items, next_cursor=page.next_cursor)
    )
