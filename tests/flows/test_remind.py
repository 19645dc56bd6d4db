"""``/remind`` through the emulator, with the injected clock driving the timers."""

from __future__ import annotations

import pytest

from bot import nonces
from bot.db import sql, timers
from bot.delivery import OPEN_DMS_HINT
from tests.emulator import Message
from tests.flows.harness import Nexus, embed_text


def headlines(messages: list[Message]) -> list[str]:
    """The first line of each message: the reminder itself, above its context."""
    return [m.content.splitlines()[0] for m in messages]


async def test_remind_me_delivers_by_dm_exactly_once(nexus: Nexus) -> None:
    ada = nexus.world.ada
    ix = await nexus.slash(ada, "remind me", when="in 2 hours", what="push the Django branch")
    body = await ix.response()
    assert ix.ephemeral
    due = int(nexus.clock.now().timestamp()) + 7200
    assert f"<t:{due}:F>" in embed_text(body["data"])

    nexus.clock.advance(hours=1, minutes=59)
    assert await nexus.run_timers() == 0
    assert nexus.emu.dm_messages(ada.id) == []
    nexus.clock.advance(minutes=1)
    assert await nexus.run_timers() == 1
    assert await nexus.run_timers() == 0
    [dm] = nexus.emu.dm_messages(ada.id)
    assert "push the Django branch" in dm.content
    assert dm.nonce is not None
    assert "offline" not in dm.content


async def test_times_are_read_in_the_users_timezone(nexus: Nexus) -> None:
    ada = nexus.world.ada
    await nexus.reply(ada, "timezone set", zone="Asia/Kolkata")  # UTC+05:30
    tomorrow = nexus.clock.now().date().toordinal() + 1
    from datetime import UTC, date, datetime

    day = date.fromordinal(tomorrow)
    data = await nexus.reply(
        ada, "remind me", when=f"{day.isoformat()} 18:00", what="mock interview"
    )
    expected = datetime(day.year, day.month, day.day, 12, 30, tzinfo=UTC)
    assert f"<t:{int(expected.timestamp())}:F>" in embed_text(data)


async def test_closed_dms_fall_back_to_a_mention_and_explain_once(nexus: Nexus) -> None:
    ada, bola, general = nexus.world.ada, nexus.world.bola, nexus.world.general
    nexus.emu.close_dms(ada.id)
    nexus.expect_http_error(403, code=50007)  # each DM to ada is refused
    for what in ("first @everyone", f"second <@&{nexus.world.mentor_role.id}>"):
        await nexus.reply(ada, "remind me", when="in 10 minutes", what=what)
    await nexus.reply(bola, "remind me", when="in 10 minutes", what="bola's")
    nexus.clock.advance(minutes=10)
    assert await nexus.run_timers() == 3

    in_channel = [m for m in nexus.emu.messages(general.id) if "Reminder" in m.content]
    assert len(in_channel) == 2
    first, second = sorted(in_channel, key=lambda m: m.id)
    assert first.content.startswith(f"<@{ada.id}>")
    assert OPEN_DMS_HINT in first.content
    assert OPEN_DMS_HINT not in second.content
    for message in in_channel:  # the user's text pings nobody but the user
        assert message.mention_ids == [ada.id]
        assert message.mention_role_ids == []
        assert not message.mention_everyone
    assert headlines(nexus.emu.dm_messages(bola.id)) == ["⏰ **Reminder:** bola's"]


