"""The automatic Q&A timers through the emulator, driven by the injected clock: each
fires once, at its time, never after the question is solved, and across a restart.
Also thread activity from message events, and forget-me on an asker's openers."""

from __future__ import annotations

from typing import Any

import pytest

from tests.emulator import DEFAULT_BOT, Channel, Message, P, User
from tests.flows.harness import Nexus, embed_text, running_bot
from tests.flows.test_qa import (
    advance,
    ask,
    eventually,
    mark_solution,
    pings_only,
    public,
    question_of,
    submit,
    tag_names,
    text_of,
)


def bot_messages(nexus: Nexus, thread: Channel) -> list[Message]:
    return [m for m in public(nexus, thread.id) if m.author.id == nexus.emu.bot_user.id]


def newer_than(nexus: Nexus, thread: Channel, message: Message) -> Message | None:
    """The bot's latest message in the thread, if it came after ``message``."""
    latest = bot_messages(nexus, thread)[-1]
    return latest if latest.id > message.id else None


def the_dormant_check(nexus: Nexus, thread: Channel) -> Message:
    """The asker's "do you still need help?" message. Three days of silence also brings
    the helpers' and the mentors' pings, in whichever order their timers ran."""
    [check] = [m for m in bot_messages(nexus, thread) if "nobody has replied here" in m.content]
    return check


async def noticed(nexus: Nexus, thread: Channel, user: User, content: str = "reply") -> Message:
    """A user posts in the thread; wait until the bot has recorded it."""
    before = (await question_of(nexus, thread)).last_activity_at
    first = (await question_of(nexus, thread)).first_reply_at
    message = nexus.emu.user_message(thread.id, user, content)

    async def recorded() -> Any:
        now = await question_of(nexus, thread)
        return now.last_activity_at != before or now.first_reply_at != first

    await eventually(recorded, f"the bot to notice {user.username}'s message")
    return message


async def test_unanswered_pings_the_helper_role_then_mentors_once(nexus: Nexus) -> None:
    world = nexus.world
    thread = await ask(nexus, world.ada)
    opener_count = len(bot_messages(nexus, thread))
    advance(nexus, hours=5, minutes=59)
    await nexus.run_timers()
    assert len(bot_messages(nexus, thread)) == opener_count
    advance(nexus, minutes=1)
    await nexus.run_timers()
    (ping,) = bot_messages(nexus, thread)[opener_count:]
    assert ping.mention_role_ids == [world.helper_role.id] and ping.mention_ids == []
    pings_only(ping, roles=(world.helper_role.id,))
    # The role is not mentionable, but the bot has Mention Everyone: Discord notifies.
    assert ping.notified_ids == [world.helper.id]
    assert "6 hours" in ping.content
    await nexus.run_timers()
    assert len(bot_messages(nexus, thread)) == opener_count + 1
    advance(nexus, hours=6)
    await nexus.run_timers()
    mentors = bot_messages(nexus, thread)[-1]
    assert mentors.mention_role_ids == [world.mentor_role.id]
    pings_only(mentors, roles=(world.mentor_role.id,))
    assert mentors.notified_ids == [world.mentor.id]
    advance(nexus, hours=12)
    await nexus.run_timers()
    assert len(bot_messages(nexus, thread)) == opener_count + 2


async def test_role_pings_need_a_mentionable_role_or_mention_everyone(
    nexus: Nexus, caplog: pytest.LogCaptureFixture
) -> None:
    """Discord notifies a role's members only when the role is mentionable or the sender
    has Mention Everyone in the channel. Without either, setup says so and how to fix
    it; once the role is mentionable, the helpers hear the ping."""
    world, emu = nexus.world, nexus.emu
    guild = world.guild.id
    emu.set_bot_permissions(guild, DEFAULT_BOT & ~P.MENTION_EVERYONE)
    forum, helpers, mentors = world.qa_forum.id, world.helper_role.id, world.mentor_role.id
    config = embed_text(await nexus.reply(world.admin, "nexus config"))
    assert (
        f"<@&{helpers}> and <@&{mentors}> won't be notified of unanswered questions: "
        "make the roles mentionable in Server Settings → Roles, "
        f"or give Nexus Mention Everyone in <#{forum}>."
    ) in config
    assert "Fix 1 setting before every feature works" in config

    thread = await ask(nexus, world.ada)
    advance(nexus, hours=6)
    await nexus.run_timers()
    silent = bot_messages(nexus, thread)[-1]
    assert f"<@&{helpers}>" in silent.content
    assert (silent.mention_role_ids, silent.notified_ids) == ([], [])  # nobody heard it
    assert f"role {helpers} is not mentionable" in caplog.text
    caplog.clear()

    emu.set_role_mentionable(guild, helpers)
    config = embed_text(await nexus.reply(world.admin, "nexus config"))
    assert f"<@&{mentors}> won't be notified of unanswered questions: make the role " in config
    assert f"<@&{helpers}>" not in config.split("Unanswered-question pings")[1]

    thread = await ask(nexus, world.bola, title="Celery beat skips tasks")
    advance(nexus, hours=6)
    await nexus.run_timers()
    heard = bot_messages(nexus, thread)[-1]
    assert heard.mention_role_ids == [helpers] and heard.notified_ids == [world.helper.id]
    assert f"role {helpers} is not mentionable" not in caplog.text

    emu.set_role_mentionable(guild, mentors)
    config = embed_text(await nexus.reply(world.admin, "nexus config"))
    assert "Unanswered-question pings" not in config
    assert "I have every permission I need." in config


