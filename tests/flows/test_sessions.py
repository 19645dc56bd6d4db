"""Study sessions through the emulator: the card, capacity and waitlist, edits and
cancellations, lists, autocomplete, export, restarts and forget-me."""

from __future__ import annotations

import asyncio
import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import icalendar

from tests.emulator import Overwrite, P
from tests.flows.harness import Nexus, embed_text, running_bot
from tests.flows.sessions_kit import (
    bot_posts,
    card,
    card_data,
    card_text,
    click,
    create,
    custom_ids,
    field,
    finished,
    has_field,
    posts,
    said,
    settled,
    stored,
    thread_messages,
)

EXTERNAL, VOICE = 3, 2
SCHEDULED, CANCELED = 1, 4


async def test_create_posts_the_card_its_thread_and_the_event(nexus: Nexus) -> None:
    w = nexus.world
    session = await create(
        nexus,
        w.ada,
        title="Django ORM clinic",
        when="in 3 days",
        duration=90,
        topic="django",
        description="Bring a slow query.",
        capacity=3,
    )
    message = card(nexus, session)
    assert message.channel_id == w.sessions.id
    data = card_data(nexus, session)
    text = card_text(nexus, session)
    start = int(session.start.timestamp())
    assert data["embeds"][0]["title"] == "Django ORM clinic"
    for expected in (
        f"<t:{start}:F>",
        f"<t:{start}:R>",
        "1 hour 30 minutes",
        f"<@{w.ada.id}>",
        "django",
        "Bring a slow query.",
    ):
        assert expected in text
    # The host is going from the start, without taking one of the 3 places.
    assert field(data, "Going") == ("Going (host + 0/3)", f"<@{w.ada.id}> (host)")
    assert custom_ids(message) == [f"session:join:{session.id}", f"session:leave:{session.id}"]
    assert message.mention_ids == []
    [thread] = nexus.emu.threads(w.sessions.id)
    assert (thread.id, thread.name) == (session.thread_id, "Django ORM clinic")
    [event] = nexus.emu.scheduled_events(w.guild.id)
    assert event.id == session.event_id
    assert (event.name, event.entity_type) == ("Django ORM clinic", EXTERNAL)
    assert event.entity_metadata == {
        "location": f"https://discord.com/channels/{w.guild.id}/{thread.id}"
    }
    assert event.scheduled_end_time is not None
    assert event.description == "Bring a slow query."


async def test_voice_channel_sessions_are_voice_events(nexus: Nexus) -> None:
    voice = nexus.emu.add_voice_channel(nexus.world.guild.id, "Study room")
    session = await create(nexus, voice_channel=voice.id)
    [event] = nexus.emu.scheduled_events(nexus.world.guild.id)
    assert (event.entity_type, event.channel_id) == (VOICE, voice.id)
    assert f"<#{voice.id}>" in card_text(nexus, session)


async def test_create_refusals_name_the_problem_and_post_nothing(nexus: Nexus) -> None:
    cases = {
        "not in the future": {"when": "2020-01-01 10:00"},
        "too far ahead": {"when": "in 400 days"},
        "limit is 100": {"title": "x" * 101},
        "limit is 1,000": {"description": "d" * 1001},
        "capacity of 0": {"capacity": 0},
    }
    people = [*nexus.world.learners, nexus.world.helper]  # the create cooldown is per user
    for user, (expected, options) in zip(people, cases.items(), strict=True):
        ix = await nexus.slash(
            user,
            "session create",
            **{"title": "ORM", "when": "in 2 days", **options},
        )
        text = embed_text(await finished(nexus, ix))
        assert ix.ephemeral
        assert expected in text, (expected, text)
    assert posts(nexus, nexus.world.sessions.id) == []
    assert nexus.emu.scheduled_events(nexus.world.guild.id) == []


async def test_create_before_setup_says_so(bare: Nexus) -> None:
    ix = await bare.slash(bare.world.ada, "session create", title="ORM", when="in 2 days")
    assert "/nexus setup" in embed_text(await finished(bare, ix))


