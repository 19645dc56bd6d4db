"""Shared pieces of the routes: the context, ids as the API accepts them, ETags."""

from __future__ import annotations

import hashlib
from typing import Annotated

from fastapi import Path, Request
from fastapi.responses import Response
from pydantic import BaseModel

from bot.services.container import Services
from bot.web.context import WebContext

MAX_ID = 2**63 - 1  # SQLite integers (Discord snowflakes fit)

GuildId = Annotated[int, Path(ge=1, le=MAX_ID, description="The Discord server id.")]
QuestionId = Annotated[int, Path(ge=1, le=MAX_ID, description="The question's number.")]


def context(request: Request) -> WebContext:
    ctx: WebContext = request.app.state.ctx
    return ctx


def services(request: Request) -> Services:
    return context(request).services


def etag_of(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def matches(header: str | None, tag: str) -> bool:
    """Whether an ``If-None-Match`` header names ``tag`` (weak or not) or is ``*``."""
    if not header:
        return False
    for candidate in header.split(","):
        candidate = candidate.strip()
        if candidate == "*" or candidate.removeprefix("W/") == tag:
            return True
    return False


def etagged(request: Request, model: BaseModel) -> Response:
    """The model as JSON with its ETag; 304 without a body when the client has it."""
    body = model.model_dump_json().encode()
    tag = etag_of(body)
    headers = {"ETag": tag, "Cache-Control": "no-cache"}
    if matches(request.headers.get("if-none-match"), tag):
        return Response(status_code=304, headers=headers)
    return Response(body, media_type="application/json", headers=headers)
