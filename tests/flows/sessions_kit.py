"""Helpers for the study-session flow tests (no tests here)."""

from __future__ import annotations

import asyncio
import re
from typing import Any, cast

from bot.db.sessions import Session
from cogs.sessions.cog import SessionsCog
from tests.emulator import Message, User
from tests.emulator.records import InteractionRecord
from tests.flows.harness import Nexus, embed_text


async def finished(nexus: Nexus, ix: InteractionRecord) -> dict[str, Any]:
    """What the user finally sees: the reply, or the message a deferred reply became;
    returned once the bot has also done what comes after the answer (``settled``)."""
    body = await ix.response()
    data = nexus.emu.payload(await ix.wait_for_edit()) if body["type"] == 5 else body.get("data")
    await settled(nexus)
    return dict(data or {})


async def settled(nexus: Nexus) -> None:
    """Wait for what the bot does after answering: the interaction handlers still
    running (a promoted waiter told), then the joiners they named added to the thread
    and the card edits they asked for."""
    running = [
        task
        for task in asyncio.all_tasks()
        if task.get_name().startswith(HANDLERS) and task is not asyncio.current_task()
    ]
    if running:
        await asyncio.wait(running)
    await nexus.bot.thread_members.settled()
    await sessions_cog(nexus).publisher.cards.settled()


# discord.py's names for the tasks that run a command or a component's callback.
HANDLERS = ("CommandTree-invoker", "discord-ui-dynamic-item-", "discord-ui-view-dispatch-")


def sessions_cog(nexus: Nexus) -> SessionsCog:
    cog = nexus.bot.get_cog("SessionsCog")
    assert cog is not None, "the sessions cog is not loaded"
    return cast(SessionsCog, cog)  # the class of the extension as loaded (a fresh import)


async def said(nexus: Nexus, user: User, name: str, **options: Any) -> str:
    """Run a command; the text the user finally sees."""
    return embed_text(await finished(nexus, await nexus.slash(user, name, **options)))


async def create(nexus: Nexus, user: User | None = None, **options: Any) -> Session:
    """``/session create`` through Discord; the stored session it made."""
    options.setdefault("title", "Django ORM clinic")
    options.setdefault("when", "in 3 days")
    ix = await nexus.slash(user or nexus.world.mentor, "session create", **options)
    text = embed_text(await finished(nexus, ix))
    found = re.search(r"Session #(\d+) scheduled", text)
    assert found, text
    return await stored(nexus, int(found[1]))


async def stored(nexus: Nexus, session_id: int) -> Session:
    session = await nexus.services.sessions.find(session_id)
    assert session is not None
    return session


def card(nexus: Nexus, session: Session) -> Message:
    assert session.message_id is not None, "the session has no card"
    return nexus.emu.message(session.message_id)


def card_data(nexus: Nexus, session: Session) -> dict[str, Any]:
    return nexus.emu.payload(card(nexus, session))


def card_text(nexus: Nexus, session: Session) -> str:
    return embed_text(card_data(nexus, session))


def custom_ids(message: Message) -> list[str]:
    """The custom ids of a message's buttons (link buttons have none)."""
    return [
        c["custom_id"] for row in message.components for c in row["components"] if "custom_id" in c
    ]


def buttons(message: Message) -> list[dict[str, Any]]:
    """Every button of a message, row after row, as Discord stores it."""
    return [c for row in message.components for c in row["components"]]


def labels(message: Message) -> list[str]:
    return [c.get("label", "") for c in buttons(message)]


def field(data: dict[str, Any], prefix: str) -> tuple[str, str]:
    """The (name, value) of the card embed's field whose name starts with ``prefix``."""
    [found] = [f for f in data["embeds"][0].get("fields", []) if f["name"].startswith(prefix)]
    return found["name"], found["value"]


def has_field(data: dict[str, Any], prefix: str) -> bool:
    return any(f["name"].startswith(prefix) for f in data["embeds"][0].get("fields", []))


async def click(nexus: Nexus, user: User, session: Session, action: str) -> str:
    """Press Join or Leave on the card; the text of the (ephemeral) answer."""
    ix = await nexus.emu.click(user, card(nexus, session), f"session:{action}:{session.id}")
    return embed_text(await finished(nexus, ix))


def posts(nexus: Nexus, channel_id: int) -> list[Message]:
    """What the bot posted in a channel for people to read, but the pinned how-to
    (and Discord's "pinned a message" notice) that setup leaves."""
    return [
        m
        for m in nexus.emu.messages(channel_id)
        if not m.ephemeral and m.type == 0 and not m.pinned
    ]


def thread_messages(nexus: Nexus, session: Session) -> list[Message]:
    assert session.thread_id is not None
    return [m for m in nexus.emu.messages(session.thread_id) if m.id != session.thread_id]


def bot_posts(nexus: Nexus, channel_id: int) -> list[dict[str, Any]]:
    """The bodies of every message the bot posted to a channel (allowed_mentions included)."""
    return [
        c.json
        for c in nexus.emu.calls_to("POST", rf"/channels/{channel_id}/messages")
        if c.status == 200
    ]
