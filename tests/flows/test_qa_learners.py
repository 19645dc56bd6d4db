"""What learners see in Q&A (#10), through the emulator: the question as the asker's own
message text with an Edit button only they can use, a post a member opens directly in
the Q&A forum tracked like any question, credit for the helper (who helped, ✅ on the
answer, one mention), **Still need help** pinging the helpers with a new message, and a
private leaderboard with **Share**."""

from __future__ import annotations

from typing import Any

import discord
import pytest

from bot.services.qa.rules import BODY_MAX
from tests.emulator import Channel, Message, User
from tests.flows.harness import Nexus, embed_text, running_bot
from tests.flows.test_qa import (
    advance,
    ask,
    buttons_of,
    eventually,
    mark_solution,
    pings_only,
    public,
    question_of,
    tag_names,
    text_of,
)
from tests.services.test_qa_search import load_fixture

FOOTER = "-# add logs as a reply · solved? Apps → Mark as solution"


def bot_messages(nexus: Nexus, thread: Channel) -> list[Message]:
    return [m for m in public(nexus, thread.id) if m.author.id == nexus.emu.bot_user.id]


def opener_of(nexus: Nexus, thread: Channel) -> Message:
    return nexus.emu.message(thread.id)  # a forum post's, or the text channel's root message


async def stored(nexus: Nexus, thread: Channel) -> Any:
    return await question_of(nexus, thread)


# -- 1. the question reads like the asker's own ------------------------------------------


@pytest.mark.parametrize("where", ["forum", "text"])
async def test_the_asker_edits_their_question(bare: Nexus, where: str) -> None:
    world = bare.world
    parent = world.qa_forum if where == "forum" else world.qa_text
    await bare.setup_server(qa=parent)
    ada = world.ada
    thread = await ask(
        bare, ada, title="Migrations fail", question="relation already exists", parent=parent
    )
    opener = opener_of(bare, thread)
    ((label, edit_id),) = buttons_of(opener)
    assert label == "Edit"

    refused = await bare.emu.click(world.bola, opener, edit_id)
    body = await refused.response()
    assert refused.ephemeral and body["type"] == 4
    assert "Only the person who asked can edit this question" in embed_text(body["data"])

    ix = await bare.emu.click(ada, opener, edit_id)
    assert (await ix.response())["type"] == 9
    assert ix.modal is not None
    prefilled = {
        row["components"][0]["custom_id"]: row["components"][0].get("value")
        for row in ix.modal["components"]
    }
    assert prefilled == {"qa:title": "Migrations fail", "qa:details": "relation already exists"}
    new_body = "`migrate` fails on deploy with psycopg2 errors.UndefinedTable"
    done = await bare.emu.submit_modal(
        ada,
        ix,
        ix.modal["custom_id"],
        {"qa:title": "Migrate fails on deploy", "qa:details": new_body},
    )
    assert (await done.response())["type"] == 6  # the opener itself shows the change
    expected = f"**django** question from <@{ada.id}>\n{new_body}\n{FOOTER}"
    await eventually(lambda: opener.content == expected, "the opener to show the edit")
    await eventually(lambda: thread.name == "Migrate fails on deploy", "the thread's new name")
    assert buttons_of(opener) == [("Edit", edit_id)]
    assert opener.notified_ids == []  # an edit notifies nobody; the opener never pinged
    question = await stored(bare, thread)
    assert (question.title, question.body) == ("Migrate fails on deploy", new_body)
    found = embed_text(await bare.reply(world.bola, "qa search", query="UndefinedTable deploy"))
    assert "Migrate fails on deploy" in found


async def test_a_solved_question_can_still_be_edited(nexus: Nexus) -> None:
    world = nexus.world
    thread = await ask(nexus, world.ada)
    answer = nexus.emu.user_message(thread.id, world.bola, "Use --fake-initial")
    await mark_solution(nexus, world.ada, answer, "fake the initial migration")
    opener = opener_of(nexus, thread)
    ix = await nexus.emu.click(world.ada, opener, buttons_of(opener)[0][1])
    await ix.response()
    assert ix.modal is not None
    done = await nexus.emu.submit_modal(
        world.ada, ix, ix.modal["custom_id"], {"qa:details": "Fixed a typo."}
    )
    await done.response()
    await eventually(lambda: "\nFixed a typo.\n" in opener.content, "the edit")
    await eventually(lambda: thread.archived, "the thread archived again")
    assert "Solved" in tag_names(nexus, thread)


