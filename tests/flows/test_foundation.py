"""The foundation through the emulator: login and sync, /nexus, /timezone, /privacy,
the error pipeline, cooldowns, and riding out Discord's failures."""

from __future__ import annotations

import asyncio
import logging
import re
import time
from typing import Any

import pytest

from bot.db import sql
from bot.delivery import PINNED_POST
from tests.emulator import Overwrite, messaging
from tests.emulator.permissions import P
from tests.flows.harness import Nexus, embed_text, running_bot
from tests.flows.sessions_kit import finished

EPHEMERAL = 64
ERROR, MUTED, WARNING = 0xE74C3C, 0x95A5A6, 0xF1C40F


async def test_login_syncs_every_command_once(bare: Nexus) -> None:
    names = {c["name"] for c in bare.emu.commands()}
    assert {"nexus", "timezone", "privacy", "remind"} <= names
    assert bare.emu.sync_count == 1


async def test_restart_does_not_resync_unchanged_commands(bare: Nexus) -> None:
    await bare.bot.close()
    async with running_bot(bare):
        assert bare.emu.sync_count == 1
        data = await bare.reply(bare.world.ada, "timezone show")
        assert "UTC" in embed_text(data)


async def test_dev_guild_syncs_to_that_server(bare: Nexus) -> None:
    await bare.bot.close()
    async with running_bot(bare, dev_guild=True):
        guild_commands = {c["name"] for c in bare.emu.commands(bare.world.guild.id)}
        assert "nexus" in guild_commands


async def test_setup_by_admin_stores_settings_and_checks_permissions(bare: Nexus) -> None:
    world = bare.world
    # The bot may not manage threads in this sessions channel.
    sessions = bare.emu.add_text_channel(
        world.guild.id,
        "locked-sessions",
        overwrites=[Overwrite.role(world.guild.bot_role_id, deny=P.MANAGE_THREADS)],
    )
    ix = await bare.slash(
        world.admin,
        "nexus setup",
        qa_forum=world.qa_forum.id,
        sessions_channel=sessions.id,
        announcements_channel=world.announcements.id,
        pairing_channel=world.pairing.id,
        mentor_role=world.mentor_role.id,
        timezone="lagos",
    )
    body = await ix.response()
    assert ix.ephemeral
    text = embed_text(body["data"])
    assert "Africa/Lagos" in text
    assert "missing Manage Threads" in text
    [embed] = body["data"]["embeds"]
    assert (embed["title"], embed["color"]) == ("Saved — 1 setting needs changes", WARNING)
    assert embed["footer"]["text"] == "Fix 1 setting before every feature works."
    stored = await bare.services.guilds.get(world.guild.id)
    assert stored is not None
    assert (stored.sessions_channel_id, stored.mentor_role_id) == (
        sessions.id,
        world.mentor_role.id,
    )


async def test_each_feature_is_set_up_on_its_own(bare: Nexus) -> None:
    """Setup takes every option as optional; an unset feature says which option an admin
    needs, and the permission check covers only what is configured."""
    w = bare.world
    locked = bare.emu.add_text_channel(
        w.guild.id,
        "locked",
        overwrites=[Overwrite.role(w.guild.bot_role_id, deny=P.SEND_MESSAGES)],
    )
    text = embed_text(await bare.reply(w.admin, "nexus setup", qa_forum=w.qa_forum.id))
    assert "I have every permission I need." in text
    assert "Not set up. `/nexus setup sessions_channel` turns it on." in text
    assert "admins act as mentors" in text

    refused = embed_text(
        await bare.reply(w.ada, "session create", title="ORM clinic", when="in 3 days")
    )
    assert "an admin needs to run `/nexus setup sessions_channel`" in refused
    assert bare.emu.messages(w.sessions.id) == []

    # Naming one option later changes only that one.
    text = embed_text(await bare.reply(w.admin, "nexus setup", sessions_channel=locked.id))
    assert "missing Send Messages" in text
    stored = await bare.services.guilds.get(w.guild.id)
    assert stored is not None
    assert (stored.qa_channel_id, stored.sessions_channel_id) == (w.qa_forum.id, locked.id)
    nothing = embed_text(await bare.reply(w.admin, "nexus setup"))
    assert "Nothing changed" in nothing


async def test_setup_refused_for_a_learner(bare: Nexus) -> None:
    w = bare.world
    ix = await bare.slash(
        w.ada,
        "nexus setup",
        qa_forum=w.qa_forum.id,
        sessions_channel=w.sessions.id,
        announcements_channel=w.announcements.id,
        pairing_channel=w.pairing.id,
        mentor_role=w.mentor_role.id,
    )
    body = await ix.response()
    assert ix.ephemeral
    assert "Only admins" in embed_text(body["data"])
    assert await bare.services.guilds.get(w.guild.id) is None


async def test_setup_refuses_an_unknown_timezone(bare: Nexus) -> None:
    w = bare.world
    data = await bare.reply(
        w.admin,
        "nexus setup",
        qa_forum=w.qa_text.id,
        sessions_channel=w.sessions.id,
        announcements_channel=w.announcements.id,
        pairing_channel=w.pairing.id,
        mentor_role=w.mentor_role.id,
        timezone="Blursday/Nowhere",
    )
    assert "Blursday/Nowhere" in embed_text(data)
    assert await bare.services.guilds.get(w.guild.id) is None


