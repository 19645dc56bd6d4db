"""Calendar feeds that calendar apps subscribe to: a server's upcoming sessions, and a
member's own (the sessions they host or joined) at a secret address.

The feeds are built by the same code as ``/session export`` (``bot.calendar_export``),
so their events carry the same UIDs and SEQUENCE and update in place. A member's
address holds a random token; only its SHA-256 is stored, so the address can be shown
once, when it is made, and rotating makes a new one and revokes the old at once.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

from bot.calendar_export import build_calendar
from bot.db import calendar_feeds as repo
from bot.db import session_calendar
from bot.db.database import Database
from bot.errors import NotConfigured, NotFound
from bot.services.web import paths
from bot.services.web.publishing import NOT_ON_THE_WEB, WEB_SERVER_OFF, WebService
from bot.time.clock import Clock, epoch, from_epoch

TOKEN_BYTES = 24
TOKEN_MAX = 100
NO_FEED = "No calendar feed has that address: it may have been replaced by a newer one."
NOT_PUBLISHED = (
    "Calendar feeds are part of this server's web pages, which are off: an admin can turn "
    "them on with `/nexus web state:on`."
)


@dataclass(frozen=True)
class FeedAddress:
    """``url`` is the new address, or None when the member already has one (made at
    ``since``) and did not ask to rotate it: it cannot be shown again."""

    url: str | None
    since: datetime
    replaced: bool = False


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class FeedService:
    def __init__(self, db: Database, clock: Clock, web: WebService) -> None:
        self._db = db
        self._clock = clock
        self._web = web

    async def address(self, guild_id: int, user_id: int, *, rotate: bool) -> FeedAddress:
        """The member's feed address in this server: made when they have none, or
        made anew (revoking the old one) with ``rotate``."""
        if not self._web.serving:
            raise NotConfigured(WEB_SERVER_OFF)
        web_guild = await self._web.guild(guild_id)
        if web_guild is None:
            raise NotConfigured(NOT_PUBLISHED)
        made = await repo.created_at(self._db.reader, guild_id, user_id)
        if made is not None and not rotate:
            return FeedAddress(None, from_epoch(made))
        token = secrets.token_urlsafe(TOKEN_BYTES)
        now = self._clock.now()
        async with self._db.transaction() as tx:
            await repo.replace(tx, guild_id, user_id, token_hash(token), epoch(now))
        return FeedAddress(
            self._web.url(paths.personal_calendar(token)), now, replaced=made is not None
        )

    async def personal(self, token: str) -> bytes:
        """The calendar behind a member's secret address."""
        owner = None
        if 0 < len(token) <= TOKEN_MAX:
            owner = await repo.owner(self._db.reader, token_hash(token))
        if owner is None:
            raise NotFound(NO_FEED)
        guild_id, user_id = owner
        web_guild = await self._web.guild(guild_id)
        if web_guild is None:
            raise NotFound(NO_FEED)
        now = self._clock.now()
        items = await session_calendar.for_export(self._db.reader, guild_id, user_id, epoch(now))
        return build_calendar(items, now=now, name=f"My sessions · {web_guild.name}")

    async def server(self, guild_id: int) -> bytes:
        """The server's sessions that have not ended (cancelled ones marked so)."""
        web_guild = await self._web.guild(guild_id)
        if web_guild is None:
            raise NotFound(NOT_ON_THE_WEB)
        now = self._clock.now()
        items = await session_calendar.for_server(self._db.reader, guild_id, epoch(now))
        return build_calendar(items, now=now, name=f"{web_guild.name} study sessions")
