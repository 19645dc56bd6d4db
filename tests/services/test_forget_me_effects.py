"""What forget-me reports and hands back, feature by feature, on a real database with a
fake clock: the counts it erased, the sessions whose cards change and the waiters it
promoted, the questions to re-sign, and the filters a data holder may declare. That no
row still names the user is pinned by test_forget_me_schema."""

from __future__ import annotations

import pytest

from bot.db import pairs
from bot.db.database import Database
from bot.errors import InvalidInput
from bot.services.access import Actor
from bot.services.container import Services
from bot.services.privacy import PrivacyService
from bot.services.qa.rules import Ask
from bot.services.sessions.rules import check_mode
from bot.time.clock import FakeClock
from tests.services.test_sessions import GUILD, HOST, create

ME, OTHER, THIRD, FOURTH = 301, 302, 303, 304


async def test_leaving_places_promotes_the_next_waiter_in_every_open_session(
    services: Services, clock: FakeClock
) -> None:
    first = await create(services, capacity=1, when="2026-12-01 18:00")
    second = await create(services, capacity=1, when="2026-12-02 18:00")
    for session in (first, second):
        for user in (ME, OTHER, THIRD):
            await services.sessions.join(session.id, GUILD, user)
    over = await create(services, capacity=1, when="2026-11-29 18:00")
    for user in (ME, FOURTH):
        await services.sessions.join(over.id, GUILD, user)
    clock.set(over.end)
    await services.sessions.timeline.finish(over.id)
    await services.privacy.forget(ME)
    effects = services.sessions.take_forget_effects(ME)
    assert effects.session_ids == {first.id, second.id, over.id}
    assert sorted((p.session_id, p.user_id) for p in effects.promoted) == [
        (first.id, OTHER),
        (second.id, OTHER),
    ]  # one place each, and none in the session that is over
    roster = await services.sessions.roster(over.id)
    assert (roster.going, roster.waitlist) == ([], [FOURTH])


async def test_a_forgotten_host_s_sessions_are_named_for_their_cards(
    services: Services,
) -> None:
    hosted = await create(services, host_id=ME)
    await create(services, host_id=OTHER)
    await services.privacy.forget(ME)
    assert services.sessions.take_forget_effects(ME).session_ids == {hosted.id}


async def test_forget_me_counts_pairing_requests_and_memberships(
    services: Services, db: Database, clock: FakeClock
) -> None:
    for user in (ME, OTHER, THIRD, FOURTH):
        await services.pairing.save_profile(GUILD, user, track="backend", skills="python")
    accepted = await services.pairing.request(GUILD, ME, OTHER, None)
    await services.pairing.answer(accepted.id, OTHER, accept=True)
    await services.pairing.request(GUILD, THIRD, ME, None)
    await services.pairing.request(GUILD, ME, FOURTH, None)
    report = await services.privacy.forget(ME)
    assert report.erased["pairing requests"] == 3
    assert report.erased["pairs and check-ins (threads stay)"] == 1
    assert report.erased["your pairing profile"] == 1


async def test_ending_a_pair_records_who_and_when(
    services: Services, db: Database, clock: FakeClock
) -> None:
    for user in (ME, OTHER):
        await services.pairing.save_profile(GUILD, user, track="backend", skills="python")
    request = await services.pairing.request(GUILD, ME, OTHER, None)
    decision = await services.pairing.answer(request.id, OTHER, accept=True)
    assert decision.pair is not None
    clock.advance(days=2)
    await services.pairing.end(GUILD, OTHER, ME)
    rows = await db.reader.execute_fetchall(
        "SELECT status, ended_by, ended_at FROM pairs WHERE id = ?", (decision.pair.id,)
    )
    assert tuple(next(iter(rows))) == ("ended", OTHER, int(clock.now().timestamp()))


