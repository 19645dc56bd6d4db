"""The pages' HTML: Jinja2 templates with autoescape on, so every value from the
database is escaped; the question's text is split into paragraphs and code blocks
here (fenced with three backticks, inline code in single ones) and escaped piece by
piece."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup, escape

DESCRIPTION_MAX = 160
_FENCE = re.compile(r"```[^\n`]*\n?(.*?)(?:```|\Z)", re.DOTALL)
_INLINE = re.compile(r"`([^`\n]+)`")


@dataclass(frozen=True)
class Block:
    kind: str  # "p" or "code"
    text: str


def blocks(text: str) -> list[Block]:
    """Paragraphs and fenced code blocks, in order."""
    found: list[Block] = []
    position = 0
    for fence in _FENCE.finditer(text):
        found += _paragraphs(text[position : fence.start()])
        code = fence.group(1).strip("\n")
        if code.strip():
            found.append(Block("code", code))
        position = fence.end()
    return found + _paragraphs(text[position:])


def _paragraphs(text: str) -> list[Block]:
    parts = re.split(r"\n\s*\n", text.strip())
    return [Block("p", part.strip()) for part in parts if part.strip()]


def inline(text: str) -> Markup:
    """``text`` escaped, with `inline code` as <code> and line breaks kept."""
    pieces: list[Markup] = []
    position = 0
    for code in _INLINE.finditer(text):
        pieces.append(escape(text[position : code.start()]))
        pieces.append(Markup("<code>%s</code>") % code.group(1))
        position = code.end()
    pieces.append(escape(text[position:]))
    return Markup("").join(pieces).replace("\n", Markup("<br>\n"))


def describe(text: str, limit: int = DESCRIPTION_MAX) -> str:
    """One line of at most ``limit`` characters for a meta description, cut at a word."""
    line = " ".join(text.replace("`", "").split())
    if len(line) <= limit:
        return line
    return line[: limit - 1].rsplit(" ", 1)[0].rstrip(",.;:") + "…"


def day(epoch_seconds: int | None) -> str:
    if not epoch_seconds:
        return ""
    return datetime.fromtimestamp(epoch_seconds, UTC).strftime("%-d %b %Y")


def iso(epoch_seconds: int | None) -> str:
    if not epoch_seconds:
        return ""
    return datetime.fromtimestamp(epoch_seconds, UTC).isoformat()


def local_time(instant: datetime, zone: str) -> str:
    """``Tue 1 Dec 2026, 18:00 WAT`` in the server's timezone."""
    return instant.astimezone(ZoneInfo(zone)).strftime("%a %-d %b %Y, %H:%M %Z")


def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("bot.web", "templates"),
        autoescape=select_autoescape(["html", "xml"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(blocks=blocks, inline=inline, day=day, iso=iso, describe=describe)
    env.globals["local_time"] = local_time
    return env
