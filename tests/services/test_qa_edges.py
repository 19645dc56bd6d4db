"""Q&A's edges on a real database with a fake clock: who closed what and when, the
words of each refusal, reopening with the server's own timings, and each condition
under which a nudge or a dormant close must not fire (or must fire again after a crash)."""

from __future__ import annotations

import asyncio
import re
from datetime import timedelta

import pytest

from bot.db import qa as repo
from bot.db import qa_drafts
from bot.db.database import Database
from bot.db.qa import Timings
from bot.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from bot.services.access import Actor
from bot.services.container import Services
from bot.services.qa.rules import KIND_DORMANT, KIND_NUDGE, TOPICS, parse_topics
from bot.time.clock import FakeClock, epoch
from tests.services.test_qa import (
    ASKER,
    GUILD,
    HELPER,
    HELPER_ROLE,
    MENTOR_ROLE,
    Fired,
    ask,
    asker,
    helper,
    live_timers,
    mentor,
    register,
    reply,
)
from tests.services.writer import race_past_their_checks


@pytest.fixture
async def fired(services: Services) -> Fired:
    await services.guilds.save(
        GUILD, qa_channel_id=10, mentor_role_id=MENTOR_ROLE, helper_role_id=HELPER_ROLE
    )
    return register(services)


def exactly(text: str) -> str:
    return f"^{re.escape(text)}$"


async def test_closing_records_who_and_when_and_stops_every_timer(
    services: Services, db: Database, clock: FakeClock, fired: Fired
) -> None:
    question = await ask(services)
    await reply(services, question, HELPER, clock)
    clock.advance(minutes=5)
    closed = await services.qa.close(question.thread_id, helper, "off-topic")
    assert (closed.status, closed.close_reason, closed.duplicate_of) == (
        "closed",
        "off-topic",
        None,
    )
    assert (closed.resolved_by, closed.resolved_at) == (helper.user_id, epoch(clock.now()))
    assert (closed.nudge_timer_id, closed.dormant_timer_id) == (None, None)
    assert await live_timers(db, question) == []
    with pytest.raises(
        Conflict, match=exactly("This question is already closed. `/qa reopen` it first.")
    ):
        await services.qa.close(question.thread_id, helper, "stale")


async def test_closing_a_solved_question_says_it_is_solved(
    services: Services, fired: Fired
) -> None:
    question = await ask(services)
    await services.qa.solve(question.thread_id, asker, summary="ok", answerer_id=HELPER)
    with pytest.raises(
        Conflict, match=exactly("This question is already solved. `/qa reopen` it first.")
    ):
        await services.qa.close(question.thread_id, helper, "off-topic")


async def test_close_refusals_say_exactly_what_is_wrong(services: Services, fired: Fired) -> None:
    question = await ask(services)
    with pytest.raises(
        InvalidInput, match=exactly("The reason must be one of: duplicate, off-topic, stale.")
    ):
        await services.qa.close(question.thread_id, helper, "spam")
    with pytest.raises(
        InvalidInput,
        match=exactly(
            "Closing as a duplicate needs `duplicate_of`: the original question's "
            "thread link or id."
        ),
    ):
        await services.qa.close(question.thread_id, helper, "duplicate")
    with pytest.raises(
        InvalidInput, match=exactly("`duplicate_of` only goes with the reason `duplicate`.")
    ):
        await services.qa.close(question.thread_id, helper, "off-topic", "123")
    with pytest.raises(
        NotFound,
        match=exactly(
            "`duplicate_of` must be the link (or id) of another question thread in this "
            "server. Right-click the thread → **Copy Link**."
        ),
    ):
        await services.qa.close(question.thread_id, helper, "duplicate", "not a link")
    with pytest.raises(InvalidInput, match=exactly("A question can't be a duplicate of itself.")):
        await services.qa.close(question.thread_id, helper, "duplicate", f"<#{question.thread_id}>")