async def test_config_before_and_after_setup(bare: Nexus) -> None:
    data = await bare.reply(bare.world.admin, "nexus config")
    assert "not set up" in embed_text(data)
    await bare.setup_server()
    data = await bare.reply(bare.world.admin, "nexus config")
    text = embed_text(data)
    assert f"<#{bare.world.pairing.id}>" in text
    assert "I have every permission I need." in text
    refused = await bare.reply(bare.world.ada, "nexus config")
    assert "Only admins" in embed_text(refused)


async def test_timezone_set_show_and_autocomplete(nexus: Nexus) -> None:
    ada = nexus.world.ada
    ix = await nexus.emu.autocomplete(
        ada, nexus.world.guild.id, "timezone set", focused="zone", value="lag"
    )
    await ix.response()
    assert "Africa/Lagos" in [c["value"] for c in ix.choices or []]

    shown = embed_text(await nexus.reply(ada, "timezone show"))
    assert "Africa/Lagos" in shown and "server" in shown  # the server's zone until set

    saved = embed_text(await nexus.reply(ada, "timezone set", zone="new york"))
    assert "America/New_York" in saved
    shown = embed_text(await nexus.reply(ada, "timezone show"))
    assert "America/New_York" in shown and "your own setting" in shown


async def test_unknown_timezone_is_refused_with_suggestions(nexus: Nexus) -> None:
    ix = await nexus.slash(nexus.world.ada, "timezone set", zone="Lagoss")
    body = await ix.response()
    assert ix.ephemeral
    text = embed_text(body["data"])
    assert "Lagoss" in text and "Africa/Lagos" in text


async def test_forget_me_deletes_after_confirmation(nexus: Nexus) -> None:
    ada = nexus.world.ada
    await nexus.reply(ada, "timezone set", zone="Europe/London")
    await nexus.reply(ada, "remind me", when="in 3 hours", what="stand-up notes")

    ix = await nexus.slash(ada, "privacy forget-me")
    body = await ix.response()
    assert "reminders: 1" in embed_text(body["data"])
    prompt = ix.original_message
    assert prompt is not None
    cancel_id = prompt.components[0]["components"][1]["custom_id"]

    cancelled = await nexus.emu.click(ada, prompt, cancel_id)
    assert "Nothing deleted" in embed_text((await cancelled.response())["data"])
    assert await nexus.services.privacy.inventory(ada.id) != {}

    ix = await nexus.slash(ada, "privacy forget-me")
    await ix.response()
    prompt = ix.original_message
    assert prompt is not None
    confirmed = await nexus.emu.click(
        ada, prompt, prompt.components[0]["components"][0]["custom_id"]
    )
    assert "Your data is deleted" in embed_text((await confirmed.response())["data"])
    assert await nexus.services.privacy.inventory(ada.id) == {}
    assert await nexus.services.reminders.pending(ada.id) == []


