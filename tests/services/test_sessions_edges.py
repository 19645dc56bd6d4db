"""Study sessions' edges on a real database with a fake clock: the start and end timers
repeated after a crash, cancelled sessions, the autocomplete search, the per-user
notification modes (in chunks), and reminder offsets moved for open sessions only."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from bot.db import session_prefs
from bot.db import session_rsvps as rsvps
from bot.db import sessions as repo
from bot.db.database import Database
from bot.db.timers import Timer
from bot.errors import AlreadyDone, Conflict, InvalidInput, NotFound, PermissionDenied
from bot.scheduling import TimerMissed
from bot.services.access import Actor
from bot.services.container import Services
from bot.services.sessions.rules import KIND_REMINDER
from bot.time.clock import FakeClock, epoch
from tests.services.test_sessions import GUILD, HOST, OTHER_GUILD, create, live_timers


async def test_finishing_is_safe_to_repeat_and_never_ends_a_cancelled_session(
    services: Services, clock: FakeClock
) -> None:
    timeline = services.sessions.timeline
    session = await create(services)
    cancelled = await create(services, title="Another clinic")
    clock.advance(days=3)
    ended = await timeline.finish(session.id)
    assert ended is not None and (ended.id, ended.status) == (session.id, "ended")
    assert ended.updated_at == epoch(clock.now())
    again = await timeline.finish(session.id)  # the end timer retried after a crash
    assert again is not None and (again.id, again.status) == (session.id, "ended")
    assert await timeline.finish(99_999) is None
    await services.sessions.cancel(cancelled.id, GUILD, actor=Actor(HOST), reason="ill")
    assert await timeline.finish(cancelled.id) is None
    still = await repo.get(services.db.reader, cancelled.id)
    assert still is not None and still.status == "cancelled"


async def test_beginning_goes_live_once_and_books_one_next_occurrence(
    services: Services, clock: FakeClock
) -> None:
    timeline = services.sessions.timeline
    series = await create(services, repeat="weekly")
    clock.set(series.start)
    first = await timeline.begin(series.id)
    assert first is not None
    assert (first.session.status, first.session.updated_at) == ("live", epoch(clock.now()))
    assert first.next is not None and first.next.start == series.start + timedelta(weeks=1)
    again = await timeline.begin(series.id)  # retried: the same next one, not a second
    assert again is not None and again.session.status == "live"
    assert again.next is not None and again.next.id == first.next.id
    assert await timeline.begin(99_999) is None
    clock.set(series.start - timedelta(hours=2))
    one_off = await create(services, when="in 30 minutes")
    await services.sessions.cancel(one_off.id, GUILD, actor=Actor(HOST), reason="ill")
    assert await timeline.begin(one_off.id) is None
    clock.set(series.start - timedelta(hours=1))
    single = await create(services, when="in 30 minutes")
    clock.set(single.start)
    started = await timeline.begin(single.id)
    assert started is not None and started.next is None


async def test_new_offsets_move_reminders_of_open_sessions_in_this_server_only(
    services: Services, db: Database, clock: FakeClock
) -> None:
    soon = await create(services, when="2026-11-29 18:00")
    later = await create(services, when="2026-12-05 18:00")
    elsewhere = await create(services, guild_id=OTHER_GUILD)
    before_elsewhere = [t.due for t in await live_timers(db, KIND_REMINDER, elsewhere.id)]
    clock.set(soon.start + timedelta(minutes=5))  # soon has started
    offsets = await services.sessions.set_offsets(GUILD, "2h, 30m")
    assert offsets == [timedelta(hours=2), timedelta(minutes=30)]
    assert [t.due for t in await live_timers(db, KIND_REMINDER, later.id)] == [
        later.start - timedelta(hours=2),
        later.start - timedelta(minutes=30),
    ]
    assert [t.due for t in await live_timers(db, KIND_REMINDER, elsewhere.id)] == before_elsewhere
    assert await session_prefs.get_offsets(db.reader, GUILD) == [7200, 1800]
    assert await session_prefs.get_offsets(db.reader, OTHER_GUILD) is None


async def test_suggest_matches_id_title_or_topic_of_open_sessions_soonest_first(
    services: Services,
) -> None:
    later = await create(services, title="100% SQL", when="2026-12-02 18:00", topic="sql")
    sooner = await create(services, title="Django forms", when="2026-12-01 18:00")
    await create(services, title="Django elsewhere", guild_id=OTHER_GUILD)
    gone = await create(services, title="Django gone")
    await services.sessions.cancel(gone.id, GUILD, actor=Actor(HOST), reason="ill")
    suggest = services.sessions.suggest
    assert [s.id for s in await suggest(GUILD, "")] == [sooner.id, later.id]
    assert [s.id for s in await suggest(GUILD, "  ", limit=1)] == [sooner.id]
    assert [s.id for s in await suggest(GUILD, "django")] == [sooner.id]
    assert [s.id for s in await suggest(GUILD, "SQL")] == [later.id]  # title or topic
    assert [s.id for s in await suggest(GUILD, "100%")] == [later.id]
    assert await suggest(GUILD, "0%S") == []  # a literal percent sign, not a wildcard
    assert await suggest(GUILD, "_") == []
    assert await suggest(GUILD, "\\") == []
    assert [s.id for s in await suggest(GUILD, f"#{later.id}")] == [later.id]
    assert [s.id for s in await suggest(GUILD, "o", limit=1)] == [sooner.id]


async def test_notification_modes_are_read_in_chunks_for_many_users(
    services: Services, db: Database
) -> None:
    users = list(range(1, 1203))
    async with db.transaction() as tx:
        for user in users:
            if user % 2 == 1 or user in (500, 501, 1000, 1001):
                await session_prefs.set_mode(tx, user, "dm", 0)
    found = await session_prefs.modes(db.reader, [*users, 1, 1])
    assert set(found) == {u for u in users if u % 2 == 1 or u in (500, 501, 1000, 1001)}
    assert set(found.values()) == {"dm"}
    assert await session_prefs.modes(db.reader, []) == {}
    assert await services.sessions.notify_mode(2) == "channel"
    assert await services.sessions.notify_mode(1) == "dm"


# -- a reminder's plan, branch by branch -------------------------------------------------------


async def first_reminder(services: Services, session_id: int) -> Timer:
    timers = await live_timers(services.db, KIND_REMINDER, session_id)
    return timers[0]


async def test_a_reminder_plan_names_its_session_offset_and_audience(
    services: Services, clock: FakeClock
) -> None:
    session = await create(services)
    for user, mode in ((201, "dm"), (202, "channel"), (203, "off")):
        await services.sessions.join(session.id, GUILD, user)
        await services.sessions.set_notify(user, mode)
    await services.sessions.join(session.id, GUILD, 204)  # never chose: the channel
    timer = await first_reminder(services, session.id)
    clock.set(timer.due)
    plan = await services.sessions.timeline.reminder_plan(timer)
    assert plan.session.id == session.id
    assert plan.offset == timedelta(days=1)
    assert (plan.audience.dm, plan.audience.mention) == ([201], [HOST, 202, 204])  # the host too


async def test_a_reminder_is_missed_from_the_second_the_session_starts(
    services: Services, clock: FakeClock
) -> None:
    session = await create(services)
    timer = replace(await first_reminder(services, session.id), payload={})
    clock.set(session.start - timedelta(seconds=1))
    plan = await services.sessions.timeline.reminder_plan(timer)  # no details: the defaults
    assert plan.offset == timedelta(0)
    clock.set(session.start)
    with pytest.raises(TimerMissed):
        await services.sessions.timeline.reminder_plan(timer)


async def test_a_reminder_gives_way_from_the_second_the_next_one_is_due(
    services: Services, clock: FakeClock
) -> None:
    session = await create(services)
    timer = await first_reminder(services, session.id)
    until = int(timer.payload["until"])
    clock.set(datetime.fromtimestamp(until - 1, UTC))
    await services.sessions.timeline.reminder_plan(timer)
    clock.set(datetime.fromtimestamp(until, UTC))
    with pytest.raises(TimerMissed):
        await services.sessions.timeline.reminder_plan(timer)


async def test_a_reminder_for_a_moved_or_cancelled_session_is_missed(
    services: Services, clock: FakeClock
) -> None:
    session = await create(services)
    timer = await first_reminder(services, session.id)
    clock.set(timer.due)
    moved = replace(timer, payload={**timer.payload, "starts_at": session.starts_at - 3600})
    with pytest.raises(TimerMissed):
        await services.sessions.timeline.reminder_plan(moved)
    without_subject = replace(timer, subject_id=None)
    with pytest.raises(TimerMissed):
        await services.sessions.timeline.reminder_plan(without_subject)
    await services.sessions.cancel(session.id, GUILD, actor=Actor(HOST), reason="ill")
    with pytest.raises(TimerMissed):
        await services.sessions.timeline.reminder_plan(timer)


# -- edits, pages, leaving, export, capacity ---------------------------------------------------


async def test_an_edit_lists_each_change_past_an_unchanged_field(services: Services) -> None:
    session = await create(services)
    result = await services.sessions.edit(
        session.id, GUILD, actor=Actor(HOST), title=session.title, duration=45
    )
    assert [(c.field, c.before, c.after) for c in result.changes] == [("duration", 60, 45)]
    moved = await services.sessions.edit(
        session.id, GUILD, actor=Actor(HOST), when="2026-12-02 18:00"
    )
    after = datetime(2026, 12, 2, 18, 0, tzinfo=UTC)
    assert [(c.field, c.before, c.after) for c in moved.changes] == [("when", session.start, after)]


async def test_lists_come_in_pages_of_ten_by_default(services: Services) -> None:
    made = [await create(services, when=f"2026-12-{day:02d} 18:00") for day in range(1, 13)]
    for session in made:
        await services.sessions.join(session.id, GUILD, 201)
    page, total = await services.sessions.upcoming(GUILD)
    assert (len(page), total) == (10, 12)
    second, _ = await services.sessions.upcoming(GUILD, offset=10)
    assert [s.session.id for s in second] == [made[10].id, made[11].id]
    mine, count = await services.sessions.upcoming(GUILD, user_id=201, limit=5, offset=10)
    assert ([s.session.id for s in mine], count) == ([made[10].id, made[11].id], 12)


async def test_leaving_says_which_session_and_what_the_place_was(services: Services) -> None:
    session = await create(services, capacity=1)
    await services.sessions.join(session.id, GUILD, 201)
    await services.sessions.join(session.id, GUILD, 202)
    left = await services.sessions.leave(session.id, GUILD, 201)
    assert (left.session.id, left.was) == (session.id, "going")
    assert [p.user_id for p in left.promoted] == [202]


async def test_the_calendar_export_is_stamped_with_now(
    services: Services, clock: FakeClock
) -> None:
    session = await create(services)
    await services.sessions.join(session.id, GUILD, 201)
    clock.advance(minutes=7)
    data, count = await services.sessions.export(GUILD, 201)
    assert count == 1
    assert b"DTSTAMP:20261128T100700Z" in data


async def test_joining_a_session_that_just_filled_up_is_a_conflict(
    services: Services, db: Database
) -> None:
    session = await create(services, capacity=1)
    await services.sessions.join(session.id, GUILD, 201)
    with pytest.raises(Conflict, match="just filled up"):
        async with db.transaction() as tx:
            await rsvps.add(tx, session.id, 202, "going", 0)
    with pytest.raises(sqlite3.IntegrityError):  # anything else is not "full"
        async with db.transaction() as tx:
            await rsvps.add(tx, session.id, 201, "waitlist", 0)


async def test_a_series_started_exactly_a_week_late_books_the_week_after(
    services: Services, clock: FakeClock
) -> None:
    series = await create(services, repeat="weekly")
    clock.set(series.start + timedelta(weeks=1))  # down for exactly one week
    started = await services.sessions.timeline.begin(series.id)
    assert started is not None and started.next is not None
    assert started.next.start == series.start + timedelta(weeks=2)


async def test_a_series_back_from_downtime_keeps_its_wall_time_across_dst(
    services: Services, clock: FakeClock
) -> None:
    await services.preferences.set_timezone(HOST, "Europe/Berlin")
    clock.set(datetime(2026, 10, 12, 12, 0, tzinfo=UTC))
    series = await create(services, repeat="weekly", when="2026-10-13 18:00")  # CEST
    clock.set(datetime(2026, 10, 21, 12, 0, tzinfo=UTC))  # down past the next one
    started = await services.sessions.timeline.begin(series.id)
    assert started is not None and started.next is not None
    assert started.next.start == datetime(2026, 10, 27, 17, 0, tzinfo=UTC)  # 18:00 CET


async def test_forget_effects_are_empty_for_someone_never_forgotten(
    services: Services,
) -> None:
    effects = services.sessions.take_forget_effects(12345)
    assert (effects.session_ids, effects.promoted) == (set(), [])


async def test_suggest_escapes_backslashes_and_underscores_and_lists_25(
    services: Services,
) -> None:
    path = await create(services, title="C:\\temp cleanup")
    snake = await create(services, title="snake_case names")
    suggest = services.sessions.suggest
    assert [s.id for s in await suggest(GUILD, "\\")] == [path.id]
    assert [s.id for s in await suggest(GUILD, "_")] == [snake.id]
    assert await suggest(GUILD, f"X{path.id}") == []
    for day in range(1, 25):
        await create(services, title=f"Session {day}", when=f"2026-12-{day:02d} 18:00")
    assert len(await suggest(GUILD, "")) == 25


async def test_a_start_timer_retried_after_the_end_leaves_the_session_ended(
    services: Services, clock: FakeClock
) -> None:
    session = await create(services)
    clock.set(session.start)
    started = await services.sessions.timeline.begin(session.id)
    assert started is not None and started.session.status == "live"
    clock.set(session.end)
    await services.sessions.timeline.finish(session.id)
    clock.advance(minutes=1)
    again = await services.sessions.timeline.begin(session.id)
    assert again is not None and again.session.status == "ended"
    assert again.session.updated_at == epoch(session.end)


# -- editing, and who gets a freed place ---------------------------------------------------------


async def test_a_mentor_by_role_edits_in_their_own_zone(services: Services) -> None:
    await services.guilds.save(GUILD, mentor_role_id=900)
    await services.preferences.set_timezone(901, "Africa/Lagos")
    session = await create(services)
    mentor = Actor(901, frozenset({900}))
    result = await services.sessions.edit(
        session.id, GUILD, actor=mentor, when="2026-12-03 18:00", description="Bring code"
    )
    assert result.session.start == datetime(2026, 12, 3, 17, 0, tzinfo=UTC)
    assert ("description", None, "Bring code") in [
        (c.field, c.before, c.after) for c in result.changes
    ]


async def test_an_edit_time_is_read_in_the_servers_zone_without_a_personal_one(
    services: Services,
) -> None:
    await services.guilds.save(GUILD, timezone="Asia/Tokyo")
    session = await create(services)
    moved = await services.sessions.edit(
        session.id, GUILD, actor=Actor(HOST), when="2026-12-03 18:00"
    )
    assert moved.session.start == datetime(2026, 12, 3, 9, 0, tzinfo=UTC)


async def test_edit_refusals_say_exactly_why(services: Services, clock: FakeClock) -> None:
    session = await create(services)
    with pytest.raises(PermissionDenied) as refused:
        await services.sessions.edit(session.id, GUILD, actor=Actor(555), title="x")
    assert str(refused.value).startswith(
        f"Only the session's host or a mentor can edit session #{session.id}. "
    )
    with pytest.raises(InvalidInput) as nothing:
        await services.sessions.edit(session.id, GUILD, actor=Actor(HOST))
    assert str(nothing.value) == (
        "Tell me what to change: `title`, `when`, `duration`, `description` or `capacity`."
    )
    with pytest.raises(AlreadyDone) as same:
        await services.sessions.edit(session.id, GUILD, actor=Actor(HOST), title=session.title)
    assert str(same.value) == "That is what the session already says; nothing changed."
    clock.set(session.start)
    await services.sessions.timeline.begin(session.id)
    renamed = await services.sessions.edit(session.id, GUILD, actor=Actor(HOST), title="Live!")
    assert renamed.session.title == "Live!"  # a live session may be renamed
    with pytest.raises(Conflict) as live:
        await services.sessions.edit(session.id, GUILD, actor=Actor(HOST), when="in 2 days")
    assert str(live.value) == f"Session #{session.id} already started; its time can't move now."
    cancelled = await create(services, when="in 3 days")
    await services.sessions.cancel(cancelled.id, GUILD, actor=Actor(HOST), reason="ill")
    with pytest.raises(Conflict) as gone:
        await services.sessions.edit(cancelled.id, GUILD, actor=Actor(HOST), title="x")
    assert str(gone.value) == f"Session #{cancelled.id} was cancelled, so you can't edit it."


async def test_a_bigger_capacity_promotes_only_as_many_waiters_as_places(
    services: Services,
) -> None:
    session = await create(services, capacity=1)
    for user in (201, 202, 203):
        await services.sessions.join(session.id, GUILD, user)
    raised = await services.sessions.edit(session.id, GUILD, actor=Actor(HOST), capacity=2)
    assert [p.user_id for p in raised.promoted] == [202]


async def test_a_waiter_leaving_a_full_session_promotes_nobody(services: Services) -> None:
    session = await create(services, capacity=1)
    for user in (201, 202, 203):
        await services.sessions.join(session.id, GUILD, user)
    left = await services.sessions.leave(session.id, GUILD, 202)
    assert (left.was, left.promoted) == ("waitlist", [])


async def test_without_a_capacity_every_waiter_is_promoted(
    services: Services, db: Database
) -> None:
    session = await create(services, capacity=1)
    for user in (201, 202, 203):
        await services.sessions.join(session.id, GUILD, user)
    async with db.transaction() as tx:
        await tx.execute("UPDATE sessions SET capacity = NULL WHERE id = ?", (session.id,))
        promoted = await rsvps.promote_waiters(tx, session.id, None)
    assert [r.user_id for r in promoted] == [202, 203]


async def test_pages_count_who_is_going_and_waiting(services: Services) -> None:
    session = await create(services, capacity=1)
    for user in (201, 202, 203):
        await services.sessions.join(session.id, GUILD, user)
    [summary], _ = await services.sessions.upcoming(GUILD)
    assert (summary.going, summary.waiting) == (1, 2)


async def test_offsets_are_stored_for_their_own_server(services: Services, db: Database) -> None:
    guild = 4321  # not 1: a NULL key would become rowid 1
    assert await services.sessions.set_offsets(guild, "3h") == [timedelta(hours=3)]
    assert await session_prefs.get_offsets(db.reader, guild) == [10800]
    assert await session_prefs.get_offsets(db.reader, 1) is None


async def test_cancelling_checks_who_and_when_and_bumps_the_card(
    services: Services,
) -> None:
    await services.guilds.save(GUILD, mentor_role_id=900)
    session = await create(services)
    with pytest.raises(PermissionDenied) as refused:
        await services.sessions.cancel(session.id, GUILD, actor=Actor(555))
    assert str(refused.value).startswith(
        f"Only the session's host or a mentor can cancel session #{session.id}. "
    )
    with pytest.raises(InvalidInput) as long:
        await services.sessions.cancel(session.id, GUILD, actor=Actor(HOST), reason="r" * 501)
    assert (
        str(long.value)
        == "The reason is 501 characters; the limit is 500. Shorten it and try again."
    )
    cancelled = await services.sessions.cancel(
        session.id, GUILD, actor=Actor(901, frozenset({900})), reason="ill"
    )
    assert (cancelled.status, cancelled.sequence) == ("cancelled", session.sequence + 1)
    with pytest.raises(Conflict) as again:
        await services.sessions.cancel(session.id, GUILD, actor=Actor(HOST))
    assert str(again.value) == f"Session #{session.id} was cancelled, so you can't cancel it."


async def test_a_live_session_cannot_be_cancelled(services: Services, clock: FakeClock) -> None:
    session = await create(services)
    clock.set(session.start)
    await services.sessions.timeline.begin(session.id)
    with pytest.raises(Conflict) as live:
        await services.sessions.cancel(session.id, GUILD, actor=Actor(HOST))
    assert str(live.value) == (
        f"Session #{session.id} is under way; it ends by itself at its end time."
    )


async def test_joining_says_where_one_stands_and_whether_already_in(
    services: Services, db: Database
) -> None:
    session = await create(services, capacity=1)
    first = await services.sessions.join(session.id, GUILD, 201)
    assert (first.session.id, first.status, first.place_in_line, first.already) == (
        session.id,
        "going",
        None,
        False,
    )
    await services.sessions.join(session.id, GUILD, 202)
    waiting = await services.sessions.join(session.id, GUILD, 203)
    assert (waiting.status, waiting.place_in_line, waiting.already) == ("waitlist", 2, False)
    again = await services.sessions.join(session.id, GUILD, 203)
    assert (again.session.id, again.status, again.place_in_line, again.already) == (
        session.id,
        "waitlist",
        2,
        True,
    )
    async with db.transaction() as tx:
        added = await rsvps.add(tx, session.id, 204, "waitlist", 77)
    assert (added.user_id, added.joined_at) == (204, 77) and added.id > 0
    with pytest.raises(Conflict) as full:
        async with db.transaction() as tx:
            await rsvps.add(tx, session.id, 205, "going", 0)
    assert str(full.value) == "That session just filled up. Try again to join the waitlist."


async def test_only_the_host_or_a_mentor_manages_and_they_are_told_how_to_suggest(
    services: Services,
) -> None:
    session = await create(services)
    with pytest.raises(PermissionDenied) as refused:
        await services.sessions.edit(session.id, GUILD, actor=Actor(555), title="x")
    assert str(refused.value) == (
        f"Only the session's host or a mentor can edit session #{session.id}. "
        "Ask them, or join the session's thread to suggest it."
    )


async def test_a_capacity_below_those_going_is_refused_in_full(services: Services) -> None:
    session = await create(services, capacity=3)
    for user in (201, 202):
        await services.sessions.join(session.id, GUILD, user)
    with pytest.raises(Conflict) as refused:
        await services.sessions.edit(session.id, GUILD, actor=Actor(HOST), capacity=1)
    assert str(refused.value) == (
        "More people are already going than that capacity allows. "
        "Pick a capacity at least as large as the number going."
    )


async def test_topic_and_description_refusals_name_the_field(services: Services) -> None:
    with pytest.raises(InvalidInput) as topic:
        await create(services, topic="t" * 101)
    assert str(topic.value).startswith("The topic is 101 characters; the limit is 100.")
    session = await create(services)
    with pytest.raises(InvalidInput) as description:
        await services.sessions.edit(session.id, GUILD, actor=Actor(HOST), description="d" * 5000)
    assert str(description.value).startswith("The description is 5,000 characters; the limit")


async def test_duration_and_capacity_limits_are_inclusive(services: Services) -> None:
    from bot.services.sessions.rules import (
        CAPACITY_MAX,
        DURATION_MAX,
        DURATION_MIN,
        check_capacity,
        check_duration,
        check_repeat,
    )

    assert check_duration(DURATION_MIN) == DURATION_MIN
    assert check_duration(DURATION_MAX) == DURATION_MAX
    assert check_capacity(CAPACITY_MAX) == CAPACITY_MAX
    with pytest.raises(InvalidInput) as none_left:
        check_capacity(0)
    assert str(none_left.value) == (
        f"A capacity of 0 leaves no places. Give 1 to {CAPACITY_MAX}, "
        "or leave `capacity` out for no limit."
    )
    with pytest.raises(InvalidInput, match=r"^`repeat` is `none`, `daily` or `weekly`\.$"):
        check_repeat("monthly")
    with pytest.raises(InvalidInput) as title:
        await create(services, title="")
    assert str(title.value).startswith("The title is empty")


async def test_a_promotion_carries_the_rsvp_that_got_the_place(services: Services) -> None:
    session = await create(services, capacity=1)
    for user in (201, 202):
        await services.sessions.join(session.id, GUILD, user)
    left = await services.sessions.leave(session.id, GUILD, 201)
    [promotion] = left.promoted
    roster_ids = await services.db.reader.execute_fetchall(
        "SELECT id FROM session_rsvps WHERE session_id = ? AND user_id = 202", (session.id,)
    )
    assert promotion.rsvp_id == next(iter(roster_ids))[0]


async def test_a_session_time_is_read_in_the_servers_zone_and_missing_ones_say_so(
    services: Services,
) -> None:
    await services.guilds.save(GUILD, timezone="Asia/Tokyo")
    session = await create(services, when="2026-12-01 18:00")
    assert session.start == datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    with pytest.raises(NotFound) as missing:
        await services.sessions.get(99_999, GUILD)
    assert str(missing.value).endswith("`/session list` shows the upcoming ones.")
