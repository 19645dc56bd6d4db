"""``/announce`` through the emulator: the modal and its exact preview, Post and Cancel,
every ping choice with the allowed mentions sent, scheduling across a restart and a
crash window, repeats across DST, the publish limit, retries spent, edits in place,
cancel, delete, the list's audit, and the weekly digest."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.db import sql
from bot.services.access import Actor
from bot.services.qa.rules import Ask
from tests.emulator import EmulatorUsageError, Message, User
from tests.emulator.records import InteractionRecord
from tests.flows.harness import Nexus, embed_text, running_bot
from tests.flows.sessions_kit import finished, said


async def write(
    nexus: Nexus, user: User, title: str = "Demo day", body: str = "Ship it.", **options: Any
) -> InteractionRecord:
    """``/announce post`` and the modal filled in: the preview's interaction."""
    ix = await nexus.slash(user, "announce post", **options)
    response = await ix.response()
    assert response["type"] == 9, response  # the modal
    submitted = await nexus.emu.submit_modal(
        user, ix, ix.modal["custom_id"], {"announce:title": title, "announce:body": body}
    )
    await submitted.response()
    return submitted


def preview_of(ix: InteractionRecord) -> Message:
    assert ix.original_message is not None
    return ix.original_message


def button(message: Message, prefix: str) -> dict[str, Any]:
    for row in message.components:
        for component in row["components"]:
            if component.get("custom_id", "").startswith(prefix):
                return dict(component)
    raise AssertionError(f"no {prefix} button: {message.components}")


async def press(nexus: Nexus, user: User, message: Message, prefix: str) -> str:
    ix = await nexus.emu.click(user, message, button(message, prefix)["custom_id"])
    await ix.response()
    edited = await ix.wait_for_edit() if ix.callback and ix.callback["type"] == 6 else None
    final = edited or nexus.emu.message(message.id)
    return final.content + embed_text(nexus.emu.payload(final))


def posts(nexus: Nexus) -> list[Message]:
    return [m for m in nexus.emu.messages(nexus.world.announcements.id) if m.embeds]


async def test_learners_may_not_announce(nexus: Nexus) -> None:
    """Discord does not show ``/announce`` to learners; should an admin let everyone use
    it in Integrations, the command itself still refuses them."""
    w = nexus.world
    with pytest.raises(EmulatorUsageError, match="cannot see /announce"):
        await nexus.slash(w.ada, "announce post")
    nexus.emu.set_command_permissions(w.guild.id, "announce", roles={w.guild.id: True})
    assert "Only mentors" in await said(nexus, w.ada, "announce post")
    assert "Only mentors" in await said(nexus, w.ada, "announce list")
    assert posts(nexus) == []


async def test_preview_then_post_signed_pinging_exactly_the_role(nexus: Nexus) -> None:
    w = nexus.world
    ix = await write(nexus, w.mentor, body="Demo at 5. @everyone come!", ping=w.helper_role.id)
    preview = preview_of(ix)
    assert preview.ephemeral
    text = preview.content + embed_text(nexus.emu.payload(preview))
    assert "exactly how it will look" in text and f"pings <@&{w.helper_role.id}>" in text
    assert posts(nexus) == []  # nothing before Post

    done = await press(nexus, w.mentor, preview, "announce:post")
    assert "posted" in done
    [post] = posts(nexus)
    payload = nexus.emu.payload(post)
    assert payload["embeds"][0]["title"] == "Demo day"
    assert "Posted by" in payload["embeds"][0]["footer"]["text"]
    assert post.mention_role_ids == [w.helper_role.id]
    assert not post.mention_everyone  # the body's @everyone pings nobody
    assert post.flags & 1  # published to following servers (an announcement channel)


async def test_cancel_on_the_preview_posts_nothing(nexus: Nexus) -> None:
    ix = await write(nexus, nexus.world.mentor)
    assert "discarded" in await press(nexus, nexus.world.mentor, preview_of(ix), "announce:discard")
    assert posts(nexus) == []