async def test_unanswered_pings_subscribed_helpers_by_topic(nexus: Nexus) -> None:
    world = nexus.world
    await nexus.reply(world.helper, "qa subscribe", topics="docker")
    await nexus.reply(world.mentor, "qa subscribe", topics="django")
    thread = await ask(nexus, world.ada, topic="docker", title="Compose networking")
    advance(nexus, hours=6)
    await nexus.run_timers()
    ping = bot_messages(nexus, thread)[-1]
    assert ping.mention_ids == [world.helper.id] and ping.mention_role_ids == []
    pings_only(ping, users=(world.helper.id,))


async def test_a_reply_stops_the_escalation(nexus: Nexus) -> None:
    world = nexus.world
    thread = await ask(nexus, world.ada)
    advance(nexus, hours=1)
    await noticed(nexus, thread, world.bola)
    advance(nexus, hours=12)
    await nexus.run_timers()
    assert len(bot_messages(nexus, thread)) == 1  # the opener only


async def test_nudge_asks_the_asker_once_with_buttons(nexus: Nexus) -> None:
    world = nexus.world
    thread = await ask(nexus, world.ada)
    advance(nexus, hours=1)
    await noticed(nexus, thread, world.helper, "Have you tried --fake-initial?")
    advance(nexus, hours=23, minutes=59)
    await nexus.run_timers()
    assert len(bot_messages(nexus, thread)) == 1
    advance(nexus, minutes=1)
    await nexus.run_timers()
    nudge = bot_messages(nexus, thread)[-1]
    pings_only(nudge, users=(world.ada.id,))
    assert nudge.mention_ids == [world.ada.id] and "solved" in nudge.content
    buttons = nudge.components[0]["components"]
    assert [b["label"] for b in buttons] == ["Solved", "Still need help"]
    await nexus.run_timers()
    advance(nexus, hours=30)
    await nexus.run_timers()
    nudges = [m for m in bot_messages(nexus, thread) if "Solved" in str(m.components)]
    assert nudges == [nudge]

    refused = await nexus.emu.click(world.bola, nudge, buttons[1]["custom_id"])
    assert "Only the person who asked" in embed_text((await refused.response())["data"])
    # The buttons outlive a restart.
    await nexus.bot.close()
    async with running_bot(nexus):
        helped = await nexus.emu.click(world.ada, nudge, buttons[1]["custom_id"])
        assert (await helped.response())["type"] == 7  # the nudge loses its buttons
        edited = nexus.emu.message(nudge.id)
        assert edited.content == nudge.content and edited.components == []
        call = await eventually(lambda: newer_than(nexus, thread, nudge), "the call for help")
        assert "still needs help" in call.content


async def test_the_nudge_solved_button_asks_for_the_summary(nexus: Nexus) -> None:
    world = nexus.world
    thread = await ask(nexus, world.ada)
    await noticed(nexus, thread, world.helper)
    advance(nexus, hours=24)
    await nexus.run_timers()
    nudge = bot_messages(nexus, thread)[-1]
    ix = await nexus.emu.click(world.ada, nudge, nudge.components[0]["components"][0]["custom_id"])
    done = await submit(nexus, world.ada, ix, {"qa:summary": "Faked the initial migration"})
    await done.response()
    await eventually(lambda: thread.archived, "the solved thread to be archived")
    stored = await question_of(nexus, thread)
    assert (stored.status, stored.summary) == ("solved", "Faked the initial migration")


async def test_dormant_thread_is_closed_as_stale_and_a_reply_reopens_it(nexus: Nexus) -> None:
    world = nexus.world
    thread = await ask(nexus, world.ada)
    answer = await noticed(nexus, thread, world.bola, "Try --fake-initial")
    advance(nexus, hours=71, minutes=59)
    await nexus.run_timers()
    assert not [m for m in bot_messages(nexus, thread) if "no activity" in text_of(m)]
    advance(nexus, minutes=1)
    await nexus.run_timers()
    closing = bot_messages(nexus, thread)[-1]
    assert "no activity" in text_of(closing) and "/qa reopen" in text_of(closing)
    pings_only(closing)
    await eventually(lambda: thread.archived, "the stale thread to be archived")
    assert not thread.locked
    stored = await question_of(nexus, thread)
    assert (stored.status, stored.close_reason) == ("closed", "stale")
    count = len(bot_messages(nexus, thread))
    advance(nexus, hours=100)
    await nexus.run_timers()
    assert len(bot_messages(nexus, thread)) == count

    nexus.emu.user_message(thread.id, world.ada, "still broken", reply_to=answer)

    async def reopened() -> bool:
        return (await question_of(nexus, thread)).status == "open"

    await eventually(reopened, "the reply to reopen the question")
    advance(nexus, hours=72)
    await nexus.run_timers()
    assert len([m for m in bot_messages(nexus, thread) if "no activity" in text_of(m)]) == 2


