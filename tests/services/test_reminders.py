from __future__ import annotations

from datetime import timedelta

import pytest

from bot.db.timers import Timer
from bot.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from bot.scheduling import TimerKind
from bot.services.container import Services
from bot.services.reminders import KIND, MAX_PENDING
from bot.time.clock import FakeClock

USER, OTHER, GUILD, CHANNEL = 101, 202, 1, 10


@pytest.fixture
def fired(services: Services) -> list[Timer]:
    seen: list[Timer] = []

    async def handler(timer: Timer) -> None:
        seen.append(timer)

    services.scheduler.register(KIND, TimerKind(handler=handler))
    return seen


async def create(
    services: Services, when: str = "in 2 hours", what: str = "review PR", user: int = USER
):
    return await services.reminders.create(
        user_id=user, guild_id=GUILD, channel_id=CHANNEL, when=when, what=what
    )


async def test_create_list_and_fire(
    services: Services, clock: FakeClock, fired: list[Timer]
) -> None:
    reminder = await create(services)
    assert reminder.due == clock.now() + timedelta(hours=2)
    assert [r.id for r in await services.reminders.pending(USER)] == [reminder.id]
    clock.advance(hours=2)
    await services.scheduler.run_due()
    assert [t.subject_id for t in fired] == [reminder.id]
    assert await services.reminders.pending(USER) == []


async def test_duration_form(services: Services, clock: FakeClock, fired: list[Timer]) -> None:
    reminder = await create(services, when="2h30m")
    assert reminder.due == clock.now() + timedelta(hours=2, minutes=30)


async def test_times_read_in_the_users_zone(
    services: Services, clock: FakeClock, fired: list[Timer]
) -> None:
    await services.preferences.set_timezone(USER, "lagos")  # UTC+1
    reminder = await create(services, when="2026-11-28 18:00")
    assert reminder.due.hour == 17


@pytest.mark.parametrize("when", ["yesterday", "blursday", "", "2020-01-01 10:00", "in 3 years"])
async def test_bad_times_create_nothing(services: Services, fired: list[Timer], when: str) -> None:
    with pytest.raises(InvalidInput):
        await create(services, when=when)
    assert await services.reminders.pending(USER) == []


@pytest.mark.parametrize("what", ["", "   ", "x" * 5000])
async def test_bad_text_creates_nothing(services: Services, fired: list[Timer], what: str) -> None:
    with pytest.raises(InvalidInput):
        await create(services, what=what)
    assert await services.reminders.pending(USER) == []


async def test_at_most_25_pending(services: Services, fired: list[Timer]) -> None:
    for i in range(MAX_PENDING):
        await create(services, when=f"in {i + 1} hours")
    with pytest.raises(Conflict, match="25 pending"):
        await create(services)
    assert len(await services.reminders.pending(USER)) == MAX_PENDING
    await create(services, user=OTHER)  # the limit is per user


async def test_cancel_only_your_own(
    services: Services, clock: FakeClock, fired: list[Timer]
) -> None:
    reminder = await create(services)
    with pytest.raises(NotFound):
        await services.reminders.cancel(OTHER, reminder.number)
    await services.reminders.cancel(USER, reminder.number)
    with pytest.raises(NotFound):
        await services.reminders.cancel(USER, reminder.number)
    clock.advance(hours=3)
    assert await services.scheduler.run_due() == 0
    assert fired == []


async def test_forget_me_cancels_reminders(
    services: Services, clock: FakeClock, fired: list[Timer]
) -> None:
    await services.preferences.set_timezone(USER, "Europe/London")
    await create(services)
    other = await create(services, user=OTHER)
    assert await services.privacy.inventory(USER) == {
        "your timezone and preferences": 1,
        "reminders": 1,
    }
    report = await services.privacy.forget(USER)
    assert report.erased == {"your timezone and preferences": 1, "reminders": 1}
    assert await services.privacy.inventory(USER) == {}
    clock.advance(hours=3)
    await services.scheduler.run_due()
    assert [t.subject_id for t in fired] == [other.id]


async def test_cancelling_someone_elses_or_a_missing_reminder_says_which(
    services: Services,
) -> None:
    mine = await services.reminders.create(
        user_id=1, guild_id=None, channel_id=5, when="in 1 hour", what="tea"
    )
    for user, reminder_id in ((2, mine.id), (1, mine.id + 100)):
        with pytest.raises(NotFound) as refused:
            await services.reminders.cancel(user, reminder_id)
        assert str(refused.value) == (
            f"You have no pending reminder #{reminder_id}. `/remind list` shows yours."
        )
    assert (await services.reminders.cancel(1, mine.id)).id == mine.id


