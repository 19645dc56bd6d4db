"""Shared steps of the web flow tests: the bot with its web server, an HTTP client on
it, and a solved question made the way members make one."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

import httpx

from bot.services.web import paths
from tests.emulator import Channel, DiscordEmulator, Message
from tests.flows.harness import Nexus, build_world, embed_text, fake_now, running_bot
from tests.flows.test_qa import ask, mark_solution


@contextlib.asynccontextmanager
async def site(
    emulator: DiscordEmulator, tmp_path: Path, *, rate_limit: int = 100_000
) -> AsyncIterator[tuple[Nexus, httpx.AsyncClient]]:
    """The bot with its web server, set up, and a client for the server."""
    nexus = Nexus(
        emu=emulator, world=build_world(emulator), clock=fake_now(), db_path=tmp_path / "n.db"
    )
    async with running_bot(nexus, web=True, web_rate_limit=rate_limit) as bot:
        await nexus.setup_server()
        assert bot.web is not None
        base = f"http://127.0.0.1:{bot.web.port}"
        async with httpx.AsyncClient(base_url=base, timeout=10) as http:
            yield nexus, http


async def publish(nexus: Nexus, state: str = "on") -> str:
    """``/nexus web state:…`` by the admin; the answer's text."""
    body = await nexus.reply(nexus.world.admin, "nexus web", state=state)
    return embed_text(body)


async def solved_question(
    nexus: Nexus,
    *,
    title: str = "Migrations fail with relation already exists",
    question: str = "I ran `python manage.py migrate` and got:\n```\nProgrammingError\n```",
    answer: str = "Run migrate --fake-initial.",
    summary: str = "Run migrate with --fake-initial",
) -> tuple[Channel, Message, int]:
    """Ada asks, Bola answers in the thread, Ada marks it: the thread, the answer, and
    the question's number."""
    w = nexus.world
    thread = await ask(nexus, w.ada, title=title, question=question)
    reply = nexus.emu.user_message(thread.id, w.bola, answer)
    await mark_solution(nexus, w.ada, reply, summary)
    stored = await nexus.services.qa.by_thread(thread.id)
    assert stored is not None and stored.status == "solved"
    return thread, reply, stored.id


def server_addresses(guild_id: int, question_id: int) -> list[str]:
    """Every address that serves something of the server."""
    return [
        paths.server(guild_id),
        paths.topic(guild_id, "django"),
        paths.question(guild_id, question_id),
        paths.search(guild_id) + "?q=migrate",
        paths.sessions(guild_id),
        paths.sitemap(guild_id, 1),
        paths.server_calendar(guild_id),
        f"/api/v1/servers/{guild_id}/questions",
        f"/api/v1/servers/{guild_id}/questions/{question_id}",
        f"/api/v1/servers/{guild_id}/search?q=migrate",
        f"/api/v1/servers/{guild_id}/sessions",
        f"/api/v1/servers/{guild_id}/unanswered",
        f"/api/v1/servers/{guild_id}/leaderboard",
    ]
