"""Q&A threads through the emulator: asking (options or modal, forum or text channel),
tags, similar questions, solving, closing, reopening, search, lists, and mentions.

The shared steps at the top are also used by ``test_qa_timers.py``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from bot.services.qa.rules import TOPICS
from tests.emulator import Channel, InteractionRecord, Message, Overwrite, User
from tests.emulator.permissions import P
from tests.flows.harness import Nexus, embed_text, question_posts, running_bot
from tests.services.test_qa_search import load_fixture

# -- shared steps ----------------------------------------------------------------------


async def eventually(check: Callable[[], Any], what: str, timeout: float = 3.0) -> Any:
    """Poll until ``check()`` is truthy (effects of gateway events the bot handles on its
    own time); fail naming ``what``."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        value = check()
        if asyncio.iscoroutine(value):
            value = await value
        if value:
            return value
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.02)


def advance(nexus: Nexus, **delta: float) -> None:
    """Move the bot's clock and the emulator's together (message times follow)."""
    seconds = timedelta(**delta).total_seconds()
    nexus.clock.advance(seconds=seconds)
    nexus.emu.advance_time(seconds)


def public(nexus: Nexus, channel_id: int) -> list[Message]:
    return [m for m in nexus.emu.messages(channel_id) if not m.ephemeral]


def text_of(message: Message) -> str:
    return embed_text({"content": message.content, "embeds": message.embeds})


def tag_names(nexus: Nexus, thread: Channel) -> list[str]:
    forum = nexus.emu.channel(thread.parent_id or 0)
    names = {int(t["id"]): t["name"] for t in forum.available_tags}
    return [names[t] for t in thread.applied_tags]


def only_new_thread(nexus: Nexus, parent: Channel, before: set[int]) -> Channel:
    threads = [t for t in question_posts(nexus, parent.id) if t.id not in before]
    assert len(threads) == 1, threads
    return threads[0]


async def ask(
    nexus: Nexus,
    user: User,
    *,
    topic: str = "django",
    title: str = "Migrations fail with relation already exists",
    question: str = "I ran `python manage.py migrate` and got ProgrammingError.",
    parent: Channel | None = None,
) -> Channel:
    """Ask with the options (nothing similar in the archive); returns the thread."""
    parent = parent or nexus.world.qa_forum
    before = {t.id for t in question_posts(nexus, parent.id)}
    ix = await nexus.slash(user, "ask", topic=topic, title=title, question=question)
    body = await ix.response()
    assert body["type"] == 5, body  # deferred: posting at once
    posted = await ix.wait_for_edit()  # the followup replaces the "thinking" message
    assert "Question posted" in text_of(posted)
    return only_new_thread(nexus, parent, before)


async def submit(nexus: Nexus, user: User, ix: InteractionRecord, values: dict[str, str]) -> Any:
    body = await ix.response()
    assert body["type"] == 9, body  # a modal
    assert ix.modal is not None
    return await nexus.emu.submit_modal(user, ix, ix.modal["custom_id"], values)


async def mark_solution(
    nexus: Nexus, user: User, answer: Message, summary: str
) -> InteractionRecord:
    ix = await nexus.emu.message_command(user, nexus.world.guild.id, "Mark as solution", answer)
    done = await submit(nexus, user, ix, {"qa:summary": summary})
    await done.response()
    thread = nexus.emu.channel(answer.channel_id)
    await eventually(lambda: thread.archived, "the solved thread to be archived")
    return done


def buttons_of(message: Message) -> list[tuple[str, str]]:
    return [
        (button.get("label", ""), button.get("custom_id", ""))
        for row in message.components
        for button in row.get("components", [])
    ]


def pings_only(message: Message, users: tuple[int, ...] = (), roles: tuple[int, ...] = ()) -> None:
    assert not message.mention_everyone, message
    assert set(message.mention_ids) <= set(users), (message, message.mention_ids)
    assert set(message.mention_role_ids) <= set(roles), (message, message.mention_role_ids)


async def question_of(nexus: Nexus, thread: Channel) -> Any:
    return await nexus.services.qa.by_thread(thread.id)


# -- asking ------------------------------------------------------------------------------