async def test_a_reminder_is_read_in_the_servers_zone_and_booked_for_its_owner(
    services: Services,
) -> None:
    from datetime import UTC, datetime

    from bot.db import timers

    await services.guilds.save(7, timezone="Asia/Tokyo")
    made = await services.reminders.create(
        user_id=11, guild_id=7, channel_id=5, when="2026-12-01 09:00", what="call"
    )
    assert made.due == datetime(2026, 12, 1, 0, 0, tzinfo=UTC)
    [timer] = await timers.for_subject(services.db.reader, KIND, made.id)
    assert (timer.guild_id, timer.user_id) == (7, 11)


async def test_reminder_refusals_say_exactly_why(services: Services) -> None:
    with pytest.raises(InvalidInput) as long:
        await services.reminders.create(
            user_id=1, guild_id=None, channel_id=5, when="in 1 hour", what="x" * 1501
        )
    assert str(long.value) == (
        "The reminder text is 1,501 characters; the limit is 1,500. Shorten it and try again."
    )
    for n in range(MAX_PENDING):
        await services.reminders.create(
            user_id=1, guild_id=None, channel_id=5, when=f"in {n + 1} hours", what="x"
        )
    with pytest.raises(Conflict) as full:
        await services.reminders.create(
            user_id=1, guild_id=None, channel_id=5, when="in 2 days", what="x"
        )
    assert str(full.value) == (
        "You already have 25 pending reminders, the most allowed. "
        "Cancel one with `/remind cancel` first."
    )


async def test_numbers_are_per_user_and_cancel_takes_the_users_number(
    services: Services, fired: list[Timer]
) -> None:
    mine = [await create(services, what=f"mine {i}") for i in range(3)]
    theirs = await create(services, user=OTHER, what="theirs")
    assert [r.number for r in mine] == [1, 2, 3]
    assert theirs.number == 1 and theirs.id == mine[-1].id + 1
    cancelled = await services.reminders.cancel(USER, 2)
    assert cancelled.text == "mine 1"
    assert [r.number for r in await services.reminders.pending(USER)] == [1, 3]
    assert [r.text for r in await services.reminders.pending(OTHER)] == ["theirs"]
    assert (await create(services, what="next")).number == 4


async def delivered(services: Services, clock: FakeClock, what: str = "stretch"):
    reminder = await create(services, when="in 5 minutes", what=what)
    clock.advance(minutes=5)
    assert await services.scheduler.run_due() == 1
    return reminder


async def test_snooze_books_a_new_timer_once(
    services: Services, clock: FakeClock, fired: list[Timer]
) -> None:
    reminder = await delivered(services, clock)
    outcome = await services.reminders.snooze(USER, reminder.id, timedelta(minutes=10))
    assert outcome.changed and outcome.reminder.due == clock.now() + timedelta(minutes=10)
    again = await services.reminders.snooze(USER, reminder.id, timedelta(hours=1))
    assert not again.changed and again.reminder.due == outcome.reminder.due
    assert [r.number for r in await services.reminders.pending(USER)] == [reminder.number]
    clock.advance(minutes=10)
    assert await services.scheduler.run_due() == 1
    assert await services.scheduler.run_due() == 0
    first, second = fired
    assert first.subject_id == second.subject_id == reminder.id
    assert first.nonce() != second.nonce()


async def test_only_the_owner_may_snooze_or_finish(
    services: Services, clock: FakeClock, fired: list[Timer]
) -> None:
    reminder = await delivered(services, clock)
    with pytest.raises(PermissionDenied):
        await services.reminders.snooze(OTHER, reminder.id, timedelta(minutes=10))
    with pytest.raises(PermissionDenied):
        await services.reminders.done(OTHER, reminder.id)
    with pytest.raises(NotFound):
        await services.reminders.done(USER, reminder.id + 100)
    assert await services.reminders.pending(USER) == []
    stored = await services.reminders.get(reminder.id)
    assert stored is not None and stored.done_at is None


async def test_done_drops_a_snooze_and_stays_done(
    services: Services, clock: FakeClock, fired: list[Timer]
) -> None:
    reminder = await delivered(services, clock)
    await services.reminders.snooze(USER, reminder.id, timedelta(minutes=10))
    done = await services.reminders.done(USER, reminder.id)  # from a stale copy
    assert done.changed and done.reminder.done_at == int(clock.now().timestamp())
    assert not (await services.reminders.done(USER, reminder.id)).changed
    with pytest.raises(Conflict, match="done"):
        await services.reminders.snooze(USER, reminder.id, timedelta(minutes=10))
    clock.advance(hours=2)
    assert await services.scheduler.run_due() == 0
    assert len(fired) == 1


async def test_a_snooze_counts_towards_the_25_pending(
    services: Services, clock: FakeClock, fired: list[Timer]
) -> None:
    reminder = await delivered(services, clock)
    for i in range(MAX_PENDING):
        await create(services, when=f"in {i + 1} hours")
    with pytest.raises(Conflict, match="25 pending"):
        await services.reminders.snooze(USER, reminder.id, timedelta(minutes=10))