async def test_join_until_full_then_waitlist_and_leave_promotes(nexus: Nexus) -> None:
    ada, bola, chidi = nexus.world.learners[:3]
    session = await create(nexus, capacity=2)
    assert "You're going" in await click(nexus, ada, session, "join")
    assert "You're going" in await click(nexus, bola, session, "join")
    waiting = await click(nexus, chidi, session, "join")
    assert "waitlist" in waiting and "number 1 in line" in waiting
    assert "already going" in await click(nexus, ada, session, "join")
    data = card_data(nexus, session)
    going = field(data, "Going")
    assert going[0] == "Going (host + 2/2)" and f"<@{chidi.id}>" not in going[1]
    assert field(data, "Waitlist") == ("Waitlist (1)", f"<@{chidi.id}>")

    assert "You left" in await click(nexus, ada, session, "leave")
    data = card_data(nexus, session)
    going = field(data, "Going")
    assert f"<@{chidi.id}>" in going[1] and f"<@{ada.id}>" not in going[1]
    assert not has_field(data, "Waitlist")
    [notice] = nexus.emu.dm_messages(chidi.id)
    assert "A place opened up" in notice.content and "Django ORM clinic" in notice.content
    assert card(nexus, session).edited_timestamp is not None  # edited in place
    assert posts(nexus, nexus.world.sessions.id) == [card(nexus, session)]


async def test_promotion_notice_falls_back_to_the_thread(nexus: Nexus) -> None:
    ada, bola = nexus.world.ada, nexus.world.bola
    session = await create(nexus, capacity=1)
    await click(nexus, ada, session, "join")
    await click(nexus, bola, session, "join")
    nexus.emu.close_dms(bola.id)
    nexus.expect_http_error(403, code=50007)
    await said(nexus, ada, "session leave", id=session.id)
    [notice] = thread_messages(nexus, session)
    assert notice.mention_ids == [bola.id]
    assert "A place opened up" in notice.content and "Direct Messages" in notice.content


async def test_two_joins_for_the_last_place_never_both_get_it(nexus: Nexus) -> None:
    ada, bola, chidi = nexus.world.learners[:3]
    session = await create(nexus, capacity=2)
    await click(nexus, ada, session, "join")
    answers = await asyncio.gather(
        click(nexus, bola, session, "join"), click(nexus, chidi, session, "join")
    )
    assert sorted("waitlist" in a for a in answers) == [False, True]
    roster = await nexus.services.sessions.roster(session.id)
    assert len(roster.going) == 2 and len(roster.waitlist) == 1
    assert field(card_data(nexus, session), "Going")[0] == "Going (host + 2/2)"
    assert field(card_data(nexus, session), "Waitlist")[0] == "Waitlist (1)"


async def test_edit_by_host_and_mentor_refused_for_others(nexus: Nexus) -> None:
    w = nexus.world
    session = await create(nexus, w.ada, capacity=5)
    await click(nexus, w.bola, session, "join")
    await click(nexus, w.learners[2], session, "join")

    refused = await said(nexus, w.learners[3], "session edit", id=session.id, title="Mine now")
    assert "Only the session's host or a mentor" in refused

    ix = await nexus.slash(w.ada, "session edit", id=session.id, title="ORM deep dive")
    assert "Title: Django ORM clinic → ORM deep dive" in embed_text(await finished(nexus, ix))
    assert card_data(nexus, session)["embeds"][0]["title"] == "ORM deep dive"
    assert nexus.emu.channel(session.thread_id or 0).name == "ORM deep dive"
    [notice] = thread_messages(nexus, session)
    assert "ORM deep dive" in notice.content and "Django ORM clinic" in notice.content
    attendees = sorted([w.bola.id, w.learners[2].id])
    assert sorted(notice.mention_ids) == attendees
    [body] = bot_posts(nexus, session.thread_id or 0)
    assert sorted(int(u) for u in body["allowed_mentions"]["users"]) == attendees

    new_start = session.start + timedelta(days=1)
    local = new_start.astimezone(ZoneInfo("Africa/Lagos"))  # the mentor types in the server's zone
    ix = await nexus.slash(
        w.mentor, "session edit", id=session.id, when=local.strftime("%Y-%m-%d %H:%M:%S")
    )
    assert "When:" in embed_text(await finished(nexus, ix))
    assert f"<t:{int(new_start.timestamp())}:F>" in card_text(nexus, session)
    [event] = nexus.emu.scheduled_events(w.guild.id)
    assert event.name == "ORM deep dive"
    assert event.scheduled_start_time.startswith(new_start.strftime("%Y-%m-%dT%H:%M:%S"))