async def test_the_question_fits_one_message_and_the_limit_is_named(nexus: Nexus) -> None:
    world = nexus.world
    longest = max(("rest-api", "databases", "frontend"), key=len)
    thread = await ask(nexus, world.ada, topic=longest, question="q" * BODY_MAX)
    assert len(opener_of(nexus, thread).content) <= 2000
    data = await nexus.reply(
        world.ada, "ask", topic="django", title="Too long", question="x" * (BODY_MAX + 1)
    )
    assert f"the limit is {BODY_MAX:,}" in embed_text(data)

    ix = await nexus.slash(world.ada, "ask", topic="django")
    await ix.response()
    assert ix.modal is not None
    fields = {
        row["components"][0]["custom_id"]: row["components"][0] for row in ix.modal["components"]
    }
    details = fields["qa:details"]
    assert details["max_length"] == BODY_MAX
    assert "error" in details["placeholder"] and "code" in details["placeholder"]


@pytest.mark.parametrize("where", ["forum", "text", "solved"])
async def test_forget_me_reattributes_the_opener_and_drops_edit(bare: Nexus, where: str) -> None:
    world = bare.world
    parent = world.qa_text if where == "text" else world.qa_forum
    await bare.setup_server(qa=parent)
    thread = await ask(bare, world.ada, question="Why does my query run twice?", parent=parent)
    if where == "solved":  # archived: unarchived for the rewrite, then archived again
        answer = bare.emu.user_message(thread.id, world.bola, "select_related")
        await mark_solution(bare, world.ada, answer, "select_related")
    ix = await bare.slash(world.ada, "privacy forget-me")
    await ix.response()
    assert ix.original_message is not None
    confirm = ix.original_message.components[0]["components"][0]["custom_id"]
    await (await bare.emu.click(world.ada, ix.original_message, confirm)).response()
    opener = opener_of(bare, thread)
    expected = f"**django** question from a former member\nWhy does my query run twice?\n{FOOTER}"
    await eventually(lambda: opener.content == expected, "the opener's re-attribution")
    assert opener.components == []
    await eventually(lambda: thread.archived == (where == "solved"), "the thread's archive state")


# -- 2. a post a member opens directly in the Q&A forum ----------------------------------


async def with_tagged_forum(nexus: Nexus) -> Channel:
    forum = nexus.emu.add_forum_channel(
        nexus.world.guild.id, "help-forum", tags=["Django", "REST API", "Async", "Solved"]
    )
    await nexus.setup_server(qa=forum)
    return forum


async def hint_in(nexus: Nexus, thread: Channel) -> Message:
    found = await eventually(lambda: bot_messages(nexus, thread), "the bot's reply in the post")
    return found[0]


async def test_a_members_forum_post_is_a_question_through_solve(nexus: Nexus) -> None:
    world, emu = nexus.world, nexus.emu
    forum = await with_tagged_forum(nexus)
    bola = world.bola
    thread, starter = emu.user_forum_post(
        forum.id, bola, "Celery beat runs every task twice", "my beat schedule…", tags=["Async"]
    )
    hint = await hint_in(nexus, thread)
    assert "**async** question" in hint.content and "Mark as solution" in hint.content
    assert hint.embeds == [] and hint.notified_ids == [] and hint.mention_ids == []
    question = await stored(nexus, thread)
    assert (question.asker_id, question.topic, question.title, question.opener_id) == (
        bola.id,
        "async",
        "Celery beat runs every task twice",
        thread.id,
    )
    assert starter.author.id == bola.id and starter.edited_timestamp is None  # theirs, untouched
    listed = embed_text(await nexus.reply(world.helper, "qa unanswered"))
    assert "Celery beat runs every task twice" in listed

    advance(nexus, hours=6)
    await nexus.run_timers()
    ping = bot_messages(nexus, thread)[-1]
    assert ping.notified_ids == [world.helper.id]  # the unanswered timer applies

    answer = emu.user_message(thread.id, world.helper, "Run a single beat instance.")
    await mark_solution(nexus, bola, answer, "Only one beat process")
    await eventually(lambda: answer.reactions == {"✅": [emu.bot_user.id]}, "the ✅ on the answer")
    assert tag_names(nexus, thread) == ["Async", "Solved"]
    assert (await stored(nexus, thread)).status == "solved"
    assert len(bot_messages(nexus, thread)[:1]) == 1 and bot_messages(nexus, thread)[0] == hint


