"""Question posts after they are up, on a real database: a member's own forum post
adopted as a question (once, however often its event arrives), the reply the bot owes
it, and the asker editing their question (the search index follows)."""

from __future__ import annotations

from typing import Any

import pytest

from bot.db.database import Database
from bot.errors import Conflict, InvalidInput, PermissionDenied
from bot.services.container import Services
from bot.services.qa.rules import (
    BODY_MAX,
    KIND_DORMANT,
    KIND_UNANSWERED,
    Adopted,
    topic_from_tags,
)
from bot.time.clock import FakeClock
from tests.services.test_qa import (
    ASKER,
    GUILD,
    HELPER_ROLE,
    MENTOR_ROLE,
    OTHER,
    Fired,
    ask,
    later,
    live_timers,
    register,
)
from tests.services.test_qa_search import load_fixture

FORUM = 10  # the server's Q&A forum


@pytest.fixture
async def fired(services: Services) -> Fired:
    await services.guilds.save(
        GUILD,
        qa_channel_id=FORUM,
        sessions_channel_id=None,
        announcements_channel_id=None,
        pairing_channel_id=None,
        mentor_role_id=MENTOR_ROLE,
        helper_role_id=HELPER_ROLE,
        timezone=None,
    )
    return register(services)


async def adopt(
    services: Services,
    thread_id: int,
    *,
    forum: int = FORUM,
    title: str = "Celery worker never picks up tasks",
    tags: tuple[str, ...] = ("Async",),
) -> Adopted | None:
    return await services.qa.posts.adopt(
        guild_id=GUILD,
        forum_id=forum,
        thread_id=thread_id,
        owner_id=ASKER,
        title=title,
        tags=list(tags),
    )


async def adopted(services: Services, thread_id: int, **kw: Any) -> Adopted:
    found = await adopt(services, thread_id, **kw)
    assert found is not None
    return found


def test_a_posts_topic_comes_from_its_tags() -> None:
    assert topic_from_tags(["REST API"]) == "rest-api"
    assert topic_from_tags(["Solved", "ci_cd", "docker"]) == "ci-cd"  # the first topic
    assert topic_from_tags(["Solved", "help me"]) == "other"
    assert topic_from_tags([]) == "other"


async def test_a_members_post_in_the_qa_forum_is_a_question(
    services: Services, db: Database, fired: Fired
) -> None:
    assert await adopt(services, 7001, forum=FORUM + 1) is None  # another forum
    assert await services.qa.by_thread(7001) is None
    question = (await adopted(services, 7001, title="  Celery  worker\nhangs ")).question
    assert (question.origin, question.asker_id, question.topic) == ("forum", ASKER, "async")
    assert (question.title, question.body, question.opener_id) == (
        "Celery worker hangs",
        "Celery worker hangs",
        7001,
    )
    kinds = [kind for kind, _ in await live_timers(db, question)]
    assert kinds == [KIND_UNANSWERED, KIND_UNANSWERED, KIND_DORMANT]
    found = await services.qa.search.search(GUILD, "celery hangs")
    assert [hit.question.id for hit in found] == [question.id]


async def test_the_same_post_seen_again_is_tracked_once_and_answered_once(
    services: Services, db: Database, fired: Fired
) -> None:
    question = (await adopted(services, 7002)).question
    # Seen again: the reply is still owed (it was never sent), the question is the same.
    again = await adopted(services, 7002, title="Another title", tags=("docker",))
    assert again.question == question
    assert [kind for kind, _ in await live_timers(db, question)].count(KIND_DORMANT) == 1
    assert [a.question.id for a in await services.qa.posts.hints_owed(GUILD)] == [question.id]
    await services.qa.posts.hint_sent(question.id, 99)
    assert await adopt(services, 7002) is None
    assert await services.qa.posts.hints_owed(GUILD) == []
    assert len((await services.qa.unanswered(GUILD))[0]) == 1


async def test_similar_solved_questions_come_with_the_reply(
    services: Services, db: Database, clock: FakeClock, fired: Fired
) -> None:
    await load_fixture(db, GUILD, int(clock.now().timestamp()))
    found = await adopted(
        services, 7003, title="ModuleNotFoundError after pip install requests", tags=("python",)
    )
    assert found.similar
    assert all(hit.question.status == "solved" for hit in found.similar)


async def test_a_bot_post_for_ask_owes_no_reply(services: Services, fired: Fired) -> None:
    question = await ask(services)
    assert await adopt(services, question.thread_id) is None
    assert await services.qa.posts.hints_owed(GUILD) == []


async def test_only_the_asker_edits_and_the_index_follows(
    services: Services, clock: FakeClock, fired: Fired
) -> None:
    question = await ask(services, title="Migrations fail on deploy")
    posts = services.qa.posts
    with pytest.raises(PermissionDenied, match="Only the person who asked"):
        await posts.edit(question.thread_id, OTHER, "Mine now", "body")
    with pytest.raises(InvalidInput, match="1,800"):
        await posts.edit(question.thread_id, ASKER, "Title", "x" * (BODY_MAX + 1))
    edited = await posts.edit(
        question.thread_id, ASKER, " Gunicorn  timeout behind nginx ", "Workers die after 30 s."
    )
    assert (edited.id, edited.title, edited.body) == (
        question.id,
        "Gunicorn timeout behind nginx",
        "Workers die after 30 s.",
    )
    assert [h.question.id for h in await services.qa.search.search(GUILD, "gunicorn")] == [
        question.id
    ]
    assert await services.qa.search.search(GUILD, "migrations deploy") == []
    member_post = await adopted(services, 7004)
    with pytest.raises(Conflict, match="Edit Post"):
        await posts.check_can_edit(member_post.question.thread_id, ASKER)


async def test_a_members_post_runs_through_the_timers(
    services: Services, clock: FakeClock, fired: Fired
) -> None:
    post = await adopted(services, 7005)
    await later(services, clock, hours=6)
    (ping,) = fired.of("unanswered")
    assert ping.question.id == post.question.id
