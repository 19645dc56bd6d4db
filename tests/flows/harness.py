"""The real bot, on a real database, against the local Discord emulator.

``Nexus`` bundles what a flow test needs: the emulator, the running bot, its services,
an injected clock (timers do not wake by themselves: a test moves the clock and calls
``run_timers``), and a server populated like the ProDev one.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot.client import NexusBot
from bot.config import load_settings
from bot.db.database import Database
from bot.db.migrate import migrate
from bot.delivery import is_transient
from bot.services.container import Services, build_services
from bot.time.clock import FakeClock
from cogs.nexus.strings import QA_GUIDE_TITLE
from tests.backends import database_for
from tests.emulator import Channel, DiscordEmulator, Guild, Role, User, run_client
from tests.emulator.expectations import HttpExpectation
from tests.emulator.permissions import P


@dataclass
class World:
    guild: Guild
    admin: User
    mentor: User
    helper: User
    learners: list[User]
    mentor_role: Role
    helper_role: Role
    qa_forum: Channel
    qa_text: Channel
    sessions: Channel
    announcements: Channel
    pairing: Channel
    general: Channel

    @property
    def ada(self) -> User:
        return self.learners[0]

    @property
    def bola(self) -> User:
        return self.learners[1]


def build_world(emu: DiscordEmulator, learners: int = 4) -> World:
    admin = emu.add_user("amina")
    guild = emu.add_guild("ProDev Nexus", owner_id=admin.id)
    mentor_role = emu.add_role(guild.id, "Mentor")
    helper_role = emu.add_role(guild.id, "Helper")
    mentor = emu.add_user("mentor-musa")
    helper = emu.add_user("helper-hana")
    emu.add_member(guild.id, mentor, roles=[mentor_role.id])
    emu.add_member(guild.id, helper, roles=[helper_role.id])
    names = ["ada", "bola", "chidi", "dayo", "efe", "femi", "gozie", "halima"]
    people = []
    for i in range(learners):
        user = emu.add_user(names[i] if i < len(names) else f"learner{i}")
        emu.add_member(guild.id, user)
        people.append(user)
    return World(
        guild=guild,
        admin=admin,
        mentor=mentor,
        helper=helper,
        learners=people,
        mentor_role=mentor_role,
        helper_role=helper_role,
        qa_forum=emu.add_forum_channel(guild.id, "questions"),
        qa_text=emu.add_text_channel(guild.id, "help-desk"),
        sessions=emu.add_text_channel(guild.id, "study-sessions"),
        announcements=emu.add_news_channel(guild.id, "announcements"),
        pairing=emu.add_text_channel(guild.id, "pairing"),
        general=emu.add_text_channel(guild.id, "general"),
    )


@dataclass
class Nexus:
    emu: DiscordEmulator
    world: World
    clock: FakeClock
    db_path: Path
    # Where the database is: by default the SQLite file at db_path (the db_url fixture
    # gives a PostgreSQL database instead under --backend postgresql).
    database_url: str = ""
    bot: NexusBot = field(init=False)
    db: Database = field(init=False)
    services: Services = field(init=False)

    @property
    def url(self) -> str:
        """The database's URL, whichever backend."""
        return self.database_url or f"sqlite:///{self.db_path}"

    async def run_timers(self) -> int:
        """Run every timer due by the injected clock, as the wake-ups would."""
        return await self.services.scheduler.run_due()

    def expect_http_error(
        self,
        status: int,
        *,
        code: int | None = None,
        method: str | None = None,
        path: str | None = None,
    ) -> HttpExpectation:
        """This test makes Discord refuse something on purpose (see the strict
        ``emulator`` fixture): for the rest of the test, or of a ``with`` block."""
        return self.emu.expect_http_error(status, code=code, method=method, path=path)

    async def slash(self, user: User, name: str, **options: Any) -> Any:
        channel = options.pop("channel", self.world.general)
        return await self.emu.slash(
            user, self.world.guild.id, name, channel_id=channel.id, **options
        )

    async def reply(self, user: User, name: str, **options: Any) -> dict[str, Any]:
        """Run a command and return the data of its (first) response."""
        ix = await self.slash(user, name, **options)
        body = await ix.response()
        return dict(body.get("data") or {})

    async def setup_server(
        self, *, qa: Channel | None = None, timezone: str = "Africa/Lagos"
    ) -> None:
        ix = await self.slash(
            self.world.admin,
            "nexus setup",
            qa_forum=(qa or self.world.qa_forum).id,
            sessions_channel=self.world.sessions.id,
            announcements_channel=self.world.announcements.id,
            pairing_channel=self.world.pairing.id,
            mentor_role=self.world.mentor_role.id,
            helper_role=self.world.helper_role.id,
            timezone=timezone,
        )
        data = dict((await ix.response()).get("data") or {})
        assert data["embeds"][0]["title"] == "Settings saved", data
        # Then the pinned how-to posts go up, and the answer lists them.
        edited = self.emu.payload(await ix.wait_for_edit())
        assert "Pinned how-to" in embed_text(edited), edited
        self.let_mentors_announce()

    def let_mentors_announce(self) -> None:
        """What an admin does once in Server Settings → Integrations → Nexus: let the
        mentor role use ``/announce``, which Discord shows only to Manage Server by default."""
        self.emu.set_command_permissions(
            self.world.guild.id, "announce", roles={self.world.mentor_role.id: True}
        )


