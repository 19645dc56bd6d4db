"""The web application: routes, error answers, and the middleware around them (request
metrics outermost, then CORS, then the rate limit)."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exception_handlers import request_validation_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException

from bot.errors import NotFound, UserFacingError
from bot.web import api, ops, pages
from bot.web.context import WebContext
from bot.web.middleware import RateLimit, RequestMetrics, TokenBuckets
from bot.web.render import environment

log = logging.getLogger(__name__)

DESCRIPTION = """Read-only access to the communities that publish their Nexus archive:
solved questions with their one-line solutions, search, upcoming study sessions,
questions waiting for help by topic, and the helper leaderboard.

Lists are cursor-paginated: pass a page's `next_cursor` as `cursor` for the next one.
Every answer has an `ETag`; send it back in `If-None-Match` to get `304 Not Modified`.
Each client may make a limited number of requests a minute; past it the answer is
`429` with `Retry-After` in seconds. Browsers may call the API from any origin (CORS).
Server ids are Discord's, written as strings in JSON."""


def create_app(ctx: WebContext) -> FastAPI:
    app = FastAPI(
        title="Nexus API",
        version="1",
        description=DESCRIPTION,
        docs_url=None,  # served by ops.docs, with the assets from this machine
        redoc_url=None,
        openapi_url="/openapi.json",
    )
    app.state.ctx = ctx
    app.state.templates = environment()
    app.include_router(api.router)
    app.include_router(ops.router)
    app.include_router(pages.router)
    app.mount(ops.DOCS_ASSETS, StaticFiles(directory=ops.docs_assets()), name="docs-assets")
    app.add_exception_handler(UserFacingError, domain_error)  # type: ignore[arg-type]
    app.add_exception_handler(HTTPException, http_error)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, invalid_request)  # type: ignore[arg-type]
    app.add_middleware(RateLimit, buckets=TokenBuckets(ctx.rate_limit, burst=ctx.rate_burst))
    app.add_middleware(
        CORSMiddleware,
        allow_origins=["*"],
        allow_methods=["GET", "HEAD", "OPTIONS"],
        allow_headers=["If-None-Match"],
        expose_headers=["ETag", "Retry-After"],
        max_age=600,
    )
    app.add_middleware(RequestMetrics, metrics=ctx.metrics)
    return app


def answer(request: Request, status: int, message: str) -> Response:
    """An error as the client asked for it: JSON for the API and the feeds (as the
    OpenAPI document says), a page for everything else."""
    path = request.url.path
    if path.startswith(("/api/", "/calendar/")) or path in ("/openapi.json", "/healthz"):
        return JSONResponse({"detail": message}, status_code=status)
    return pages.not_found_page(request, message, status)


async def domain_error(request: Request, exc: UserFacingError) -> Response:
    return answer(request, 404 if isinstance(exc, NotFound) else 400, exc.message)


async def http_error(request: Request, exc: HTTPException) -> Response:
    if exc.status_code == 404:
        return answer(request, 404, "Nothing is here.")
    if exc.status_code == 405:
        return answer(request, 405, "Only GET is served here.")
    return answer(request, exc.status_code, str(exc.detail))


async def invalid_request(request: Request, exc: RequestValidationError) -> Response:
    """The API says which parameter is wrong (FastAPI's 422); a page address with a
    malformed part is simply not a page."""
    if request.url.path.startswith("/api/"):
        return await request_validation_exception_handler(request, exc)
    return answer(request, 404, "Nothing is here.")