async def test_the_closed_dm_fallback_carries_the_rows_nonce(nexus: Nexus) -> None:
    """The channel copy of a refused DM is sent with the timer's nonce marked ``f``:
    after a kill, the retry finds it instead of mentioning the user twice."""
    ada = nexus.world.ada
    nexus.emu.close_dms(ada.id)
    nexus.expect_http_error(403, code=50007)  # the DM is refused
    await nexus.reply(ada, "remind me", when="in 5 minutes", what="fallback nonce")
    [reminder] = await nexus.services.reminders.pending(ada.id)
    [timer] = await timers.for_subject(nexus.services.db.reader, "reminder", reminder.id)
    nexus.clock.advance(minutes=5)
    assert await nexus.run_timers() == 1
    [posted] = [m for m in nexus.emu.messages(nexus.world.general.id) if "fallback" in m.content]
    assert posted.nonce == nonces.fallback(nonces.timer(timer.id))
    [call] = [
        c
        for c in nexus.emu.calls_to("POST", rf"/channels/{nexus.world.general.id}/messages")
        if "fallback nonce" in (c.json or {}).get("content", "")
    ]
    assert call.json["enforce_nonce"] is True


async def test_list_and_cancel_with_autocomplete(nexus: Nexus) -> None:
    ada, bola = nexus.world.ada, nexus.world.bola
    await nexus.reply(ada, "remind me", when="in 1 hour", what="water the plants")
    await nexus.reply(ada, "remind me", when="in 3 hours", what="review Bola's PR")
    listing = embed_text(await nexus.reply(ada, "remind list"))
    assert "water the plants" in listing and "review Bola's PR" in listing
    assert "(2/25)" in listing

    ix = await nexus.emu.autocomplete(
        ada, nexus.world.guild.id, "remind cancel", focused="id", value="review"
    )
    await ix.response()
    choices = ix.choices or []
    assert len(choices) == 1 and "review Bola's PR" in choices[0]["name"]
    reminder_id = choices[0]["value"]

    refused = embed_text(await nexus.reply(bola, "remind cancel", id=reminder_id))
    assert "no pending reminder" in refused
    cancelled = embed_text(await nexus.reply(ada, "remind cancel", id=reminder_id))
    assert "cancelled" in cancelled
    nexus.clock.advance(hours=1)
    await nexus.run_timers()
    nexus.clock.advance(hours=3)
    await nexus.run_timers()
    assert headlines(nexus.emu.dm_messages(ada.id)) == ["⏰ **Reminder:** water the plants"]


@pytest.mark.parametrize(
    ("when", "what", "expected"),
    [
        ("yesterday", "x", "yesterday"),
        ("blursday", "x", "blursday"),
        ("in 2 hours", "x" * 5000, "5,000 characters"),
        ("in 2 hours", "   ", "empty"),
    ],
)
async def test_bad_input_is_refused_and_creates_nothing(
    nexus: Nexus, when: str, what: str, expected: str
) -> None:
    ix = await nexus.slash(nexus.world.ada, "remind me", when=when, what=what)
    body = await ix.response()
    assert ix.ephemeral
    assert expected in embed_text(body["data"])
    assert await nexus.services.reminders.pending(nexus.world.ada.id) == []


async def test_the_26th_pending_reminder_is_refused(nexus: Nexus) -> None:
    ada = nexus.world.ada
    for i in range(25):
        await nexus.services.reminders.create(
            user_id=ada.id,
            guild_id=nexus.world.guild.id,
            channel_id=nexus.world.general.id,
            when=f"in {i + 1} hours",
            what=f"task {i}",
        )
    text = embed_text(await nexus.reply(ada, "remind me", when="in 30 hours", what="one more"))
    assert "25 pending reminders" in text
    assert len(await nexus.services.reminders.pending(ada.id)) == 25


async def test_a_reminder_due_while_down_is_sent_late_and_says_so(nexus: Nexus) -> None:
    ada = nexus.world.ada
    await nexus.reply(ada, "remind me", when="in 5 minutes", what="stand-up")
    nexus.clock.advance(hours=1)  # the bot was down past the due time
    await nexus.run_timers()
    [dm] = nexus.emu.dm_messages(ada.id)
    assert "stand-up" in dm.content and "offline" in dm.content


