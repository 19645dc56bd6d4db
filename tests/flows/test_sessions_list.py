"""``/session list`` pages: ◀ / ▶ carry the list and the offset in their custom ids, so
the bot keeps nothing between pages, answers each turn with one request, and the
buttons work after a restart."""

from __future__ import annotations

import asyncio
from typing import Any

from tests.emulator import Message
from tests.emulator.records import InteractionRecord
from tests.flows.harness import Nexus, embed_text, running_bot
from tests.flows.sessions_kit import custom_ids, finished, settled

CALLBACK = r"/interactions/\d+/[^/]+/callback"


async def sessions(nexus: Nexus, count: int) -> None:
    for day in range(1, count + 1):
        await nexus.services.sessions.create(
            guild_id=nexus.world.guild.id,
            host_id=nexus.world.mentor.id,
            title=f"Session {day:02d}",
            when=f"in {day} days",
        )


def requests_since(nexus: Nexus, start: int) -> list[str]:
    return [f"{c.method} {c.route or c.path}" for c in nexus.emu.calls[start:]]


def buttons(message: Message) -> list[dict[str, Any]]:
    return [c for row in message.components for c in row["components"]]


async def turn(nexus: Nexus, page: Message, arrow: str) -> tuple[str, InteractionRecord]:
    [custom_id] = [b["custom_id"] for b in buttons(page) if b["label"] == arrow]
    ix = await nexus.emu.click(nexus.world.ada, page, custom_id)
    return embed_text(await finished(nexus, ix)), ix


async def test_pages_turn_with_one_request_each_and_nothing_kept(nexus: Nexus) -> None:
    await sessions(nexus, 25)
    start = len(nexus.emu.calls)
    ix = await nexus.slash(nexus.world.ada, "session list")
    first = embed_text(await finished(nexus, ix))
    assert "Session 01" in first and "Session 11" not in first and "15 more" in first
    page = ix.original_message
    assert page is not None
    assert [b["disabled"] for b in buttons(page)] == [True, False]
    assert custom_ids(page) == ["session:list:0:0", "session:list:0:10"]
    assert len(requests_since(nexus, start)) == 1  # the answer, nothing read back

    seen = []
    for arrow in ("▶", "▶", "◀"):
        start = len(nexus.emu.calls)
        text, _ = await turn(nexus, page, arrow)
        assert len(requests_since(nexus, start)) == 1, requests_since(nexus, start)
        seen.append(text)
    assert "Session 11" in seen[0] and "Session 10" not in seen[0]
    assert "Session 21" in seen[1] and "Session 25" in seen[1] and "Session 20" not in seen[1]
    assert [b["disabled"] for b in buttons(page)] == [False, False]
    assert "Session 11" in seen[2] and "21–" not in seen[2]

    # Nothing of a page stays in the bot: no view, no timeout waiting to disable it.
    store = nexus.bot._connection._view_store
    kept = (len(store._views), len(store._synced_message_views), len(asyncio.all_tasks()))
    for _ in range(5):
        ix = await nexus.slash(nexus.world.ada, "session list", mine=False)
        await finished(nexus, ix)
        assert ix.original_message is not None
        await turn(nexus, ix.original_message, "▶")
    await settled(nexus)
    assert (len(store._views), len(store._synced_message_views), len(asyncio.all_tasks())) == kept


async def test_your_own_list_pages_too_and_the_buttons_outlive_a_restart(nexus: Nexus) -> None:
    await sessions(nexus, 12)
    for found in await nexus.services.sessions.suggest(nexus.world.guild.id, "", limit=12):
        await nexus.services.sessions.join(found.id, nexus.world.guild.id, nexus.world.ada.id)
    ix = await nexus.slash(nexus.world.ada, "session list", mine=True)
    first = embed_text(await finished(nexus, ix))
    assert first.startswith("Your upcoming sessions (12)")
    page = ix.original_message
    assert page is not None
    assert custom_ids(page) == ["session:list:1:0", "session:list:1:10"]
    await nexus.bot.close()
    async with running_bot(nexus):
        second, _ = await turn(nexus, page, "▶")
    assert second.startswith("Your upcoming sessions (12)") and "Session 12" in second
    assert [b["disabled"] for b in buttons(page)] == [False, True]