@pytest.mark.parametrize("where", ["forum", "text"])
@pytest.mark.parametrize("how", ["options", "modal"])
async def test_ask_posts_a_thread_with_the_opener(bare: Nexus, where: str, how: str) -> None:
    world = bare.world
    parent = world.qa_forum if where == "forum" else world.qa_text
    await bare.setup_server(qa=parent)
    ada = world.ada
    title, body = "Docker container can't reach Postgres", "Connection refused on port 5432."
    before = {t.id for t in question_posts(bare, parent.id)}
    ix = await bare.slash(
        ada,
        "ask",
        topic="docker",
        **({"title": title, "question": body} if how == "options" else {}),
    )
    if how == "modal":
        ix = await submit(bare, ada, ix, {"qa:title": title, "qa:details": body})
    await ix.response()
    followup = await ix.wait_for_edit()
    assert followup.ephemeral and "Question posted" in text_of(followup)
    thread = only_new_thread(bare, parent, before)
    assert thread.name == title
    assert ada.id in thread.thread_members  # the asker follows the thread
    if where == "forum":
        opener = public(bare, thread.id)[0]
        assert opener.id == thread.id
        assert tag_names(bare, thread) == ["docker"]  # created: the bot may manage the forum
    else:
        opener = public(bare, parent.id)[-1]
        assert opener.id == thread.id  # the thread hangs off the opener
    # The question is the message text as written, under a one-line header and above a
    # one-line footer (Discord's search and readers see it); no embed.
    assert opener.content == (
        f"**docker** question from <@{ada.id}>\n{body}\n"
        "-# add logs as a reply · solved? Apps → Mark as solution"
    )
    assert opener.embeds == []
    assert buttons_of(opener) == [("Edit", f"qa:edit:{ada.id}")]
    pings_only(opener)  # names the asker without pinging anyone
    assert opener.notified_ids == []
    stored = await question_of(bare, thread)
    assert (stored.asker_id, stored.topic, stored.title, stored.status) == (
        ada.id,
        "docker",
        title,
        "open",
    )
    assert f"https://discord.com/channels/{world.guild.id}/{thread.id}" in text_of(followup)


async def test_tags_are_matched_by_name_when_the_bot_may_not_create_them(nexus: Nexus) -> None:
    world = nexus.world
    forum = nexus.emu.add_forum_channel(
        world.guild.id,
        "help-forum",
        tags=["Django", "REST API", "Solved"],
        overwrites=[Overwrite.role(world.guild.bot_role_id or 0, deny=P.MANAGE_CHANNELS)],
    )
    await nexus.setup_server(qa=forum)
    patched = len(nexus.emu.calls_to("PATCH", rf"/channels/{forum.id}"))
    rest = await ask(nexus, world.ada, topic="rest-api", title="JWT refresh flow", parent=forum)
    assert tag_names(nexus, rest) == ["REST API"]
    django = await ask(nexus, world.bola, topic="django", title="ORM n+1", parent=forum)
    assert tag_names(nexus, django) == ["Django"]
    docker = await ask(nexus, world.ada, topic="docker", title="Compose volumes", parent=forum)
    assert tag_names(nexus, docker) == []  # no such tag and no right to create one
    assert len(nexus.emu.calls_to("PATCH", rf"/channels/{forum.id}")) == patched


async def test_a_forum_that_requires_a_tag_the_bot_cannot_create(nexus: Nexus) -> None:
    world = nexus.world
    deny = [Overwrite.role(world.guild.bot_role_id or 0, deny=P.MANAGE_CHANNELS)]
    strict = nexus.emu.add_forum_channel(
        world.guild.id, "strict", tags=["Django"], require_tag=True, overwrites=deny
    )
    await nexus.setup_server(qa=strict)
    ix = await nexus.slash(world.ada, "ask", topic="docker", title="Compose", question="Why?")
    await ix.response()
    answer = await ix.wait_for_edit()  # the error replaces the "thinking" message
    assert ix.ephemeral and "requires a tag" in text_of(answer)
    assert question_posts(nexus, strict.id) == []

    lenient = nexus.emu.add_forum_channel(
        world.guild.id, "strict-other", tags=["Other"], require_tag=True, overwrites=deny
    )
    await nexus.setup_server(qa=lenient)
    thread = await ask(nexus, world.ada, topic="docker", title="Compose volumes", parent=lenient)
    assert tag_names(nexus, thread) == ["Other"]


async def test_a_missing_tag_is_created_once(nexus: Nexus) -> None:
    forum = nexus.world.qa_forum
    await ask(nexus, nexus.world.ada, topic="caching", title="Redis keys expire too early")
    await ask(nexus, nexus.world.bola, topic="caching", title="Cache stampede on deploy")
    names = [t["name"] for t in nexus.emu.channel(forum.id).available_tags]
    assert names.count("caching") == 1