async def test_a_server_error_is_retried_with_the_same_nonce(nexus: Nexus) -> None:
    ada = nexus.world.ada
    await nexus.reply(ada, "remind me", when="in 1 minute", what="deploy")
    # Discord creates the message, then the response is lost (502), twice; each retry
    # carries the same nonce, so Discord hands back the first message.
    sent_before = len(nexus.emu.calls_to("POST", r"/channels/\d+/messages"))
    nexus.emu.inject_failure("POST", r"/channels/\d+/messages", 502, times=2, apply=True)
    nexus.clock.advance(minutes=1)
    await nexus.run_timers()
    assert len(nexus.emu.calls_to("POST", r"/channels/\d+/messages")) == sent_before + 3
    assert headlines(nexus.emu.dm_messages(ada.id)) == ["⏰ **Reminder:** deploy"]
    assert await nexus.services.reminders.pending(ada.id) == []


async def test_reloading_the_feature_keeps_its_timers_and_forget_me(nexus: Nexus) -> None:
    """Lifecycle follows the cog: while ``cogs.remind`` is unloaded its timers wait (not
    failed), and forget-me no longer lists reminders; reloaded, both come back."""
    ada = nexus.world.ada
    await nexus.reply(ada, "remind me", when="in 10 minutes", what="stand-up notes")
    await nexus.bot.unload_extension("cogs.remind")
    assert "reminders" not in await nexus.services.privacy.inventory(ada.id)
    nexus.clock.advance(minutes=15)
    assert await nexus.run_timers() == 0
    assert nexus.emu.dm_messages(ada.id) == []

    await nexus.bot.load_extension("cogs.remind")
    assert (await nexus.services.privacy.inventory(ada.id)).get("reminders") == 1
    assert await nexus.run_timers() == 1
    [dm] = nexus.emu.dm_messages(ada.id)
    assert "stand-up notes" in dm.content


async def test_a_reminder_carries_its_rows_nonce(nexus: Nexus) -> None:
    """The nonce on the wire is the one derived from the timer row, not discord.py's
    random one: a retry after a crash is then returned, not posted again."""
    ada = nexus.world.ada
    await nexus.reply(ada, "remind me", when="in 5 minutes", what="ship it")
    [reminder] = await nexus.services.reminders.pending(ada.id)
    [timer] = await timers.for_subject(nexus.services.db.reader, "reminder", reminder.id)
    nexus.clock.advance(minutes=5)
    assert await nexus.run_timers() == 1
    [dm] = nexus.emu.dm_messages(ada.id)
    assert dm.nonce == nonces.timer(timer.id)


async def test_an_absurd_length_is_refused_clearly(nexus: Nexus) -> None:
    data = await nexus.reply(
        nexus.world.ada, "remind me", when="in 99999999999999999999 seconds", what="later"
    )
    text = embed_text(data)
    assert "too far ahead" in text and "Something went wrong" not in text
    assert await nexus.services.reminders.pending(nexus.world.ada.id) == []


async def test_a_dm_refused_for_another_reason_is_not_taken_for_closed_dms(
    nexus: Nexus,
) -> None:
    """Only 50007 means "DMs closed"; any other 403 fails the send (and the timer
    retries or fails) instead of posting the reminder in the channel."""
    ada, general = nexus.world.ada, nexus.world.general
    await nexus.reply(ada, "remind me", when="in 10 minutes", what="private note")
    [reminder] = await nexus.services.reminders.pending(ada.id)
    [timer] = await timers.for_subject(nexus.services.db.reader, "reminder", reminder.id)
    nexus.emu.inject_failure("POST", r"/channels/\d+/messages", 403, code=50013, times=1)
    nexus.clock.advance(minutes=10)
    await nexus.run_timers()
    assert not [m for m in nexus.emu.messages(general.id) if "private note" in m.content]
    calls = nexus.emu.calls_to("POST", r"/channels/\d+/messages")
    [refused] = [c for c in calls if c.status == 403]  # the DM; nothing else went out
    assert (refused.status, refused.json["nonce"]) == (403, timer.nonce())
    state = await sql.fetch_one(
        nexus.services.db.reader, "SELECT state FROM timers WHERE id = ?", (timer.id,)
    )
    assert state is not None and state["state"] == "failed"  # a lasting refusal, not "sent"
