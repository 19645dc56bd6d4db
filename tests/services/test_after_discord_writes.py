"""What the services record around a Discord write, on a real database with a fake
clock: a session whose card could not be posted is removed with its timers, a scheduled
event is attached or mirrored, a failed question post keeps its draft, a request's post
is attached, DM channels are remembered, and a delivered reminder knows it is late."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.db import pair_profiles, qa_drafts, user_settings
from bot.db import timers as timer_rows
from bot.db.database import Database
from bot.errors import NotFound, PermissionDenied
from bot.services.access import Actor
from bot.services.container import Services
from bot.services.sessions.rules import KINDS
from bot.time.clock import FakeClock
from tests.services.test_sessions import GUILD, HOST, OTHER_GUILD, create

NOW = datetime(2026, 11, 28, 10, 0, tzinfo=UTC)  # the conftest clock


async def test_a_session_whose_card_failed_is_removed_with_its_timers(
    services: Services, db: Database
) -> None:
    kept = await create(services)
    failed = await create(services, title="Another clinic")
    await services.sessions.discard(failed.id)
    with pytest.raises(NotFound):
        await services.sessions.get(failed.id, GUILD)
    for kind in KINDS:
        assert await timer_rows.for_subject(db.reader, kind, failed.id) == []
    assert (await services.sessions.get(kept.id, GUILD)).id == kept.id
    assert any([await timer_rows.for_subject(db.reader, kind, kept.id) for kind in KINDS])


async def test_events_are_attached_and_mirrored_while_they_matter(
    services: Services, clock: FakeClock
) -> None:
    session = await create(services)
    other = await create(services, guild_id=OTHER_GUILD)
    with_event = await services.sessions.attach_event(session.id, 555)
    assert with_event.event_id == 555
    with pytest.raises(NotFound, match="Session #99999 is gone"):
        await services.sessions.attach_event(99_999, 1)
    assert [s.id for s in await services.sessions.needing_mirror(GUILD)] == [session.id]
    assert [s.id for s in await services.sessions.needing_mirror(OTHER_GUILD)] == [other.id]
    clock.set(session.end)  # over: only a session still pointing at an event needs a look
    assert [s.id for s in await services.sessions.needing_mirror(GUILD)] == [session.id]
    assert await services.sessions.needing_mirror(OTHER_GUILD) == []
    await services.sessions.attach_event(session.id, None)
    assert await services.sessions.needing_mirror(GUILD) == []


async def test_a_session_still_running_needs_its_event_until_it_ends(
    services: Services, clock: FakeClock
) -> None:
    session = await create(services)
    clock.set(session.end - timedelta(seconds=1))
    assert [s.id for s in await services.sessions.needing_mirror(GUILD)] == [session.id]
    await services.sessions.cancel(session.id, GUILD, actor=Actor(HOST), reason="ill")
    assert await services.sessions.needing_mirror(GUILD) == []


async def test_a_draft_whose_post_failed_is_kept_under_its_id(
    services: Services, db: Database
) -> None:
    async with db.transaction() as tx:
        draft = await qa_drafts.insert_draft(
            tx,
            guild_id=1,
            user_id=101,
            topic="python",
            title="Pip cannot find requests",
            body="It says ModuleNotFoundError.",
            now=int(NOW.timestamp()),
        )
    taken = await services.qa.take_draft(draft.id, 101)
    await services.qa.restore_draft(taken)
    await services.qa.restore_draft(taken)  # twice: still one draft
    again = await services.qa.take_draft(draft.id, 101)
    assert (again.id, again.title, again.body, again.topic) == (
        taken.id,
        taken.title,
        taken.body,
        taken.topic,
    )
    assert again.created_at == taken.created_at
    with pytest.raises(NotFound, match="This draft is gone"):
        await services.qa.take_draft(draft.id, 101)
    await services.qa.restore_draft(taken)
    with pytest.raises(PermissionDenied, match=r"^This question belongs to someone else\.$"):
        await services.qa.take_draft(draft.id, 102)


async def test_a_question_is_found_by_its_thread_only(services: Services) -> None:
    from bot.services.qa.rules import Ask

    question = await services.qa.record_question(
        guild_id=1,
        channel_id=10,
        thread_id=777,
        opener_id=777,
        asker_id=101,
        ask=Ask("python", "Thread lookups", "Found by the thread id, not the row id."),
    )
    found = await services.qa.by_thread(777)
    assert found is not None and found.id == question.id
    assert await services.qa.by_thread(question.id) is None


async def test_a_request_post_is_attached_and_profiles_read_in_bulk(
    services: Services, db: Database
) -> None:
    for user in (201, 202, 203):
        await services.pairing.save_profile(GUILD, user, track="backend", skills="python")
    request = await services.pairing.request(GUILD, 201, 202, None)
    await services.pairing.attach_request_post(request.id, 40, 41)
    stored = await services.pairing.get_request(request.id)
    assert stored is not None and (stored.channel_id, stored.message_id) == (40, 41)
    found = await services.pairing.profiles(GUILD, [201, 203, 999])
    assert sorted(found) == [201, 203]
    assert found[203].user_id == 203
    assert await pair_profiles.count(db.reader, GUILD) == 3
    assert await pair_profiles.count(db.reader, OTHER_GUILD) == 0


async def test_forget_me_hands_back_the_open_requests_it_deleted_once(
    services: Services,
) -> None:
    for user in (201, 202, 203):
        await services.pairing.save_profile(GUILD, user, track="backend", skills="python")
    sent = await services.pairing.request(GUILD, 201, 202, None)
    received = await services.pairing.request(GUILD, 203, 201, None)
    await services.privacy.forget(201)
    taken = services.pairing.take_forgotten_requests(201)
    assert sorted(r.id for r in taken) == sorted([sent.id, received.id])
    assert services.pairing.take_forgotten_requests(201) == []


async def test_exclusions_are_listed_oldest_first_per_server(
    services: Services, db: Database, clock: FakeClock
) -> None:
    await services.pairing.exclude(GUILD, 201, 205)
    clock.advance(minutes=1)
    await services.pairing.exclude(GUILD, 201, 204)
    await services.pairing.exclude(OTHER_GUILD, 201, 206)
    await services.pairing.exclude(GUILD, 202, 207)
    assert await pair_profiles.excluded_by(db.reader, GUILD, 201) == [205, 204]
    assert await pair_profiles.excluded_by(db.reader, OTHER_GUILD, 201) == [206]


async def test_dm_channels_are_remembered_per_user(services: Services, db: Database) -> None:
    assert await services.preferences.dm_channel(101) is None
    await services.preferences.remember_dm_channel(101, 9001)
    await services.preferences.remember_dm_channel(102, 9002)
    await services.preferences.remember_dm_channel(101, 9003)
    assert await services.preferences.dm_channel(101) == 9003
    assert await user_settings.get_dm_channel(db.reader, 102) == 9002


async def test_a_reminder_is_late_a_minute_after_its_time(
    services: Services, clock: FakeClock
) -> None:
    reminder = await services.reminders.create(
        user_id=101, guild_id=None, channel_id=5, when="in 10 minutes", what="stretch"
    )
    found = await services.reminders.get(reminder.id)
    assert found is not None and (found.id, found.text) == (reminder.id, "stretch")
    assert await services.reminders.get(reminder.id + 1) is None
    clock.set(reminder.due + timedelta(minutes=1))
    assert not services.reminders.is_late(reminder)
    clock.advance(seconds=1)
    assert services.reminders.is_late(reminder)