async def test_cancel_tells_attendees_and_closes_everything(nexus: Nexus) -> None:
    w = nexus.world
    session = await create(nexus, w.ada)
    await click(nexus, w.bola, session, "join")
    refused = await said(nexus, w.bola, "session cancel", id=session.id)
    assert "Only the session's host or a mentor" in refused

    ix = await nexus.slash(w.ada, "session cancel", id=session.id, reason="host is ill")
    assert "cancelled" in embed_text(await finished(nexus, ix))
    message = card(nexus, session)
    assert message.components == []
    text = card_text(nexus, session)
    assert "Cancelled · Django ORM clinic" in text and "host is ill" in text
    [notice] = thread_messages(nexus, session)
    assert notice.mention_ids == [w.bola.id] and "host is ill" in notice.content
    [event] = nexus.emu.scheduled_events(w.guild.id)
    assert event.status == CANCELED
    assert nexus.emu.channel(session.thread_id or 0).archived
    assert await nexus.services.scheduler.run_due(session.end + timedelta(days=1)) == 0
    assert "was cancelled" in await said(nexus, w.bola, "session join", id=session.id)


async def test_list_info_and_autocomplete(nexus: Nexus) -> None:
    w = nexus.world
    later = await create(nexus, title="GraphQL basics", when="in 5 days")
    sooner = await create(nexus, title="Django ORM clinic", when="in 2 days", capacity=1)
    await click(nexus, w.ada, sooner, "join")
    await click(nexus, w.bola, sooner, "join")

    listing = await said(nexus, w.ada, "session list")
    assert listing.index("Django ORM clinic") < listing.index("GraphQL basics")
    assert "1/1 going · 1 waiting" in listing
    # A list gives each time short, then how far away; the card gives the full date.
    assert f"<t:{int(sooner.start.timestamp())}:f> (<t:" in listing
    assert f"<t:{int(sooner.start.timestamp())}:F>" in card_text(
        nexus, await stored(nexus, sooner.id)
    )
    mine = await said(nexus, w.ada, "session list", mine=True)
    assert "Django ORM clinic" in mine and "GraphQL basics" not in mine

    info = await said(nexus, w.ada, "session info", id=sooner.id)
    assert f"1. <@{w.ada.id}>" in info and "Waitlist (1)" in info and f"<@{w.bola.id}>" in info

    await nexus.reply(w.ada, "timezone set", zone="America/New_York")
    ix = await nexus.emu.autocomplete(
        w.ada, w.guild.id, "session info", focused="id", value="graph"
    )
    await ix.response()
    [choice] = ix.choices or []
    local = later.start.astimezone(ZoneInfo("America/New_York"))
    assert choice == {
        "name": f"#{later.id} · {local:%a %d %b %H:%M} · GraphQL basics",
        "value": later.id,
    }
    ix = await nexus.emu.autocomplete(w.ada, w.guild.id, "session join", focused="id", value="")
    await ix.response()
    assert [c["value"] for c in ix.choices or []] == [sooner.id, later.id]


async def test_export_is_a_calendar_that_parses_back(nexus: Nexus) -> None:
    w = nexus.world
    await nexus.reply(w.mentor, "timezone set", zone="Europe/London")
    a = await create(nexus, title="Django ORM clinic", when="2026-12-10 18:00")
    b = await create(nexus, title="Async Python", when="2026-12-11 09:30")
    await create(nexus, title="Not joined", when="2026-12-12 09:30")
    for session in (a, b):
        await click(nexus, w.ada, session, "join")
    await said(nexus, w.mentor, "session cancel", id=b.id)

    ix = await nexus.slash(w.ada, "session export")
    body = await ix.response()
    assert ix.ephemeral and ix.original_message is not None
    assert embed_text(body["data"]).startswith("Your sessions\n2 sessions. Import")
    [attachment] = ix.original_message.attachments
    assert attachment["filename"] == "nexus-sessions.ics"
    calendar = icalendar.Calendar.from_ical(nexus.emu.state.cdn[attachment["url"]])
    events = {str(e["UID"]): e for e in calendar.walk("VEVENT")}
    assert set(events) == {f"session-{a.id}@nexus", f"session-{b.id}@nexus"}
    first = events[f"session-{a.id}@nexus"]
    assert first["DTSTART"].params["TZID"] == "Europe/London"
    assert first.decoded("DTSTART") == a.start
    assert first.decoded("DTSTART").utcoffset() == timedelta(0)  # GMT in December
    assert first.decoded("DTEND") == a.end
    assert str(events[f"session-{b.id}@nexus"]["STATUS"]) == "CANCELLED"
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["Europe/London"]

    again = await nexus.slash(w.ada, "session export")
    await again.response()
    assert again.original_message is not None
    [newer] = again.original_message.attachments
    recal = icalendar.Calendar.from_ical(nexus.emu.state.cdn[newer["url"]])
    assert {str(e["UID"]) for e in recal.walk("VEVENT")} == set(events)  # stable UIDs


