"""A kill between a Discord write and the database write that records it.

The bot runs as a real process; the emulator applies the write (the card, the thread,
the forum post exists on Discord) and holds its answer back, and the test SIGKILLs the
bot at that instant. After a restart, Discord and the database must agree: the post is
adopted, not made twice, the learner's retry makes nothing new, and the session's
reminder reaches its attendee exactly once."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from bot import nonces
from bot.db import session_prefs
from bot.db.migrate import migrate
from bot.services.container import build_services
from bot.time.clock import SystemClock
from tests.backends import database_for, row_now
from tests.emulator import DiscordEmulator, Message
from tests.flows.harness import World, build_world
from tests.flows.process_kit import spawn, wait_for_log, wait_ready

SESSION_IN = 20 * 60  # seconds until the session starts
REMINDER_LEAD = 12  # … and its reminder falls due this many seconds after the create


@dataclass
class Bot:
    emu: DiscordEmulator
    world: World
    database_url: str
    log: Path
    process: asyncio.subprocess.Process | None = None
    starts: int = 0

    async def start(self) -> None:
        self.process, run = await spawn(self.emu, self.database_url, self.log)
        await wait_ready(self.log, self.starts, run)
        self.starts += 1
        await wait_for_log(self.log, "commands", count=self.starts)
        await self.until(
            "the bot never identified on the gateway",
            lambda: (
                len(self.emu.gateway_events("READY")) >= self.starts
                and self.emu.gateway.session is not None
            ),
        )

    async def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        await self.process.wait()

    async def stop(self) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
            await asyncio.wait_for(self.process.wait(), 15)

    def row(self, query: str, params: tuple[Any, ...] = ()) -> Any:
        return row_now(self.database_url, query, params)

    async def until(self, what: str, check: Callable[[], Any], timeout: float = 15) -> Any:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not (found := check()):
            assert loop.time() < deadline, f"{what}:\n{self.log.read_text()[-3000:]}"
            await asyncio.sleep(0.1)
        return found


async def seed(database_url: str, world: World) -> None:
    db = database_for(database_url)
    await db.connect()
    await migrate(db)
    services = build_services(db, SystemClock())
    await services.guilds.save(
        world.guild.id,
        sessions_channel_id=world.sessions.id,
        qa_channel_id=world.qa_forum.id,
        helper_role_id=world.helper_role.id,
        mentor_role_id=world.mentor_role.id,
    )
    async with db.transaction() as tx:
        # One reminder, due a few seconds after the session is created.
        await session_prefs.set_offsets(tx, world.guild.id, [SESSION_IN - REMINDER_LEAD], 0)
    await db.close()


@pytest.fixture
async def bot(emulator: DiscordEmulator, tmp_path: Path, database_url: str) -> AsyncIterator[Bot]:
    world = build_world(emulator)
    await seed(database_url, world)
    bot = Bot(emulator, world, database_url, tmp_path / "bot.log")
    await bot.start()
    try:
        yield bot
    finally:
        await bot.stop()


def custom_ids(message: Message) -> list[str]:
    return [c.get("custom_id", "") for row in message.components for c in row["components"]]


def cards(bot: Bot, session_id: int) -> list[Message]:
    join = f"session:join:{session_id}"
    return [m for m in bot.emu.messages(bot.world.sessions.id) if join in custom_ids(m)]


async def create_session(bot: Bot) -> Any:
    return await bot.emu.slash(
        bot.world.ada,
        bot.world.guild.id,
        "session create",
        channel_id=bot.world.general.id,
        title="Kill window",
        when=f"in {SESSION_IN // 60} minutes",
    )


async def killed_inside(bot: Bot, method: str, path: str, act: Callable[[], Any]) -> None:
    """Run ``act`` and kill the bot once Discord has applied the held call."""
    hold = bot.emu.hold(method, path)
    await act()
    await asyncio.wait_for(hold.arrived.wait(), 15)
    await bot.kill()
    hold.released.set()
    await bot.start()


async def then_a_session_agrees_and_reminds_once(bot: Bot) -> None:
    world, emu = bot.world, bot.emu
    session = await bot.until(
        "the interrupted card was never finished",
        lambda: bot.row("SELECT * FROM sessions WHERE thread_id IS NOT NULL"),
    )
    assert bot.row("SELECT COUNT(*) AS n FROM sessions")["n"] == 1  # type: ignore[index]
    [card] = cards(bot, session["id"])
    assert session["message_id"] == card.id
    [post] = emu.calls_to("POST", rf"/channels/{world.sessions.id}/messages")
    assert post.json["nonce"] == nonces.session_card(session["id"])
    assert post.json["enforce_nonce"] is True
    assert [t.id for t in emu.threads(world.sessions.id)] == [card.id]
    assert bot.row("SELECT COUNT(*) AS n FROM discord_intents")["n"] == 0  # type: ignore[index]

    retry = await create_session(bot)
    answer = (await retry.response())["data"]
    assert "already scheduled" in answer["embeds"][0]["description"]
    assert len(cards(bot, session["id"])) == 1
    assert bot.row("SELECT COUNT(*) AS n FROM sessions")["n"] == 1  # type: ignore[index]

    join = await emu.click(world.bola, card, f"session:join:{session['id']}")
    await join.response()
    await bot.until(
        "the adopted card did not show the attendee",
        lambda: str(world.bola.id) in str(emu.message(card.id).embeds),
    )

    def reminders() -> list[Message]:
        return [
            m
            for m in emu.messages(card.id)
            if "**Kill window** starts" in m.content and f"<@{world.bola.id}>" in m.content
        ]

    await bot.until("the session's reminder never came", reminders, timeout=REMINDER_LEAD + 10)
    await asyncio.sleep(2)  # a second copy would come with the first one's retry
    assert len(reminders()) == 1


async def test_a_kill_while_the_card_is_posted_leaves_one_card(bot: Bot) -> None:
    sessions = bot.world.sessions.id
    await killed_inside(bot, "POST", rf"/channels/{sessions}/messages", lambda: create_session(bot))
    await then_a_session_agrees_and_reminds_once(bot)


async def test_a_kill_while_the_thread_is_opened_leaves_one_thread(bot: Bot) -> None:
    sessions = bot.world.sessions.id
    await killed_inside(
        bot, "POST", rf"/channels/{sessions}/messages/\d+/threads", lambda: create_session(bot)
    )
    await then_a_session_agrees_and_reminds_once(bot)


async def test_a_kill_while_a_question_is_posted_leaves_one_question(bot: Bot) -> None:
    world, emu = bot.world, bot.emu

    async def ask() -> Any:
        return await emu.slash(
            world.ada,
            world.guild.id,
            "ask",
            channel_id=world.general.id,
            topic="django",
            title="Migrations hang on deploy",
            question="python manage.py migrate never returns on the server.",
        )

    await killed_inside(bot, "POST", rf"/channels/{world.qa_forum.id}/threads", ask)
    question = await bot.until(
        "the interrupted post was never recorded",
        lambda: bot.row("SELECT * FROM qa_questions"),
    )
    [post] = emu.threads(world.qa_forum.id)
    assert question["thread_id"] == post.id
    assert question["asker_id"] == world.ada.id
    # Stored first, then the intent is done and the asker added to the post.
    await bot.until("the asker was never added", lambda: world.ada.id in post.thread_members)
    assert bot.row("SELECT COUNT(*) AS n FROM discord_intents")["n"] == 0  # type: ignore[index]

    retry = await ask()
    answer = (await retry.response())["data"]
    assert "already asked" in answer["embeds"][0]["description"]
    assert len(emu.threads(world.qa_forum.id)) == 1
    assert bot.row("SELECT COUNT(*) AS n FROM qa_questions")["n"] == 1  # type: ignore[index]


async def test_a_kill_while_a_reminder_is_sent_delivers_it_once(bot: Bot) -> None:
    """The DM reached Discord, the kill came before the row said so: the restarted bot
    sends it again with the same nonce, and Discord hands back the first one."""
    world, emu = bot.world, bot.emu
    ask = await emu.slash(
        world.ada,
        world.guild.id,
        "remind me",
        channel_id=world.general.id,
        when="in 3 seconds",
        what="kill window",
    )
    await ask.response()
    timer = bot.row("SELECT id FROM timers WHERE kind = 'reminder'")
    assert timer is not None
    hold = emu.hold("POST", r"/channels/\d+/messages")
    await asyncio.wait_for(hold.arrived.wait(), 15)
    await bot.kill()
    hold.released.set()
    await bot.start()
    await bot.until(
        "the interrupted reminder was never recorded as sent",
        lambda: bot.row("SELECT 1 FROM timers WHERE id = ? AND state = 'sent'", (timer["id"],)),
    )
    sends = emu.calls_to("POST", rf"/channels/{emu.state.dm_channels[world.ada.id]}/messages")
    assert [c.json["nonce"] for c in sends] == [nonces.timer(timer["id"])] * 2
    [dm] = emu.dm_messages(world.ada.id)
    assert dm.content.splitlines()[0] == "⏰ **Reminder:** kill window"


async def test_a_kill_before_the_card_shows_a_join_is_put_right_at_start(bot: Bot) -> None:
    """Joins are answered before the card is edited (its refresher folds a burst into a
    few edits): a kill in between leaves the card behind the database, and the
    restarted bot edits it."""
    world, emu = bot.world, bot.emu
    await create_session(bot)
    session = await bot.until(
        "the card was never shown in full",
        lambda: bot.row(
            "SELECT * FROM sessions WHERE thread_id IS NOT NULL AND card_version = version"
        ),
    )
    [card] = cards(bot, session["id"])
    hold = emu.hold("PATCH", rf"/channels/{world.sessions.id}/messages/{card.id}")
    first = await emu.click(world.ada, card, f"session:join:{session['id']}")
    await asyncio.wait_for(hold.arrived.wait(), 15)  # Ada's edit, its answer held back
    second = await emu.click(world.bola, card, f"session:join:{session['id']}")
    await second.response()
    await second.wait_for_edit()  # Bola is answered: the database has decided
    await bot.kill()
    hold.released.set()
    assert first.callback is not None
    shown = str(emu.message(card.id).embeds)
    assert str(world.ada.id) in shown and str(world.bola.id) not in shown
    await bot.start()
    await bot.until(
        "the card left behind was never put right",
        lambda: str(world.bola.id) in str(emu.message(card.id).embeds),
    )
    await bot.until(
        "the card's version was never recorded",
        lambda: bot.row(
            "SELECT 1 FROM sessions WHERE id = ? AND card_version = version", (session["id"],)
        ),
    )
