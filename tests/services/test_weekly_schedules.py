"""A server's weekly timers, pairing rounds and the digest, on a real database with a
fake clock: typed in the server's zone, one pending timer per server, the next slot
booked after each run (skipping weeks missed while down), and ``off``."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.db import announcements as digest_repo
from bot.db import pairs, timers
from bot.db.database import Database
from bot.errors import InvalidInput
from bot.services.announcements.digest import KIND_DIGEST, DigestService
from bot.services.container import Services
from bot.services.pairing.terms import KIND_ROUND
from bot.services.setup_check import describe
from bot.services.weekly import WeeklySlot
from bot.time.clock import FakeClock, epoch

GUILD, OTHER_GUILD = 1, 2
NOW = datetime(2026, 11, 28, 10, 0, tzinfo=UTC)  # the conftest clock: a Saturday
MONDAY_10_BERLIN = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


def digest(services: Services) -> DigestService:
    return DigestService(services.db, services.clock, services.guilds, services.scheduler)


async def pending(db: Database, kind: str, guild_id: int = GUILD) -> list[int]:
    return [t.due_at for t in await timers.for_subject(db.reader, kind, guild_id)]


async def test_rounds_are_scheduled_in_the_servers_zone_with_one_timer(
    services: Services, db: Database
) -> None:
    await services.guilds.save(GUILD, timezone="Europe/Berlin")
    slot = await services.pairing.rounds.set_schedule(GUILD, "weekly mon 10:00")
    assert slot == WeeklySlot(0, 600, "Europe/Berlin", MONDAY_10_BERLIN)
    assert await pending(db, KIND_ROUND) == [epoch(MONDAY_10_BERLIN)]
    stored = await pairs.get_schedule(db.reader, GUILD)
    assert stored is not None
    assert (stored.weekday, stored.at_minute, stored.zone) == (0, 600, "Europe/Berlin")
    [timer] = await timers.for_subject(db.reader, KIND_ROUND, GUILD)
    assert stored.timer_id == timer.id

    slot = await services.pairing.rounds.set_schedule(GUILD, "fri 18:30")  # replaces it
    friday = datetime(2026, 12, 4, 17, 30, tzinfo=UTC)
    assert slot == WeeklySlot(4, 18 * 60 + 30, "Europe/Berlin", friday)
    assert await pending(db, KIND_ROUND) == [epoch(friday)]


async def test_rounds_off_clears_the_schedule_and_its_timer(
    services: Services, db: Database
) -> None:
    await services.pairing.rounds.set_schedule(GUILD, "mon 10:00")
    await services.pairing.rounds.set_schedule(OTHER_GUILD, "mon 10:00")
    assert await services.pairing.rounds.set_schedule(GUILD, "off") is None
    assert await pairs.get_schedule(db.reader, GUILD) is None
    assert await pending(db, KIND_ROUND) == []
    assert len(await pending(db, KIND_ROUND, OTHER_GUILD)) == 1
    with pytest.raises(InvalidInput):
        await services.pairing.rounds.set_schedule(GUILD, "sometimes")


async def test_after_a_round_the_next_slot_is_a_week_on_in_wall_time(
    services: Services, db: Database, clock: FakeClock
) -> None:
    """Across the end of summer time (25 Oct 2026 in Berlin) 10:00 stays 10:00."""
    await services.guilds.save(GUILD, timezone="Europe/Berlin")
    clock.set(datetime(2026, 10, 17, 12, 0, tzinfo=UTC))
    slot = await services.pairing.rounds.set_schedule(GUILD, "mon 10:00")
    assert slot is not None and slot.next_at == datetime(2026, 10, 19, 8, 0, tzinfo=UTC)
    [timer] = await timers.for_subject(db.reader, KIND_ROUND, GUILD)
    clock.set(slot.next_at + timedelta(seconds=2))
    await services.pairing.rounds.book_next(GUILD, timer)
    after_dst = datetime(2026, 10, 26, 9, 0, tzinfo=UTC)
    assert await pending(db, KIND_ROUND) == [epoch(after_dst)]
    stored = await pairs.get_schedule(db.reader, GUILD)
    [booked] = await timers.for_subject(db.reader, KIND_ROUND, GUILD)
    assert stored is not None and stored.timer_id == booked.id


async def test_a_round_run_after_downtime_skips_the_weeks_missed(
    services: Services, db: Database, clock: FakeClock
) -> None:
    slot = await services.pairing.rounds.set_schedule(GUILD, "mon 10:00")
    assert slot is not None
    [timer] = await timers.for_subject(db.reader, KIND_ROUND, GUILD)
    clock.set(slot.next_at + timedelta(days=8))  # down for over a week
    await services.pairing.rounds.book_next(GUILD, timer)
    assert await pending(db, KIND_ROUND) == [epoch(slot.next_at + timedelta(days=14))]


async def test_a_round_with_no_schedule_books_nothing(services: Services, db: Database) -> None:
    slot = await services.pairing.rounds.set_schedule(GUILD, "mon 10:00")
    assert slot is not None
    [timer] = await timers.for_subject(db.reader, KIND_ROUND, GUILD)
    await services.pairing.rounds.set_schedule(GUILD, "off")
    await services.pairing.rounds.book_next(GUILD, timer)
    assert await pending(db, KIND_ROUND) == []


async def test_a_retried_round_timer_finds_its_round_instead_of_planning_another(
    services: Services, db: Database
) -> None:
    for user, track in ((201, "frontend"), (202, "backend"), (203, "backend")):
        await services.pairing.save_profile(GUILD, user, track=track, skills="python")
    first = await services.pairing.rounds.plan(GUILD, started_by=None, timer_id=77)
    assert first.learners == 3
    assert [sorted(p.members) for p in first.pairs] == [[201, 202, 203]]  # a trio
    again = await services.pairing.rounds.plan(GUILD, started_by=None, timer_id=77)
    assert (again.round_id, again.learners, again.total_score) == (
        first.round_id,
        first.learners,
        first.total_score,
    )
    assert (again.shuffle_score, again.unpaired) == (first.shuffle_score, first.unpaired)
    assert again.greedy_score == first.total_score
    assert [p.id for p in again.pairs] == [p.id for p in first.pairs]
    assert await services.pairing.rounds.unfinished(GUILD) == [first.round_id]
    await services.pairing.rounds.finish(first.round_id)
    assert await services.pairing.rounds.unfinished(GUILD) == []


async def test_a_round_counts_only_who_took_part(services: Services) -> None:
    for user in (201, 202, 203, 204):
        await services.pairing.save_profile(GUILD, user, track="backend", skills="python")
    await services.pairing.save_profile(GUILD, 205, track="backend", skills="x", available=False)
    await services.pairing.snooze(GUILD, 204, "in 2 days")
    report = await services.pairing.rounds.plan(GUILD, started_by=201)
    assert report.learners == 3  # the snoozed and the unavailable sat out
    assert sorted(report.unpaired) == [(204, "snoozed"), (205, "not available")]
    again = await services.pairing.rounds.plan(GUILD, started_by=201)
    assert again.learners == 0  # everyone else now has a partner
    assert {reason for _, reason in again.unpaired} == {"has a partner", "snoozed", "not available"}


async def test_the_digest_is_scheduled_in_the_servers_zone(
    services: Services, db: Database
) -> None:
    await services.guilds.save(GUILD, timezone="Europe/Berlin")
    slot = await digest(services).set_digest(GUILD, "mon 10:00")
    assert slot == WeeklySlot(0, 600, "Europe/Berlin", MONDAY_10_BERLIN)
    assert await digest_repo.digest_schedule(db.reader, GUILD) == (0, 600, "Europe/Berlin")
    assert await pending(db, KIND_DIGEST) == [epoch(MONDAY_10_BERLIN)]
    await digest(services).set_digest(GUILD, "tue 09:15")
    assert await digest_repo.digest_schedule(db.reader, GUILD) == (1, 555, "Europe/Berlin")
    assert await pending(db, KIND_DIGEST) == [epoch(datetime(2026, 12, 1, 8, 15, tzinfo=UTC))]
    assert await digest(services).set_digest(GUILD, "off") is None
    assert await digest_repo.digest_schedule(db.reader, GUILD) is None
    assert await pending(db, KIND_DIGEST) == []


async def test_after_a_digest_the_next_is_a_week_on_or_after_downtime(
    services: Services, db: Database, clock: FakeClock
) -> None:
    await digest(services).book_next_digest(GUILD, NOW)  # no schedule: nothing
    assert await pending(db, KIND_DIGEST) == []
    slot = await digest(services).set_digest(GUILD, "mon 10:00")
    assert slot is not None
    clock.set(slot.next_at + timedelta(seconds=1))
    await digest(services).book_next_digest(GUILD, slot.next_at)
    assert await pending(db, KIND_DIGEST) == [epoch(slot.next_at + timedelta(days=7))]
    clock.set(slot.next_at + timedelta(days=9))
    await digest(services).book_next_digest(GUILD, slot.next_at)
    assert await pending(db, KIND_DIGEST) == [epoch(slot.next_at + timedelta(days=14))]


def test_setup_check_names_each_permission_and_why() -> None:
    assert describe("manage_events") == (
        "Manage Events (mirror sessions as Discord scheduled events)"
    )
    assert describe("use_voice_activation") == "Use Voice Activation"


# -- who a round may pair -------------------------------------------------------------------------


async def learners(services: Services, *users: int) -> None:
    for user in users:
        await services.pairing.save_profile(GUILD, user, track="backend", skills="python")


async def pairs_of(services: Services) -> list[list[int]]:
    report = await services.pairing.rounds.plan(GUILD, started_by=None)
    return sorted(sorted(pair.members) for pair in report.pairs)


async def test_a_round_never_repairs_an_ended_partnership_but_pairs_the_others(
    services: Services,
) -> None:
    await learners(services, 201, 202, 203, 204)
    for a, b in ((201, 202), (203, 204)):
        request = await services.pairing.request(GUILD, a, b, None)
        await services.pairing.answer(request.id, b, accept=True)
        await services.pairing.end(GUILD, a, b)
    found = await pairs_of(services)
    assert len(found) == 2
    assert [201, 202] not in found and [203, 204] not in found


async def test_a_decline_keeps_two_apart_for_twelve_weeks(
    services: Services, clock: FakeClock
) -> None:
    await learners(services, 201, 202)
    request = await services.pairing.request(GUILD, 201, 202, None)
    await services.pairing.answer(request.id, 202, accept=False)
    clock.advance(weeks=12)  # exactly twelve weeks: still apart
    assert await pairs_of(services) == []
    clock.advance(seconds=1)
    assert await pairs_of(services) == [[201, 202]]
