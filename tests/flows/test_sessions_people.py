"""Study sessions include their people, through the emulator: the host is going (in the
card, the thread and the reminders) without taking a place, joiners are added to the
thread and told when and where reminders come, a full session offers its waitlist by
name, a live card links its voice channel, ended and cancelled cards drop their
buttons and hints, and calendars get the series' rule."""

from __future__ import annotations

import asyncio
from datetime import UTC, timedelta
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import icalendar
from dateutil.rrule import rrulestr

from bot.ui.embeds import MUTED, SUCCESS
from tests.backends import database_for
from tests.flows.harness import Nexus, embed_text, running_bot
from tests.flows.sessions_kit import (
    buttons,
    card,
    card_data,
    click,
    create,
    field,
    finished,
    labels,
    said,
    settled,
    thread_messages,
)

SUCCESS_STYLE, PRIMARY_STYLE, SECONDARY_STYLE, LINK_STYLE = 3, 1, 2, 5
REMINDERS_IN_THREAD = "Reminders: 1 day and 15 minutes before, in this session's thread."


def members(nexus: Nexus, thread_id: int | None) -> set[int]:
    return set(nexus.emu.channel(thread_id or 0).thread_members)


async def answer(nexus: Nexus, user, session, action: str) -> dict:  # type: ignore[no-untyped-def]
    """Press Join or Leave on the card; the embed of the (ephemeral) answer."""
    ix = await nexus.emu.click(user, card(nexus, session), f"session:{action}:{session.id}")
    [embed] = (await finished(nexus, ix))["embeds"]
    return dict(embed)


async def test_the_host_is_going_in_the_thread_and_reminded(nexus: Nexus) -> None:
    ada, bola = nexus.world.ada, nexus.world.bola
    ix = await nexus.slash(
        ada, "session create", title="Django ORM clinic", when="in 3 days", capacity=1
    )
    created = embed_text(await finished(nexus, ix))
    assert "You're going as its host, on top of the 1 place." in created
    assert REMINDERS_IN_THREAD in created
    session = await nexus.services.sessions.find(1)
    assert session is not None and session.host_id == ada.id
    going = ("Going (host + 0/1)", f"<@{ada.id}> (host)")
    assert field(card_data(nexus, session), "Going") == going
    assert ada.id in members(nexus, session.thread_id)

    await click(nexus, bola, session, "join")
    nexus.clock.set(session.start - timedelta(minutes=15))
    await nexus.run_timers()
    [reminder] = thread_messages(nexus, session)
    assert "**Django ORM clinic** starts" in reminder.content
    assert sorted(reminder.notified_ids) == sorted([ada.id, bola.id])


async def test_the_host_pressing_join_is_told_they_host_it(nexus: Nexus) -> None:
    ada = nexus.world.ada
    session = await create(nexus, ada, capacity=1)
    for reply in (
        await answer(nexus, ada, session, "join"),
        (await finished(nexus, await nexus.slash(ada, "session join", id=session.id)))["embeds"][0],
    ):
        assert reply["title"] == "You're hosting"
        assert reply["color"] == MUTED.value  # neutral: nothing changed, not an error
        assert "you're going without taking a place" in reply["description"]
        assert REMINDERS_IN_THREAD in reply["description"]
    assert (await nexus.services.sessions.roster(session.id)).going == []
    assert field(card_data(nexus, session), "Going")[0] == "Going (host + 0/1)"
    assert labels(card(nexus, session))[0] == "Join"  # the one place is still free
    refused = await said(nexus, ada, "session leave", id=session.id)
    assert "You host session" in refused and "/session cancel" in refused


async def test_joining_adds_you_to_the_thread_and_says_when_reminders_come(nexus: Nexus) -> None:
    ada, bola, chidi, dayo = nexus.world.learners
    voice = nexus.emu.add_voice_channel(nexus.world.guild.id, "Study room")
    session = await create(nexus, voice_channel=voice.id)
    await said(nexus, chidi, "session notify", mode="dm")
    await said(nexus, dayo, "session notify", mode="off")

    going = await answer(nexus, bola, session, "join")
    assert (going["title"], going["color"]) == ("You're going", SUCCESS.value)
    start = int(session.start.timestamp())
    assert going["description"] == "\n".join(
        [
            f"You're going to **Django ORM clinic**, <t:{start}:F> (<t:{start}:R>).",
            f"Voice channel: <#{voice.id}>.",
            REMINDERS_IN_THREAD,
        ]
    )
    assert bola.id in members(nexus, session.thread_id)
    by_dm = await answer(nexus, chidi, session, "join")
    assert "Reminders: 1 day and 15 minutes before, by DM." in by_dm["description"]
    off = await answer(nexus, dayo, session, "join")
    assert "Reminders: off — change with `/session notify`." in off["description"]
    assert {bola.id, chidi.id, dayo.id} <= members(nexus, session.thread_id)
    again = await answer(nexus, bola, session, "join")
    assert again["color"] == MUTED.value and "already going" in again["description"]

    # Leaving drops you from the session, not from the conversation in its thread.
    await click(nexus, bola, session, "leave")
    assert bola.id in members(nexus, session.thread_id)
    assert ada.id not in members(nexus, session.thread_id)

    # Joining again asks Discord for nothing: the bot remembers putting them there.
    await click(nexus, bola, session, "join")
    adds = nexus.emu.calls_to("PUT", rf"/channels/{session.thread_id}/thread-members/{bola.id}")
    assert len(adds) == 1