def question_posts(nexus: Nexus, parent_id: int) -> list[Channel]:
    """The threads of a Q&A channel but the pinned how-to that setup posts there."""
    return [t for t in nexus.emu.threads(parent_id) if t.name != QA_GUIDE_TITLE]


def embed_text(data: dict[str, Any]) -> str:
    """Everything a reader sees in a message's embeds, as one string."""
    parts: list[str] = [data.get("content") or ""]
    for embed in data.get("embeds") or []:
        parts += [embed.get("title", ""), embed.get("description", "")]
        for f in embed.get("fields", []):
            parts += [f["name"], f["value"]]
        parts.append((embed.get("footer") or {}).get("text", ""))
    return "\n".join(p for p in parts if p)


PUBLIC_URL = "https://nexus.example"


@contextlib.asynccontextmanager
async def running_bot(
    nexus: Nexus, *, dev_guild: bool = False, web: bool = False, web_rate_limit: int = 120
) -> AsyncIterator[NexusBot]:
    """The bot; with ``web``, its web server too, on a free loopback port (its links
    use ``PUBLIC_URL``; ``bot.web.port`` is where it listens)."""
    settings = load_settings(
        discord_token=nexus.emu.token,
        database_path=nexus.db_path,
        database_url=nexus.database_url or None,
        discord_api_base=nexus.emu.api_base,
        dev_guild_id=nexus.world.guild.id if dev_guild else None,
        web_port=0 if web else None,
        web_host="127.0.0.1",
        public_url=PUBLIC_URL,
        web_rate_limit=web_rate_limit,
    )
    db = database_for(nexus.url)
    await db.connect()
    await migrate(db)
    services = build_services(
        db, nexus.clock, is_transient=is_transient, timer_wakeups=False, web_url=settings.web_url
    )
    # Every guild arrives right after READY here; don't wait 2 s for stragglers.
    bot = NexusBot(settings=settings, db=db, services=services, guild_ready_timeout=0.05)
    nexus.bot, nexus.db, nexus.services = bot, db, services
    try:
        async with run_client(nexus.emu, bot, nexus.emu.token):
            yield bot
    finally:
        await db.close()


def fake_now() -> FakeClock:
    """An injected clock that starts at the real instant, so Discord ids and timestamps
    the emulator makes stay plausible; it only moves when a test moves it."""
    return FakeClock(datetime.now(UTC).replace(microsecond=0))


MANAGE_GUILD = P.MANAGE_GUILD