async def test_a_members_post_gets_similar_solved_questions(nexus: Nexus) -> None:
    world = nexus.world
    forum = await with_tagged_forum(nexus)
    await load_fixture(nexus.db, world.guild.id, int(nexus.clock.now().timestamp()))
    thread, _ = nexus.emu.user_forum_post(
        forum.id, world.ada, "ModuleNotFoundError after pip install requests"
    )
    hint = await hint_in(nexus, thread)
    assert hint.embeds and "solved questions may already answer yours" in text_of(hint)
    assert "/channels/" in text_of(hint)
    assert (await stored(nexus, thread)).topic == "other"  # no tag names a topic


async def test_posts_elsewhere_are_not_questions(nexus: Nexus) -> None:
    world, emu = nexus.world, nexus.emu
    other_forum = emu.add_forum_channel(world.guild.id, "showcase")
    elsewhere, _ = emu.user_forum_post(other_forum.id, world.ada, "My portfolio site")
    root = emu.user_message(world.general.id, world.ada, "anyone around?")
    chat = emu.user_thread(root, world.ada, "Side chat")
    # The bot's own post in the Q&A forum (not through /ask): its event is no question.
    forum = nexus.bot.get_channel(world.qa_forum.id)
    assert isinstance(forum, discord.ForumChannel)
    own = (await forum.create_thread(name="Read me first", content="How to ask here")).thread
    nexus.bot.dispatch("thread_create", own)
    mine, _ = emu.user_forum_post(world.qa_forum.id, world.bola, "Real question here")
    await hint_in(nexus, mine)  # the Q&A forum's post is handled (so the others were too)
    for thread in (elsewhere, chat, emu.channel(own.id)):
        assert await stored(nexus, thread) is None
        assert [m for m in bot_messages(nexus, thread) if m.id != own.id] == []


async def test_a_post_seen_again_is_tracked_and_answered_once(nexus: Nexus) -> None:
    world, emu = nexus.world, nexus.emu
    # The reply reaches Discord but its answer is lost: the retry (same nonce) gets the
    # same message back, not a second one.
    emu.inject_failure("POST", r"/channels/\d+/messages", 500, apply=True)
    thread, _ = emu.user_forum_post(world.qa_forum.id, world.ada, "Redis cache never expires")
    await hint_in(nexus, thread)
    await eventually(lambda: nexus.db and _hint_recorded(nexus, thread), "the reply to be recorded")
    await nexus.bot.close()
    async with running_bot(nexus):
        # Discord replays the event (as after a resume): nothing new.
        cached = nexus.bot.get_channel(thread.id)
        assert cached is not None
        nexus.bot.dispatch("thread_create", cached)
        nexus.bot.dispatch("thread_create", cached)
        await nexus.reply(world.ada, "qa unanswered")  # a round trip after the events
        assert len(bot_messages(nexus, thread)) == 1
        questions, total = await nexus.services.qa.unanswered(world.guild.id)
        assert total == 1 and questions[0].thread_id == thread.id


async def _hint_recorded(nexus: Nexus, thread: Channel) -> bool:
    question = await question_of(nexus, thread)
    return question is not None and question.hint_message_id is not None