async def test_too_long_input_is_refused_with_the_limit(nexus: Nexus) -> None:
    ix = await nexus.slash(nexus.world.ada, "ask", topic="python", title="x" * 120, question="q")
    body = await ix.response()
    assert ix.ephemeral and "100" in embed_text(body["data"])
    assert question_posts(nexus, nexus.world.qa_forum.id) == []


async def test_topics_are_a_fixed_choice_list(nexus: Nexus) -> None:
    (ask_command,) = [c for c in nexus.emu.commands() if c["name"] == "ask"]
    (topic,) = [o for o in ask_command["options"] if o["name"] == "topic"]
    assert tuple(c["value"] for c in topic["choices"]) == TOPICS
    names = {c["name"] for c in nexus.emu.commands()}
    assert {"ask", "qa", "Mark as solution"} <= names


async def test_ask_before_setup_says_what_to_do(bare: Nexus) -> None:
    ix = await bare.slash(bare.world.ada, "ask", topic="python", title="t", question="q")
    body = await ix.response()
    assert ix.ephemeral and "/nexus setup" in embed_text(body["data"])


# -- similar questions -------------------------------------------------------------------

SIMILAR_TITLE = "ModuleNotFoundError after pip install requests"
SIMILAR_BODY = "pip says it installed requests but python can't import it. I use a venv."


async def test_similar_solved_questions_are_shown_and_post_anyway_posts_the_draft(
    nexus: Nexus,
) -> None:
    world = nexus.world
    ids = await load_fixture(nexus.db, world.guild.id, int(nexus.clock.now().timestamp()))
    ix = await nexus.slash(
        world.ada, "ask", topic="python", title=SIMILAR_TITLE, question=SIMILAR_BODY
    )
    body = await ix.response()
    assert ix.ephemeral and body["type"] == 4
    text = embed_text(body["data"])
    assert "Similar questions were solved before" in text
    original = await nexus.services.qa.get(ids["q001"])
    assert original.title in text and original.summary.split()[0] in text
    assert f"/channels/{world.guild.id}/{original.thread_id}" in text
    assert len(body["data"]["embeds"][0]["fields"]) <= 3
    assert question_posts(nexus, world.qa_forum.id) == []  # nothing posted yet

    prompt = ix.original_message
    assert prompt is not None
    post_id = prompt.components[0]["components"][0]["custom_id"]
    # The button outlives a restart: the draft is in the database.
    await nexus.bot.close()
    async with running_bot(nexus):
        clicked = await nexus.emu.click(world.ada, prompt, post_id)
        await clicked.response()
        thread = await eventually(
            lambda: question_posts(nexus, world.qa_forum.id), "the question's post"
        )
        (posted,) = thread
        assert posted.name == SIMILAR_TITLE
        assert SIMILAR_BODY in text_of(public(nexus, posted.id)[0])
        edited = await clicked.wait_for_edit()
        assert "Question posted" in text_of(edited)


async def similar_prompt(nexus: Nexus) -> Message:
    """Ada asks what the loaded archive already answers: the ephemeral suggestions."""
    await load_fixture(nexus.db, nexus.world.guild.id, int(nexus.clock.now().timestamp()))
    ix = await nexus.slash(
        nexus.world.ada, "ask", topic="python", title=SIMILAR_TITLE, question=SIMILAR_BODY
    )
    await ix.response()
    assert ix.original_message is not None
    return ix.original_message


async def test_post_anyway_keeps_the_draft_when_posting_fails(nexus: Nexus) -> None:
    world = nexus.world
    prompt = await similar_prompt(nexus)
    post_id = prompt.components[0]["components"][0]["custom_id"]
    forum = world.qa_forum
    nexus.emu.inject_failure("POST", rf"/channels/{forum.id}/threads", 403, code=50013)
    failed = await nexus.emu.click(world.ada, prompt, post_id)
    (error,) = await failed.followups(1)
    assert error.ephemeral and "missing a permission" in text_of(error)
    assert question_posts(nexus, forum.id) == []
    retried = await nexus.emu.click(world.ada, prompt, post_id)
    await retried.response()
    await eventually(lambda: question_posts(nexus, forum.id), "the question's post")
    assert "Question posted" in text_of(await retried.wait_for_edit())