async def test_everyone_needs_mention_everyone(nexus: Nexus) -> None:
    w = nexus.world
    everyone = w.guild.id  # the @everyone role has the server's id
    ix = await write(nexus, w.mentor, ping=everyone)
    preview = preview_of(ix)
    assert "Mention Everyone" in preview.content
    assert button(preview, "announce:post").get("disabled") is True

    admin = await write(nexus, w.admin, ping=everyone)
    await press(nexus, w.admin, preview_of(admin), "announce:post")
    [post] = posts(nexus)
    assert post.mention_everyone


async def test_no_ping_pings_nobody(nexus: Nexus) -> None:
    w = nexus.world
    ix = await write(nexus, w.mentor, body=f"<@&{w.helper_role.id}> <@{w.ada.id}> @here")
    await press(nexus, w.mentor, preview_of(ix), "announce:post")
    [post] = posts(nexus)
    assert (post.mention_ids, post.mention_role_ids, post.mention_everyone) == ([], [], False)


async def scheduled(nexus: Nexus, user: User, **options: Any) -> int:
    ix = await write(nexus, user, **options)
    text = await press(nexus, user, preview_of(ix), "announce:post")
    assert "scheduled" in text, text
    row = await sql.fetch_one(nexus.services.db.reader, "SELECT max(id) FROM announcements")
    assert row is not None
    return int(row[0])


async def test_a_scheduled_post_goes_out_once_across_a_restart(nexus: Nexus) -> None:
    await scheduled(nexus, nexus.world.mentor, when="in 2 hours")
    assert "Scheduled" in await said(nexus, nexus.world.mentor, "announce list")
    await nexus.bot.close()
    nexus.clock.advance(hours=2)
    async with running_bot(nexus):
        assert await nexus.run_timers() == 1
        assert await nexus.run_timers() == 0
        assert len(posts(nexus)) == 1


async def test_killed_between_the_post_and_its_record_posts_once(nexus: Nexus) -> None:
    """The database as a kill leaves it right after Discord accepted the post: the timer
    back to pending, nothing recorded. The retry carries the same nonce, so Discord
    returns the message already posted, and it is recorded once."""
    announcement_id = await scheduled(nexus, nexus.world.mentor, when="in 1 hour")
    nexus.clock.advance(hours=1)
    assert await nexus.run_timers() == 1
    [first] = posts(nexus)
    await nexus.bot.close()
    db = nexus.services.db
    async with db.transaction() as tx:
        await sql.execute(tx, "DELETE FROM announcement_posts")
        await sql.execute(
            tx,
            "UPDATE announcements SET occurrence = 0, status = 'scheduled' WHERE id = ?",
            (announcement_id,),
        )
        await sql.execute(
            tx,
            "UPDATE timers SET state = 'sending' WHERE kind = 'announce.post' AND subject_id = ?",
            (announcement_id,),
        )
    async with running_bot(nexus):
        assert await nexus.run_timers() == 1
        assert [m.id for m in posts(nexus)] == [first.id]
        stored = await nexus.services.announcements.posts(announcement_id)
        assert [(p.message_id, p.occurrence) for p in stored] == [(first.id, 1)]
    assert nexus.emu.dm_messages(nexus.world.mentor.id) == []  # no "not published" notice


async def test_a_publish_whose_answer_was_lost_counts_as_published(nexus: Nexus) -> None:
    """Discord published it, the answer got lost (502), discord.py asked again and was
    told "already crossposted": that is a success, not a refusal to tell the author of."""
    crosspost = r"/channels/\d+/messages/\d+/crosspost"
    nexus.emu.inject_failure("POST", crosspost, 502, apply=True)
    nexus.expect_http_error(400, code=40033, method="POST", path=crosspost)
    ix = await write(nexus, nexus.world.mentor)
    text = await press(nexus, nexus.world.mentor, preview_of(ix), "announce:post")
    assert "posted" in text and "not published" not in text, text
    [post] = posts(nexus)
    assert post.flags & 1
    assert [c.status for c in nexus.emu.calls_to("POST", crosspost)] == [502, 400]