@pytest.mark.parametrize("reached", [False, True], ids=["refused", "answer-lost"])
async def test_a_reply_lost_to_a_failure_is_made_once_after_a_restart(
    nexus: Nexus, reached: bool
) -> None:
    """The reply fails (refused, or made on Discord with its answer lost, as in a kill):
    the next start makes it, once: Discord returns the earlier message for its nonce."""
    world, emu = nexus.world, nexus.emu
    emu.inject_failure("POST", r"/channels/\d+/messages", 403, code=50013, apply=reached)
    thread, _ = emu.user_forum_post(world.qa_forum.id, world.ada, "Gunicorn workers time out")

    async def failed() -> bool:
        question = await question_of(nexus, thread)
        return question is not None and bool(
            emu.calls_to("POST", rf"/channels/{thread.id}/messages")
        )

    await eventually(failed, "the post to be tracked and its reply tried")
    assert len(bot_messages(nexus, thread)) == int(reached)
    await nexus.bot.close()
    async with running_bot(nexus):
        hint = await hint_in(nexus, thread)
        await eventually(lambda: _hint_recorded(nexus, thread), "the reply to be recorded")
        assert (await stored(nexus, thread)).hint_message_id == hint.id
        assert len(bot_messages(nexus, thread)) == 1
    async with running_bot(nexus):
        await nexus.reply(world.ada, "qa unanswered")
        assert len(bot_messages(nexus, thread)) == 1


# -- 3. helpers get their credit ---------------------------------------------------------


async def nudged(nexus: Nexus, thread: Channel, *repliers: tuple[User, str]) -> Message:
    """People reply, then it goes quiet for a day: the nudge."""
    for user, text in repliers:
        nexus.emu.user_message(thread.id, user, text)
        advance(nexus, minutes=5)

    async def replied() -> bool:
        return (await question_of(nexus, thread)).first_reply_at is not None

    await eventually(replied, "the replies to be noticed")
    advance(nexus, hours=25)
    await nexus.run_timers()
    nudge = [m for m in bot_messages(nexus, thread) if "Still need help" in str(m.components)]
    assert len(nudge) == 1
    return nudge[0]


@pytest.mark.parametrize("pick", ["default", "bola", "nobody"])
async def test_solved_on_the_nudge_asks_who_helped(nexus: Nexus, pick: str) -> None:
    world, emu = nexus.world, nexus.emu
    thread = await ask(nexus, world.ada)
    nudge = await nudged(
        nexus, thread, (world.bola, "Did you run makemigrations?"), (world.helper, "Use --fake")
    )
    bola_reply, helper_reply = public(nexus, thread.id)[1:3]
    ix = await emu.click(world.ada, nudge, nudge.components[0]["components"][0]["custom_id"])
    assert (await ix.response())["type"] == 9 and ix.modal is not None
    label, _summary = ix.modal["components"]
    assert label["type"] == 18 and label["label"] == "Who helped?"
    options = label["component"]["options"]
    assert [(o["label"], o.get("default", False)) for o in options] == [
        ("helper-hana", True),  # the latest replier first, chosen already
        ("bola", False),
        ("Nobody: I worked it out myself", False),
    ]
    values: dict[str, Any] = {"qa:summary": "Faked the initial migration"}
    if pick != "default":
        values["qa:helper"] = [str(world.bola.id) if pick == "bola" else "0"]
    done = await emu.submit_modal(world.ada, ix, ix.modal["custom_id"], values)
    note = await done.response()
    await eventually(lambda: thread.archived, "the solved thread to be archived")
    credited = {"default": world.helper, "bola": world.bola, "nobody": None}[pick]
    answer = {"default": helper_reply, "bola": bola_reply, "nobody": None}[pick]
    solved = await stored(nexus, thread)
    assert solved.status == "solved"
    assert solved.answerer_id == (credited.id if credited else None)
    posted = emu.message(done.original_message.id) if done.original_message else None
    assert posted is not None
    if credited is None:
        assert note["data"].get("content") is None and posted.notified_ids == []
        assert helper_reply.reactions == {} and bola_reply.reactions == {}
        return
    assert answer is not None and answer.reactions == {"✅": [emu.bot_user.id]}
    other = bola_reply if answer is helper_reply else helper_reply
    assert other.reactions == {}
    assert posted.content.count(f"<@{credited.id}>") == 1
    assert posted.notified_ids == [credited.id]
    pings_only(posted, users=(credited.id,))
    link = f"https://discord.com/channels/{world.guild.id}/{thread.id}/{answer.id}"
    assert link in text_of(posted)
    assert await nexus.services.qa.leaderboard(world.guild.id) == [(credited.id, 1)]