async def test_cancel_drops_the_draft(nexus: Nexus) -> None:
    world = nexus.world
    prompt = await similar_prompt(nexus)
    cancel_id = prompt.components[0]["components"][1]["custom_id"]
    clicked = await nexus.emu.click(world.ada, prompt, cancel_id)
    body = await clicked.response()
    assert "Not posted" in embed_text(body["data"])
    assert question_posts(nexus, world.qa_forum.id) == []


# -- solving -------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["asker", "helper", "mentor"])
async def test_mark_as_solution(nexus: Nexus, who: str) -> None:
    world = nexus.world
    thread = await ask(nexus, world.ada)
    answer = nexus.emu.user_message(thread.id, world.bola, "Run migrate --fake-initial.")
    marker = {"asker": world.ada, "helper": world.helper, "mentor": world.mentor}[who]
    done = await mark_solution(nexus, marker, answer, "Use migrate --fake-initial")
    assert not done.ephemeral
    note = public(nexus, thread.id)[-1]
    text = text_of(note)
    link = f"https://discord.com/channels/{world.guild.id}/{thread.id}/{answer.id}"
    assert link in text and "Use migrate --fake-initial" in text
    pings_only(note, users=(world.bola.id,))  # thanks the credited answerer, nobody else
    await eventually(lambda: thread.archived, "the thread to be archived")
    assert not thread.locked
    await eventually(lambda: "Solved" in tag_names(nexus, thread), "the Solved tag")
    stored = await question_of(nexus, thread)
    assert (stored.status, stored.answerer_id, stored.answer_message_id) == (
        "solved",
        world.bola.id,
        answer.id,
    )
    board = await nexus.reply(world.ada, "qa leaderboard")
    assert f"<@{world.bola.id}>" in embed_text(board)


async def test_solve_and_reply_reopen_in_a_text_channel(bare: Nexus) -> None:
    world = bare.world
    await bare.setup_server(qa=world.qa_text)
    thread = await ask(bare, world.ada, parent=world.qa_text)
    answer = bare.emu.user_message(thread.id, world.helper, "Use select_related.")
    await mark_solution(bare, world.helper, answer, "select_related on the FK")
    assert (await question_of(bare, thread)).status == "solved" and not thread.locked
    bare.emu.user_message(thread.id, world.bola, "Same problem here")

    async def reopened() -> bool:
        return (await question_of(bare, thread)).status == "open"

    await eventually(reopened, "the reply to reopen the question")


async def test_mark_as_solution_is_refused_for_others(nexus: Nexus) -> None:
    world = nexus.world
    thread = await ask(nexus, world.ada)
    answer = nexus.emu.user_message(thread.id, world.bola, "Try this.")
    outsider = world.learners[2]
    ix = await nexus.emu.message_command(outsider, world.guild.id, "Mark as solution", answer)
    body = await ix.response()
    assert ix.ephemeral and body["type"] == 4
    assert "Only the person who asked" in embed_text(body["data"])
    assert (await question_of(nexus, thread)).status == "open"


async def test_qa_solved_with_and_without_the_summary(nexus: Nexus) -> None:
    world = nexus.world
    first = await ask(nexus, world.ada, title="First")
    answer = nexus.emu.user_message(first.id, world.helper, "Set DEBUG=False and collectstatic")
    data = await nexus.reply(
        world.ada, "qa solved", channel=first, answered_by=world.helper.id, summary="collectstatic"
    )
    assert "collectstatic" in embed_text(data)
    stored = await question_of(nexus, first)
    assert (stored.answerer_id, stored.answer_message_id) == (world.helper.id, answer.id)
    await eventually(lambda: first.archived, "the solved thread to be archived")

    second = await ask(nexus, world.ada, title="Second")
    ix = await nexus.slash(world.ada, "qa solved", channel=second)
    done = await submit(nexus, world.ada, ix, {"qa:summary": "Restarted the worker"})
    await done.response()
    stored = await question_of(nexus, second)
    assert (stored.status, stored.summary, stored.answerer_id) == (
        "solved",
        "Restarted the worker",
        None,
    )
    assert await nexus.services.qa.leaderboard(world.guild.id) == [(world.helper.id, 1)]


async def test_qa_commands_outside_a_question_thread(nexus: Nexus) -> None:
    data = await nexus.reply(nexus.world.ada, "qa solved", summary="x")
    assert "question's thread" in embed_text(data)