async def test_a_weekly_post_keeps_local_time_across_dst(nexus: Nexus) -> None:
    w = nexus.world
    await said(nexus, w.mentor, "timezone set", zone="Europe/London")
    nexus.clock.set(datetime(2026, 10, 19, 8, 0, tzinfo=UTC))  # Mon, BST
    await scheduled(nexus, w.mentor, when="2026-10-20 09:00", repeat="weekly")
    london = ZoneInfo("Europe/London")
    times = []
    for _ in range(3):  # 20 Oct (BST), 27 Oct (GMT), 3 Nov
        [due] = [
            datetime.fromtimestamp(r[0], UTC)
            for r in await sql.fetch_all(
                nexus.services.db.reader,
                "SELECT due_at FROM timers WHERE kind = 'announce.post' AND state = 'pending'",
            )
        ]
        nexus.clock.set(due)
        assert await nexus.run_timers() == 1
        times.append(due)
    assert len(posts(nexus)) == 3
    local = [t.astimezone(london) for t in times]
    assert [(d.month, d.day, d.hour) for d in local] == [(10, 20, 9), (10, 27, 9), (11, 3, 9)]


async def test_over_the_publish_limit_posts_unpublished_and_tells_the_author(
    nexus: Nexus,
) -> None:
    w = nexus.world
    late = nexus.emu.add_user("mentor-mo")
    nexus.emu.add_member(w.guild.id, late, roles=[w.mentor_role.id])
    authors = [w.mentor] * 5 + [w.admin] * 5 + [late]  # each within the write cooldown
    for i, author in enumerate(authors):
        ix = await write(nexus, author, title=f"Update {i}")
        text = await press(nexus, author, preview_of(ix), "announce:post")
    assert "not published to following servers" in text
    sent = posts(nexus)
    assert len(sent) == 11
    assert [bool(m.flags & 1) for m in sent] == [True] * 10 + [False]
    assert len(nexus.emu.calls_to("POST", r"/channels/\d+/messages/\d+/crosspost")) == 10
    # An hour later the channel may publish again.
    nexus.clock.advance(hours=1, minutes=1)
    ix = await write(nexus, late, title="Next hour")
    await press(nexus, late, preview_of(ix), "announce:post")
    assert posts(nexus)[-1].flags & 1


async def test_retries_spent_tell_the_author(nexus: Nexus) -> None:
    w = nexus.world
    await scheduled(nexus, w.mentor, when="in 1 hour")
    channel = w.announcements.id
    nexus.emu.inject_failure("POST", rf"/channels/{channel}/messages", 503, times=100)
    nexus.clock.advance(hours=1)
    for _ in range(4):  # the first try and 3 retries, backing off
        assert await nexus.run_timers() == 1
        nexus.clock.advance(seconds=60)
    assert posts(nexus) == []
    [notice] = nexus.emu.dm_messages(w.mentor.id)
    assert "could not be posted" in notice.content and "after 4 tries" in notice.content
    assert await nexus.run_timers() == 0


async def test_edit_in_place_cancel_delete_and_the_audit(nexus: Nexus) -> None:
    w = nexus.world
    ix = await write(nexus, w.mentor, title="Office hours")
    await press(nexus, w.mentor, preview_of(ix), "announce:post")
    [post] = posts(nexus)
    row = await sql.fetch_one(nexus.services.db.reader, "SELECT max(id) FROM announcements")
    assert row is not None
    posted_id = int(row[0])

    edit = await nexus.slash(w.mentor, "announce edit", id=posted_id)
    assert (await edit.response())["type"] == 9
    assert edit.modal is not None
    done = await nexus.emu.submit_modal(
        w.mentor,
        edit,
        edit.modal["custom_id"],
        {"announce:title": "Office hours (moved)", "announce:body": "Ship it."},
    )
    text = embed_text(await finished(nexus, done))
    assert "Changed: title" in text
    assert [m.id for m in posts(nexus)] == [post.id]  # edited in place, not reposted
    assert nexus.emu.payload(posts(nexus)[0])["embeds"][0]["title"] == "Office hours (moved)"

    later = await scheduled(nexus, w.mentor, when="in 3 hours")
    assert "cancelled" in await said(nexus, w.mentor, "announce cancel", id=later)
    nexus.clock.advance(hours=3)
    assert await nexus.run_timers() == 0

    assert "deleted" in await said(nexus, w.mentor, "announce delete", id=posted_id)
    assert nexus.emu.message(post.id).deleted
    listing = await said(nexus, w.mentor, "announce list")
    assert "edited" in listing and "deleted" in listing and "cancelled" in listing