async def test_a_duplicate_must_be_in_the_same_server(services: Services, fired: Fired) -> None:
    from bot.services.qa.rules import Ask

    question = await ask(services)
    elsewhere = await services.qa.record_question(
        guild_id=GUILD + 1,
        channel_id=99,
        thread_id=4242,
        opener_id=4242,
        asker_id=ASKER,
        ask=Ask("django", "Elsewhere", "Another server's question, long enough."),
    )
    with pytest.raises(NotFound, match="another question thread in this server"):
        await services.qa.close(
            question.thread_id, helper, "duplicate", f"<#{elsewhere.thread_id}>"
        )


async def test_reopening_a_closed_question_clears_it_and_uses_the_servers_timings(
    services: Services, db: Database, clock: FakeClock, fired: Fired
) -> None:
    await services.qa.set_timings(GUILD, Timings(3600, 7200, 10_800))
    original = await ask(services)
    question = await ask(services)
    link = f"https://discord.com/channels/{GUILD}/{original.thread_id}"
    await services.qa.close(question.thread_id, helper, "duplicate", link)
    clock.advance(hours=2)
    reopened = await services.qa.reopen(question.thread_id, mentor)
    assert (reopened.status, reopened.close_reason, reopened.duplicate_of) == ("open", None, None)
    assert (reopened.resolved_by, reopened.resolved_at) == (None, None)
    assert reopened.last_activity_at == epoch(clock.now())
    hour = 3600
    assert await live_timers(db, question) == [
        ("qa_unanswered", 3 * hour),  # counted from the reopening, with this server's delays
        ("qa_unanswered", 4 * hour),
        (KIND_DORMANT, 5 * hour),
    ]
    with pytest.raises(Conflict, match=exactly("This question is already open.")):
        await services.qa.reopen(question.thread_id, mentor)


async def test_reopening_a_solved_question_drops_its_answer(
    services: Services, fired: Fired
) -> None:
    question = await ask(services)
    await services.qa.solve(
        question.thread_id, asker, summary="ok", answerer_id=HELPER, answer_message_id=77
    )
    reopened = await services.qa.reopen(question.thread_id, mentor)
    assert (reopened.summary, reopened.answerer_id, reopened.answer_message_id) == (
        None,
        None,
        None,
    )


# -- still need help ------------------------------------------------------------------------


async def test_still_need_help_refusals_and_it_is_not_a_reply(
    services: Services, clock: FakeClock, fired: Fired
) -> None:
    with pytest.raises(NotFound, match=exactly("This question no longer exists.")):
        await services.qa.timers.still_needs_help(999, ASKER)
    question = await ask(services)
    with pytest.raises(
        PermissionDenied, match=exactly("Only the person who asked can answer this.")
    ):
        await services.qa.timers.still_needs_help(question.id, HELPER)
    clock.advance(hours=2)
    call = await services.qa.timers.still_needs_help(question.id, ASKER)
    updated = call.question
    assert (updated.has_reply, updated.first_reply_at) == (False, None)
    assert updated.last_activity_at == epoch(clock.now())
    assert updated.needs_help_at == epoch(clock.now())
    await services.qa.solve(question.thread_id, asker, summary="ok")
    with pytest.raises(Conflict, match=exactly("This question is not open any more.")):
        await services.qa.timers.still_needs_help(question.id, ASKER)


# -- the nudge and the dormant close, condition by condition ----------------------------------


async def nudge_ready(services: Services, clock: FakeClock) -> repo.Question:
    question = await ask(services)
    activity = await reply(services, question, HELPER, clock)
    assert activity.question.nudge_timer_id is not None
    return activity.question