async def test_close_as_duplicate_and_reopen(nexus: Nexus) -> None:
    world = nexus.world
    original = await ask(nexus, world.ada, title="Original")
    dup = await ask(nexus, world.bola, title="Dup")
    link = f"https://discord.com/channels/{world.guild.id}/{original.id}"
    data = await nexus.reply(
        world.helper, "qa close", channel=dup, reason="duplicate", duplicate_of=link
    )
    assert link in embed_text(data)
    await eventually(lambda: dup.archived, "the closed thread to be archived")
    assert not dup.locked
    assert (await question_of(nexus, dup)).close_reason == "duplicate"
    refused = await nexus.reply(world.learners[2], "qa reopen", channel=dup)
    assert "Only the person who asked" in embed_text(refused)
    data = await nexus.reply(world.bola, "qa reopen", channel=dup)
    assert "reopened" in embed_text(data)
    await eventually(lambda: not dup.archived, "the thread to be unarchived")
    assert (await question_of(nexus, dup)).status == "open"


async def test_reopen_removes_the_solved_tag(nexus: Nexus) -> None:
    world = nexus.world
    thread = await ask(nexus, world.ada)
    answer = nexus.emu.user_message(thread.id, world.bola, "fixed")
    await mark_solution(nexus, world.ada, answer, "fixed it")
    await eventually(lambda: tag_names(nexus, thread) == ["django", "Solved"], "the Solved tag")
    await nexus.reply(world.mentor, "qa reopen", channel=thread)
    await eventually(
        lambda: tag_names(nexus, thread) == ["django"] and not thread.archived, "the reopen"
    )
    stored = await question_of(nexus, thread)
    assert (stored.status, stored.summary) == ("open", None)
    assert await nexus.services.qa.leaderboard(world.guild.id) == []


async def test_a_reply_reopens_an_archived_solved_thread(nexus: Nexus) -> None:
    world = nexus.world
    thread = await ask(nexus, world.ada)
    answer = nexus.emu.user_message(thread.id, world.bola, "fixed")
    await mark_solution(nexus, world.ada, answer, "fixed it")
    await eventually(lambda: thread.archived and "Solved" in tag_names(nexus, thread), "archive")
    nexus.emu.user_message(thread.id, world.ada, "Actually it broke again")
    assert not thread.archived  # Discord unarchives on send

    async def reopened() -> bool:
        return (await question_of(nexus, thread)).status == "open"

    await eventually(reopened, "the reply to reopen the question")
    await eventually(lambda: tag_names(nexus, thread) == ["django"], "the Solved tag to go")


# -- search and lists ----------------------------------------------------------------------


async def test_search_finds_rephrased_questions(nexus: Nexus) -> None:
    world = nexus.world
    ids = await load_fixture(nexus.db, world.guild.id, int(nexus.clock.now().timestamp()))
    q001 = await nexus.services.qa.get(ids["q001"])
    data = await nexus.reply(
        world.ada, "qa search", query="installed requests with pip but No module named requests"
    )
    text = embed_text(data)
    assert q001.title in text and "solved" in text
    assert f"/channels/{world.guild.id}/{q001.thread_id}" in text
    data = await nexus.reply(
        world.ada, "qa search", query="requests", topic="python", status="open"
    )
    assert "solved" not in embed_text(data).replace("Search", "")
    nothing = await nexus.reply(world.ada, "qa search", query="sourdough starter")
    assert "Nothing in the archive matches" in embed_text(nothing)
    weird = await nexus.reply(world.ada, "qa search", query='NEAR("a" OR) title:* "')
    assert weird["embeds"]


async def test_search_finds_questions_asked_after_the_index_was_built(nexus: Nexus) -> None:
    """The bot builds the archive's search index when it starts; a question asked after
    that reaches it through the change log, so /qa search finds it through the index."""
    world = nexus.world
    index = nexus.services.qa.search.index
    await eventually(lambda: index.ready, "the search index to be built")
    await ask(nexus, world.ada, title="Zanzibar migrations clash on deploy")
    data = await nexus.reply(world.bola, "qa search", query="zanzibar migration")
    assert "Zanzibar migrations clash on deploy" in embed_text(data)
    assert index.ready and index.size == 1


async def test_unanswered_lists_open_questions_without_replies(nexus: Nexus) -> None:
    world = nexus.world
    first = await ask(nexus, world.ada, topic="django", title="Oldest django question")
    advance(nexus, minutes=5)
    await ask(nexus, world.bola, topic="docker", title="Docker question")
    answered = await ask(nexus, world.ada, topic="django", title="Answered one")
    nexus.emu.user_message(answered.id, world.helper, "here you go")

    async def replied() -> bool:
        return (await question_of(nexus, answered)).first_reply_at is not None

    await eventually(replied, "the reply to be noticed")
    text = embed_text(await nexus.reply(world.helper, "qa unanswered"))
    assert text.index("Oldest django question") < text.index("Docker question")
    assert "Answered one" not in text and f"/{first.id}" in text
    text = embed_text(await nexus.reply(world.helper, "qa unanswered", topic="docker"))
    assert "Docker question" in text and "Oldest django" not in text


