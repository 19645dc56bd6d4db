"""Calendar feeds, health, metrics, the interactive API docs, robots.txt and the
sitemaps."""

from __future__ import annotations

import asyncio
import logging
import math
from importlib import resources
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response

from bot.db import app_state
from bot.metrics import CONTENT_TYPE
from bot.services.container import Services
from bot.services.web import paths
from bot.time.clock import epoch
from bot.web import schemas
from bot.web.api import PROBLEMS
from bot.web.context import WebContext
from bot.web.deps import GuildId, context, services
from bot.web.render import iso

log = logging.getLogger(__name__)

Svc = Annotated[Services, Depends(services)]
Ctx = Annotated[WebContext, Depends(context)]
CALENDAR = "text/calendar; charset=utf-8"
SITEMAP_SIZE = 50_000  # URLs in one sitemap file, the protocol's limit
DATABASE_PROBE_TIMEOUT = 5.0
DOCS_ASSETS = "/docs/assets"

router = APIRouter()


def docs_assets() -> str:
    """Swagger UI's script and styles, shipped in a package: /docs needs no CDN."""
    return str(resources.files("fastapi_offline") / "static")


def calendar(data: bytes, filename: str) -> Response:
    return Response(
        data,
        media_type=CALENDAR,
        headers={
            "Content-Disposition": f'inline; filename="{filename}"',
            "Cache-Control": "public, max-age=300",
        },
    )


@router.get(
    "/calendar/{guild_id}.ics",
    response_class=Response,
    responses={
        200: {"content": {"text/calendar": {}}, "description": "An iCalendar feed."},
        404: PROBLEMS[404],
        429: PROBLEMS[429],
    },
    tags=["calendar"],
    summary="The server's upcoming sessions as a calendar feed",
)
async def server_calendar(svc: Svc, guild_id: GuildId) -> Response:
    return calendar(await svc.feeds.server(guild_id), f"sessions-{guild_id}.ics")


@router.get("/calendar/feeds/{token}.ics", include_in_schema=False)
async def personal_calendar(svc: Svc, token: Annotated[str, Path(max_length=100)]) -> Response:
    return calendar(await svc.feeds.personal(token), "my-sessions.ics")


@router.get(
    "/healthz",
    response_model=schemas.Health,
    responses={503: {"model": schemas.Health, "description": "A check failed."}},
    tags=["operations"],
    summary="Gateway connected, database writable, scheduler running",
)
async def healthz(ctx: Ctx) -> JSONResponse:
    writable = await database_writable(ctx.services)
    checks = {
        "gateway_connected": ctx.gateway_connected(),
        "database_writable": writable,
        "scheduler_running": ctx.services.scheduler.started,
    }
    ok = all(checks.values())
    body = schemas.Health(status="ok" if ok else "failing", **checks)
    return JSONResponse(body.model_dump(), status_code=200 if ok else 503)


async def database_writable(svc: Services) -> bool:
    """A real write, within a few seconds (a long transaction ahead is a failure too)."""

    async def write() -> None:
        async with svc.db.transaction() as tx:
            await app_state.put(tx, "health:checked_at", str(epoch(svc.clock.now())))

    try:
        await asyncio.wait_for(write(), DATABASE_PROBE_TIMEOUT)
    except Exception as exc:  # any failure to write is the answer, not an error
        log.warning("health check: the database is not writable: %s", exc)
        return False
    return True


@router.get("/metrics", include_in_schema=False)
async def metrics(ctx: Ctx) -> Response:
    scheduler = ctx.services.scheduler
    ctx.metrics.set_timers(await scheduler.backlog(), scheduler.kinds)
    return Response(ctx.metrics.exposition(), media_type=CONTENT_TYPE)


@router.get("/docs", include_in_schema=False)
async def docs() -> HTMLResponse:
    return get_swagger_ui_html(
        openapi_url="/openapi.json",
        title="Nexus API",
        swagger_js_url=f"{DOCS_ASSETS}/swagger-ui-bundle.js",
        swagger_css_url=f"{DOCS_ASSETS}/swagger-ui.css",
        swagger_favicon_url=f"{DOCS_ASSETS}/favicon.png",
    )


@router.get("/robots.txt", include_in_schema=False)
async def robots(svc: Svc) -> PlainTextResponse:
    lines = [
        "User-agent: *",
        "Disallow: /api/",
        "Disallow: /calendar/",
        "Disallow: /*/search",
        "Allow: /",
        f"Sitemap: {svc.web.url('/sitemap.xml')}",
    ]
    return PlainTextResponse("\n".join(lines) + "\n")


@router.get("/sitemap.xml", include_in_schema=False)
async def sitemap_index(request: Request, svc: Svc) -> Response:
    """One sitemap per server and 50,000 questions."""
    sitemaps = []
    for server in await svc.web.published():
        solved = sum(n for _, n in await svc.archive.topics(server.guild_id))
        for page in range(max(1, math.ceil(solved / SITEMAP_SIZE))):
            sitemaps.append(svc.web.url(paths.sitemap(server.guild_id, page + 1)))
    xml = request.app.state.templates.get_template("sitemap_index.xml").render(sitemaps=sitemaps)
    return Response(xml, media_type="application/xml")


@router.get("/servers/{guild_id}/sitemap/{page}.xml", include_in_schema=False)
async def sitemap(
    request: Request, svc: Svc, guild_id: GuildId, page: Annotated[int, Path(ge=1, le=10_000)]
) -> Response:
    server = await svc.archive.require(guild_id)
    urls: list[tuple[str, str]] = []
    if page == 1:
        urls.append((svc.web.url(paths.server(guild_id)), iso(server.updated_at)[:10]))
        urls.append((svc.web.url(paths.sessions(guild_id)), ""))
        for topic, count in await svc.archive.topics(guild_id):
            if count:
                urls.append((svc.web.url(paths.topic(guild_id, topic)), ""))
    offset = (page - 1) * SITEMAP_SIZE
    for path, solved_at in await svc.archive.sitemap(guild_id, offset=offset, limit=SITEMAP_SIZE):
        urls.append((svc.web.url(path), iso(solved_at)[:10]))
    xml = request.app.state.templates.get_template("sitemap.xml").render(urls=urls)
    return Response(xml, media_type="application/xml")