async def test_buttons_keep_working_after_a_restart(nexus: Nexus) -> None:
    session = await create(nexus)
    await nexus.bot.close()
    async with running_bot(nexus):
        assert "You're going" in await click(nexus, nexus.world.ada, session, "join")
        assert f"<@{nexus.world.ada.id}>" in card_text(nexus, session)
    async with running_bot(nexus):  # and Leave, after another restart
        assert "You left" in await click(nexus, nexus.world.ada, session, "leave")
        assert f"<@{nexus.world.ada.id}>" not in card_text(nexus, session)
        assert (await nexus.services.sessions.roster(session.id)).going == []


async def test_notify_and_server_offsets(nexus: Nexus) -> None:
    w = nexus.world
    saved = await said(nexus, w.ada, "session notify", mode="dm")
    assert "by DM" in saved
    assert await nexus.services.sessions.notify_mode(w.ada.id) == "dm"
    assert "Only admins" in await said(nexus, w.ada, "session reminders", offsets="1h")
    ix = await nexus.slash(w.admin, "session reminders", offsets="1h, 10m")
    assert "1 hour, 10 minutes before" in embed_text(await finished(nexus, ix))
    bad = await finished(nexus, await nexus.slash(w.admin, "session reminders", offsets="soon"))
    assert "couldn't read" in embed_text(bad)


async def test_forget_me_frees_the_place_and_refreshes_the_card(nexus: Nexus) -> None:
    ada, bola = nexus.world.ada, nexus.world.bola
    session = await create(nexus, capacity=1)
    await click(nexus, ada, session, "join")
    await click(nexus, bola, session, "join")
    ix = await nexus.slash(ada, "privacy forget-me")
    body = await ix.response()
    assert "session RSVPs: 1" in embed_text(body["data"])
    prompt = ix.original_message
    assert prompt is not None
    confirm = await nexus.emu.click(ada, prompt, custom_ids(prompt)[0])
    await confirm.response()
    await settled(nexus)
    text = card_text(nexus, session)
    assert f"<@{bola.id}>" in text and f"<@{ada.id}>" not in text
    assert any("A place opened up" in m.content for m in nexus.emu.dm_messages(bola.id))


async def test_ids_from_another_server_are_not_found(nexus: Nexus) -> None:
    session = await create(nexus)
    other = await stored(nexus, session.id)
    text = await said(nexus, nexus.world.ada, "session info", id=other.id + 999)
    assert re.search(r"no session #\d+ in this server", text)


async def test_a_card_that_cannot_be_posted_leaves_no_session(nexus: Nexus) -> None:
    w = nexus.world
    locked = nexus.emu.add_text_channel(
        w.guild.id,
        "locked-sessions",
        overwrites=[Overwrite.role(w.guild.bot_role_id or 0, deny=P.SEND_MESSAGES)],
    )
    await said(
        nexus,
        w.admin,
        "nexus setup",
        qa_forum=w.qa_forum.id,
        sessions_channel=locked.id,
        announcements_channel=w.announcements.id,
        pairing_channel=w.pairing.id,
        mentor_role=w.mentor_role.id,
    )
    with nexus.expect_http_error(403, code=50013):
        text = await said(nexus, w.ada, "session create", title="ORM", when="in 2 days")
    assert "missing a permission" in text
    assert (await nexus.services.sessions.upcoming(w.guild.id))[1] == 0
    assert nexus.emu.scheduled_events(w.guild.id) == []
