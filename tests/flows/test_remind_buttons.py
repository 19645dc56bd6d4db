"""A delivered ``/remind`` through the emulator: where and when it was set, **Snooze 10
min**, **Snooze 1 h** and **Done** (after a restart too, for its owner only), and each
person's own reminder numbers."""

from __future__ import annotations

import re
from typing import Any

from bot import nonces
from bot.db import sql, timers
from bot.db.reminders import Reminder
from tests.emulator import Message, User
from tests.flows.harness import Nexus, embed_text, running_bot

UPDATE_MESSAGE = 7
LABELS = ["Snooze 10 min", "Snooze 1 h", "Done"]


def buttons(message: Message) -> list[dict[str, Any]]:
    return [button for row in message.components for button in row["components"]]


def button_id(message: Message, label: str) -> str:
    [found] = [b["custom_id"] for b in buttons(message) if b["label"] == label]
    return str(found)


async def delivered(nexus: Nexus, user: User, what: str, minutes: int = 5) -> Message:
    """Set a reminder in #general and let it fall due: its DM."""
    await nexus.reply(user, "remind me", when=f"in {minutes} minutes", what=what)
    nexus.clock.advance(minutes=minutes)
    assert await nexus.run_timers() == 1
    return nexus.emu.dm_messages(user.id)[-1]


async def only_reminder(nexus: Nexus, user: User) -> Reminder:
    [row] = await sql.fetch_all(
        nexus.services.db.reader, "SELECT id FROM reminders WHERE user_id = ?", (user.id,)
    )
    reminder = await nexus.services.reminders.get(row["id"])
    assert reminder is not None
    return reminder


async def press(nexus: Nexus, user: User, message: Message, label: str) -> dict[str, Any]:
    ix = await nexus.emu.click(user, message, button_id(nexus.emu.message(message.id), label))
    return dict(await ix.response())


async def test_the_dm_says_where_and_when_it_was_set_and_has_the_buttons(nexus: Nexus) -> None:
    ada, w = nexus.world.ada, nexus.world
    set_at = int(nexus.clock.now().timestamp())
    dm = await delivered(nexus, ada, "push the Django branch")
    reminder = await only_reminder(nexus, ada)
    first, context = dm.content.splitlines()
    assert first == "⏰ **Reminder:** push the Django branch"
    assert context == (
        f"-# Set <t:{set_at}:f> in https://discord.com/channels/{w.guild.id}/{w.general.id}"
    )
    assert [b["label"] for b in buttons(dm)] == LABELS
    assert [b["custom_id"] for b in buttons(dm)] == [
        f"remind:snooze10:{reminder.id}",
        f"remind:snooze60:{reminder.id}",
        f"remind:done:{reminder.id}",
    ]


async def test_snooze_after_a_restart_delivers_again_once_with_a_new_nonce(nexus: Nexus) -> None:
    ada = nexus.world.ada
    first = await delivered(nexus, ada, "stretch")
    await nexus.bot.close()

    async with running_bot(nexus):  # the buttons outlive the process that sent them
        body = await press(nexus, ada, first, "Snooze 10 min")
        assert body["type"] == UPDATE_MESSAGE
        until = int(nexus.clock.now().timestamp()) + 600
        shown = nexus.emu.message(first.id)
        assert shown.content.splitlines()[0] == "⏰ **Reminder:** stretch"
        assert f"Snoozed until <t:{until}:t>" in shown.content
        assert buttons(shown) == []
        [reminder] = await nexus.services.reminders.pending(ada.id)
        [snoozed] = await timers.for_subject(nexus.services.db.reader, "reminder", reminder.id)
        assert snoozed.due_at == until

        nexus.clock.advance(minutes=9, seconds=59)
        assert await nexus.run_timers() == 0
        nexus.clock.advance(seconds=1)
        # Discord posts the snoozed DM and the answer is lost: the retry carries the same
        # nonce and gets that message back, so it arrives once.
        nexus.emu.inject_failure("POST", r"/channels/\d+/messages", 502, apply=True)
        assert await nexus.run_timers() == 1
        assert await nexus.run_timers() == 0
        once, again = nexus.emu.dm_messages(ada.id)
        assert once.id == first.id
        assert again.content.splitlines()[0] == "⏰ **Reminder:** stretch"
        assert again.nonce == nonces.timer(snoozed.id) != first.nonce
        assert [b["label"] for b in buttons(again)] == LABELS
        assert await nexus.services.reminders.pending(ada.id) == []