async def test_unexpected_error_shows_a_reference(
    nexus: Nexus, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    async def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("database on fire")

    monkeypatch.setattr(nexus.services.preferences, "effective_zone", broken)
    ix = await nexus.slash(nexus.world.ada, "timezone show")
    body = await ix.response()
    assert ix.ephemeral
    text = embed_text(body["data"])
    assert "Something went wrong" in text and "ref `" in text
    ref = text.split("ref `")[1][:6]
    assert any(ref in r.getMessage() and r.exc_info for r in caplog.records)


async def test_write_commands_are_rate_limited_per_user(nexus: Nexus) -> None:
    ada, bola = nexus.world.ada, nexus.world.bola
    for _ in range(5):
        assert "Timezone saved" in embed_text(await nexus.reply(ada, "timezone set", zone="UTC"))
    answer = await nexus.reply(ada, "timezone set", zone="UTC")
    [embed] = answer["embeds"]
    assert embed["title"] == "Slow down"
    # A countdown every reader sees tick in their own client, not a stale "in 30 s".
    [ready] = re.findall(r"<t:(\d+):R>", embed["description"])
    assert 0 < int(ready) - time.time() <= 31
    assert "Timezone saved" in embed_text(await nexus.reply(bola, "timezone set", zone="UTC"))


async def test_error_titles_name_the_problem_and_done_things_are_calm(nexus: Nexus) -> None:
    """One generic "That didn't work" told the learner nothing: each refusal's title
    names it, and "you already did that" is not painted as an error."""
    ada, learner = nexus.world.ada, nexus.world.bola

    def titled(data: dict[str, Any]) -> tuple[str, int]:
        [embed] = data["embeds"]
        return embed["title"], embed["color"]

    unreadable = await nexus.reply(ada, "remind me", when="when pigs fly", what="x")
    assert titled(unreadable) == ("Can't read that time", ERROR)
    past = await nexus.reply(ada, "remind me", when="2001-01-01 10:00", what="x")
    assert titled(past) == ("Pick another time", ERROR)
    refused = await nexus.reply(learner, "nexus setup", timezone="UTC")
    assert titled(refused) == ("Admins only", ERROR)

    first = await nexus.slash(ada, "session create", title="Calm", when="in 2 days")
    assert "Session #1 scheduled" in embed_text(await finished(nexus, first))
    again = await nexus.slash(ada, "session create", title="Calm", when="in 2 days")
    data = await finished(nexus, again)
    assert titled(data) == ("Already done", MUTED)
    assert "You already scheduled **Calm**" in data["embeds"][0]["description"]


async def test_rides_out_a_429_on_the_interaction_callback(nexus: Nexus) -> None:
    nexus.emu.inject_failure("POST", r"/interactions/\d+/[^/]+/callback", 429, retry_after=0.3)
    data = await nexus.reply(nexus.world.ada, "timezone show")
    assert "Africa/Lagos" in embed_text(data)
    attempts = nexus.emu.calls_to("POST", r"/interactions/\d+/[^/]+/callback")
    assert [c.status for c in attempts][-2:] == [429, 204] or [c.status for c in attempts][-2:] == [
        429,
        200,
    ]


async def test_resumes_after_a_dropped_websocket(nexus: Nexus) -> None:
    await nexus.emu.drop_websocket()
    await nexus.emu.wait_for_resume()
    assert nexus.emu.gateway.resume_count >= 1
    data = await nexus.reply(nexus.world.ada, "timezone show")
    assert "Africa/Lagos" in embed_text(data)


async def test_changed_definitions_are_resynced_on_restart(bare: Nexus) -> None:
    await bare.bot.close()
    # The stored hash stands for the definitions of an older release.
    async with bare.db.transaction() as tx:
        await sql.execute(
            tx, "UPDATE app_state SET value = 'older' WHERE key LIKE 'commands_hash:%'"
        )
    async with running_bot(bare):
        assert bare.emu.sync_count == 2
    async with running_bot(bare):
        assert bare.emu.sync_count == 2


async def test_mentioning_the_bot_logs_no_error(
    nexus: Nexus, caplog: pytest.LogCaptureFixture
) -> None:
    """There are no prefix commands: "@Nexus help" is a message like any other."""
    bot_id = nexus.emu.bot_user.id
    events = len(nexus.emu.gateway_events("MESSAGE_CREATE"))
    nexus.emu.user_message(nexus.world.general.id, nexus.world.ada, f"<@{bot_id}> help")
    for _ in range(100):
        if len(nexus.emu.gateway_events("MESSAGE_CREATE")) > events:
            break
        await asyncio.sleep(0.01)
    await asyncio.sleep(0.2)  # the bot handles the dispatch
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []


async def test_setup_pins_one_how_to_per_channel_and_updates_it(nexus: Nexus) -> None:
    """Setup leaves a how-to pinned in the Q&A forum (a pinned post) and in the sessions
    channel; running it again edits them in place, and one deleted is posted again."""
    world, emu = nexus.world, nexus.emu
    [guide_post] = [t for t in emu.threads(world.qa_forum.id) if t.name == "How to ask here"]
    assert guide_post.flags & PINNED_POST
    assert emu.message(guide_post.id).content.startswith("**📌 How to ask here**")
    [howto] = [m for m in emu.messages(world.sessions.id) if m.type == 0]
    assert howto.pinned and "How study sessions work here" in howto.content

    again = await nexus.slash(world.admin, "nexus setup", timezone="Africa/Lagos")
    await again.response()
    listed = embed_text(emu.payload(await again.wait_for_edit()))
    assert f"/{guide_post.id}" in listed and f"/{howto.id}" in listed
    assert [t.id for t in emu.threads(world.qa_forum.id)] == [guide_post.id]
    assert [m.id for m in emu.messages(world.sessions.id) if m.type == 0] == [howto.id]
    assert emu.message(howto.id).edited_timestamp is not None

    messaging.delete(emu, howto)
    nexus.expect_http_error(404, code=10008)  # editing the deleted how-to
    third = await nexus.slash(world.admin, "nexus setup", timezone="Africa/Lagos")
    await third.response()
    await third.wait_for_edit()
    [reposted] = [m for m in emu.messages(world.sessions.id) if m.type == 0 and not m.deleted]
    assert reposted.id != howto.id and reposted.pinned


async def test_setup_says_when_it_may_not_pin_the_how_to(bare: Nexus) -> None:
    world = bare.world
    sessions = bare.emu.add_text_channel(
        world.guild.id,
        "no-pins",
        overwrites=[
            Overwrite.role(world.guild.bot_role_id, deny=P.PIN_MESSAGES | P.MANAGE_MESSAGES)
        ],
    )
    ix = await bare.slash(world.admin, "nexus setup", sessions_channel=sessions.id)
    await ix.response()
    text = embed_text(bare.emu.payload(await ix.wait_for_edit()))
    assert "posted, not pinned: give Nexus **Pin Messages**" in text
    [howto] = [m for m in bare.emu.messages(sessions.id) if m.type == 0]
    assert not howto.pinned
