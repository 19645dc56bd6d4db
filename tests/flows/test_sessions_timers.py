"""Study sessions over time, through the emulator: reminders (thread mentions, DMs, the
closed-DM fallback, 80 mentions a message), Live now and Ended, a weekly series across
a DST change, and the scheduled-event mirror reconciled after a restart."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.db import timers
from bot.db.timers import Timer
from bot.scheduling import TimerKind
from bot.services.access import Actor
from bot.services.container import build_services
from bot.services.sessions.rules import KINDS
from tests.backends import database_for
from tests.emulator import DEFAULT_BOT, P
from tests.flows.harness import Nexus, running_bot
from tests.flows.sessions_kit import (
    bot_posts,
    card,
    card_data,
    card_text,
    click,
    create,
    said,
    stored,
    thread_messages,
)

SCHEDULED, ACTIVE, COMPLETED, CANCELED = 1, 2, 3, 4


def event_of(nexus: Nexus, event_id: int | None):  # type: ignore[no-untyped-def]
    [event] = [e for e in nexus.emu.scheduled_events(nexus.world.guild.id) if e.id == event_id]
    return event


async def test_reminders_at_each_offset_by_thread_dm_and_fallback(nexus: Nexus) -> None:
    ada, bola, chidi, dayo = nexus.world.learners
    session = await create(nexus)
    for user in (ada, bola, chidi, dayo):
        await click(nexus, user, session, "join")
    await said(nexus, bola, "session notify", mode="dm")
    await said(nexus, chidi, "session notify", mode="off")
    await said(nexus, dayo, "session notify", mode="dm")
    nexus.emu.close_dms(dayo.id)
    nexus.expect_http_error(403, code=50007)  # each reminder tries dayo's DMs first
    thread_id = session.thread_id or 0
    start = int(session.start.timestamp())

    host = nexus.world.mentor.id  # reminded like any attendee
    nexus.clock.set(session.start - timedelta(days=1))
    await nexus.run_timers()
    posted = thread_messages(nexus, session)
    assert [m.mention_ids for m in posted] == [sorted([host, ada.id]), [dayo.id]]
    assert f"<t:{start}:R>" in posted[0].content and "Django ORM clinic" in posted[0].content
    assert "Direct Messages" in posted[1].content  # told once how to open DMs
    assert [
        [int(u) for u in b["allowed_mentions"]["users"]] for b in bot_posts(nexus, thread_id)
    ] == [
        sorted([host, ada.id]),
        [dayo.id],
    ]
    [dm] = nexus.emu.dm_messages(bola.id)
    assert f"<t:{start}:R>" in dm.content
    assert nexus.emu.dm_messages(chidi.id) == []

    nexus.clock.set(session.start - timedelta(minutes=15))
    await nexus.run_timers()
    later = thread_messages(nexus, session)[2:]
    assert [m.mention_ids for m in later] == [sorted([host, ada.id]), [dayo.id]]
    assert "Direct Messages" not in later[1].content
    assert len(nexus.emu.dm_messages(bola.id)) == 2
    assert all(chidi.id not in m.mention_ids for m in thread_messages(nexus, session))

    await nexus.run_timers()  # nothing left, nothing repeated
    assert len(thread_messages(nexus, session)) == 4


async def test_a_reminder_is_never_sent_after_the_start(nexus: Nexus) -> None:
    session = await create(nexus)
    await click(nexus, nexus.world.ada, session, "join")
    nexus.clock.set(session.start + timedelta(minutes=1))  # down through both reminders
    await nexus.run_timers()
    assert thread_messages(nexus, session) == []
    assert "Live now" in card_text(nexus, session)


async def test_more_than_80_attendees_are_mentioned_80_at_a_time(nexus: Nexus) -> None:
    session = await create(nexus)
    people = []
    for i in range(85):
        user = nexus.emu.add_user(f"learner-{i}")
        nexus.emu.add_member(nexus.world.guild.id, user)
        people.append(user.id)
        await nexus.services.sessions.join(session.id, nexus.world.guild.id, user.id)
    nexus.clock.set(session.start - timedelta(minutes=15))
    await nexus.run_timers()
    posted = thread_messages(nexus, session)
    everyone = sorted([nexus.world.mentor.id, *people])  # the host too
    assert [len(m.mention_ids) for m in posted] == [80, 6]
    assert sorted(posted[0].mention_ids + posted[1].mention_ids) == everyone
    bodies = bot_posts(nexus, session.thread_id or 0)
    assert [len(b["allowed_mentions"]["users"]) for b in bodies] == [80, 6]
    assert all(len(m.content) <= 2000 for m in posted)
    cog = nexus.bot.get_cog("SessionsCog")
    await cog.publisher.refresh(session.id)  # type: ignore[union-attr]
    text = card_text(nexus, session)
    assert "Going (host + 85)" in text and "+65 more" in text
    assert text.count("<@") == 20 + 1  # the first 20 attendees and the host


async def test_live_now_then_ended_with_the_thread_archived(nexus: Nexus) -> None:
    session = await create(nexus)
    nexus.clock.set(session.start)
    await nexus.run_timers()
    data = card_data(nexus, session)
    assert data["embeds"][0]["title"] == "🔴 Live now · Django ORM clinic"
    assert len(card(nexus, session).components) == 1  # still joinable while live
    assert event_of(nexus, session.event_id).status == ACTIVE
    assert "Live now" in await said(nexus, nexus.world.ada, "session list")

    nexus.clock.set(session.end)
    await nexus.run_timers()
    assert card_data(nexus, session)["embeds"][0]["title"] == "Ended · Django ORM clinic"
    assert card(nexus, session).components == []
    assert nexus.emu.channel(session.thread_id or 0).archived
    assert event_of(nexus, session.event_id).status == COMPLETED
    assert "No upcoming sessions" in await said(nexus, nexus.world.ada, "session list")


async def test_weekly_series_keeps_18_00_local_across_the_dst_change(nexus: Nexus) -> None:
    london = ZoneInfo("Europe/London")
    await said(nexus, nexus.world.mentor, "timezone set", zone="Europe/London")
    first = await create(nexus, when="2027-03-22 18:00", repeat="weekly", capacity=2)
    assert first.start == datetime(2027, 3, 22, 18, 0, tzinfo=UTC)  # GMT
    await click(nexus, nexus.world.ada, first, "join")

    nexus.clock.set(first.start)
    await nexus.run_timers()
    second = await nexus.services.sessions.next_in_series(first.id)
    assert second is not None and second.message_id is not None
    assert second.start == datetime(2027, 3, 29, 17, 0, tzinfo=UTC)  # 18:00 BST
    assert second.start.astimezone(london).hour == 18
    text = card_text(nexus, second)
    assert f"<t:{int(second.start.timestamp())}:F>" in text
    assert f"<@{nexus.world.ada.id}>" in text and "Every week" in text
    assert second.thread_id is not None
    # The next thread opens with the host and everyone carried over.
    people = {nexus.world.mentor.id, nexus.world.ada.id}
    assert people <= set(nexus.emu.channel(second.thread_id).thread_members)
    assert event_of(nexus, second.event_id).status == SCHEDULED

    nexus.clock.set(second.start)
    await nexus.run_timers()
    third = await nexus.services.sessions.next_in_series(second.id)
    assert third is not None and third.start == datetime(2027, 4, 5, 17, 0, tzinfo=UTC)


async def test_the_event_mirror_is_reconciled_after_a_restart(nexus: Nexus) -> None:
    guild = nexus.world.guild
    moved = await create(nexus, title="Django ORM clinic")
    dropped = await create(nexus, title="GraphQL basics")
    nexus.emu.set_bot_permissions(guild.id, DEFAULT_BOT & ~P.MANAGE_EVENTS)
    unmirrored = await create(nexus, title="Async Python")
    assert unmirrored.event_id is None
    await nexus.bot.close()

    # While the bot is down: one session is moved and renamed, another cancelled (by
    # another process on the same database), and the bot gets Manage Events back.
    db = database_for(nexus.url)
    await db.connect()
    offline = build_services(db, nexus.clock, timer_wakeups=False)

    async def nothing(timer: Timer) -> None:
        return None

    for kind in KINDS:
        offline.scheduler.register(kind, TimerKind(nothing))
    new_start = moved.start + timedelta(hours=2)
    await offline.sessions.edit(
        moved.id,
        guild.id,
        actor=Actor(nexus.world.mentor.id, is_admin=True),
        title="ORM deep dive",
        when=new_start.isoformat(),
    )
    await offline.sessions.cancel(dropped.id, guild.id, actor=Actor(0, is_admin=True))
    await db.close()
    nexus.emu.set_bot_permissions(guild.id, DEFAULT_BOT)

    async with running_bot(nexus):
        cog = nexus.bot.get_cog("SessionEvents")
        assert cog is not None
        changed = await cog.reconcile_tasks[guild.id]  # type: ignore[attr-defined]
        assert changed == 3
        event = event_of(nexus, moved.event_id)
        assert event.name == "ORM deep dive"
        assert event.scheduled_start_time.startswith(new_start.strftime("%Y-%m-%dT%H:%M:%S"))
        assert event_of(nexus, dropped.event_id).status == CANCELED
        created = await stored(nexus, unmirrored.id)
        assert event_of(nexus, created.event_id).name == "Async Python"
        assert (await stored(nexus, dropped.id)).event_id is None


async def test_a_session_that_started_while_down_goes_live_on_start(nexus: Nexus) -> None:
    session = await create(nexus)
    await nexus.bot.close()
    nexus.clock.set(session.start + timedelta(minutes=5))
    async with running_bot(nexus):
        await nexus.run_timers()
        assert "Live now" in card_text(nexus, session)
        assert event_of(nexus, session.event_id).status == ACTIVE


async def test_a_lost_reminder_response_is_retried_without_a_duplicate(nexus: Nexus) -> None:
    session = await create(nexus)
    await click(nexus, nexus.world.ada, session, "join")
    thread_id = session.thread_id or 0
    # Discord posts the reminder but the response is lost (a 500): the retry carries the
    # same nonce, so Discord hands back the first message instead of posting again.
    nexus.emu.inject_failure("POST", rf"/channels/{thread_id}/messages", 500, apply=True)
    due = session.start - timedelta(minutes=15)
    [reminder] = [
        t
        for t in await timers.for_subject(nexus.services.db.reader, KINDS[0], session.id)
        if t.due == due
    ]
    nexus.clock.set(due)
    await nexus.run_timers()
    assert len(thread_messages(nexus, session)) == 1
    assert len(bot_posts(nexus, thread_id)) == 1  # one accepted post, one lost response
    calls = nexus.emu.calls_to("POST", rf"/channels/{thread_id}/messages")
    assert [c.status for c in calls] == [500, 200]
    # The nonce is the timer row's own, not one made up per send: a retry after a kill
    # (a new process) carries it too.
    assert [c.json["nonce"] for c in calls] == [reminder.nonce("c0")] * 2


async def test_a_reminder_with_no_card_yet_is_not_recorded_sent(nexus: Nexus) -> None:
    """A session whose card is still being posted (a kill left it for the restart to
    finish) has nowhere to mention its attendees: its reminder stays pending and is
    sent once the card and thread exist, instead of being marked sent with nothing
    sent."""
    ada, bola = nexus.world.ada, nexus.world.bola
    services = nexus.services
    session = await services.sessions.create(
        guild_id=nexus.world.guild.id, host_id=ada.id, title="No card yet", when="in 20 minutes"
    )
    await services.sessions.join(session.id, nexus.world.guild.id, bola.id)
    nexus.clock.advance(minutes=5)  # the 15-minute reminder is due
    assert await nexus.run_timers() == 1
    reminders = await timers.for_subject(services.db.reader, KINDS[0], session.id)
    assert [(t.state, t.attempts) for t in reminders] == [("pending", 1)]

    publisher = nexus.bot.get_cog("SessionEvents").publisher  # type: ignore[union-attr]
    posted = await publisher.post_card(session)
    nexus.clock.advance(seconds=10)
    assert await nexus.run_timers() == 1
    sent = [m for m in nexus.emu.messages(posted.thread_id) if "No card yet" in m.content]
    assert len(sent) == 1 and f"<@{bola.id}>" in sent[0].content