async def test_a_joiner_discord_could_not_add_is_added_at_their_next_join(nexus: Nexus) -> None:
    session = await create(nexus)
    bola = nexus.world.bola
    add = rf"/channels/{session.thread_id}/thread-members/{bola.id}"
    nexus.emu.inject_failure("PUT", add, 403, code=50001)
    assert "You're going" in await click(nexus, bola, session, "join")
    assert bola.id not in members(nexus, session.thread_id)
    await click(nexus, bola, session, "leave")
    await click(nexus, bola, session, "join")
    assert bola.id in members(nexus, session.thread_id)
    assert [call.status for call in nexus.emu.calls_to("PUT", add)] == [403, 204]


async def test_joining_a_live_session_says_it_is_on_now(nexus: Nexus) -> None:
    voice = nexus.emu.add_voice_channel(nexus.world.guild.id, "Study room")
    session = await create(nexus, voice_channel=voice.id)
    nexus.clock.set(session.start + timedelta(minutes=5))
    await nexus.run_timers()
    reply = await answer(nexus, nexus.world.ada, session, "join")
    end = int(session.end.timestamp())
    assert reply["description"] == (
        f"You're going to **Django ORM clinic**, on now, until <t:{end}:t>.\n"
        f"Voice channel: <#{voice.id}>."
    )


async def test_a_joiner_reopens_a_thread_discord_archived(nexus: Nexus) -> None:
    session = await create(nexus)
    guild = nexus.bot.get_guild(nexus.world.guild.id)
    assert guild is not None
    nexus.emu.auto_archive(session.thread_id or 0)  # a week without a message
    for _ in range(200):  # THREAD_UPDATE reaches the bot
        if guild.get_thread(session.thread_id or 0) is None:
            break
        await asyncio.sleep(0.01)
    await click(nexus, nexus.world.bola, session, "join")
    thread = nexus.emu.channel(session.thread_id or 0)
    assert not thread.archived and nexus.world.bola.id in thread.thread_members


async def test_a_full_session_offers_its_waitlist_by_name(nexus: Nexus) -> None:
    ada, bola, chidi = nexus.world.learners[:3]
    session = await create(nexus, capacity=1)
    join = buttons(card(nexus, session))[0]
    assert (join["label"], join["style"]) == ("Join", SUCCESS_STYLE)
    await click(nexus, ada, session, "join")
    join = buttons(card(nexus, session))[0]
    assert (join["label"], join["style"]) == ("Join waitlist", PRIMARY_STYLE)
    assert join["custom_id"] == f"session:join:{session.id}"  # the same button, renamed
    waiting = await click(nexus, bola, session, "join")
    assert "number 1 in line" in waiting
    await click(nexus, chidi, session, "join")
    data = card_data(nexus, session)
    assert field(data, "Waitlist") == ("Waitlist (2)", f"<@{bola.id}>, <@{chidi.id}>")

    # Past Discord's 1,024 characters a field, the first names are shown, then a count.
    for i in range(60):
        user = nexus.emu.add_user(f"waiter-{i}")
        nexus.emu.add_member(nexus.world.guild.id, user)
        await nexus.services.sessions.join(session.id, nexus.world.guild.id, user.id)
    await click(nexus, nexus.world.learners[3], session, "join")  # refreshes the card
    roster = await nexus.services.sessions.roster(session.id)
    name, value = field(card_data(nexus, session), "Waitlist")
    assert name == "Waitlist (63)" and len(value) <= 1024
    shown, more = value.rsplit(" +", 1)
    names = shown.split(", ")
    assert names == [f"<@{uid}>" for uid in roster.waitlist[: len(names)]]
    assert more == f"{63 - len(names)} more" and 30 < len(names) < 63

    await click(nexus, ada, session, "leave")  # the place goes to bola
    join = buttons(card(nexus, session))[0]
    assert join["label"] == "Join waitlist"  # full again, with bola
    assert field(card_data(nexus, session), "Going")[1].endswith(f"<@{bola.id}>")


