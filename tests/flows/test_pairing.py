"""``/pair`` through the emulator: profiles, suggestions, requests with Accept/Decline,
private kickoff threads, check-ins, status, end, snooze, exclude, rounds and their
schedule."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.db import sql
from tests.emulator import Message, User
from tests.flows.harness import Nexus, embed_text, running_bot
from tests.flows.sessions_kit import finished, said


async def profile(nexus: Nexus, user: User, **options: Any) -> str:
    options.setdefault("track", "backend")
    options.setdefault("skills", "python, django")
    return await said(nexus, user, "pair profile", **options)


def request_posts(nexus: Nexus) -> list[Message]:
    posts = nexus.emu.messages(nexus.world.pairing.id)
    return [m for m in posts if "would like to pair" in m.content]


async def run(nexus: Nexus, actor: User, name: str, **options: Any) -> str:
    """Like ``said``, for commands with a ``user`` option."""
    ix = await nexus.emu.slash(
        actor, nexus.world.guild.id, name, channel_id=nexus.world.general.id, options=options
    )
    return embed_text(await finished(nexus, ix))


async def request(nexus: Nexus, asker: User, target: User, **options: Any) -> Message:
    text = await run(nexus, asker, "pair request", user=target.id, **options)
    assert "Request sent" in text, text
    return request_posts(nexus)[-1]


def custom_id(message: Message, prefix: str) -> str:
    for row in message.components:
        for component in row.get("components", []):
            if str(component.get("custom_id", "")).startswith(prefix):
                return str(component["custom_id"])
    raise AssertionError(f"no {prefix} button on message {message.id}: {message.components}")


async def press(nexus: Nexus, user: User, message: Message, prefix: str) -> dict[str, Any]:
    ix = await nexus.emu.click(user, message, custom_id(nexus.emu.message(message.id), prefix))
    return await finished(nexus, ix)


async def accept(nexus: Nexus, user: User, post: Message) -> str:
    """**Accept**: the post is updated at once; the thread link follows when it is open."""
    ix = await nexus.emu.click(user, post, custom_id(nexus.emu.message(post.id), "pair:accept"))
    await ix.response()
    [followup] = await ix.followups(1)
    return embed_text(nexus.emu.payload(followup))


def pair_threads(nexus: Nexus) -> list[Any]:
    return nexus.emu.threads(nexus.world.pairing.id)


# -- profiles --------------------------------------------------------------------------------


async def test_profile_normalises_skills_and_reads_hours(nexus: Nexus) -> None:
    ada = nexus.world.ada
    await said(nexus, ada, "timezone set", zone="Africa/Lagos")
    text = await profile(
        nexus, ada, skills="Py, DRF , postgres, JS, py", availability="mon-fri 18-22"
    )
    assert "Pairing profile saved" in text
    assert "python, django-rest-framework, postgresql, javascript" in text
    stored = await nexus.services.pairing.profile(nexus.world.guild.id, ada.id)
    assert stored is not None
    assert stored.skills == ("python", "django-rest-framework", "postgresql", "javascript")
    assert stored.zone == "Africa/Lagos"
    assert stored.windows[0] == (0, 18 * 60, 22 * 60)


async def test_bad_hours_quote_what_could_not_be_read_and_keep_the_profile(nexus: Nexus) -> None:
    ada = nexus.world.ada
    await profile(nexus, ada, availability="mon-fri 18-22")
    text = await profile(nexus, ada, track="frontend", availability="mon-fri 18-22, whenever")
    assert "whenever" in text
    stored = await nexus.services.pairing.profile(nexus.world.guild.id, ada.id)
    assert stored is not None and stored.track == "backend"  # nothing half saved


async def test_too_many_skills_name_the_limit(nexus: Nexus) -> None:
    skills = ", ".join(f"skill{i}" for i in range(16))
    text = await profile(nexus, nexus.world.ada, skills=skills)
    assert "15" in text
    assert await nexus.services.pairing.profile(nexus.world.guild.id, nexus.world.ada.id) is None


# -- find ------------------------------------------------------------------------------------


async def test_find_ranks_a_complementary_track_first_with_reasons(nexus: Nexus) -> None:
    ada, bola, chidi = nexus.world.learners[:3]
    await profile(nexus, ada, track="backend", skills="python, django, docker")
    await profile(nexus, bola, track="frontend", skills="react")
    await profile(nexus, chidi, track="backend", skills="python, django, docker")
    ix = await nexus.slash(ada, "pair find")
    data = await finished(nexus, ix)
    text = embed_text(data)
    assert text.index(f"<@{bola.id}>") < text.index(f"<@{chidi.id}>")
    assert "backend ↔ frontend" in text
    assert "shared: python, django, docker" in text
    buttons = [c["custom_id"] for row in data["components"] for c in row["components"]]
    assert buttons == [f"pair:ask:{bola.id}", f"pair:ask:{chidi.id}"]
    labels = [c["label"] for row in data["components"] for c in row["components"]]
    assert labels == ["Request #1", "Request #2"]
    # The bot keeps nothing of an answer's buttons: no view waits out a timeout.
    tasks = len(asyncio.all_tasks())
    for _ in range(3):
        await finished(nexus, await nexus.slash(ada, "pair find"))
    assert len(asyncio.all_tasks()) == tasks


async def test_find_without_a_profile_says_how_to_start(nexus: Nexus) -> None:
    text = await said(nexus, nexus.world.ada, "pair find")
    assert "/pair profile" in text


# -- requests, accept, decline, expiry -------------------------------------------------------


async def test_accept_opens_a_private_thread_of_exactly_the_pair(nexus: Nexus) -> None:
    ada, bola, chidi = nexus.world.learners[:3]
    await said(nexus, ada, "timezone set", zone="Africa/Lagos")
    await said(nexus, bola, "timezone set", zone="Europe/London")
    await profile(nexus, ada, track="backend", availability="mon 18-22")
    await profile(nexus, bola, track="frontend", skills="react, django", availability="mon 18-22")
    post = await request(nexus, ada, bola, message="Let's build a todo API @everyone")
    assert f"<@{bola.id}>" in post.content and "@everyone" in post.content
    assert post.mention_ids == [bola.id]  # the target only: not the requester, not everyone
    assert not post.mention_everyone

    refused = embed_text(await press(nexus, chidi, post, "pair:accept"))
    assert f"Only <@{bola.id}> can answer" in refused
    own = embed_text(await press(nexus, ada, post, "pair:accept"))
    assert "your own request" in own

    assert "Your private thread is <#" in await accept(nexus, bola, post)
    [thread] = pair_threads(nexus)
    assert thread.type == 12  # private
    assert set(thread.thread_members) == {ada.id, bola.id, nexus.emu.bot_user.id}
    edited = nexus.emu.message(post.id)
    assert "accepted" in edited.content and edited.components == []
    [kickoff] = nexus.emu.messages(thread.id)
    text = kickoff.content + embed_text(nexus.emu.payload(kickoff))
    assert "backend" in text and "frontend" in text
    assert "django" in text  # shared skill
    # Mon 18-22 Lagos (UTC+1) and Mon 18-22 London (UTC+0 in winter) share 19:00-22:00 Lagos.
    assert f"<@{ada.id}> (Africa/Lagos): Mon 19:00–22:00" in text
    assert f"<@{bola.id}> (Europe/London): Mon 18:00–21:00" in text
    assert "API contract" in text


async def test_decline_and_expiry_update_the_post(nexus: Nexus) -> None:
    ada, bola, chidi = nexus.world.learners[:3]
    for user, track in ((ada, "backend"), (bola, "frontend"), (chidi, "frontend")):
        await profile(nexus, user, track=track)
    declined = await request(nexus, ada, bola)
    await press(nexus, bola, declined, "pair:decline")
    assert "declined" in nexus.emu.message(declined.id).content
    assert pair_threads(nexus) == []
    # Declined: never suggested to each other again.
    text = await said(nexus, ada, "pair find")
    assert f"<@{bola.id}>" not in text and f"<@{chidi.id}>" in text

    expiring = await request(nexus, ada, chidi)
    nexus.clock.advance(hours=71)
    assert await nexus.run_timers() == 0
    nexus.clock.advance(hours=1)
    assert await nexus.run_timers() == 1
    after = nexus.emu.message(expiring.id)
    assert "expired" in after.content and after.components == []


async def test_one_open_request_between_two_people(nexus: Nexus) -> None:
    ada, bola = nexus.world.ada, nexus.world.bola
    await profile(nexus, ada)
    await profile(nexus, bola, track="frontend")
    await request(nexus, ada, bola)
    text = await run(nexus, bola, "pair request", user=ada.id)
    assert "already an open request" in text
    assert len(request_posts(nexus)) == 1


# -- exclusions stay private -----------------------------------------------------------------


async def test_an_exclusion_is_private_and_respected(nexus: Nexus) -> None:
    ada, bola = nexus.world.ada, nexus.world.bola
    await profile(nexus, ada)
    await profile(nexus, bola, track="frontend")
    text = await run(nexus, bola, "pair exclude", user=ada.id)
    assert "Only you can see this" in text
    refused = await run(nexus, ada, "pair request", user=bola.id)
    assert "isn't taking pairing requests right now" in refused
    assert "exclu" not in refused.lower()
    assert request_posts(nexus) == []
    assert f"<@{bola.id}>" not in await said(nexus, ada, "pair find")
    assert "exclu" not in (await said(nexus, ada, "pair status")).lower()


# -- status, end, snooze, check-in -----------------------------------------------------------


async def paired(nexus: Nexus, a: User, b: User) -> Any:
    await profile(nexus, a)
    await profile(nexus, b, track="frontend")
    post = await request(nexus, a, b)
    await accept(nexus, b, post)
    [thread] = [t for t in pair_threads(nexus) if {a.id, b.id} <= set(t.thread_members)]
    return thread


async def test_check_in_a_week_later_feeds_status(nexus: Nexus) -> None:
    ada, bola = nexus.world.ada, nexus.world.bola
    thread = await paired(nexus, ada, bola)
    nexus.clock.advance(days=7)
    assert await nexus.run_timers() == 1
    checkin = nexus.emu.messages(thread.id)[-1]
    assert "Did you meet?" in checkin.content
    outsider = embed_text(await press(nexus, nexus.world.learners[2], checkin, "pair:met"))
    assert "Only the members of this pair" in outsider
    await press(nexus, ada, checkin, "pair:met")
    status = await said(nexus, bola, "pair status")
    assert f"<@{ada.id}>" in status
    assert "1 met" in status


async def test_end_frees_both_and_tells_the_thread(nexus: Nexus) -> None:
    ada, bola = nexus.world.ada, nexus.world.bola
    thread = await paired(nexus, ada, bola)
    text = await run(nexus, bola, "pair end", user=ada.id)
    assert "no longer partners" in text
    assert "ended this partnership" in nexus.emu.messages(thread.id)[-1].content
    again = await run(nexus, bola, "pair end", user=ada.id)
    assert "are not partners" in again


async def test_snooze_takes_a_learner_out_of_rounds(nexus: Nexus) -> None:
    ada, bola, chidi = nexus.world.learners[:3]
    for user, track in ((ada, "backend"), (bola, "frontend"), (chidi, "frontend")):
        await profile(nexus, user, track=track)
    text = await said(nexus, bola, "pair snooze", until="in 2 weeks")
    assert "Rounds skip you until" in text
    report = await said(nexus, nexus.world.mentor, "pair round")
    assert f"<@{bola.id}>: snoozed" in report
    [thread] = pair_threads(nexus)
    assert set(thread.thread_members) == {ada.id, chidi.id, nexus.emu.bot_user.id}


# -- rounds ----------------------------------------------------------------------------------


async def test_a_learner_may_not_run_a_round(nexus: Nexus) -> None:
    text = await said(nexus, nexus.world.ada, "pair round")
    assert "Only mentors" in text
    assert pair_threads(nexus) == []


async def test_round_pairs_frontend_with_backend_and_makes_a_trio(nexus: Nexus) -> None:
    ada, bola, chidi, dayo = nexus.world.learners[:4]
    efe = nexus.emu.add_user("efe")
    nexus.emu.add_member(nexus.world.guild.id, efe)
    people = [ada, bola, chidi, dayo, efe]
    tracks = dict(
        zip([u.id for u in people], ["backend", "frontend"] * 2 + ["backend"], strict=True)
    )
    for user in people:
        await profile(nexus, user, track=tracks[user.id])
    text = await said(nexus, nexus.world.mentor, "pair round")
    assert "1 pair and 1 trio from 5 available learners" in text
    threads = pair_threads(nexus)
    assert len(threads) == 2
    bot = nexus.emu.bot_user.id
    groups = sorted(len(set(t.thread_members) - {bot}) for t in threads)
    assert groups == [2, 3]
    for thread in threads:
        members = set(thread.thread_members) - {bot}
        assert {tracks[m] for m in members} == {"backend", "frontend"}
    again = await said(nexus, nexus.world.mentor, "pair round")
    assert "every available learner has one" in again


async def test_a_round_rides_out_429s(nexus: Nexus) -> None:
    learners = nexus.world.learners[:4]
    for i, user in enumerate(learners):
        await profile(nexus, user, track="backend" if i % 2 else "frontend")
    nexus.emu.inject_failure("POST", r"/channels/\d+/threads", 429, times=2, retry_after=0.1)
    await said(nexus, nexus.world.mentor, "pair round")
    assert len(pair_threads(nexus)) == 2
    rows = await sql.fetch_all(nexus.services.db.reader, "SELECT thread_id FROM pairs")
    assert all(row[0] is not None for row in rows)


async def test_rounds_schedule_is_admin_only_and_keeps_local_time(nexus: Nexus) -> None:
    refused = await said(nexus, nexus.world.ada, "pair rounds", schedule="weekly mon 10:00")
    assert "Only admins" in refused
    text = await said(nexus, nexus.world.admin, "pair rounds", schedule="weekly mon 10:00")
    assert "every Monday at 10:00 (Africa/Lagos)" in text
    for i, user in enumerate(nexus.world.learners[:2]):
        await profile(nexus, user, track="backend" if i else "frontend")
    schedule = await nexus.services.pairing.rounds.set_schedule(
        nexus.world.guild.id, "weekly mon 10:00"
    )
    assert schedule is not None
    nexus.clock.set(schedule.next_at)
    assert await nexus.run_timers() == 1
    assert len(pair_threads(nexus)) == 1
    report = [m for m in nexus.emu.messages(nexus.world.pairing.id) if m.embeds]
    assert report and "Pairing round" in embed_text(nexus.emu.payload(report[-1]))
    rows = await sql.fetch_all(
        nexus.services.db.reader,
        "SELECT due_at FROM timers WHERE kind = 'pair.round' AND state = 'pending'",
    )
    [due] = [datetime.fromtimestamp(row[0], UTC) for row in rows]
    assert due - schedule.next_at == timedelta(weeks=1)
    off = await said(nexus, nexus.world.admin, "pair rounds", schedule="off")
    assert "off" in off


@pytest.mark.parametrize("command", ["pair find", "pair round"])
async def test_pairing_needs_its_channel(bare: Nexus, command: str) -> None:
    await bare.reply(bare.world.admin, "nexus setup", qa_forum=bare.world.qa_forum.id)
    user = bare.world.mentor if command == "pair round" else bare.world.ada
    if command == "pair find":
        text = await run(bare, user, "pair request", user=bare.world.bola.id)
    else:
        text = await said(bare, bare.world.admin, command)
    assert "`/nexus setup pairing_channel`" in text


async def test_a_round_cut_short_is_finished_at_the_next_start(nexus: Nexus) -> None:
    """Killed mid-round: one thread was created on Discord but not recorded (its answer
    lost), the others never made. After a restart the first is adopted by its name, the
    rest are opened: one thread per pair, nobody paired twice."""
    people = nexus.world.learners[:4]
    for i, user in enumerate(people):
        await profile(nexus, user, track="backend" if i % 2 else "frontend")
    guild = nexus.world.guild.id
    # The round is planned and stored, then the process dies while opening threads: the
    # first creation reaches Discord but its answer is lost, the second never goes out.
    nexus.emu.inject_failure("POST", r"/channels/\d+/threads", 403, apply=True, code=50013)
    nexus.emu.inject_failure("POST", r"/channels/\d+/threads", 403, code=50013)
    report = await nexus.services.pairing.rounds.plan(guild, started_by=nexus.world.mentor.id)
    failed = await nexus.bot.get_cog("PairingEvents").publisher.open_all(  # type: ignore[union-attr]
        report.pairs, nexus.world.pairing.id
    )
    assert len(failed) == 2
    assert len(pair_threads(nexus)) == 1  # made on Discord, unknown to the database
    await nexus.bot.close()

    async with running_bot(nexus):
        cog = nexus.bot.get_cog("PairingEvents")
        assert cog is not None
        assert await cog.repairs[guild] == 2  # type: ignore[attr-defined]
        threads = pair_threads(nexus)
        assert len(threads) == 2
        rows = await sql.fetch_all(
            nexus.services.db.reader, "SELECT thread_id, thread_name FROM pairs ORDER BY id"
        )
        assert sorted(row[0] for row in rows) == sorted(t.id for t in threads)
        bot = nexus.emu.bot_user.id
        members = [set(t.thread_members) - {bot} for t in threads]
        assert sorted(len(m) for m in members) == [2, 2]
        assert set().union(*members) == {u.id for u in people}
        for thread in threads:  # one kickoff each, even for the adopted thread
            assert len(nexus.emu.messages(thread.id)) == 1
        assert await nexus.services.pairing.rounds.unfinished(guild) == []


async def test_forget_me_erases_pairing_and_withdraws_open_requests(nexus: Nexus) -> None:
    ada, bola, chidi = nexus.world.learners[:3]
    await paired(nexus, ada, bola)
    await profile(nexus, chidi, track="frontend")
    post = await request(nexus, ada, chidi)
    await run(nexus, ada, "pair exclude", user=nexus.world.learners[3].id)
    held = await nexus.services.privacy.inventory(ada.id)
    assert held["your pairing profile"] == 1
    assert held["pairing requests"] == 2  # the accepted one and the open one
    assert held["pairing exclusions"] == 1

    ix = await nexus.slash(ada, "privacy forget-me")
    await ix.response()
    prompt = ix.original_message
    assert prompt is not None
    confirmed = await nexus.emu.click(
        ada, prompt, prompt.components[0]["components"][0]["custom_id"]
    )
    await confirmed.response()
    assert await nexus.services.privacy.inventory(ada.id) == {}
    assert await nexus.services.pairing.profile(nexus.world.guild.id, ada.id) is None
    withdrawn = nexus.emu.message(post.id)
    assert "withdrawn" in withdrawn.content and withdrawn.components == []
    assert "No profile yet" in await said(nexus, ada, "pair status")
    assert f"<@{ada.id}>" not in await said(nexus, bola, "pair status")


async def test_scheduled_rounds_keep_the_servers_local_time_across_dst(bare: Nexus) -> None:
    w = bare.world
    await bare.reply(w.admin, "nexus setup", pairing_channel=w.pairing.id, timezone="Europe/London")
    bare.clock.set(datetime(2026, 10, 20, 12, 0, tzinfo=UTC))  # a Tuesday, London on BST
    text = await said(bare, w.admin, "pair rounds", schedule="mon 10:00")
    assert "every Monday at 10:00 (Europe/London)" in text
    london = ZoneInfo("Europe/London")
    dues = []
    for _ in range(2):  # Mon 26 Oct (after the change to GMT), then Mon 2 Nov
        [due] = await pending_round_dues(bare)
        dues.append(due)
        bare.clock.set(due)
        assert await bare.run_timers() == 1
    local = [d.astimezone(london) for d in dues]
    assert [(d.month, d.day, d.hour, d.minute) for d in local] == [(10, 26, 10, 0), (11, 2, 10, 0)]
    [upcoming] = await pending_round_dues(bare)
    assert upcoming.astimezone(london).hour == 10


async def pending_round_dues(nexus: Nexus) -> list[datetime]:
    rows = await sql.fetch_all(
        nexus.services.db.reader,
        "SELECT due_at FROM timers WHERE kind = 'pair.round' AND state = 'pending'",
    )
    return [datetime.fromtimestamp(row[0], UTC) for row in rows]


async def test_the_request_button_of_a_suggestion_sends_a_request(nexus: Nexus) -> None:
    ada, bola = nexus.world.ada, nexus.world.bola
    await profile(nexus, ada)
    await profile(nexus, bola, track="frontend")
    ix = await nexus.slash(ada, "pair find")
    await ix.response()
    found = ix.original_message
    assert found is not None
    clicked = await nexus.emu.click(ada, found, f"pair:ask:{bola.id}")
    assert "Request sent" in embed_text(await finished(nexus, clicked))
    [post] = request_posts(nexus)
    assert post.mention_ids == [bola.id]


async def test_accept_and_check_in_buttons_work_after_a_restart(nexus: Nexus) -> None:
    ada, bola = nexus.world.ada, nexus.world.bola
    await profile(nexus, ada)
    await profile(nexus, bola, track="frontend")
    post = await request(nexus, ada, bola)
    await nexus.bot.close()
    async with running_bot(nexus):
        assert "Your private thread" in await accept(nexus, bola, post)
        [thread] = pair_threads(nexus)
        nexus.clock.advance(days=7)
        assert await nexus.run_timers() == 1
        checkin = nexus.emu.messages(thread.id)[-1]
    async with running_bot(nexus):
        answers = [(ada, "pair:notyet", "still time"), (bola, "pair:nowork", "/pair end")]
        for user, prefix, expected in answers:
            assert expected in embed_text(await press(nexus, user, checkin, prefix))
        stored = await nexus.services.pairing.checkins(
            (await nexus.services.pairing.status(nexus.world.guild.id, ada.id)).partners[0].id
        )
        assert stored == {ada.id: "not_yet", bola.id: "didnt_work"}