async def test_a_nudge_is_due_once_for_its_own_timer_only(
    services: Services, clock: FakeClock, fired: Fired
) -> None:
    question = await nudge_ready(services, clock)
    timer_id = question.nudge_timer_id
    assert timer_id is not None
    assert await services.qa.timers.nudge_due(question.id, timer_id + 1000) is None
    assert await services.qa.timers.nudge_due(999, timer_id) is None
    nudged = await services.qa.timers.nudge_due(question.id, timer_id)
    assert nudged is not None and nudged.nudged
    again = await services.qa.timers.nudge_due(question.id, timer_id)  # a retry: the same
    assert again is not None and again.id == question.id


async def test_no_nudge_without_a_reply_when_closed_or_without_an_asker(
    services: Services, clock: FakeClock, fired: Fired
) -> None:
    lonely = await ask(services)
    dormant = lonely.dormant_timer_id
    assert dormant is not None
    assert await services.qa.timers.nudge_due(lonely.id, dormant) is None  # no reply
    question = await nudge_ready(services, clock)
    timer_id = question.nudge_timer_id
    assert timer_id is not None
    async with services.db.transaction() as tx:
        await repo.update(tx, question.id, status="closed", close_reason="off-topic")
    assert await services.qa.timers.nudge_due(question.id, timer_id) is None
    other = await nudge_ready(services, clock)
    other_timer = other.nudge_timer_id
    assert other_timer is not None
    await services.privacy.forget(ASKER)  # the asker is gone: nobody to nudge
    assert await services.qa.timers.nudge_due(other.id, other_timer) is None


async def test_a_dormant_close_is_for_its_own_timer_and_an_open_question(
    services: Services, db: Database, clock: FakeClock, fired: Fired
) -> None:
    question = await nudge_ready(services, clock)
    dormant = question.dormant_timer_id
    assert dormant is not None
    assert await services.qa.timers.dormant_due(question.id, dormant + 1000) is None
    assert await services.qa.timers.dormant_due(999, dormant) is None
    fresh = await repo.get(db.reader, question.id)
    assert fresh is not None and fresh.status == "open"
    clock.advance(minutes=3)
    decision = await services.qa.timers.dormant_due(question.id, dormant)
    assert decision is not None and not decision.ask_first
    closed = decision.question
    assert (closed.status, closed.close_reason, closed.resolved_by) == ("closed", "stale", None)
    assert (closed.resolved_at, closed.nudge_timer_id) == (epoch(clock.now()), None)
    assert [k for k, _ in await live_timers(db, question)] == [KIND_DORMANT]  # its own, running
    again = await services.qa.timers.dormant_due(question.id, dormant)  # retried after a crash
    assert again is not None and again.question.id == question.id and not again.ask_first


async def test_no_dormant_close_of_a_question_closed_for_another_reason(
    services: Services, fired: Fired
) -> None:
    question = await ask(services)
    dormant = question.dormant_timer_id
    assert dormant is not None
    async with services.db.transaction() as tx:
        await repo.update(tx, question.id, status="closed", close_reason="off-topic")
    assert await services.qa.timers.dormant_due(question.id, dormant) is None


def test_timer_kinds_are_distinct() -> None:
    assert KIND_NUDGE != KIND_DORMANT


# -- topics and escalations --------------------------------------------------------------------


@pytest.mark.parametrize("text", ["none", "Off", "nothing", "-"])
def test_every_way_of_saying_no_topics(text: str) -> None:
    assert parse_topics(text) == []


@pytest.mark.parametrize("text", ["all", "every", "Everything", "*"])
def test_every_way_of_saying_all_topics(text: str) -> None:
    assert parse_topics(text) == list(TOPICS)


def test_topic_lists_skip_empty_parts_and_repeats() -> None:
    assert parse_topics("django,, docker;\ndjango") == ["django", "docker"]