async def test_session_info_lists_a_long_line_in_order_until_the_embed_is_full(
    nexus: Nexus,
) -> None:
    session = await create(nexus, capacity=2)
    guild = nexus.world.guild.id
    for i in range(320):
        user = nexus.emu.add_user(f"waiter-{i}")
        nexus.emu.add_member(guild, user)
        await nexus.services.sessions.join(session.id, guild, user.id)
    roster = await nexus.services.sessions.roster(session.id)
    ix = await nexus.slash(nexus.world.ada, "session info", id=session.id)
    [embed] = (await finished(nexus, ix))["embeds"]
    fields = embed["fields"]
    going = [f["value"] for f in fields if f["name"].startswith("Going")]
    waiting = [f for f in fields if f["name"].startswith("Waitlist")]
    assert "\n".join(going).splitlines()[1:] == [
        f"{n}. <@{uid}>" for n, uid in enumerate(roster.going, start=1)
    ]
    assert waiting[0]["name"] == "Waitlist (318)"
    assert [f["name"] for f in waiting[1:]] == ["Waitlist (318) (cont.)"] * (len(waiting) - 1)
    lines = "\n".join(f["value"] for f in waiting).splitlines()
    assert lines == [f"{n}. <@{uid}>" for n, uid in enumerate(roster.waitlist[: len(lines)], 1)]
    # Full: as many whole blocks of names as Discord's 6,000 characters allow, and not
    # one more (the next block of up to 1,024 characters would not have fit).
    size = len(embed["title"]) + len(embed.get("footer", {}).get("text", ""))
    size += sum(len(f["name"]) + len(f["value"]) for f in fields)
    assert 6000 - 1024 - 40 < size <= 6000
    assert 150 < len(lines) < 318


async def test_live_cards_link_the_voice_channel_and_closed_cards_drop_buttons_and_hints(
    nexus: Nexus,
) -> None:
    guild = nexus.world.guild.id
    voice = nexus.emu.add_voice_channel(guild, "Study room")
    session = await create(nexus, voice_channel=voice.id)
    dropped = await create(nexus, title="GraphQL basics", when="in 4 days")
    scheduled = card(nexus, session)
    assert labels(scheduled) == ["Join", "Leave", "Add to Google Calendar"]
    assert buttons(scheduled)[2]["style"] == LINK_STYLE
    assert "custom_id" not in buttons(scheduled)[2]

    nexus.clock.set(session.start)
    await nexus.run_timers()
    live = card(nexus, session)
    assert len(live.components) == 1
    assert labels(live) == ["Join", "Leave", "Open voice channel"]
    link = buttons(live)[2]
    assert (link["style"], link["url"]) == (
        LINK_STYLE,
        f"https://discord.com/channels/{guild}/{voice.id}",
    )
    assert "Join or leave" in card_data(nexus, session)["embeds"][0]["footer"]["text"]

    nexus.clock.set(session.end)
    await nexus.run_timers()
    await said(nexus, nexus.world.mentor, "session cancel", id=dropped.id, reason="host is ill")
    for over in (session, dropped):
        assert card(nexus, over).components == []
        data = card_data(nexus, over)
        assert data["embeds"][0]["footer"]["text"] == f"Session #{over.id}"
        text = embed_text(data)
        assert "Join" not in text and "press" not in text
    assert field(card_data(nexus, dropped), "Going") == (
        "Going (host + 0)",
        f"<@{nexus.world.mentor.id}> (host)",
    )


async def test_the_card_adds_the_session_to_google_calendar(nexus: Nexus) -> None:
    w = nexus.world
    await said(nexus, w.mentor, "timezone set", zone="Europe/London")
    session = await create(
        nexus, when="2026-12-10 18:00", repeat="weekly", description="Bring a slow query."
    )
    [link] = [b for b in buttons(card(nexus, session)) if b["label"] == "Add to Google Calendar"]
    parts = urlsplit(link["url"])
    assert (parts.scheme, parts.netloc, parts.path) == (
        "https",
        "calendar.google.com",
        "/calendar/render",
    )
    params = parse_qs(parts.query, strict_parsing=True)
    assert params["action"] == ["TEMPLATE"]
    assert params["text"] == ["Django ORM clinic"]
    assert params["dates"] == ["20261210T180000Z/20261210T190000Z"]
    assert params["recur"] == ["RRULE:FREQ=WEEKLY"] and params["ctz"] == ["Europe/London"]
    [details] = params["details"]
    assert "Bring a slow query." in details and session.card_url in details  # type: ignore[operator]
    thread = f"https://discord.com/channels/{w.guild.id}/{session.thread_id}"
    assert params["location"] == [thread]