async def test_snooze_an_hour_then_done(nexus: Nexus) -> None:
    ada = nexus.world.ada
    first = await delivered(nexus, ada, "call the bank")
    await press(nexus, ada, first, "Snooze 1 h")
    until = int(nexus.clock.now().timestamp()) + 3600
    assert f"Snoozed until <t:{until}:t>" in nexus.emu.message(first.id).content
    nexus.clock.advance(minutes=59)
    assert await nexus.run_timers() == 0
    nexus.clock.advance(minutes=1)
    assert await nexus.run_timers() == 1
    second = nexus.emu.dm_messages(ada.id)[-1]

    body = await press(nexus, ada, second, "Done")
    assert body["type"] == UPDATE_MESSAGE
    shown = nexus.emu.message(second.id)
    assert shown.content.splitlines()[0] == "✅ **Done:** call the bank"
    assert "https://discord.com/channels/" in shown.content  # the context stays
    assert buttons(shown) == []
    nexus.clock.advance(hours=2)
    assert await nexus.run_timers() == 0
    assert len(nexus.emu.dm_messages(ada.id)) == 2


async def test_the_channel_fallback_has_the_buttons_and_only_its_owner_may_press(
    nexus: Nexus,
) -> None:
    ada, bola, general = nexus.world.ada, nexus.world.bola, nexus.world.general
    nexus.emu.close_dms(ada.id)
    nexus.expect_http_error(403, code=50007)  # the DM is refused
    await nexus.reply(ada, "remind me", when="in 5 minutes", what="water the plants")
    nexus.clock.advance(minutes=5)
    assert await nexus.run_timers() == 1
    [posted] = [m for m in nexus.emu.messages(general.id) if "water the plants" in m.content]
    assert posted.content.startswith(f"<@{ada.id}> ⏰ **Reminder:** water the plants")
    assert [b["label"] for b in buttons(posted)] == LABELS

    ix = await nexus.emu.click(bola, posted, button_id(posted, "Snooze 10 min"))
    body = await ix.response()
    assert ix.ephemeral
    assert "Only the person who set this reminder" in embed_text(body["data"])
    assert [b["label"] for b in buttons(nexus.emu.message(posted.id))] == LABELS
    assert (await only_reminder(nexus, ada)).done_at is None
    assert await nexus.services.reminders.pending(ada.id) == []

    await press(nexus, ada, posted, "Done")
    shown = nexus.emu.message(posted.id)
    assert shown.content.startswith(f"<@{ada.id}> ✅ **Done:** water the plants")
    assert buttons(shown) == []
    assert shown.notified_ids == [ada.id]  # the edit notified nobody again


async def test_reminder_numbers_are_each_persons_own(nexus: Nexus) -> None:
    ada, bola = nexus.world.ada, nexus.world.bola
    titles = []
    for user, what in [(ada, "a1"), (bola, "b1"), (ada, "a2"), (bola, "b2"), (ada, "a3")]:
        data = await nexus.reply(user, "remind me", when="in 2 hours", what=what)
        titles.append(data["embeds"][0]["title"])
    assert titles == [
        "Reminder #1 set",
        "Reminder #1 set",
        "Reminder #2 set",
        "Reminder #2 set",
        "Reminder #3 set",
    ]
    listed = await nexus.reply(bola, "remind list")
    listing = embed_text(listed)
    assert [f["name"] for f in listed["embeds"][0]["fields"]] == ["#1", "#2"]
    # A list shows each time short, then how far away: one order everywhere.
    assert re.match(r"<t:\d+:f> \(<t:\d+:R>\)\n", listed["embeds"][0]["fields"][0]["value"])
    assert "b1" in listing and "a1" not in listing

    ix = await nexus.emu.autocomplete(
        ada, nexus.world.guild.id, "remind cancel", focused="id", value=""
    )
    await ix.response()
    assert [c["value"] for c in ix.choices or []] == [1, 2, 3]

    cancelled = embed_text(await nexus.reply(bola, "remind cancel", id=2))
    assert "Reminder #2 cancelled" in cancelled and "b2" in cancelled
    assert [r.text for r in await nexus.services.reminders.pending(ada.id)] == ["a1", "a2", "a3"]
    assert [r.text for r in await nexus.services.reminders.pending(bola.id)] == ["b1"]
    refused = embed_text(await nexus.reply(bola, "remind cancel", id=3))
    assert "no pending reminder #3" in refused