def test_unknown_topics_are_named_five_at_most_and_shortened() -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_topics("django, " + ", ".join(f"cobol{i}" + "x" * 40 for i in range(7)))
    message = str(refused.value)
    shown = [f"`cobol{i}" + "x" * 24 + "`" for i in range(5)]
    assert message == (
        f"Unknown topic(s): {', '.join(shown)}. "
        f"Topics are: {', '.join(TOPICS)} (or `all`, or `none` to stop)."
    )
    with pytest.raises(
        InvalidInput, match=exactly("Name at least one topic, `all`, or `none` to stop the pings.")
    ):
        parse_topics(" , ;")


async def test_an_escalation_retried_after_a_crash_pings_the_same(
    services: Services, clock: FakeClock, fired: Fired
) -> None:
    question = await ask(services)
    clock.advance(hours=6)
    first = await services.qa.timers.escalation_due(question.id, 1)
    again = await services.qa.timers.escalation_due(question.id, 1)
    assert first is not None and again is not None
    assert (again.question.id, again.stage, again.user_ids, again.role_id) == (
        question.id,
        1,
        [],
        HELPER_ROLE,
    )
    assert again.waited == timedelta(hours=6)
    mentors = await services.qa.timers.escalation_due(question.id, 2)
    assert mentors is not None
    assert (mentors.question.id, mentors.stage, mentors.user_ids, mentors.role_id) == (
        question.id,
        2,
        [],
        MENTOR_ROLE,
    )
    assert mentors.waited == timedelta(hours=6)
    assert await services.qa.timers.escalation_due(question.id, 1) is None  # stage passed


async def test_subscribers_are_pinged_fifty_at_most_never_the_asker(
    services: Services, clock: FakeClock, fired: Fired
) -> None:
    for user in range(1000, 1050):
        await services.qa.subscribe(GUILD, Actor(user, frozenset({HELPER_ROLE})), "django")
    await services.qa.subscribe(GUILD, Actor(ASKER, frozenset({HELPER_ROLE})), "django")
    question = await ask(services)
    clock.advance(hours=6)
    ping = await services.qa.timers.escalation_due(question.id, 1)
    assert ping is not None
    assert (len(ping.user_ids), ping.role_id, ping.stage) == (50, None, 1)
    assert ASKER not in ping.user_ids
    assert ping.question.id == question.id and ping.waited == timedelta(hours=6)


async def test_no_escalation_without_a_role_to_ping(services: Services, clock: FakeClock) -> None:
    from bot.services.qa.rules import Ask

    register(services)
    question = await services.qa.record_question(
        guild_id=GUILD + 5,
        channel_id=10,
        thread_id=31337,
        opener_id=31337,
        asker_id=ASKER,
        ask=Ask("django", "No settings here", "A server that never ran setup at all."),
    )
    assert await services.qa.timers.escalation_due(question.id, 1) is None
    assert await services.qa.timers.escalation_due(question.id, 2) is None
    await services.guilds.save(GUILD + 5, qa_channel_id=10)  # settings, but no roles
    assert await services.qa.timers.escalation_due(question.id, 2) is None


async def test_no_escalation_once_replied_or_closed(services: Services, fired: Fired) -> None:
    replied = await ask(services)
    async with services.db.transaction() as tx:
        await repo.update(tx, replied.id, first_reply_at=replied.asked_at + 1)
    assert await services.qa.timers.escalation_due(replied.id, 1) is None
    closed = await ask(services)
    async with services.db.transaction() as tx:
        await repo.update(tx, closed.id, status="closed", close_reason="off-topic")
    assert await services.qa.timers.escalation_due(closed.id, 1) is None
    assert await services.qa.timers.escalation_due(999, 1) is None


async def test_only_helpers_subscribe_and_forget_me_hands_back_nothing_twice(
    services: Services, fired: Fired
) -> None:
    with pytest.raises(
        PermissionDenied,
        match=exactly("Topic pings are for helpers and mentors. Ask a mentor for the helper role."),
    ):
        await services.qa.subscribe(GUILD, Actor(4242), "django")
    assert services.qa.take_forgotten(4242) == []