async def test_leaderboard_periods(nexus: Nexus) -> None:
    world = nexus.world
    for helper, days_ago in [(world.helper, 40), (world.mentor, 10), (world.mentor, 2)]:
        thread = await ask(nexus, world.ada, title=f"Question {days_ago}")
        nexus.clock.advance(days=-days_ago)
        answer = nexus.emu.user_message(thread.id, helper, "answer")
        await mark_solution(nexus, world.ada, answer, "answered")
        nexus.clock.advance(days=days_ago)
    week = embed_text(await nexus.reply(world.ada, "qa leaderboard", period="week"))
    month = embed_text(await nexus.reply(world.ada, "qa leaderboard", period="month"))
    ever = embed_text(await nexus.reply(world.ada, "qa leaderboard"))
    assert f"<@{world.mentor.id}>: **1**" in week and f"<@{world.helper.id}>" not in week
    assert f"<@{world.mentor.id}>: **2**" in month and f"<@{world.helper.id}>" not in month
    assert f"<@{world.helper.id}>: **1**" in ever and "all time" in ever


async def test_subscribe_is_for_helpers(nexus: Nexus) -> None:
    world = nexus.world
    refused = embed_text(await nexus.reply(world.ada, "qa subscribe", topics="django"))
    assert "helpers and mentors" in refused
    data = embed_text(await nexus.reply(world.helper, "qa subscribe", topics="Django, docker"))
    assert "`django`" in data and "`docker`" in data
    ix = await nexus.emu.autocomplete(
        world.helper, world.guild.id, "qa subscribe", focused="topics", value="django, do"
    )
    await ix.response()
    assert [c["value"] for c in ix.choices or []] == ["django, docker"]


# -- mentions ------------------------------------------------------------------------------


async def test_user_text_pings_nobody(nexus: Nexus) -> None:
    world = nexus.world
    sneaky = f"@everyone @here <@&{world.mentor_role.id}> <@{world.bola.id}> help"
    thread = await ask(nexus, world.ada, title=f"@everyone {sneaky}"[:100], question=sneaky)
    answer = nexus.emu.user_message(thread.id, world.helper, "answer")
    await mark_solution(nexus, world.ada, answer, sneaky)
    await nexus.reply(world.ada, "qa reopen", channel=thread)
    await eventually(lambda: not thread.archived, "the reopen")
    await nexus.reply(world.ada, "qa close", channel=thread, reason="off-topic")
    await eventually(lambda: thread.archived, "the close")
    sent = [m for m in public(nexus, thread.id) if m.author.id == nexus.emu.bot_user.id]
    assert len(sent) >= 4  # opener, solved, reopened, closed
    for message in sent:
        pings_only(message, users=(world.helper.id,))  # only the credited answerer
    assert sneaky in text_of(sent[0])  # shown, not pinged


async def test_without_a_helper_role_nobody_becomes_a_helper(bare: Nexus) -> None:
    """A server set up without a helper role: other learners may not solve, close or
    reopen someone's question, nor subscribe; the asker and admins still may."""
    w = bare.world
    await bare.reply(w.admin, "nexus setup", qa_forum=w.qa_forum.id)
    thread = await ask(bare, w.ada)
    bola = w.bola
    for command, options in (
        ("qa close", {"reason": "off-topic"}),
        ("qa solved", {"summary": "Ran makemigrations first."}),
    ):
        ix = await bare.slash(bola, command, channel=thread, **options)
        text = embed_text((await ix.response())["data"])
        assert "Only the person who asked, a helper or a mentor" in text, text
    subscribed = await bare.reply(bola, "qa subscribe", topics="django")
    assert "helper" in embed_text(subscribed).lower()
    assert (await question_of(bare, thread)).status == "open"
    closed = await bare.slash(w.ada, "qa close", channel=thread, reason="off-topic")
    await closed.response()
    assert (await question_of(bare, thread)).status == "closed"
    reopen = await bare.slash(bola, "qa reopen", channel=thread)
    assert "Only the person who asked" in embed_text((await reopen.response())["data"])
