"""Q&A rules on a real database with a fake clock: asking, drafts, solving, closing,
reopening, thread activity, the automatic timers, lists, subscriptions and privacy."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest

from bot.db import sql
from bot.db.database import Database
from bot.db.qa import Question
from bot.db.timers import Timer
from bot.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from bot.scheduling import TimerKind
from bot.services.access import Actor
from bot.services.container import Services, build_services
from bot.services.qa.rules import (
    BODY_MAX,
    KIND_DORMANT,
    KIND_NUDGE,
    KIND_UNANSWERED,
    Ask,
    normalise_topic,
    parse_thread_ref,
    parse_topics,
)
from bot.time.clock import FakeClock
from tests.services.test_qa_search import load_fixture
from tests.services.writer import writers_waiting

GUILD, MENTOR_ROLE, HELPER_ROLE = 1, 20, 21
ASKER, HELPER, MENTOR, ADMIN, OTHER = 101, 102, 103, 104, 105
asker = Actor(ASKER)
helper = Actor(HELPER, frozenset({HELPER_ROLE}))
mentor = Actor(MENTOR, frozenset({MENTOR_ROLE}))
admin = Actor(ADMIN, is_admin=True)
other = Actor(OTHER)
thread_ids = iter(range(5000, 10_000))


@dataclass
class Fired:
    """What each Q&A timer decided when it ran (as the cog's handlers would)."""

    events: list[tuple[str, Any]] = field(default_factory=list)

    def of(self, kind: str) -> list[Any]:
        return [value for name, value in self.events if name == kind]


def register(services: Services) -> Fired:
    fired = Fired()
    qa = services.qa

    async def unanswered(timer: Timer) -> None:
        ping = await qa.timers.escalation_due(timer.subject_id or 0, timer.payload["stage"])
        if ping is not None:
            fired.events.append(("unanswered", ping))

    async def nudge(timer: Timer) -> None:
        question = await qa.timers.nudge_due(timer.subject_id or 0, timer.id)
        if question is not None:
            fired.events.append(("nudge", question))

    async def dormant(timer: Timer) -> None:
        decision = await qa.timers.dormant_due(timer.subject_id or 0, timer.id)
        if decision is not None:
            kind = "check" if decision.ask_first else "dormant"
            fired.events.append((kind, decision.question))

    services.scheduler.register(KIND_UNANSWERED, TimerKind(handler=unanswered))
    services.scheduler.register(KIND_NUDGE, TimerKind(handler=nudge))
    services.scheduler.register(KIND_DORMANT, TimerKind(handler=dormant))
    return fired


@pytest.fixture
async def fired(services: Services) -> Fired:
    await services.guilds.save(
        GUILD,
        qa_channel_id=10,
        sessions_channel_id=11,
        announcements_channel_id=12,
        pairing_channel_id=13,
        mentor_role_id=MENTOR_ROLE,
        helper_role_id=HELPER_ROLE,
        timezone=None,
    )
    return register(services)


async def ask(
    services: Services, topic: str = "django", title: str = "Migrations fail on deploy"
) -> Question:
    thread = next(thread_ids)
    return await services.qa.record_question(
        guild_id=GUILD,
        channel_id=10,
        thread_id=thread,
        opener_id=thread,
        asker_id=ASKER,
        ask=Ask(topic, title, "I ran migrate and it fails with a relation error."),
    )


async def later(services: Services, clock: FakeClock, **delta: float) -> None:
    clock.advance(**delta)
    await services.scheduler.run_due()


async def reply(services: Services, question: Question, user: int, clock: FakeClock) -> Any:
    return await services.qa.timers.record_message(question.thread_id, user, clock.now())


async def live_timers(db: Database, question: Question) -> list[tuple[str, int]]:
    rows = await sql.fetch_all(
        db.reader,
        "SELECT kind, due_at FROM timers WHERE subject_id = ? AND state = 'pending'"
        " AND kind LIKE 'qa_%' ORDER BY due_at",
        (question.id,),
    )
    return [(row["kind"], row["due_at"] - question.asked_at) for row in rows]


# -- validation and helpers ----------------------------------------------------------


def test_topics_parse_forgivingly() -> None:
    assert normalise_topic("REST API") == "rest-api"
    assert normalise_topic("ci_cd") == "ci-cd"
    assert normalise_topic("cobol") is None
    assert parse_topics("Django, docker ,rest api") == ["django", "docker", "rest-api"]
    assert parse_topics("none") == []
    assert len(parse_topics("all")) == 14
    with pytest.raises(InvalidInput, match="cobol"):
        parse_topics("django, cobol")


def test_thread_references() -> None:
    assert parse_thread_ref("https://discord.com/channels/1/222222222222222222") == (
        222222222222222222
    )
    assert parse_thread_ref("https://discord.com/channels/1/333333333333333333/44") == (
        333333333333333333
    )
    assert parse_thread_ref("<#555555555555555555>") == 555555555555555555
    assert parse_thread_ref("555555555555555555") == 555555555555555555
    assert parse_thread_ref("see the other one") is None


async def test_questions_are_validated_with_the_limit_named(
    services: Services, fired: Fired
) -> None:
    qa = services.qa
    with pytest.raises(InvalidInput, match="100"):
        qa.validate("django", "x" * 101, "body")
    assert qa.validate("django", "title", "x" * BODY_MAX).body == "x" * BODY_MAX
    with pytest.raises(InvalidInput, match="1,800"):
        qa.validate("django", "title", "x" * (BODY_MAX + 1))
    with pytest.raises(InvalidInput, match="empty"):
        qa.validate("django", "   ", "body")
    with pytest.raises(InvalidInput, match="not a topic"):
        qa.validate("cobol", "title", "body")
    assert qa.validate("REST API", " A  title\n", "body") == Ask("rest-api", "A title", "body")


# -- drafts --------------------------------------------------------------------------


async def test_similar_questions_keep_a_draft_for_post_anyway(
    services: Services, db: Database, clock: FakeClock, fired: Fired
) -> None:
    await load_fixture(db, GUILD, int(clock.now().timestamp()))
    qa = services.qa
    plain = await qa.prepare(GUILD, ASKER, "career", "Sourdough starter never rises", "Flour?")
    assert plain.draft is None and plain.similar == []

    prepared = await qa.prepare(
        GUILD,
        ASKER,
        "python",
        "ModuleNotFoundError after pip install requests",
        "pip installed requests but python can't find the module in my venv",
    )
    assert prepared.draft is not None and prepared.similar
    draft_id = prepared.draft.id
    with pytest.raises(PermissionDenied):
        await qa.take_draft(draft_id, OTHER)
    taken = await qa.take_draft(draft_id, ASKER)
    assert (taken.title, taken.topic) == (prepared.ask.title, "python")
    with pytest.raises(NotFound):
        await qa.take_draft(draft_id, ASKER)  # posted once

    old = await qa.prepare(GUILD, ASKER, "python", "pip install ModuleNotFoundError", "venv")
    assert old.draft is not None
    clock.advance(hours=25)
    with pytest.raises(NotFound, match="expired"):
        await qa.take_draft(old.draft.id, ASKER)


# -- solving, closing, reopening ----------------------------------------------------


@pytest.mark.parametrize("actor", [asker, helper, mentor, admin], ids=lambda a: str(a.user_id))
async def test_asker_helper_mentor_and_admin_may_solve(
    services: Services, fired: Fired, actor: Actor
) -> None:
    question = await ask(services)
    solved = await services.qa.solve(
        question.thread_id,
        actor,
        summary="Fake the initial migration\nwith --fake-initial",
        answerer_id=HELPER,
        answer_message_id=77,
    )
    assert solved.status == "solved"
    assert solved.summary == "Fake the initial migration with --fake-initial"
    assert (solved.answerer_id, solved.answer_message_id, solved.resolved_by) == (
        HELPER,
        77,
        actor.user_id,
    )


async def test_others_may_not_solve_close_or_reopen(services: Services, fired: Fired) -> None:
    question = await ask(services)
    qa = services.qa
    with pytest.raises(PermissionDenied):
        await qa.solve(question.thread_id, other, summary="x", answerer_id=OTHER)
    with pytest.raises(PermissionDenied):
        await qa.close(question.thread_id, other, "off-topic")
    await qa.close(question.thread_id, asker, "off-topic")
    with pytest.raises(PermissionDenied):
        await qa.reopen(question.thread_id, other)


async def test_solve_outside_a_question_thread(services: Services, fired: Fired) -> None:
    with pytest.raises(NotFound, match="question's thread"):
        await services.qa.solve(424242, asker, summary="x")


async def test_summary_is_required_and_limited(services: Services, fired: Fired) -> None:
    question = await ask(services)
    with pytest.raises(InvalidInput, match="summary"):
        await services.qa.solve(question.thread_id, asker, summary=None)
    with pytest.raises(InvalidInput, match="200"):
        await services.qa.solve(question.thread_id, asker, summary="x" * 201)


async def test_credit_goes_to_the_answerer_never_the_asker(
    services: Services, fired: Fired
) -> None:
    qa = services.qa
    first, second = await ask(services), await ask(services)
    await qa.solve(first.thread_id, asker, summary="self-solved", answerer_id=ASKER)
    await qa.solve(second.thread_id, asker, summary="helped", answerer_id=HELPER)
    assert await qa.leaderboard(GUILD, "all") == [(HELPER, 1)]
    with pytest.raises(Conflict, match="already solved"):
        await qa.solve(second.thread_id, mentor, summary="again", answerer_id=MENTOR)


async def test_close_reasons_and_duplicates(services: Services, fired: Fired) -> None:
    qa = services.qa
    original, dup = await ask(services), await ask(services)
    with pytest.raises(InvalidInput, match="duplicate_of"):
        await qa.close(dup.thread_id, asker, "duplicate")
    with pytest.raises(NotFound):
        await qa.close(dup.thread_id, asker, "duplicate", "123456789012345678")
    with pytest.raises(InvalidInput, match="itself"):
        await qa.close(dup.thread_id, asker, "duplicate", f"<#{dup.thread_id}>")
    with pytest.raises(InvalidInput, match="only goes with"):
        await qa.close(dup.thread_id, asker, "stale", f"<#{original.thread_id}>")
    link = f"https://discord.com/channels/{GUILD}/{original.thread_id}"
    closed = await qa.close(dup.thread_id, helper, "duplicate", link)
    assert (closed.status, closed.close_reason, closed.duplicate_of) == (
        "closed",
        "duplicate",
        original.thread_id,
    )
    with pytest.raises(Conflict, match="already closed"):
        await qa.close(dup.thread_id, helper, "stale")


async def test_reopen_undoes_solved_and_rearms_timers(
    services: Services, db: Database, clock: FakeClock, fired: Fired
) -> None:
    qa = services.qa
    question = await ask(services)
    await qa.solve(question.thread_id, asker, summary="done", answerer_id=HELPER)
    assert await live_timers(db, question) == []
    clock.advance(hours=1)
    reopened = await qa.reopen(question.thread_id, mentor)
    assert (reopened.status, reopened.summary, reopened.answerer_id) == ("open", None, None)
    assert await qa.leaderboard(GUILD) == []
    hour = 3600
    assert await live_timers(db, question) == [
        (KIND_UNANSWERED, 7 * hour),
        (KIND_UNANSWERED, 13 * hour),
        (KIND_DORMANT, 73 * hour),
    ]
    with pytest.raises(Conflict, match="already open"):
        await qa.reopen(question.thread_id, mentor)


async def test_a_reply_seen_while_open_never_undoes_a_solve_that_commits_first(
    services: Services, db: Database, clock: FakeClock, fired: Fired
) -> None:
    """Reads run on their own threads, so the handler of a reply posted before the solve
    can reach its transaction after the solve committed: that reply must not reopen."""
    question = await ask(services)

    async with db.transaction() as tx:  # the solve, holding the writer meanwhile
        handled = asyncio.create_task(reply(services, question, HELPER, clock))
        await writers_waiting(db)  # the handler has read
        await sql.execute(
            tx, "UPDATE qa_questions SET status = 'solved' WHERE id = ?", (question.id,)
        )
    activity = await handled
    assert activity is not None and not activity.reopened
    assert (await services.qa.by_thread(question.thread_id)).status == "solved"  # type: ignore[union-attr]
    clock.advance(minutes=2)
    later_reply = await reply(services, question, OTHER, clock)  # after the solve: reopens
    assert later_reply.reopened and later_reply.question.status == "open"


# -- activity and timers -------------------------------------------------------------


async def test_asking_books_escalations_and_the_dormant_close(
    services: Services, db: Database, fired: Fired
) -> None:
    question = await ask(services)
    hour = 3600
    assert await live_timers(db, question) == [
        (KIND_UNANSWERED, 6 * hour),
        (KIND_UNANSWERED, 12 * hour),
        (KIND_DORMANT, 72 * hour),
    ]


async def test_unanswered_pings_helper_role_then_mentors_once_each(
    services: Services, clock: FakeClock, fired: Fired
) -> None:
    question = await ask(services)
    await later(services, clock, hours=5, minutes=59)
    assert fired.events == []
    await later(services, clock, minutes=1)
    (ping,) = fired.of("unanswered")
    assert (ping.stage, ping.user_ids, ping.role_id) == (1, [], HELPER_ROLE)
    await later(services, clock, hours=6)
    assert [(p.stage, p.role_id) for p in fired.of("unanswered")] == [
        (1, HELPER_ROLE),
        (2, MENTOR_ROLE),
    ]
    assert (await services.qa.get(question.id)).escalation == 2  # type: ignore[union-attr]
    await later(services, clock, hours=24)
    assert len(fired.of("unanswered")) == 2


async def test_unanswered_pings_topic_subscribers_first(
    services: Services, clock: FakeClock, fired: Fired
) -> None:
    await services.qa.subscribe(GUILD, helper, "django, docker")
    await services.qa.subscribe(GUILD, mentor, "python")
    await ask(services, topic="django")
    await later(services, clock, hours=6)
    (ping,) = fired.of("unanswered")
    assert (ping.user_ids, ping.role_id) == ([HELPER], None)


async def test_a_reply_stops_escalation_and_books_the_nudge(
    services: Services, db: Database, clock: FakeClock, fired: Fired
) -> None:
    question = await ask(services)
    await later(services, clock, hours=2)
    await reply(services, question, ASKER, clock)  # the asker's own message is no reply
    assert [k for k, _ in await live_timers(db, question)].count(KIND_UNANSWERED) == 2
    activity = await reply(services, question, HELPER, clock)
    assert activity.question.first_reply_at == int(clock.now().timestamp())
    hour = 3600
    assert await live_timers(db, question) == [
        (KIND_NUDGE, 26 * hour),
        (KIND_DORMANT, 74 * hour),
    ]
    await later(services, clock, hours=10)
    assert fired.of("unanswered") == []


async def test_activity_moves_timers_at_most_once_a_minute(
    services: Services, db: Database, clock: FakeClock, fired: Fired
) -> None:
    question = await ask(services)
    await reply(services, question, HELPER, clock)
    before = await live_timers(db, question)
    clock.advance(seconds=30)
    await reply(services, question, HELPER, clock)
    assert await live_timers(db, question) == before  # debounced: nothing written
    clock.advance(seconds=31)
    await reply(services, question, ASKER, clock)
    assert [due - 61 for _, due in await live_timers(db, question)] == [d for _, d in before]


async def test_nudge_fires_once_after_quiet_and_never_without_replies(
    services: Services, clock: FakeClock, fired: Fired
) -> None:
    lonely, busy = await ask(services), await ask(services)
    await reply(services, busy, HELPER, clock)
    await later(services, clock, hours=23, minutes=59)
    assert fired.of("nudge") == []
    await later(services, clock, minutes=1)
    assert [q.id for q in fired.of("nudge")] == [busy.id]
    await reply(services, busy, HELPER, clock)  # more activity: no second nudge
    await later(services, clock, hours=30)
    assert [q.id for q in fired.of("nudge")] == [busy.id]
    assert lonely.id not in [q.id for q in fired.of("nudge")]


async def test_dormant_close_fires_once_at_the_right_time(
    services: Services, clock: FakeClock, fired: Fired
) -> None:
    question = await ask(services)
    await reply(services, question, HELPER, clock)
    await later(services, clock, hours=71, minutes=59)
    assert fired.of("dormant") == []
    await later(services, clock, minutes=1)
    (closed,) = fired.of("dormant")
    assert (closed.id, closed.status, closed.close_reason) == (question.id, "closed", "stale")
    await later(services, clock, hours=100)
    assert len(fired.of("dormant")) == 1 and fired.of("check") == []


async def test_without_replies_the_asker_is_asked_before_the_close(
    services: Services, db: Database, clock: FakeClock, fired: Fired
) -> None:
    question = await ask(services)
    await later(services, clock, hours=72)
    (checked,) = fired.of("check")
    assert checked.status == "open" and fired.of("dormant") == []
    assert [k for k, _ in await live_timers(db, question)] == [KIND_DORMANT]
    # The same timer again (a retry after a crash) asks again, to re-send with its nonce.
    again = await services.qa.timers.dormant_due(question.id, checked.check_timer_id or 0)
    assert again is not None and again.ask_first
    await later(services, clock, hours=71, minutes=59)
    assert fired.of("dormant") == []
    await later(services, clock, minutes=1)
    (closed,) = fired.of("dormant")
    assert (closed.status, closed.close_reason) == ("closed", "stale")
    assert len(fired.of("check")) == 1
    # Reopened, the question starts afresh: its asker is asked again before a close.
    await services.qa.reopen(question.thread_id, asker)
    await later(services, clock, hours=72)
    assert len(fired.of("check")) == 2 and len(fired.of("dormant")) == 1


async def test_a_forgotten_askers_unanswered_question_closes_without_asking(
    services: Services, clock: FakeClock, fired: Fired
) -> None:
    question = await ask(services)
    await services.privacy.forget(ASKER)
    await later(services, clock, hours=72)
    assert fired.of("check") == [] and [q.id for q in fired.of("dormant")] == [question.id]


async def test_no_timer_fires_after_solved(
    services: Services, clock: FakeClock, fired: Fired
) -> None:
    question = await ask(services)
    await reply(services, question, HELPER, clock)
    await services.qa.solve(question.thread_id, asker, summary="ok", answerer_id=HELPER)
    await later(services, clock, hours=200)
    assert fired.events == []


async def test_a_reply_reopens_a_solved_question(
    services: Services, db: Database, clock: FakeClock, fired: Fired
) -> None:
    question = await ask(services)
    await reply(services, question, HELPER, clock)
    await services.qa.solve(question.thread_id, asker, summary="ok", answerer_id=HELPER)
    clock.advance(hours=1)
    activity = await reply(services, question, ASKER, clock)
    assert activity.reopened and activity.question.status == "open"
    assert [k for k, _ in await live_timers(db, question)] == [KIND_NUDGE, KIND_DORMANT]
    await later(services, clock, hours=73)
    assert [q.id for q in fired.of("dormant")] == [question.id]


async def test_timers_survive_a_restart(
    services: Services, db: Database, clock: FakeClock, fired: Fired
) -> None:
    question = await ask(services)
    restarted = build_services(db, clock)
    fired_after = register(restarted)
    await restarted.scheduler.start()
    clock.advance(hours=73)
    await restarted.scheduler.run_due()
    assert [q.id for q in fired_after.of("check")] == [question.id]
    assert len(fired_after.of("unanswered")) == 2
    await restarted.scheduler.stop()


async def test_still_need_help_is_the_askers_and_counts_as_activity(
    services: Services, clock: FakeClock, fired: Fired
) -> None:
    question = await ask(services)
    await reply(services, question, OTHER, clock)
    with pytest.raises(PermissionDenied):
        await services.qa.timers.still_needs_help(question.id, HELPER)
    clock.advance(hours=3)
    call = await services.qa.timers.still_needs_help(question.id, ASKER)
    now = int(clock.now().timestamp())
    assert (call.question.last_activity_at, call.question.needs_help_at) == (now, now)
    assert (call.user_ids, call.role_id) == ([], HELPER_ROLE)  # nobody subscribed: the role
    await services.qa.subscribe(GUILD, helper, "django")
    call = await services.qa.timers.still_needs_help(question.id, ASKER)
    assert (call.user_ids, call.role_id) == ([HELPER], None)
    await services.qa.close(question.thread_id, asker, "off-topic")
    with pytest.raises(Conflict):
        await services.qa.timers.still_needs_help(question.id, ASKER)


async def test_still_need_help_puts_the_question_first_until_someone_replies(
    services: Services, clock: FakeClock, fired: Fired
) -> None:
    oldest = await ask(services)
    clock.advance(minutes=5)
    answered = await ask(services)
    await reply(services, answered, HELPER, clock)
    clock.advance(minutes=5)
    newest = await ask(services)
    questions, total = await services.qa.unanswered(GUILD)
    assert ([q.id for q in questions], total) == ([oldest.id, newest.id], 2)
    clock.advance(hours=30)
    await services.qa.timers.still_needs_help(answered.id, ASKER)
    questions, total = await services.qa.unanswered(GUILD)
    assert ([q.id for q in questions], total) == ([answered.id, oldest.id, newest.id], 3)
    await reply(services, answered, ASKER, clock)  # the asker's own words answer nothing
    assert (await services.qa.unanswered(GUILD))[1] == 3
    clock.advance(seconds=10)  # within the activity debounce: a reply still counts
    await reply(services, answered, OTHER, clock)
    questions, _ = await services.qa.unanswered(GUILD)
    assert [q.id for q in questions] == [oldest.id, newest.id]


# -- lists ---------------------------------------------------------------------------


async def test_unanswered_lists_open_questions_without_replies_oldest_first(
    services: Services, clock: FakeClock, fired: Fired
) -> None:
    first = await ask(services, topic="django")
    clock.advance(minutes=5)
    second = await ask(services, topic="docker")
    clock.advance(minutes=5)
    answered = await ask(services, topic="django")
    await reply(services, answered, HELPER, clock)
    closed = await ask(services, topic="django")
    await services.qa.close(closed.thread_id, asker, "off-topic")
    questions, total = await services.qa.unanswered(GUILD)
    assert ([q.id for q in questions], total) == ([first.id, second.id], 2)
    questions, total = await services.qa.unanswered(GUILD, "docker")
    assert [q.id for q in questions] == [second.id]


async def test_leaderboard_periods(services: Services, clock: FakeClock, fired: Fired) -> None:
    qa = services.qa
    for helper_id, days_ago in [(HELPER, 40), (HELPER, 20), (MENTOR, 3), (MENTOR, 2), (HELPER, 1)]:
        question = await ask(services)
        clock.advance(days=-days_ago)
        await qa.solve(question.thread_id, asker, summary="ok", answerer_id=helper_id)
        clock.advance(days=days_ago)
    assert await qa.leaderboard(GUILD, "all") == [(HELPER, 3), (MENTOR, 2)]
    assert await qa.leaderboard(GUILD, "month") == [(HELPER, 2), (MENTOR, 2)]
    assert await qa.leaderboard(GUILD, "week") == [(MENTOR, 2), (HELPER, 1)]
    assert await qa.leaderboard(GUILD + 1, "all") == []
    with pytest.raises(InvalidInput):
        await qa.leaderboard(GUILD, "decade")


async def test_only_helpers_and_mentors_subscribe(services: Services, fired: Fired) -> None:
    qa = services.qa
    with pytest.raises(PermissionDenied, match="helpers"):
        await qa.subscribe(GUILD, other, "django")
    assert await qa.subscribe(GUILD, helper, "docker, Django") == ["docker", "django"]
    assert await qa.subscriptions(GUILD, HELPER) == ["django", "docker"]
    assert await qa.subscribe(GUILD, helper, "none") == []
    assert await qa.subscriptions(GUILD, HELPER) == []


# -- privacy -------------------------------------------------------------------------


async def test_forget_me_keeps_questions_as_a_former_members(
    services: Services, clock: FakeClock, fired: Fired
) -> None:
    qa = services.qa
    question = await ask(services)
    await qa.subscribe(GUILD, helper, "django")
    await qa.solve(question.thread_id, asker, summary="ok", answerer_id=HELPER)
    await qa.prepare(GUILD, ASKER, "django", "Migrations fail on deploy", "relation exists")

    held = await services.privacy.inventory(ASKER)
    assert held["your name on questions, answers and solves (the questions stay)"] == 1
    await services.privacy.forget(ASKER)
    kept = await qa.get(question.id)
    assert kept is not None and kept.asker_id is None and kept.title == question.title
    assert [q.id for q in qa.take_forgotten(ASKER)] == [question.id]
    assert await services.privacy.inventory(ASKER) == {}

    assert "Q&A helper credits" in await services.privacy.inventory(HELPER)
    await services.privacy.forget(HELPER)
    assert await services.privacy.inventory(HELPER) == {}
    assert await qa.leaderboard(GUILD) == []
    assert await qa.subscriptions(GUILD, HELPER) == []


async def test_timings_are_per_server(
    services: Services, db: Database, clock: FakeClock, fired: Fired
) -> None:
    from bot.db.qa import Timings

    await services.qa.set_timings(GUILD, Timings(3600, 7200, 10_800))
    question = await ask(services)
    assert await live_timers(db, question) == [
        (KIND_UNANSWERED, 3600),
        (KIND_UNANSWERED, 7200),
        (KIND_DORMANT, 10_800),
    ]
    assert (await services.qa.timings(GUILD + 1)).unanswered_after == 6 * 3600
    assert timedelta(seconds=(await services.qa.timings(GUILD)).nudge_after) == timedelta(hours=2)