# -- asking: validation, similar questions, drafts ------------------------------------------------


def test_question_refusals_name_the_field(services: Services) -> None:
    with pytest.raises(
        InvalidInput, match=exactly(f"`cobol` is not a topic. Pick one of: {', '.join(TOPICS)}.")
    ):
        services.qa.validate("cobol", "A title", "A body long enough.")
    with pytest.raises(InvalidInput, match="title"):
        services.qa.validate("django", "", "A body long enough.")
    with pytest.raises(InvalidInput, match="question"):
        services.qa.validate("django", "A title", "")


async def test_similar_questions_are_ranked_with_the_body_too(
    services: Services, clock: FakeClock, fired: Fired
) -> None:
    """Four solved questions with the same title; only the body tells the last apart."""
    from bot.services.qa.rules import Ask

    solved = []
    bodies = ["It just stops.", "Nothing in the logs.", "Started after an upgrade."]
    for thread, body in enumerate([*bodies, "Redis visibility timeout on the broker."], 600):
        question = await services.qa.record_question(
            guild_id=GUILD,
            channel_id=10,
            thread_id=thread,
            opener_id=thread,
            asker_id=ASKER,
            ask=Ask("python", "Celery workers hang", body),
        )
        await services.qa.solve(thread, asker, summary="Fixed.")
        solved.append(question.id)
    prepared = await services.qa.prepare(
        GUILD, ASKER, "python", "Celery workers hang", "redis visibility timeout broker"
    )
    assert [hit.question.id for hit in prepared.similar][:1] == [solved[3]]
    plain = await services.qa.prepare(GUILD, ASKER, "python", "Sourdough", "Flour and water.")
    assert (plain.ask.title, plain.draft, plain.similar) == ("Sourdough", None, [])


async def test_old_drafts_are_pruned_when_a_new_one_is_kept(
    services: Services, db: Database, clock: FakeClock, fired: Fired
) -> None:
    solved = await ask(services, topic="python", title="Celery workers hang on a redis broker")
    await services.qa.solve(solved.thread_id, asker, summary="Set a visibility timeout.")
    body = "Celery workers hang with a redis broker."
    old = await services.qa.prepare(GUILD, ASKER, "python", "Celery hangs", body)
    clock.advance(hours=12)
    recent = await services.qa.prepare(GUILD, ASKER, "python", "Celery hangs again", body)
    clock.advance(hours=13)  # the first is now older than a day, the second is not
    await services.qa.prepare(GUILD, ASKER, "python", "Celery still hangs", body)
    assert old.draft is not None and recent.draft is not None
    assert await qa_drafts.get_draft(db.reader, old.draft.id) is None
    assert await qa_drafts.get_draft(db.reader, recent.draft.id) is not None


async def test_a_dormant_close_of_an_unanswered_question_stops_its_escalations(
    services: Services, db: Database, fired: Fired
) -> None:
    question = await ask(services)
    assert [k for k, _ in await live_timers(db, question)] == [
        "qa_unanswered",
        "qa_unanswered",
        KIND_DORMANT,
    ]
    dormant = question.dormant_timer_id
    assert dormant is not None
    asked = await services.qa.timers.dormant_due(question.id, dormant)
    assert asked is not None and asked.ask_first  # nobody replied: its asker is asked first
    assert [k for k, _ in await live_timers(db, question)] == [
        "qa_unanswered",
        "qa_unanswered",
        KIND_DORMANT,
        KIND_DORMANT,
    ]
    second = asked.question.dormant_timer_id
    assert second is not None and second != dormant
    closed = await services.qa.timers.dormant_due(question.id, second)
    assert closed is not None and closed.question.status == "closed"
    assert [k for k, _ in await live_timers(db, question)] == [KIND_DORMANT, KIND_DORMANT]


