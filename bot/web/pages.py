"""The HTML pages: a published server's home (topics, recent solves), a topic's solved
questions, one page per solved question, search, and upcoming sessions. Server-rendered,
no script; each has a title, a description and its canonical address."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse

from bot.db.web import WebGuild
from bot.errors import InvalidInput
from bot.services.container import Services
from bot.services.qa.rules import TOPICS
from bot.services.web import paths
from bot.services.web.archive import Published
from bot.web.deps import GuildId, QuestionId, services

Svc = Annotated[Services, Depends(services)]
After = Annotated[str | None, Query(max_length=200)]
PAGE_SIZE = 20
HIDDEN = "This question's asker keeps their posts off the web."

router = APIRouter(include_in_schema=False)


def render(request: Request, template: str, *, status: int = 200, **values: Any) -> HTMLResponse:
    env = request.app.state.templates
    html = env.get_template(template).render(**values)
    headers = {"Cache-Control": "public, max-age=60"}
    return HTMLResponse(html, status_code=status, headers=headers)


def server_values(svc: Services, server: WebGuild, canonical_path: str) -> dict[str, Any]:
    g = server.guild_id
    return {
        "site_name": f"{server.name} Q&A",
        "server_name": server.name,
        "home_path": paths.server(g),
        "search_path": paths.search(g),
        "nav": [("Topics", paths.server(g)), ("Search", paths.search(g)),
                ("Sessions", paths.sessions(g))],
        "canonical": svc.web.url(canonical_path),
    }  # fmt: skip


def listed(items: list[Published]) -> list[dict[str, Any]]:
    return [
        {"question": i.question, "path": paths.question(i.question.guild_id, i.question.id)}
        for i in items
    ]


@router.get("/", response_class=HTMLResponse)
async def index(request: Request, svc: Svc) -> HTMLResponse:
    servers = [
        {"name": g.name, "path": paths.server(g.guild_id)} for g in await svc.web.published()
    ]
    return render(
        request,
        "index.html",
        title="Nexus community Q&A",
        description="Solved questions and study sessions from Discord learning communities.",
        canonical=svc.web.url("/"),
        servers=servers,
    )


@router.get("/servers/{guild_id}/", response_class=HTMLResponse)
async def server_home(request: Request, svc: Svc, guild_id: GuildId) -> HTMLResponse:
    server = await svc.archive.require(guild_id)
    topics = await svc.archive.topics(guild_id)
    recent = await svc.archive.solved(guild_id, limit=10)
    solved = sum(n for _, n in topics)
    return render(
        request,
        "server.html",
        title=f"{server.name} Q&A: solved questions",
        description=f"{solved} questions solved by the {server.name} community, each with "
        "its one-line solution, and its upcoming study sessions.",
        topics=topics,
        topic_paths={t: paths.topic(guild_id, t) for t in TOPICS},
        items=listed(recent.items),
        sessions_path=paths.sessions(guild_id),
        calendar_url=svc.web.url(paths.server_calendar(guild_id)),
        **server_values(svc, server, paths.server(guild_id)),
    )


@router.get("/servers/{guild_id}/topics/{topic}", response_class=HTMLResponse)
async def topic_page(
    request: Request, svc: Svc, guild_id: GuildId, topic: str, after: After = None
) -> HTMLResponse:
    server = await svc.archive.require(guild_id)
    page = await svc.archive.solved(guild_id, topic=topic, cursor=after, limit=PAGE_SIZE)
    count = dict(await svc.archive.topics(guild_id)).get(topic, 0)
    path = paths.topic(guild_id, topic)
    return render(
        request,
        "topic.html",
        title=f"Solved {topic} questions · {server.name} Q&A",
        description=f"{count} {topic} questions solved by the {server.name} community, "
        "newest first, each with its one-line solution.",
        topic=topic,
        count=count,
        items=listed(page.items),
        next_path=f"{path}?after={page.next_cursor}" if page.next_cursor else None,
        noindex=after is not None,
        **server_values(svc, server, path),
    )


@router.get("/servers/{guild_id}/questions/{question_id}", response_class=HTMLResponse)
async def question_page(
    request: Request, svc: Svc, guild_id: GuildId, question_id: QuestionId
) -> HTMLResponse:
    server = await svc.archive.require(guild_id)
    item = await svc.archive.question(guild_id, question_id)
    path = paths.question(guild_id, question_id)
    if item is None:
        return render(
            request,
            "error.html",
            status=404,
            title=f"Hidden question · {server.name} Q&A",
            description=HIDDEN,
            heading="Hidden question",
            message=HIDDEN,
            noindex=True,
            **server_values(svc, server, path),
        )
    q = item.question
    return render(
        request,
        "question.html",
        title=f"{q.title} · {server.name} Q&A",
        description=f"Solved: {q.summary or ''}",
        og_type="article",
        q=q,
        item=item,
        topic_path=paths.topic(guild_id, q.topic),
        **server_values(svc, server, path),
    )


@router.get("/servers/{guild_id}/search", response_class=HTMLResponse)
async def search_page(
    request: Request,
    svc: Svc,
    guild_id: GuildId,
    q: Annotated[str, Query(max_length=1000)] = "",
) -> HTMLResponse:
    server = await svc.archive.require(guild_id)
    query = " ".join(q.split())
    items: list[Published] = []
    problem = None
    if query:
        try:
            items = await svc.archive.search(guild_id, query)
        except InvalidInput as exc:
            problem = exc.message
    return render(
        request,
        "search.html",
        title=f"Search · {server.name} Q&A",
        description=f"Search the questions the {server.name} community has solved.",
        query=query,
        items=listed(items),
        problem=problem,
        noindex=bool(query),
        **server_values(svc, server, paths.search(guild_id)),
    )


@router.get("/servers/{guild_id}/sessions", response_class=HTMLResponse)
async def sessions_page(
    request: Request, svc: Svc, guild_id: GuildId, after: After = None
) -> HTMLResponse:
    server = await svc.archive.require(guild_id)
    page = await svc.archive.sessions(guild_id, cursor=after, limit=PAGE_SIZE)
    zone = str(await svc.guilds.zone(guild_id))
    path = paths.sessions(guild_id)
    return render(
        request,
        "sessions.html",
        title=f"Upcoming study sessions · {server.name}",
        description=f"Study sessions planned in {server.name}: when, what about, and how to join.",
        items=page.items,
        zone=zone,
        calendar_url=svc.web.url(paths.server_calendar(guild_id)),
        next_path=f"{path}?after={page.next_cursor}" if page.next_cursor else None,
        noindex=after is not None,
        **server_values(svc, server, path),
    )


def not_found_page(request: Request, message: str, status: int = 404) -> HTMLResponse:
    heading = "Not found" if status == 404 else "Can't show that"
    return render(
        request,
        "error.html",
        status=status,
        title=f"{heading} · Nexus",
        description=message,
        heading=heading,
        message=message,
        noindex=True,
    )
