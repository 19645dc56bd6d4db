"""Who and what is on the web: a server's opt-in (``/nexus web state``), a member's
choice to keep their posts off the web (``/privacy web state``), the names the pages
show, and the links Discord messages give to the pages.

Rules kept here:
* Nothing of a server is served until an admin turns it on, and only while the web
  server runs (``base_url`` set): turning it on without one is refused.
* A member who keeps their posts off the web has their questions left out everywhere
  (pages, search, sitemap, API, feeds of the archive) and is named "hidden" where they
  helped. Forget-me does not undo that choice for questions they asked: those stay
  hidden, recorded by question, before the member's id is taken off them.
* Names are kept only for servers on the web, as Discord last showed them to the bot,
  and forget-me deletes them ("a former member" after that).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from bot.db import web as repo
from bot.db.database import Connection, Database
from bot.db.qa import Question
from bot.db.qa_archive import visible_ids
from bot.db.web import WebGuild
from bot.errors import AlreadyDone, NotConfigured
from bot.services.privacy import PrivacyService
from bot.services.web import paths
from bot.time.clock import Clock, epoch

log = logging.getLogger(__name__)

PRIVACY_OWNER = "web"
NAME_MAX = 100
NAME_CACHE_SIZE = 50_000
NOT_ON_THE_WEB = "Nothing here: this server is not on the web."
WEB_SERVER_OFF = (
    "The web server is off: whoever runs Nexus needs to set `WEB_PORT` (and `PUBLIC_URL`, "
    "the address people reach it at) and restart it."
)


class WebService:
    def __init__(self, db: Database, clock: Clock, base_url: str | None) -> None:
        self._db = db
        self._clock = clock
        self.base_url = base_url.rstrip("/") if base_url else None
        # Read on every page and every message the bot sees; changed by one command.
        self._guilds: dict[int, WebGuild | None] = {}
        self._names: dict[tuple[int, int], str] = {}

    @property
    def serving(self) -> bool:
        """Whether the web server runs (``WEB_PORT`` set)."""
        return self.base_url is not None

    def url(self, path: str) -> str:
        return f"{self.base_url or ''}{path}"

    # -- servers ----------------------------------------------------------------------

    async def guild(self, guild_id: int) -> WebGuild | None:
        """The server if it is on the web, else None."""
        if guild_id not in self._guilds:
            self._guilds[guild_id] = await repo.guild(self._db.reader, guild_id)
        found = self._guilds[guild_id]
        return found if found is not None and found.enabled else None

    async def published(self) -> list[WebGuild]:
        return await repo.published(self._db.reader)

    async def set_state(self, guild_id: int, *, on: bool, name: str, by: int) -> WebGuild:
        """Publish the server (``on``) or stop; AlreadyDone when it already is so."""
        if on and not self.serving:
            raise NotConfigured(WEB_SERVER_OFF)
        current = await self.guild(guild_id)
        if (current is not None) == on:
            state = "on the web already" if on else "not on the web"
            raise AlreadyDone(f"This server is {state}.")
        async with self._db.transaction() as tx:
            saved = await repo.set_guild(
                tx,
                guild_id,
                enabled=on,
                name=_fit(name) or str(guild_id),
                changed_by=by,
                now=self._now(),
            )
        self._guilds[guild_id] = saved
        log.info("guild %s web publishing %s by %s", guild_id, "on" if on else "off", by)
        return saved

    async def rename(self, guild_id: int, name: str) -> None:
        async with self._db.transaction() as tx:
            await repo.rename_guild(tx, guild_id, _fit(name))
        self._guilds.pop(guild_id, None)

    # -- members ----------------------------------------------------------------------

    async def set_visible(self, user_id: int, visible: bool) -> None:
        """``/privacy web state``; AlreadyDone when the choice is already that."""
        async with self._db.transaction() as tx:
            if visible:
                changed = await repo.show(tx, user_id)
            else:
                changed = await repo.hide(tx, user_id, self._now())
        if not changed:
            already = "allowed on" if visible else "kept off"
            raise AlreadyDone(f"Your questions and answers are already {already} the web pages.")

    async def is_hidden(self, user_id: int) -> bool:
        return await repo.is_hidden(self._db.reader, user_id)

    async def remember_name(self, guild_id: int, user_id: int, name: str) -> None:
        """The member's name as Discord shows it, kept for a server on the web only."""
        name = _fit(name)
        key = (guild_id, user_id)
        if not name or self._names.get(key) == name or await self.guild(guild_id) is None:
            return
        async with self._db.transaction() as tx:
            await repo.save_name(tx, guild_id, user_id, name, self._now())
        if len(self._names) >= NAME_CACHE_SIZE:
            self._names.clear()
        self._names[key] = name

    # -- links from Discord -----------------------------------------------------------

    async def page_links(self, guild_id: int, questions: Sequence[Question]) -> dict[int, str]:
        """The web page of each of ``questions`` that has one (solved, visible, its
        server on the web), by question id."""
        if not self.serving or not questions or await self.guild(guild_id) is None:
            return {}
        solved = [q.id for q in questions if q.status == "solved" and q.guild_id == guild_id]
        shown = await visible_ids(self._db.reader, solved)
        return {qid: self.url(paths.question(guild_id, qid)) for qid in solved if qid in shown}

    # -- forget-me --------------------------------------------------------------------

    def register_privacy(self, privacy: PrivacyService) -> None:
        privacy.register(
            PRIVACY_OWNER,
            "your choice to keep your posts off the web pages (your questions stay off them)",
            self._count_hidden,
            self._forget_hidden,
            first=True,  # before the questions lose their asker's id
        )
        privacy.register_rows(PRIVACY_OWNER, "your name on the web pages", "web_names", "user_id")
        privacy.register_rows(
            PRIVACY_OWNER, "your private calendar feeds", "calendar_feeds", "user_id"
        )
        privacy.register_reference(PRIVACY_OWNER, "web_guilds", "changed_by")
        privacy.after_forget(PRIVACY_OWNER, self._forget_cached_names)

    async def _count_hidden(self, conn: Connection, user_id: int) -> int:
        return int(await repo.is_hidden(conn, user_id))

    async def _forget_hidden(self, conn: Connection, user_id: int) -> int:
        await repo.keep_questions_hidden(conn, user_id)
        return int(await repo.show(conn, user_id))

    async def _forget_cached_names(self, user_id: int) -> None:
        self._names = {key: name for key, name in self._names.items() if key[1] != user_id}

    def _now(self) -> int:
        return epoch(self._clock.now())


def _fit(name: str) -> str:
    return " ".join(name.split())[:NAME_MAX]