async def test_leaderboard_periods_and_server_only_commands_say_what_is_allowed(
    services: Services,
) -> None:
    with pytest.raises(InvalidInput, match=exactly("The period must be one of: week, month, all.")):
        await services.qa.leaderboard(GUILD, "year")
    from bot.errors import NotConfigured

    with pytest.raises(NotConfigured, match=exactly("This command works in a server, not in DMs.")):
        await services.guilds.require(None, "qa_forum")


# -- thread activity ------------------------------------------------------------------------------


async def test_a_reply_to_an_open_question_does_not_reopen_it(
    services: Services, clock: FakeClock, fired: Fired
) -> None:
    question = await ask(services)
    first = await reply(services, question, HELPER, clock)
    assert (first.question.id, first.reopened) == (question.id, False)
    clock.advance(seconds=30)
    quiet = await reply(services, question, HELPER, clock)  # within a minute: nothing moves
    assert (quiet.question.id, quiet.reopened) == (question.id, False)
    assert quiet.question.last_activity_at == first.question.last_activity_at


async def test_activity_a_minute_later_moves_the_timers(
    services: Services, db: Database, clock: FakeClock, fired: Fired
) -> None:
    question = await ask(services)
    first = await reply(services, question, HELPER, clock)
    clock.advance(seconds=60)  # exactly the debounce
    later = await reply(services, question, HELPER, clock)
    assert later.question.last_activity_at == first.question.last_activity_at + 60


async def test_two_replies_at_once_change_the_question_once(
    services: Services, db: Database, clock: FakeClock, fired: Fired
) -> None:
    question = await ask(services)
    both = await asyncio.gather(
        reply(services, question, HELPER, clock), reply(services, question, HELPER, clock)
    )
    assert [(a.question.id, a.reopened) for a in both] == [(question.id, False)] * 2
    assert [k for k, _ in await live_timers(db, question)] == [KIND_NUDGE, KIND_DORMANT]


async def test_the_asker_posting_in_a_closed_question_reopens_it_from_scratch(
    services: Services, db: Database, clock: FakeClock, fired: Fired
) -> None:
    await services.qa.set_timings(GUILD, Timings(3600, 7200, 10_800))
    original = await ask(services)
    question = await ask(services)
    link = f"https://discord.com/channels/{GUILD}/{original.thread_id}"
    await services.qa.close(question.thread_id, helper, "duplicate", link)
    clock.advance(hours=5)
    activity = await reply(services, question, ASKER, clock)
    assert activity.reopened
    reopened = activity.question
    assert (reopened.status, reopened.close_reason, reopened.duplicate_of) == ("open", None, None)
    assert (reopened.resolved_by, reopened.resolved_at) == (None, None)
    hour = 3600
    assert await live_timers(db, question) == [  # from the reply, with this server's delays
        ("qa_unanswered", 6 * hour),
        ("qa_unanswered", 7 * hour),
        (KIND_DORMANT, 8 * hour),
    ]


async def test_search_returns_ten_scored_hits_by_default(services: Services, fired: Fired) -> None:
    from bot.services.qa.rules import Ask

    for thread in range(700, 712):
        await services.qa.record_question(
            guild_id=GUILD,
            channel_id=10,
            thread_id=thread,
            opener_id=thread,
            asker_id=ASKER,
            ask=Ask("python", f"Gunicorn workers {thread}", "Gunicorn workers time out."),
        )
    hits = await services.qa.search.search(GUILD, "gunicorn workers")
    assert len(hits) == 10
    scores = [hit.score for hit in hits]
    assert all(isinstance(score, float) for score in scores) and scores == sorted(scores)


