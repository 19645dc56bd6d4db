"""What every feature books in the timers table, checked across features on a real
database with a fake clock: each timer names its server, and a session's reminders
each give way to the next one."""

from __future__ import annotations

from datetime import timedelta

from bot.db import sql
from bot.db import timers as timer_rows
from bot.services.access import Actor
from bot.services.container import Services
from bot.services.qa.rules import Ask
from bot.services.sessions.rules import KIND_REMINDER
from bot.time.clock import FakeClock, epoch

GUILD = 1234  # not 1, so a guild id lost to NULL cannot pass as rowid 1


async def test_every_timer_a_feature_books_names_its_server(
    services: Services, clock: FakeClock
) -> None:
    mentor = Actor(1, is_admin=True)
    await services.reminders.create(
        user_id=1, guild_id=GUILD, channel_id=5, when="in 1 hour", what="x"
    )
    session = await services.sessions.create(
        guild_id=GUILD, host_id=1, title="Clinic", when="in 2 days", repeat="weekly"
    )
    clock.set(session.start)
    await services.sessions.timeline.begin(session.id)  # books the next occurrence
    question = await services.qa.record_question(
        guild_id=GUILD,
        channel_id=10,
        thread_id=77,
        opener_id=77,
        asker_id=1,
        ask=Ask("python", "A question", "Some details."),
    )
    await services.qa.timers.record_message(question.thread_id, 2, clock.now())
    await services.qa.close(question.thread_id, mentor, "off-topic")
    await services.qa.reopen(question.thread_id, mentor)
    for user in (1, 2):
        await services.pairing.save_profile(GUILD, user, track="backend", skills="python")
    request = await services.pairing.request(GUILD, 1, 2, None)
    await services.pairing.answer(request.id, 2, accept=True)
    await services.pairing.rounds.set_schedule(GUILD, "mon 10:00")
    made = await services.announcements.draft(
        GUILD,
        mentor,
        author_name="x",
        channel_id=5,
        title="T",
        body="B",
        ping_role_id=None,
        when="in 3 hours",
        repeat="daily",
    )
    await services.announcements.confirm(made.id, mentor)
    rows = await sql.fetch_all(services.db.reader, "SELECT kind, guild_id FROM timers", ())
    kinds = {row["kind"] for row in rows}
    assert len(kinds) >= 8, kinds
    assert {row["kind"]: row["guild_id"] for row in rows if row["guild_id"] != GUILD} == {}


async def test_each_reminder_gives_way_to_the_next_and_none_is_due_now(
    services: Services, clock: FakeClock
) -> None:
    await services.sessions.set_offsets(GUILD, "1d, 2h, 15m")
    session = await services.sessions.create(
        guild_id=GUILD, host_id=1, title="Clinic", when="in 2 hours"
    )  # the 2-hour reminder would be due exactly now: not booked; the 1-day one is past
    [only] = await timer_rows.for_subject(services.db.reader, KIND_REMINDER, session.id)
    assert only.due == session.start - timedelta(minutes=15)
    later = await services.sessions.create(
        guild_id=GUILD, host_id=1, title="Later", when="in 3 days"
    )
    reminders = await timer_rows.for_subject(services.db.reader, KIND_REMINDER, later.id)
    assert [(t.due, t.payload["until"], t.payload["starts_at"]) for t in reminders] == [
        (later.start - timedelta(days=1), epoch(later.start - timedelta(hours=2)), later.starts_at),
        (
            later.start - timedelta(hours=2),
            epoch(later.start - timedelta(minutes=15)),
            later.starts_at,
        ),
        (later.start - timedelta(minutes=15), later.starts_at, later.starts_at),
    ]
