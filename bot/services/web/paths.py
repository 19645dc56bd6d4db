"""The web's addresses, in one place: the pages link to each other with these, and
Discord messages link to the pages with them (prefixed with ``PUBLIC_URL``)."""

from __future__ import annotations


def server(guild_id: int) -> str:
    return f"/servers/{guild_id}/"


def topic(guild_id: int, name: str) -> str:
    return f"/servers/{guild_id}/topics/{name}"


def question(guild_id: int, question_id: int) -> str:
    return f"/servers/{guild_id}/questions/{question_id}"


def search(guild_id: int) -> str:
    return f"/servers/{guild_id}/search"


def sessions(guild_id: int) -> str:
    return f"/servers/{guild_id}/sessions"


def sitemap(guild_id: int, page: int) -> str:
    return f"/servers/{guild_id}/sitemap/{page}.xml"


def server_calendar(guild_id: int) -> str:
    return f"/calendar/{guild_id}.ics"


def personal_calendar(token: str) -> str:
    return f"/calendar/feeds/{token}.ics"