async def test_a_draft_is_good_for_exactly_a_day(
    services: Services, db: Database, clock: FakeClock
) -> None:
    async with db.transaction() as tx:
        draft = await qa_drafts.insert_draft(
            tx,
            guild_id=GUILD,
            user_id=ASKER,
            topic="python",
            title="T",
            body="B",
            now=epoch(clock.now()),
        )
    clock.advance(hours=24)
    assert (await services.qa.take_draft(draft.id, ASKER)).id == draft.id
    with pytest.raises(
        NotFound,
        match=exactly(
            "This draft is gone (already posted, cancelled or expired). Ask again with `/ask`."
        ),
    ):
        await services.qa.take_draft(draft.id, ASKER)


def test_topic_lists_may_start_or_end_with_a_separator() -> None:
    assert parse_topics(", django;") == ["django"]


async def test_solving_twice_and_an_overlong_summary_are_refused(
    services: Services, fired: Fired
) -> None:
    question = await ask(services)
    with pytest.raises(InvalidInput) as long:
        await services.qa.solve(question.thread_id, asker, summary="s" * 201)
    assert str(long.value).startswith("The summary is 201 characters; the limit is 200.")
    await services.qa.solve(question.thread_id, asker, summary="ok")
    with pytest.raises(
        Conflict,
        match=exactly("This question is already solved. `/qa reopen` it to change the answer."),
    ):
        await services.qa.check_can_solve(question.thread_id, asker)


async def test_two_solves_at_once_credit_one_and_a_closed_question_can_be_solved(
    services: Services, db: Database, fired: Fired
) -> None:
    question = await ask(services)
    results = await race_past_their_checks(
        db,
        services.qa.solve(question.thread_id, asker, summary="a", answerer_id=HELPER),
        services.qa.solve(question.thread_id, asker, summary="b", answerer_id=HELPER),
    )
    assert [str(r) for r in results if isinstance(r, Conflict)] == [
        "This question was just marked solved."
    ]
    closed = await ask(services)
    await services.qa.close(closed.thread_id, helper, "off-topic")
    solved = await services.qa.solve(closed.thread_id, asker, summary="after all")
    assert (solved.status, solved.close_reason, solved.dormant_timer_id) == ("solved", None, None)


async def test_a_resolve_moves_the_credit_instead_of_adding_one(
    services: Services, fired: Fired
) -> None:
    question = await ask(services)
    await services.qa.solve(question.thread_id, asker, summary="a", answerer_id=HELPER)
    await services.qa.reopen(question.thread_id, mentor)
    await services.qa.solve(question.thread_id, asker, summary="b", answerer_id=4444)
    assert await services.qa.leaderboard(GUILD) == [(4444, 1)]
    with pytest.raises(
        NotFound, match=exactly("Use this inside a question's thread (a post in the Q&A channel).")
    ):
        await services.qa.require_thread(123)


async def test_reopening_after_the_helpers_were_pinged_books_only_the_mentors(
    services: Services, db: Database, clock: FakeClock, fired: Fired
) -> None:
    question = await ask(services)
    clock.advance(hours=6)
    await services.scheduler.run_due()  # the helpers' ping
    await services.qa.close(question.thread_id, helper, "off-topic")
    await services.qa.reopen(question.thread_id, mentor)
    assert [k for k, _ in await live_timers(db, question)] == ["qa_unanswered", KIND_DORMANT]


async def test_a_question_reads_back_whole_and_strangers_are_refused(
    services: Services, fired: Fired
) -> None:
    question = await ask(services, topic="rest-api")
    found = await services.qa.get(question.id)
    assert found is not None
    assert (found.channel_id, found.opener_id, found.body) == (
        10,
        question.thread_id,
        "I ran migrate and it fails with a relation error.",
    )
    hits = await services.qa.search.search(GUILD, "migrations deploy", topic="rest-api")
    assert [hit.question.id for hit in hits] == [question.id]
    assert await services.qa.search.search(GUILD, 'migrations "deploy', topic="rest-api")
    with pytest.raises(
        PermissionDenied,
        match=exactly("Only the person who asked, a helper or a mentor can do this to a question."),
    ):
        await services.qa.close(question.thread_id, Actor(9999), "off-topic")