async def test_the_export_of_a_repeating_session_carries_its_rule(nexus: Nexus) -> None:
    w = nexus.world
    await said(nexus, w.mentor, "timezone set", zone="Europe/London")
    session = await create(nexus, when="2027-03-22 18:00", repeat="weekly")
    await click(nexus, w.ada, session, "join")
    ix = await nexus.slash(w.ada, "session export")
    body = await ix.response()
    assert "1 session." in embed_text(body["data"])
    assert ix.original_message is not None
    [attachment] = ix.original_message.attachments
    calendar = icalendar.Calendar.from_ical(nexus.emu.state.cdn[attachment["url"]])
    [event] = calendar.walk("VEVENT")
    assert str(event["UID"]) == f"session-{session.id}@nexus" and int(event["SEQUENCE"]) == 0
    assert event["RRULE"].to_ical() == b"FREQ=WEEKLY"
    assert event["DTSTART"].params["TZID"] == "Europe/London"
    rule = rrulestr(event["RRULE"].to_ical().decode(), dtstart=event.decoded("DTSTART"))
    assert [t.astimezone(ZoneInfo("Europe/London")).hour for t in rule[:2]] == [18, 18]
    gap = rule[1].astimezone(UTC) - rule[0].astimezone(UTC)
    assert gap == timedelta(days=7) - timedelta(hours=1)  # across the DST change


async def test_a_mentors_edit_reaches_the_host(nexus: Nexus) -> None:
    ada, bola = nexus.world.ada, nexus.world.bola
    session = await create(nexus, ada)
    await click(nexus, bola, session, "join")
    await said(nexus, nexus.world.mentor, "session edit", id=session.id, title="ORM deep dive")
    [notice] = thread_messages(nexus, session)
    assert "was changed by" in notice.content
    assert sorted(notice.notified_ids) == sorted([ada.id, bola.id])
    await said(nexus, ada, "session edit", id=session.id, title="ORM deeper dive")
    assert thread_messages(nexus, session)[-1].notified_ids == [bola.id]  # not the editor


async def test_a_hosts_own_rsvp_from_before_is_settled_at_start(nexus: Nexus) -> None:
    mentor, bola = nexus.world.mentor, nexus.world.bola
    session = await create(nexus, capacity=1)
    await nexus.bot.close()
    # As the bot before this rule allowed: the host took the one place, bola waits.
    db = database_for(nexus.url)
    await db.connect()
    async with db.transaction() as tx:
        await tx.executemany(
            "INSERT INTO session_rsvps (session_id, user_id, status, position, joined_at)"
            " VALUES (?, ?, ?, ?, 0)",
            [(session.id, mentor.id, "going", 1), (session.id, bola.id, "waitlist", 2)],
        )
    await db.close()
    async with running_bot(nexus):
        cog = nexus.bot.get_cog("SessionEvents")
        await cog.reconcile_tasks[nexus.world.guild.id]  # type: ignore[union-attr]
        await settled(nexus)  # the card edits it asked for (more than one on a slower database)
        roster = await nexus.services.sessions.roster(session.id)
        assert (roster.going, roster.waitlist) == ([bola.id], [])
        assert field(card_data(nexus, session), "Going") == (
            "Going (host + 1/1)",
            f"<@{mentor.id}> (host), <@{bola.id}>",
        )
        [notice] = nexus.emu.dm_messages(bola.id)
        assert "A place opened up" in notice.content


async def test_the_next_thread_takes_everyone_carried_over_who_is_still_here(
    nexus: Nexus,
) -> None:
    ada, bola = nexus.world.ada, nexus.world.bola
    first = await create(nexus, repeat="daily")
    for user in (ada, bola):
        await click(nexus, user, first, "join")
    nexus.emu.remove_member(nexus.world.guild.id, ada.id)  # ada left the server
    nexus.expect_http_error(404, code=10007, method="PUT")  # Discord: no such member
    nexus.clock.set(first.start)
    await nexus.run_timers()
    second = await nexus.services.sessions.next_in_series(first.id)
    assert second is not None and second.thread_id is not None
    assert members(nexus, second.thread_id) >= {nexus.world.mentor.id, bola.id}
    assert ada.id not in members(nexus, second.thread_id)