async def test_a_question_nobody_answered_is_closed_only_after_asking_its_asker(
    nexus: Nexus,
) -> None:
    """No reply at all after the dormant period: the asker is asked first, with the
    Solved / Still need help buttons; the question closes only after another quiet
    spell without an answer."""
    world = nexus.world
    thread = await ask(nexus, world.ada)
    advance(nexus, hours=72)
    await nexus.run_timers()
    check = the_dormant_check(nexus, thread)
    assert check.content.startswith(f"<@{world.ada.id}> nobody has replied here in 3 days.")
    assert "close it as stale <t:" in check.content
    assert [b["label"] for b in check.components[0]["components"]] == ["Solved", "Still need help"]
    assert check.notified_ids == [world.ada.id]
    pings_only(check, users=(world.ada.id,))
    assert (await question_of(nexus, thread)).status == "open" and not thread.archived
    await nexus.run_timers()
    advance(nexus, hours=71, minutes=59)
    await nexus.run_timers()
    assert the_dormant_check(nexus, thread).id == check.id  # asked once
    assert (await question_of(nexus, thread)).status == "open"  # not closed yet
    advance(nexus, minutes=1)
    await nexus.run_timers()
    closing = bot_messages(nexus, thread)[-1]
    assert "no activity" in text_of(closing)
    assert (await question_of(nexus, thread)).close_reason == "stale"
    await eventually(lambda: thread.archived, "the stale thread to be archived")


async def test_still_need_help_on_the_check_keeps_the_question_open(nexus: Nexus) -> None:
    world = nexus.world
    thread = await ask(nexus, world.ada)
    advance(nexus, hours=72)
    await nexus.run_timers()
    check = the_dormant_check(nexus, thread)
    help_id = check.components[0]["components"][1]["custom_id"]
    last = bot_messages(nexus, thread)[-1]
    await (await nexus.emu.click(world.ada, check, help_id)).response()
    call = await eventually(lambda: newer_than(nexus, thread, last), "the call for help")
    assert call.notified_ids == [world.helper.id]
    advance(nexus, hours=72)
    await nexus.run_timers()
    stored = await question_of(nexus, thread)
    assert (stored.status, stored.close_reason) == ("closed", "stale")  # asked already


async def test_activity_postpones_the_dormant_close(nexus: Nexus) -> None:
    world = nexus.world
    thread = await ask(nexus, world.ada)
    await noticed(nexus, thread, world.helper, "Which Django version?")
    advance(nexus, hours=70)
    await noticed(nexus, thread, world.ada, "4.2, any ideas?")
    advance(nexus, hours=3)
    await nexus.run_timers()
    assert (await question_of(nexus, thread)).status == "open"
    advance(nexus, hours=69)
    await nexus.run_timers()
    assert (await question_of(nexus, thread)).status == "closed"


async def test_no_timer_fires_after_the_question_is_solved(nexus: Nexus) -> None:
    world = nexus.world
    thread = await ask(nexus, world.ada)
    answer = await noticed(nexus, thread, world.bola, "the answer")
    await mark_solution(nexus, world.ada, answer, "answered")
    count = len(bot_messages(nexus, thread))
    advance(nexus, hours=200)
    await nexus.run_timers()
    assert len(bot_messages(nexus, thread)) == count
    assert "Solved" in tag_names(nexus, thread)


async def test_timers_survive_a_restart(nexus: Nexus) -> None:
    world = nexus.world
    thread = await ask(nexus, world.ada)
    await nexus.bot.close()
    async with running_bot(nexus):
        advance(nexus, hours=6)
        await nexus.run_timers()
        ping = bot_messages(nexus, thread)[-1]
        assert ping.mention_role_ids == [world.helper_role.id]


async def test_forget_me_keeps_the_question_as_a_former_members(nexus: Nexus) -> None:
    world = nexus.world
    thread = await ask(nexus, world.ada)
    ix = await nexus.slash(world.ada, "privacy forget-me")
    body = await ix.response()
    assert "your name on questions" in embed_text(body["data"])
    prompt = ix.original_message
    assert prompt is not None
    confirm = prompt.components[0]["components"][0]["custom_id"]
    await (await nexus.emu.click(world.ada, prompt, confirm)).response()
    opener = nexus.emu.message(thread.id)
    await eventually(lambda: "a former member" in text_of(opener).lower(), "the opener rewrite")
    assert f"<@{world.ada.id}>" not in text_of(opener)
    stored = await question_of(nexus, thread)
    assert stored.asker_id is None and stored.title