async def test_mark_as_solution_marks_the_answer_and_mentions_its_author_once(
    nexus: Nexus,
) -> None:
    world, emu = nexus.world, nexus.emu
    thread = await ask(nexus, world.ada)
    answer = emu.user_message(thread.id, world.bola, "Run migrate --fake-initial.")
    done = await mark_solution(nexus, world.ada, answer, "Use migrate --fake-initial")
    assert answer.reactions == {"✅": [emu.bot_user.id]}
    assert done.original_message is not None
    note = emu.message(done.original_message.id)
    assert note.content.count(f"<@{world.bola.id}>") == 1
    assert note.notified_ids == [world.bola.id]
    assert f"<@{world.bola.id}>" not in embed_text({"embeds": note.embeds})


async def test_still_need_help_pings_the_helpers_with_a_new_message(nexus: Nexus) -> None:
    world, emu = nexus.world, nexus.emu
    await nexus.reply(world.helper, "qa subscribe", topics="django")
    older = await ask(nexus, world.bola, title="Older unanswered question")
    advance(nexus, minutes=5)
    thread = await ask(nexus, world.ada, title="Signals fire twice")
    nudge = await nudged(nexus, thread, (world.learners[2], "Maybe check your app config?"))
    before = embed_text(await nexus.reply(world.helper, "qa unanswered"))
    assert "Signals fire twice" not in before and "Older unanswered question" in before

    ix = await emu.click(world.ada, nudge, nudge.components[0]["components"][1]["custom_id"])
    assert (await ix.response())["type"] == 7
    edited = emu.message(nudge.id)
    assert edited.components == [] and edited.notified_ids == [world.ada.id]  # as created

    async def call() -> Message | None:
        latest = bot_messages(nexus, thread)[-1]
        return latest if latest.id > nudge.id else None

    message = await eventually(call, "the call for help")
    assert message.content == (
        f"<@{world.helper.id}> <@{world.ada.id}> still needs help with this **django** "
        "question. Can you take a look?"
    )
    assert message.notified_ids == [world.helper.id]  # the subscribed helper, once
    pings_only(message, users=(world.helper.id,))
    listed = embed_text(await nexus.reply(world.helper, "qa unanswered"))
    assert listed.index("Signals fire twice") < listed.index("Older unanswered question")
    assert listed.count("asker still needs help") == 1
    assert older.id != thread.id

    emu.user_message(thread.id, world.helper, "Your receiver is registered twice.")

    async def answered() -> bool:
        return (await stored(nexus, thread)).needs_help_at is None

    await eventually(answered, "the helper's reply to be noticed")
    after = embed_text(await nexus.reply(world.helper, "qa unanswered"))
    assert "Signals fire twice" not in after


# -- 4. the leaderboard is private, with Share ---------------------------------------------


async def test_the_leaderboard_is_private_with_a_share_button(nexus: Nexus) -> None:
    world, emu = nexus.world, nexus.emu
    thread = await ask(nexus, world.ada)
    answer = emu.user_message(thread.id, world.bola, "answer")
    await mark_solution(nexus, world.ada, answer, "answered")
    ix = await nexus.slash(world.ada, "qa leaderboard", period="week")
    body = await ix.response()
    assert ix.ephemeral and f"<@{world.bola.id}>" in embed_text(body["data"])
    private = ix.original_message
    assert private is not None
    ((label, share_id),) = buttons_of(private)
    assert label == "Share"

    await nexus.bot.close()  # the button outlives a restart
    async with running_bot(nexus):
        shared = await emu.click(world.ada, private, share_id)
        assert (await shared.response())["type"] == 7
        (posted,) = await shared.followups(1)
        assert not posted.ephemeral and posted.channel_id == world.general.id
        assert posted.embeds == private.embeds
        assert posted.mention_ids == [] and posted.notified_ids == []
        assert emu.message(private.id).components == []