async def test_the_digest_sums_up_the_week_and_skips_an_empty_one(nexus: Nexus) -> None:
    w = nexus.world
    refused = await said(nexus, w.mentor, "announce digest", schedule="mon 09:00")
    assert "Only admins" in refused  # a mentor sees /announce, but the digest is an admin's
    text = await said(nexus, w.admin, "announce digest", schedule="mon 09:00")
    assert "every Monday at 09:00" in text
    rows = await sql.fetch_all(
        nexus.services.db.reader,
        "SELECT due_at FROM timers WHERE kind = 'announce.digest' AND state = 'pending'",
    )
    [due] = [datetime.fromtimestamp(r[0], UTC) for r in rows]
    nexus.clock.set(due)
    assert await nexus.run_timers() == 1
    assert posts(nexus) == []  # nothing happened this week: no post

    nexus.clock.set(due + timedelta(days=6))
    await said(nexus, w.mentor, "session create", title="Async clinic", when="in 3 days")
    # The week's other news, made through the services (what is tested is the post).
    services, guild = nexus.services, w.guild.id
    for thread, (asker, title) in enumerate(
        ((w.ada, "Celery task never runs"), (w.bola, "N+1 queries in a list view")), start=700
    ):
        await services.qa.record_question(
            guild_id=guild, channel_id=w.qa_forum.id, thread_id=thread, opener_id=thread,
            asker_id=asker.id, ask=Ask("django", title, "Details."),
        )  # fmt: skip
    await services.qa.solve(
        701, Actor(w.helper.id, frozenset({w.helper_role.id})),
        summary="Use prefetch_related.", answerer_id=w.helper.id,
    )  # fmt: skip
    for user, track in ((w.ada, "backend"), (w.bola, "frontend")):
        await services.pairing.save_profile(guild, user.id, track=track, skills="python")
    request = await services.pairing.request(guild, w.ada.id, w.bola.id, None)
    await services.pairing.answer(request.id, w.bola.id, accept=True)

    nexus.clock.set(due + timedelta(weeks=1))
    # Those questions live in threads Discord never saw: their unanswered pings, due by
    # now too, find no channel.
    nexus.expect_http_error(404, code=10003, method="POST", path=r"/channels/70[01]/messages")
    assert await nexus.run_timers() >= 1
    [digest] = posts(nexus)
    body = embed_text(nexus.emu.payload(digest))
    for expected in (
        "Sessions next week",
        "Async clinic",
        "Still unanswered",
        "Celery task never runs",
        "Solved this week",
        "Use prefetch_related.",
        "New pairs",
        f"<@{w.ada.id}> & <@{w.bola.id}>",
        "Top helpers",
        f"<@{w.helper.id}>",
    ):
        assert expected in body, expected


async def test_forget_me_keeps_the_post_signed_by_a_former_member(nexus: Nexus) -> None:
    w = nexus.world
    ix = await write(nexus, w.mentor)
    await press(nexus, w.mentor, preview_of(ix), "announce:post")
    held = await nexus.services.privacy.inventory(w.mentor.id)
    assert held["announcements you wrote (kept, signed by a former member)"] == 1
    forget = await nexus.slash(w.mentor, "privacy forget-me")
    await forget.response()
    prompt = forget.original_message
    assert prompt is not None
    confirmed = await nexus.emu.click(
        w.mentor, prompt, prompt.components[0]["components"][0]["custom_id"]
    )
    await confirmed.response()
    [post] = posts(nexus)
    footer = nexus.emu.payload(post)["embeds"][0]["footer"]["text"]
    assert footer == "Posted by a former member"
    assert await nexus.services.privacy.inventory(w.mentor.id) == {}
