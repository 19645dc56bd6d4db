"""Study sessions, service and repository level: real SQLite, a fake clock."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest

from bot.db import sql
from bot.db import timers as timer_rows
from bot.db.database import Database
from bot.db.timers import Timer
from bot.errors import AlreadyDone, Conflict, InvalidInput, NotFound, PermissionDenied
from bot.scheduling import TimerMissed
from bot.services.access import Actor
from bot.services.container import Services
from bot.services.sessions.rules import KIND_END, KIND_REMINDER, KIND_START
from bot.time.clock import FakeClock

GUILD, OTHER_GUILD = 1, 2
HOST, ADA, BOLA, CHIDI, DAYO, MENTOR = 100, 101, 102, 103, 104, 900


async def create(services: Services, **overrides: object):
    values: dict[str, object] = {
        "guild_id": GUILD,
        "host_id": HOST,
        "title": "Django ORM clinic",
        "when": "2026-11-30 18:00",
        "topic": "django",
    }
    values.update(overrides)
    return await services.sessions.create(**values)  # type: ignore[arg-type]


async def live_timers(db: Database, kind: str, session_id: int) -> list[Timer]:
    return await timer_rows.for_subject(db.reader, kind, session_id)


async def test_create_reads_the_hosts_zone_and_books_timers(
    services: Services, db: Database, fired: dict[str, list[Timer]]
) -> None:
    await services.preferences.set_timezone(HOST, "Africa/Lagos")  # UTC+1
    session = await create(services, capacity=10, description="Bring your models.")
    assert session.start == datetime(2026, 11, 30, 17, 0, tzinfo=UTC)
    assert (session.zone, session.duration_min, session.capacity) == ("Africa/Lagos", 60, 10)
    reminders = await live_timers(db, KIND_REMINDER, session.id)
    assert [t.due for t in reminders] == [
        session.start - timedelta(days=1),
        session.start - timedelta(minutes=15),
    ]
    assert [t.due for t in await live_timers(db, KIND_START, session.id)] == [session.start]
    assert [t.due for t in await live_timers(db, KIND_END, session.id)] == [session.end]


async def test_offsets_too_late_for_a_soon_session_are_skipped(
    services: Services, db: Database, fired: dict[str, list[Timer]]
) -> None:
    session = await create(services, when="in 2 hours")
    reminders = await live_timers(db, KIND_REMINDER, session.id)
    assert [t.payload["offset"] for t in reminders] == [900]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"when": "2020-01-01 10:00"}, "not in the future"),
        ({"when": "2028-06-01 18:00"}, "too far ahead"),
        ({"title": "x" * 101}, "limit is 100"),
        ({"title": "   "}, "empty"),
        ({"topic": "t" * 101}, "limit is 100"),
        ({"description": "d" * 1001}, "limit is 1,000"),
        ({"capacity": 0}, "capacity of 0 leaves no places"),
        ({"capacity": 501}, "at most 500"),
        ({"duration": 4}, "5 to 720 minutes"),
        ({"duration": 721}, "5 to 720 minutes"),
        ({"repeat": "hourly"}, "`repeat` is"),
    ],
)
async def test_create_refusals_store_nothing(
    services: Services, fired: dict[str, list[Timer]], overrides: dict[str, object], message: str
) -> None:
    with pytest.raises(InvalidInput, match=message):
        await create(services, **overrides)
    assert (await services.sessions.upcoming(GUILD))[1] == 0


async def test_join_until_full_then_waitlist_in_order(
    services: Services, fired: dict[str, list[Timer]]
) -> None:
    session = await create(services, capacity=2)
    sessions = services.sessions
    assert (await sessions.join(session.id, GUILD, ADA)).status == "going"
    assert (await sessions.join(session.id, GUILD, BOLA)).status == "going"
    chidi = await sessions.join(session.id, GUILD, CHIDI)
    dayo = await sessions.join(session.id, GUILD, DAYO)
    assert (chidi.status, chidi.place_in_line, dayo.place_in_line) == ("waitlist", 1, 2)
    again = await sessions.join(session.id, GUILD, ADA)
    assert again.already and again.status == "going"
    roster = await sessions.roster(session.id)
    assert (roster.going, roster.waitlist) == ([ADA, BOLA], [CHIDI, DAYO])


async def test_leave_gives_the_place_to_the_first_waiter(
    services: Services, fired: dict[str, list[Timer]]
) -> None:
    session = await create(services, capacity=1)
    sessions = services.sessions
    for user in (ADA, BOLA, CHIDI):
        await sessions.join(session.id, GUILD, user)
    waiter_left = await sessions.leave(session.id, GUILD, CHIDI)
    assert (waiter_left.was, waiter_left.promoted) == ("waitlist", [])
    await sessions.join(session.id, GUILD, CHIDI)  # back of the line
    left = await sessions.leave(session.id, GUILD, ADA)
    assert left.was == "going"
    assert [p.user_id for p in left.promoted] == [BOLA]
    roster = await sessions.roster(session.id)
    assert (roster.going, roster.waitlist) == ([BOLA], [CHIDI])
    with pytest.raises(Conflict, match="nothing to leave"):
        await sessions.leave(session.id, GUILD, ADA)


async def test_two_joins_for_the_last_place_never_both_get_it(
    services: Services, fired: dict[str, list[Timer]]
) -> None:
    session = await create(services, capacity=2)
    await services.sessions.join(session.id, GUILD, ADA)
    results = await asyncio.gather(
        services.sessions.join(session.id, GUILD, BOLA),
        services.sessions.join(session.id, GUILD, CHIDI),
    )
    assert sorted(r.status for r in results) == ["going", "waitlist"]
    assert len((await services.sessions.roster(session.id)).going) == 2


async def test_the_database_refuses_over_capacity_even_if_code_forgets(
    services: Services, db: Database, fired: dict[str, list[Timer]]
) -> None:
    session = await create(services, capacity=1)
    await services.sessions.join(session.id, GUILD, ADA)
    with pytest.raises(sqlite3.IntegrityError, match="session full"):
        async with db.transaction() as tx:
            await sql.execute(
                tx,
                "INSERT INTO session_rsvps (session_id, user_id, status, position, joined_at)"
                " VALUES (?, ?, 'going', 9, 0)",
                (session.id, BOLA),
            )
    await services.sessions.join(session.id, GUILD, BOLA)  # waitlist
    with pytest.raises(sqlite3.IntegrityError, match="session full"):
        async with db.transaction() as tx:
            await sql.execute(
                tx, "UPDATE session_rsvps SET status = 'going' WHERE user_id = ?", (BOLA,)
            )


async def test_sessions_of_another_server_are_not_found(
    services: Services, fired: dict[str, list[Timer]]
) -> None:
    session = await create(services)
    with pytest.raises(NotFound, match="no session"):
        await services.sessions.join(session.id, OTHER_GUILD, ADA)


async def test_edit_by_host_or_mentor_only_and_lists_changes(
    services: Services, db: Database, fired: dict[str, list[Timer]]
) -> None:
    session = await create(services)
    with pytest.raises(PermissionDenied, match="host or a mentor"):
        await services.sessions.edit(session.id, GUILD, actor=Actor(ADA), title="x")
    result = await services.sessions.edit(
        session.id, GUILD, actor=Actor(HOST), title="ORM deep dive", duration=90
    )
    assert [(c.field, c.before, c.after) for c in result.changes] == [
        ("title", "Django ORM clinic", "ORM deep dive"),
        ("duration", 60, 90),
    ]
    assert result.session.sequence == 1
    assert [t.due for t in await live_timers(db, KIND_END, session.id)] == [
        session.start + timedelta(minutes=90)
    ]
    moved = await services.sessions.edit(
        session.id, GUILD, actor=Actor(MENTOR, is_admin=True), when="2026-12-01 18:00"
    )
    new_start = datetime(2026, 12, 1, 18, 0, tzinfo=UTC)
    assert moved.changes[0].after == new_start
    reminders = await live_timers(db, KIND_REMINDER, session.id)
    assert [t.due for t in reminders] == [
        new_start - timedelta(days=1),
        new_start - timedelta(minutes=15),
    ]
    with pytest.raises(AlreadyDone, match="nothing changed"):
        await services.sessions.edit(session.id, GUILD, actor=Actor(HOST), title="ORM deep dive")


async def test_capacity_edits_promote_or_are_refused(
    services: Services, fired: dict[str, list[Timer]]
) -> None:
    session = await create(services, capacity=1)
    for user in (ADA, BOLA, CHIDI):
        await services.sessions.join(session.id, GUILD, user)
    with pytest.raises(InvalidInput, match="capacity of 0"):
        await services.sessions.edit(session.id, GUILD, actor=Actor(HOST), capacity=0)
    raised = await services.sessions.edit(session.id, GUILD, actor=Actor(HOST), capacity=3)
    assert [p.user_id for p in raised.promoted] == [BOLA, CHIDI]
    with pytest.raises(Conflict, match="already going"):
        await services.sessions.edit(session.id, GUILD, actor=Actor(HOST), capacity=2)


async def test_cancel_drops_timers_and_closes_the_session(
    services: Services, db: Database, fired: dict[str, list[Timer]]
) -> None:
    session = await create(services)
    with pytest.raises(PermissionDenied):
        await services.sessions.cancel(session.id, GUILD, actor=Actor(ADA))
    cancelled = await services.sessions.cancel(
        session.id, GUILD, actor=Actor(HOST), reason="host is ill"
    )
    assert (cancelled.status, cancelled.cancel_reason) == ("cancelled", "host is ill")
    for kind in (KIND_REMINDER, KIND_START, KIND_END):
        assert await live_timers(db, kind, session.id) == []
    with pytest.raises(Conflict, match="cancelled"):
        await services.sessions.join(session.id, GUILD, ADA)
    assert (await services.sessions.upcoming(GUILD))[1] == 0


async def test_reminder_plan_splits_by_choice_and_never_after_start(
    services: Services, clock: FakeClock, fired: dict[str, list[Timer]]
) -> None:
    session = await create(services)
    for user in (ADA, BOLA, CHIDI):
        await services.sessions.join(session.id, GUILD, user)
    await services.sessions.set_notify(BOLA, "dm")
    await services.sessions.set_notify(CHIDI, "off")
    timeline = services.sessions.timeline
    timer = (await live_timers(services.sessions._db, KIND_REMINDER, session.id))[1]
    plan = await timeline.reminder_plan(timer)
    assert (plan.audience.mention, plan.audience.dm, plan.offset) == (
        [HOST, ADA],  # the host is reminded like any attendee
        [BOLA],
        timedelta(minutes=15),
    )
    clock.set(session.start)
    with pytest.raises(TimerMissed):
        await timeline.reminder_plan(timer)


async def test_timers_fire_in_order_and_a_late_reminder_is_missed(
    services: Services, clock: FakeClock, fired: dict[str, list[Timer]]
) -> None:
    session = await create(services)
    await services.sessions.join(session.id, GUILD, ADA)
    clock.set(session.start - timedelta(days=1))
    await services.scheduler.run_due()
    assert len(fired[KIND_REMINDER]) == 1
    clock.set(session.start + timedelta(minutes=1))  # the bot was down at the 15 m mark
    await services.scheduler.run_due()
    assert len(fired[KIND_REMINDER]) == 1  # missed, not sent stale
    assert (await services.sessions.find(session.id)).status == "live"  # type: ignore[union-attr]
    clock.set(session.end)
    await services.scheduler.run_due()
    assert (await services.sessions.find(session.id)).status == "ended"  # type: ignore[union-attr]
    # Over: nobody joins or leaves it any more, and the roster stays as it was.
    with pytest.raises(Conflict, match="is over, so you can't join it"):
        await services.sessions.join(session.id, GUILD, BOLA)
    with pytest.raises(Conflict, match="is over, so you can't leave it"):
        await services.sessions.leave(session.id, GUILD, ADA)
    assert (await services.sessions.roster(session.id)).going == [ADA]


async def test_weekly_series_keeps_its_local_time_across_dst(
    services: Services, clock: FakeClock, fired: dict[str, list[Timer]]
) -> None:
    await services.preferences.set_timezone(HOST, "Europe/London")
    clock.set(datetime(2027, 3, 20, 12, 0, tzinfo=UTC))
    first = await create(services, when="2027-03-22 18:00", repeat="weekly", capacity=5)
    assert first.start == datetime(2027, 3, 22, 18, 0, tzinfo=UTC)  # GMT
    await services.sessions.join(first.id, GUILD, ADA)
    clock.set(first.start)
    await services.scheduler.run_due()
    second = await services.sessions.next_in_series(first.id)
    assert second is not None
    assert second.start == datetime(2027, 3, 29, 17, 0, tzinfo=UTC)  # 18:00 BST
    assert second.start.astimezone(ZoneInfo("Europe/London")).hour == 18
    assert (await services.sessions.roster(second.id)).going == [ADA]
    again = await services.sessions.timeline.begin(first.id)  # a retried start
    assert again is not None and again.next is not None and again.next.id == second.id


async def test_a_series_down_for_days_resumes_ahead(
    services: Services, clock: FakeClock, fired: dict[str, list[Timer]]
) -> None:
    first = await create(services, when="2026-11-28 18:00", repeat="daily")
    clock.set(first.start + timedelta(days=3, hours=1))
    result = await services.sessions.timeline.begin(first.id)
    assert result is not None and result.next is not None
    assert result.next.start == first.start + timedelta(days=4)


async def test_server_offsets_rebook_pending_reminders(
    services: Services, db: Database, fired: dict[str, list[Timer]]
) -> None:
    session = await create(services)
    offsets = await services.sessions.set_offsets(GUILD, "1h, 10m, 1d")
    assert offsets == [timedelta(days=1), timedelta(hours=1), timedelta(minutes=10)]
    dues = [t.due for t in await live_timers(db, KIND_REMINDER, session.id)]
    assert dues == [session.start - o for o in offsets]
    await services.sessions.set_offsets(GUILD, "off")
    assert await live_timers(db, KIND_REMINDER, session.id) == []
    with pytest.raises(InvalidInput):
        await services.sessions.set_offsets(GUILD, "2 weeks")


async def test_list_mine_and_suggest(services: Services, fired: dict[str, list[Timer]]) -> None:
    a = await create(services, title="Django ORM clinic", when="2026-12-02 18:00")
    b = await create(services, title="GraphQL basics", when="2026-11-29 18:00", topic="graphql")
    await services.sessions.join(a.id, GUILD, ADA)
    page, total = await services.sessions.upcoming(GUILD)
    assert ([s.session.id for s in page], total) == ([b.id, a.id], 2)
    assert page[1].going == 1
    mine, count = await services.sessions.upcoming(GUILD, user_id=ADA)
    assert ([s.session.id for s in mine], count) == ([a.id], 1)
    assert [s.id for s in await services.sessions.suggest(GUILD, "graph")] == [b.id]
    assert [s.id for s in await services.sessions.suggest(GUILD, f"#{a.id}")] == [a.id]
    assert await services.sessions.suggest(GUILD, "100%_") == []


async def test_export_parses_back_with_zones_uids_and_status(
    services: Services, fired: dict[str, list[Timer]]
) -> None:
    await services.preferences.set_timezone(HOST, "America/New_York")
    a = await create(services, when="2026-12-02 18:00", description="Line one\nLine two")
    b = await create(services, title="Cancelled one", when="2026-12-03 09:30")
    await create(services, title="Not mine", when="2026-12-04 09:30", host_id=DAYO)
    for session in (a, b):
        await services.sessions.join(session.id, GUILD, ADA)
    await services.sessions.edit(a.id, GUILD, actor=Actor(HOST), title="Renamed")
    await services.sessions.cancel(b.id, GUILD, actor=Actor(HOST))
    data, count = await services.sessions.export(GUILD, ADA)
    assert count == 2
    calendar = icalendar.Calendar.from_ical(data)
    events = {str(e["UID"]): e for e in calendar.walk("VEVENT")}
    assert set(events) == {f"session-{a.id}@nexus", f"session-{b.id}@nexus"}
    first = events[f"session-{a.id}@nexus"]
    assert str(first["SUMMARY"]) == "Renamed"
    assert int(first["SEQUENCE"]) == 1
    start = first.decoded("DTSTART")
    assert start == datetime(2026, 12, 2, 18, 0, tzinfo=ZoneInfo("America/New_York"))
    assert first["DTSTART"].params["TZID"] == "America/New_York"
    assert first.decoded("DTEND") - start == timedelta(minutes=60)
    assert "Line two" in str(first["DESCRIPTION"])
    assert str(events[f"session-{b.id}@nexus"]["STATUS"]) == "CANCELLED"
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["America/New_York"]


async def test_forget_me_frees_places_and_anonymises_hosting(
    services: Services, fired: dict[str, list[Timer]]
) -> None:
    session = await create(services, capacity=1, host_id=ADA)
    await services.sessions.join(session.id, GUILD, CHIDI)
    other = await create(services, title="GraphQL basics", capacity=1)
    await services.sessions.join(other.id, GUILD, ADA)
    await services.sessions.join(other.id, GUILD, BOLA)
    await services.sessions.set_notify(ADA, "dm")
    held = await services.privacy.inventory(ADA)
    assert held == {
        "session RSVPs": 1,
        "session reminder choice": 1,
        "sessions you host (kept for attendees, your name removed)": 1,
    }
    await services.privacy.forget(ADA)
    assert await services.privacy.inventory(ADA) == {}
    kept = await services.sessions.find(session.id)
    assert kept is not None and kept.host_id is None and kept.status == "scheduled"
    assert (await services.sessions.roster(session.id)).going == [CHIDI]
    assert (await services.sessions.roster(other.id)).going == [BOLA]
    effects = services.sessions.take_forget_effects(ADA)
    assert effects.session_ids == {session.id, other.id}
    assert [p.user_id for p in effects.promoted] == [BOLA]
    # A host-less session is still managed by mentors, not by anyone.
    with pytest.raises(PermissionDenied):
        await services.sessions.edit(session.id, GUILD, actor=Actor(ADA), title="x")


async def test_after_a_downtime_only_the_latest_reminder_is_sent(
    services: Services, clock: FakeClock, fired: dict[str, list[Timer]]
) -> None:
    session = await create(services)
    clock.set(session.start - timedelta(minutes=10))  # down through both reminder times
    await services.scheduler.run_due()
    assert [t.payload["offset"] for t in fired[KIND_REMINDER]] == [900]