async def test_dropping_a_member_returns_only_the_pairs_that_were_active(
    services: Services, db: Database
) -> None:
    for user in (ME, OTHER, THIRD):
        await services.pairing.save_profile(GUILD, user, track="backend", skills="python")
    ended = await services.pairing.request(GUILD, ME, OTHER, None)
    ended_pair = (await services.pairing.answer(ended.id, OTHER, accept=True)).pair
    await services.pairing.end(GUILD, ME, OTHER)
    active = await services.pairing.request(GUILD, THIRD, ME, None)
    active_pair = (await services.pairing.answer(active.id, ME, accept=True)).pair
    assert ended_pair is not None and active_pair is not None
    async with db.transaction() as tx:
        assert await pairs.count_memberships(tx, ME) == 2
        assert await pairs.forget_member(tx, ME) == [active_pair.id]
        assert await pairs.count_memberships(tx, ME) == 0


async def test_forgotten_askers_questions_come_back_unsigned(services: Services) -> None:
    question = await services.qa.record_question(
        guild_id=GUILD,
        channel_id=10,
        thread_id=4321,
        opener_id=4321,
        asker_id=ME,
        ask=Ask("python", "Mine to forget", "A question by someone who leaves."),
    )
    await services.privacy.forget(ME)
    [resign] = services.qa.take_forgotten(ME)
    assert (resign.id, resign.asker_id) == (question.id, None)


async def test_a_data_holder_may_count_and_erase_only_rows_matching_its_filter(
    services: Services, db: Database
) -> None:
    for what in ("keep", "drop", "drop"):
        await services.reminders.create(
            user_id=ME, guild_id=None, channel_id=5, when="in 1 hour", what=what
        )
    privacy = PrivacyService(db)
    privacy.register_rows("test", "dropped reminders", "reminders", "user_id", "text = 'drop'")
    assert await privacy.inventory(ME) == {"dropped reminders": 2}
    report = await privacy.forget(ME)
    assert report.erased == {"dropped reminders": 2}
    assert [r.text for r in await services.reminders.pending(ME)] == ["keep"]


def test_a_reminder_mode_is_channel_dm_or_off() -> None:
    assert [check_mode(m) for m in ("channel", "dm", "off")] == ["channel", "dm", "off"]
    with pytest.raises(InvalidInput) as refused:
        check_mode("email")
    assert str(refused.value) == "`mode` is `channel`, `dm` or `off`."


async def test_a_reminder_reads_back_whole(services: Services) -> None:
    made = await services.reminders.create(
        user_id=ME, guild_id=GUILD, channel_id=55, when="in 1 hour", what="stretch"
    )
    found = await services.reminders.get(made.id)
    assert found is not None
    assert (found.user_id, found.guild_id, found.channel_id, found.text) == (
        ME,
        GUILD,
        55,
        "stretch",
    )


def test_actors_default_to_no_roles_and_no_permissions() -> None:
    actor = Actor(HOST)
    assert (actor.role_ids, actor.is_admin, actor.mention_everyone) == (frozenset(), False, False)


async def test_forget_me_counts_each_question_field_that_named_the_user(
    services: Services,
) -> None:
    from bot.services.qa.rules import Ask as QaAsk

    for thread, asker in ((4400, ME), (4401, OTHER)):
        await services.qa.record_question(
            guild_id=GUILD,
            channel_id=10,
            thread_id=thread,
            opener_id=thread,
            asker_id=asker,
            ask=QaAsk("python", f"Question {thread}", "Details of it."),
        )
    await services.qa.solve(4401, Actor(OTHER), summary="ok", answerer_id=ME)
    await services.qa.solve(4400, Actor(ME), summary="ok", answerer_id=OTHER)
    report = await services.privacy.forget(ME)
    # asker of 4400, resolver of 4400, answerer of 4401
    assert report.erased["your name on questions, answers and solves (the questions stay)"] == 3


async def test_a_pair_left_with_one_member_ends(services: Services, db: Database) -> None:
    for user in (ME, OTHER):
        await services.pairing.save_profile(GUILD, user, track="backend", skills="python")
    request = await services.pairing.request(GUILD, ME, OTHER, None)
    decision = await services.pairing.answer(request.id, OTHER, accept=True)
    assert decision.pair is not None
    await services.privacy.forget(ME)
    pair = await pairs.get(db.reader, decision.pair.id)
    assert pair is not None and (pair.status, pair.members) == ("ended", (OTHER,))
