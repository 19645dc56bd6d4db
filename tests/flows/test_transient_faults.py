"""Discord overloaded while a card or a question is posted: a 503, or a 429 without
``Via`` (which discord.py does not retry), is retried with backoff before the user is
told; a retry never makes a second card or post, even when the failed call had in fact
reached Discord; and when Discord stays down, the user is told to try again and
nothing is left half-made."""

from __future__ import annotations

from tests.flows.harness import Nexus, question_posts
from tests.flows.sessions_kit import create, custom_ids
from tests.flows.sessions_kit import said as said_text


async def test_a_card_refused_twice_with_503_is_posted_once(nexus: Nexus) -> None:
    sessions = nexus.world.sessions.id
    # The first 503 came after Discord had stored the card: the retry's nonce finds it.
    nexus.emu.inject_failure("POST", rf"/channels/{sessions}/messages", 503, apply=True)
    nexus.emu.inject_failure("POST", rf"/channels/{sessions}/messages", 503)
    session = await create(nexus, title="Overloaded")
    posted = [m for m in nexus.emu.messages(sessions) if custom_ids(m)]
    assert [m.id for m in posted] == [session.message_id]
    assert session.thread_id == session.message_id


async def test_a_question_post_that_reached_discord_before_its_503_is_kept(
    nexus: Nexus,
) -> None:
    world = nexus.world
    forum = world.qa_forum.id
    nexus.emu.inject_failure("POST", rf"/channels/{forum}/threads", 503, apply=True)
    text = await said_text(
        nexus, world.ada, "ask", topic="docker", title="Compose file ignored", question="Why?"
    )
    assert "Question posted" in text
    [post] = question_posts(nexus, forum)
    question = await nexus.services.qa.by_thread(post.id)
    assert question is not None and question.asker_id == world.ada.id
    assert await nexus.services.intents.pending(world.guild.id, "qa_post") == []


async def test_a_429_without_via_that_persists_asks_the_user_to_retry(nexus: Nexus) -> None:
    world = nexus.world
    forum = world.qa_forum.id
    posts_before = len(nexus.emu.calls_to("POST", rf"/channels/{forum}/threads"))
    nexus.emu.inject_failure(
        "POST", rf"/channels/{forum}/threads", 429, times=4, retry_after=0.1, via=False
    )
    ix = await nexus.slash(
        world.ada, "ask", topic="docker", title="Volume permissions", question="EACCES"
    )
    await ix.response()
    data = nexus.emu.payload(await ix.wait_for_edit(timeout=10))
    text = data["embeds"][0]["description"]
    assert "try again in a minute" in text and "Something went wrong" not in text
    assert len(nexus.emu.calls_to("POST", rf"/channels/{forum}/threads")) == posts_before + 4
    assert question_posts(nexus, forum) == []
    assert await nexus.services.intents.pending(world.guild.id, "qa_post") == []

    # Discord is back: the same question goes through, once.
    text = await said_text(
        nexus, world.ada, "ask", topic="docker", title="Volume permissions", question="EACCES"
    )
    assert "Question posted" in text
    assert len(question_posts(nexus, forum)) == 1
