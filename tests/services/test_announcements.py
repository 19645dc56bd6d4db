"""Announcements on a real database with a fake clock: drafts, confirming, the
occurrences a timer claims, repeating series (in the author's zone, across DST and
downtime), Discord's publish limit, failures, listing, search, edit, cancel, delete and
forget-me. The flows test what Discord receives; these pin the rules."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.db import announcements as repo
from bot.db import timers
from bot.db.announcements import Announcement
from bot.db.database import Database
from bot.errors import AlreadyDone, Conflict, InvalidInput, NotFound, PermissionDenied
from bot.services.access import MENTORS_ONLY, Actor
from bot.services.announcements.service import (
    EVERYONE_REFUSED,
    KIND_POST,
    PUBLISH_LIMIT,
    AnnouncementService,
    Claim,
)
from bot.services.container import Services
from bot.time.clock import FakeClock, epoch
from tests.services.writer import race_past_their_checks

GUILD, OTHER_GUILD = 1, 2
CHANNEL, OTHER_CHANNEL = 30, 31
AUTHOR, OTHER_MENTOR, MEMBER = 100, 101, 102
MENTOR = Actor(AUTHOR, is_admin=True)
EVERYONE_MENTOR = Actor(AUTHOR, is_admin=True, mention_everyone=True)
NOW = datetime(2026, 11, 28, 10, 0, tzinfo=UTC)  # the conftest clock
message_ids = iter(range(9000, 20_000))


async def draft(
    services: Services,
    *,
    title: str = "Office hours",
    body: str = "Bring your questions.",
    when: str | None = None,
    repeat: str = "none",
    actor: Actor = MENTOR,
    guild_id: int = GUILD,
    ping_role_id: int | None = None,
) -> Announcement:
    return await services.announcements.draft(
        guild_id,
        actor,
        author_name="Ada",
        channel_id=CHANNEL,
        title=title,
        body=body,
        ping_role_id=ping_role_id,
        when=when,
        repeat=repeat,
    )


async def confirmed(services: Services, actor: Actor = MENTOR, **kwargs: object) -> Announcement:
    made = await draft(services, actor=actor, **kwargs)  # type: ignore[arg-type]
    return await services.announcements.confirm(made.id, actor)


async def post_now(services: Services, announcement: Announcement) -> Announcement:
    claim = await services.announcements.claim(announcement.id)
    assert claim is not None
    return await services.announcements.posted(
        claim, channel_id=CHANNEL, message_id=next(message_ids), actor_id=AUTHOR
    )


async def live_timers(db: Database, announcement_id: int) -> list[tuple[int, int]]:
    return [
        (t.due_at, t.payload["occurrence"])
        for t in await timers.for_subject(db.reader, KIND_POST, announcement_id)
    ]


async def trail(db: Database, announcement_id: int) -> list[tuple[int | None, str, str, int]]:
    return [
        (e.actor_id, e.action, e.detail, e.at)
        for e in await repo.audit_of(db.reader, [announcement_id])
    ]


# -- drafts ------------------------------------------------------------------------------


async def test_a_draft_stores_what_was_typed_with_the_author_zone(services: Services) -> None:
    await services.preferences.set_timezone(AUTHOR, "Europe/Berlin")
    made = await draft(services, title="  Office hours  ", when="2026-11-30 18:00")
    assert made.status == "draft"
    assert (made.guild_id, made.author_id, made.author_name) == (GUILD, AUTHOR, "Ada")
    assert (made.channel_id, made.title, made.body) == (CHANNEL, "Office hours", made.body)
    assert made.due == datetime(2026, 11, 30, 17, 0, tzinfo=UTC)  # 18:00 in Berlin
    assert (made.repeat, made.zone, made.occurrence) == ("none", "Europe/Berlin", 0)
    assert made.created_at == epoch(NOW)


async def test_only_mentors_draft(services: Services) -> None:
    with pytest.raises(PermissionDenied, match="Only mentors"):
        await draft(services, actor=Actor(MEMBER))
    assert MENTORS_ONLY.startswith("Only mentors")


@pytest.mark.parametrize("repeat", ["monthly", "", "Daily"])
async def test_an_unknown_repeat_is_refused(services: Services, repeat: str) -> None:
    with pytest.raises(InvalidInput, match="`none`, `daily` or `weekly`"):
        await draft(services, when="in 1 hour", repeat=repeat)


async def test_a_repeating_draft_needs_its_first_time(services: Services) -> None:
    with pytest.raises(InvalidInput, match="needs `when`"):
        await draft(services, repeat="weekly")
    weekly = await draft(services, repeat="weekly", when="in 1 hour")
    assert weekly.repeat == "weekly"


async def test_everyone_is_refused_without_mention_everyone(services: Services) -> None:
    loud = await draft(services, ping_role_id=GUILD)  # the @everyone role's id is the guild's
    assert services.announcements.refusal(loud, MENTOR) == EVERYONE_REFUSED
    assert services.announcements.refusal(loud, EVERYONE_MENTOR) is None


async def test_confirming_a_draft_pinging_everyone_needs_the_permission(
    services: Services,
) -> None:
    loud = await draft(services, ping_role_id=GUILD)
    with pytest.raises(PermissionDenied, match="Mention Everyone"):
        await services.announcements.confirm(loud.id, MENTOR)
    ok = await services.announcements.confirm(loud.id, EVERYONE_MENTOR)
    assert ok.status == "draft"  # to be posted now
    role = await draft(services, ping_role_id=555)
    assert services.announcements.refusal(role, MENTOR) is None


async def test_confirm_checks_the_draft_its_author_and_its_state(services: Services) -> None:
    with pytest.raises(NotFound, match="draft is gone"):
        await services.announcements.confirm(999, MENTOR)
    made = await draft(services)
    with pytest.raises(PermissionDenied, match="Only the author"):
        await services.announcements.confirm(made.id, Actor(OTHER_MENTOR, is_admin=True))
    await services.announcements.discard(made.id, AUTHOR)
    with pytest.raises(Conflict, match=rf"#{made.id} was already cancelled"):
        await services.announcements.confirm(made.id, MENTOR)


async def test_confirming_a_future_time_schedules_one_timer_and_audits_it(
    services: Services, db: Database, clock: FakeClock
) -> None:
    made = await draft(services, when="in 2 hours", repeat="daily")
    clock.advance(minutes=1)
    scheduled = await services.announcements.confirm(made.id, MENTOR)
    due = epoch(NOW + timedelta(hours=2))
    assert (scheduled.status, scheduled.due_at) == ("scheduled", due)
    assert await live_timers(db, made.id) == [(due, 1)]
    assert await trail(db, made.id) == [
        (AUTHOR, "scheduled", f"for <t:{due}:f>, daily", epoch(clock.now()))
    ]
    with pytest.raises(Conflict, match="already scheduled"):
        await services.announcements.confirm(made.id, MENTOR)


async def test_a_one_off_schedule_says_no_repeat_in_the_audit(
    services: Services, db: Database
) -> None:
    made = await confirmed(services, when="in 2 hours")
    due = epoch(NOW + timedelta(hours=2))
    assert [e[2] for e in await trail(db, made.id)] == [f"for <t:{due}:f>"]


async def test_confirming_for_now_leaves_it_to_be_posted_at_once(
    services: Services, db: Database, clock: FakeClock
) -> None:
    made = await draft(services)
    clock.advance(seconds=30)
    now_one = await services.announcements.confirm(made.id, MENTOR)
    assert now_one.status == "draft"
    assert await live_timers(db, made.id) == []
    assert await trail(db, made.id) == []
    claim = await services.announcements.claim(made.id)
    assert claim == Claim(now_one, 1)


async def test_a_time_already_past_when_confirmed_posts_now(
    services: Services, db: Database, clock: FakeClock
) -> None:
    made = await draft(services, when="in 1 hour")
    clock.advance(hours=1)  # exactly its time: not in the future any more
    confirmed_now = await services.announcements.confirm(made.id, MENTOR)
    assert confirmed_now.status == "draft"
    assert await live_timers(db, made.id) == []


async def test_discard_drops_only_the_authors_own_draft(services: Services) -> None:
    made = await draft(services)
    await services.announcements.discard(made.id, OTHER_MENTOR)
    assert (await repo.get(services.db.reader, made.id)).status == "draft"  # type: ignore[union-attr]
    await services.announcements.discard(made.id, AUTHOR)
    gone = await repo.get(services.db.reader, made.id)
    assert gone is not None and gone.status == "cancelled"


async def test_get_hides_drafts_other_servers_and_missing_ones(services: Services) -> None:
    made = await draft(services)
    for guild in (GUILD, OTHER_GUILD):
        with pytest.raises(NotFound, match=rf"no announcement #{made.id} here"):
            await services.announcements.get(made.id, guild)
    scheduled = await confirmed(services, when="in 1 hour")
    assert (await services.announcements.get(scheduled.id, GUILD)).id == scheduled.id
    with pytest.raises(NotFound):
        await services.announcements.get(scheduled.id, OTHER_GUILD)
    with pytest.raises(NotFound):
        await services.announcements.get(12345, GUILD)


# -- claiming and posting ------------------------------------------------------------------


async def test_claim_is_the_next_occurrence_and_only_while_it_may_post(
    services: Services,
) -> None:
    assert await services.announcements.claim(999) is None
    made = await confirmed(services, when="in 1 hour")
    claim = await services.announcements.claim(made.id, expected=1)
    assert claim is not None and claim.occurrence == 1
    assert await services.announcements.claim(made.id, expected=2) is None  # a stale timer
    posted = await services.announcements.posted(
        claim, channel_id=CHANNEL, message_id=1, actor_id=None
    )
    assert posted.status == "posted"
    assert await services.announcements.claim(made.id) is None
    assert await services.announcements.claim(made.id, expected=1) is None


async def test_posting_a_one_off_records_the_message_and_ends_it(
    services: Services, db: Database, clock: FakeClock
) -> None:
    made = await confirmed(services, when="in 1 hour")
    clock.advance(hours=1, seconds=5)
    claim = await services.announcements.claim(made.id, expected=1)
    assert claim is not None
    done = await services.announcements.posted(
        claim, channel_id=OTHER_CHANNEL, message_id=4242, actor_id=None
    )
    assert (done.status, done.due_at, done.occurrence) == ("posted", None, 1)
    [post] = await services.announcements.posts(made.id)
    assert (post.channel_id, post.message_id, post.occurrence) == (OTHER_CHANNEL, 4242, 1)
    assert (post.published, post.deleted, post.posted_at) == (False, False, epoch(clock.now()))
    assert (await trail(db, made.id))[-1] == (None, "posted", "occurrence 1", epoch(clock.now()))


async def test_a_weekly_series_books_its_next_time_in_its_own_zone_across_dst(
    services: Services, db: Database, clock: FakeClock
) -> None:
    """Weekly at 18:00 New York stays 18:00 New York when the clocks change (Nov 1)."""
    await services.preferences.set_timezone(AUTHOR, "America/New_York")
    clock.set(datetime(2026, 10, 26, 12, 0, tzinfo=UTC))
    made = await confirmed(services, when="2026-10-27 18:00", repeat="weekly")
    first = datetime(2026, 10, 27, 22, 0, tzinfo=UTC)  # 18:00 EDT
    assert made.due == first
    clock.set(first + timedelta(seconds=3))
    claim = await services.announcements.claim(made.id, expected=1)
    assert claim is not None
    after = await services.announcements.posted(
        claim, channel_id=CHANNEL, message_id=1, actor_id=None
    )
    second = datetime(2026, 11, 3, 23, 0, tzinfo=UTC)  # 18:00 EST
    assert (after.status, after.due, after.occurrence) == ("scheduled", second, 1)
    assert await live_timers(db, made.id) == [(epoch(second), 2)]


async def test_a_series_back_from_downtime_books_the_next_time_still_ahead(
    services: Services, db: Database, clock: FakeClock
) -> None:
    made = await confirmed(services, when="in 1 hour", repeat="daily")
    first = NOW + timedelta(hours=1)
    clock.set(first + timedelta(days=2, hours=1))  # the bot was down for two days
    claim = await services.announcements.claim(made.id, expected=1)
    assert claim is not None
    after = await services.announcements.posted(
        claim, channel_id=CHANNEL, message_id=1, actor_id=None
    )
    assert after.due == first + timedelta(days=3)
    assert await live_timers(db, made.id) == [(epoch(first + timedelta(days=3)), 2)]


async def test_a_series_due_exactly_now_books_the_following_one(
    services: Services, clock: FakeClock
) -> None:
    made = await confirmed(services, when="in 1 hour", repeat="daily")
    first = NOW + timedelta(hours=1)
    clock.set(first + timedelta(days=1))  # the next time is exactly now: already taken
    claim = await services.announcements.claim(made.id)
    assert claim is not None
    after = await services.announcements.posted(
        claim, channel_id=CHANNEL, message_id=1, actor_id=None
    )
    assert after.due == first + timedelta(days=2)


async def test_an_occurrence_posted_late_never_lowers_the_count(services: Services) -> None:
    made = await confirmed(services, when="in 1 hour", repeat="daily")
    claim = await services.announcements.claim(made.id)
    assert claim is not None
    second = await services.announcements.posted(
        Claim(claim.announcement, 2), channel_id=CHANNEL, message_id=2, actor_id=None
    )
    assert second.occurrence == 2
    again = await services.announcements.posted(
        Claim(second, 1), channel_id=CHANNEL, message_id=1, actor_id=None
    )
    assert again.occurrence == 2


async def test_publishing_is_limited_to_ten_an_hour_per_channel(
    services: Services, db: Database, clock: FakeClock
) -> None:
    assert PUBLISH_LIMIT == 10
    for _ in range(PUBLISH_LIMIT - 1):
        made = await confirmed(services)
        claim = await services.announcements.claim(made.id)
        assert claim is not None
        await services.announcements.posted(claim, channel_id=CHANNEL, message_id=1, actor_id=1)
        await services.announcements.published(claim, done=True)
    assert await services.announcements.may_publish(CHANNEL)  # 9 in the hour
    made = await confirmed(services)
    claim = await services.announcements.claim(made.id)
    assert claim is not None
    await services.announcements.posted(claim, channel_id=CHANNEL, message_id=1, actor_id=1)
    await services.announcements.published(claim, done=True)
    assert not await services.announcements.may_publish(CHANNEL)  # the 10th
    assert await services.announcements.may_publish(OTHER_CHANNEL)
    clock.advance(hours=1)  # the first ones are exactly an hour old: still counted
    assert not await services.announcements.may_publish(CHANNEL)
    clock.advance(seconds=1)
    assert await services.announcements.may_publish(CHANNEL)
    [post] = await services.announcements.posts(made.id)
    assert post.published
    assert (await trail(db, made.id))[-1][1:3] == ("published", "")


async def test_an_unpublished_post_is_audited_and_not_counted(
    services: Services, db: Database
) -> None:
    made = await confirmed(services)
    claim = await services.announcements.claim(made.id)
    assert claim is not None
    await services.announcements.posted(claim, channel_id=CHANNEL, message_id=1, actor_id=1)
    await services.announcements.published(claim, done=False)
    [post] = await services.announcements.posts(made.id)
    assert not post.published
    assert await repo.published_since(db.reader, CHANNEL, 0) == 0
    assert (await trail(db, made.id))[-1] == (
        None,
        "not published",
        "over 10 publishes in an hour",
        epoch(NOW),
    )


async def test_a_one_off_whose_retries_are_spent_is_failed(
    services: Services, db: Database, clock: FakeClock
) -> None:
    assert await services.announcements.failed(999, "boom") is None
    made = await confirmed(services, when="in 1 hour")
    clock.advance(hours=1)
    before = await services.announcements.failed(made.id, "x" * 300)
    assert before is not None and before.id == made.id
    after = await repo.get(db.reader, made.id)
    assert after is not None and (after.status, after.due_at) == ("failed", None)
    assert (await trail(db, made.id))[-1] == (None, "failed", "x" * 200, epoch(clock.now()))


async def test_a_series_whose_retries_are_spent_goes_on_at_its_next_time(
    services: Services, db: Database, clock: FakeClock
) -> None:
    made = await confirmed(services, when="in 1 hour", repeat="daily")
    clock.advance(hours=1, minutes=10)
    await services.announcements.failed(made.id, "503")
    after = await repo.get(db.reader, made.id)
    following = epoch(NOW + timedelta(days=1, hours=1))
    assert after is not None and (after.status, after.due_at) == ("scheduled", following)
    assert await live_timers(db, made.id) == [(following, 1)]


# -- listing, search, edit, cancel, delete --------------------------------------------------


async def test_listing_puts_scheduled_first_soonest_then_the_rest_newest_first(
    services: Services, clock: FakeClock
) -> None:
    assert await services.announcements.listing(GUILD) == ([], [])
    later = await confirmed(services, title="Later", when="in 3 hours")
    sooner = await confirmed(services, title="Sooner", when="in 2 hours")
    old = await post_now(services, await confirmed(services, title="Old"))
    clock.advance(minutes=1)
    new = await post_now(services, await confirmed(services, title="New"))
    await draft(services, title="Just a draft")
    await confirmed(services, title="Elsewhere", when="in 1 hour", guild_id=OTHER_GUILD)
    found, audit = await services.announcements.listing(GUILD)
    assert [a.title for a in found] == ["Sooner", "Later", "New", "Old"]
    assert {e.announcement_id for e in audit} == {later.id, sooner.id, old.id, new.id}
    assert [e.at for e in audit] == sorted(e.at for e in audit)


async def test_listing_keeps_the_last_twenty_finished(services: Services, db: Database) -> None:
    for i in range(22):
        await post_now(services, await confirmed(services, title=f"n{i}"))
    found = await repo.in_guild(db.reader, GUILD)
    assert len(found) == 20
    assert found[0].title == "n21"


async def test_suggest_matches_title_text_or_number_and_never_drafts(
    services: Services,
) -> None:
    rust = await confirmed(services, title="Rust 100% night", when="in 1 hour")
    await post_now(services, await confirmed(services, title="rusty pipes"))
    await draft(services, title="Rust draft")
    await confirmed(services, title="Rust elsewhere", when="in 1 hour", guild_id=OTHER_GUILD)
    titles = [a.title for a in await services.announcements.suggest(GUILD, "rust", 10)]
    assert titles == ["Rust 100% night", "rusty pipes"]  # scheduled first
    assert [a.id for a in await services.announcements.suggest(GUILD, "100%", 10)] == [rust.id]
    assert await services.announcements.suggest(GUILD, "_", 10) == []  # LIKE escaped
    by_number = await services.announcements.suggest(GUILD, f"#{rust.id}", 10)
    assert [a.id for a in by_number] == [rust.id]
    assert len(await services.announcements.suggest(GUILD, "rust", 1)) == 1


async def test_edit_changes_title_or_body_and_returns_the_live_messages(
    services: Services, db: Database, clock: FakeClock
) -> None:
    made = await post_now(services, await confirmed(services, repeat="daily", when="in 1 hour"))
    clock.advance(minutes=5)
    updated, changed, live = await services.announcements.edit(
        made.id, GUILD, MENTOR, title="Office hours", body="  New body  "
    )
    assert (updated.title, updated.body, changed) == ("Office hours", "New body", ["body"])
    assert [p.occurrence for p in live] == [1]
    updated, changed, _ = await services.announcements.edit(
        made.id, GUILD, MENTOR, title="Renamed", body="Other"
    )
    assert changed == ["body", "title"]
    assert (await trail(db, made.id))[-1] == (AUTHOR, "edited", "body, title", epoch(clock.now()))
    with pytest.raises(AlreadyDone, match="nothing changed"):
        await services.announcements.edit(made.id, GUILD, MENTOR, title="Renamed", body="Other")
    with pytest.raises(PermissionDenied):
        await services.announcements.edit(made.id, GUILD, Actor(MEMBER), title="a", body="b")


async def test_edit_refuses_what_is_cancelled(services: Services) -> None:
    made = await confirmed(services, when="in 1 hour")
    await services.announcements.cancel(made.id, GUILD, MENTOR)
    with pytest.raises(Conflict, match="is cancelled; it can't be edited"):
        await services.announcements.edit(made.id, GUILD, MENTOR, title="a", body="b")


async def test_edit_of_a_scheduled_one_has_no_message_to_edit(services: Services) -> None:
    made = await confirmed(services, when="in 1 hour")
    updated, changed, live = await services.announcements.edit(
        made.id, GUILD, MENTOR, title="New title", body=made.body
    )
    assert (updated.title, changed, live) == ("New title", ["title"], [])


async def test_cancel_stops_a_scheduled_one_and_its_timer(
    services: Services, db: Database, clock: FakeClock
) -> None:
    made = await confirmed(services, when="in 1 hour", repeat="weekly")
    with pytest.raises(PermissionDenied):
        await services.announcements.cancel(made.id, GUILD, Actor(MEMBER))
    clock.advance(minutes=2)
    cancelled = await services.announcements.cancel(made.id, GUILD, MENTOR)
    assert (cancelled.status, cancelled.due_at) == ("cancelled", None)
    assert await live_timers(db, made.id) == []
    assert (await trail(db, made.id))[-1] == (AUTHOR, "cancelled", "", epoch(clock.now()))
    with pytest.raises(Conflict, match=r"is not scheduled \(cancelled\): `/announce delete`"):
        await services.announcements.cancel(made.id, GUILD, MENTOR)


async def test_delete_removes_every_live_message_and_stops_the_series(
    services: Services, db: Database, clock: FakeClock
) -> None:
    made = await confirmed(services, when="in 1 hour", repeat="daily")
    with pytest.raises(Conflict, match=r"no message to delete: `/announce cancel`"):
        await services.announcements.delete(made.id, GUILD, MENTOR)
    posted = await post_now(services, made)
    clock.set(posted.due or NOW)
    await post_now(services, posted)
    with pytest.raises(PermissionDenied):
        await services.announcements.delete(made.id, GUILD, Actor(MEMBER))
    deleted, live = await services.announcements.delete(made.id, GUILD, MENTOR)
    assert (deleted.status, deleted.due_at) == ("deleted", None)
    assert [p.occurrence for p in live] == [1, 2]
    assert await live_timers(db, made.id) == []
    assert all(p.deleted for p in await services.announcements.posts(made.id))
    assert (await trail(db, made.id))[-1] == (AUTHOR, "deleted", "2 message(s)", epoch(clock.now()))
    with pytest.raises(Conflict, match=rf"#{made.id} has no message to delete\.$"):
        await services.announcements.delete(made.id, GUILD, MENTOR)


# -- forget-me --------------------------------------------------------------------------------


async def test_forget_me_signs_announcements_as_a_former_member(
    services: Services, db: Database
) -> None:
    kept = await post_now(services, await confirmed(services, title="Posted"))
    scheduled = await confirmed(services, title="Scheduled", when="in 1 hour")
    cancelled = await confirmed(services, title="Cancelled", when="in 1 hour")
    await services.announcements.cancel(cancelled.id, GUILD, MENTOR)
    other = await post_now(
        services, await confirmed(services, actor=Actor(OTHER_MENTOR, is_admin=True))
    )
    await services.privacy.forget(AUTHOR)
    after = await repo.get(db.reader, kept.id)
    assert after is not None and (after.author_id, after.author_name) == (None, "a former member")
    assert all(e.actor_id is None for e in await repo.audit_of(db.reader, [kept.id]))
    still = await repo.get(db.reader, other.id)
    assert still is not None and still.author_id == OTHER_MENTOR
    resign = services.announcements.take_forgotten(AUTHOR)
    assert sorted(a.id for a in resign) == [kept.id, scheduled.id]
    assert services.announcements.take_forgotten(AUTHOR) == []


def test_the_service_is_built_once_per_container(services: Services) -> None:
    assert isinstance(services.announcements, AnnouncementService)
    assert services.announcements is services.announcements


# -- what the first mutation run found untested -------------------------------------------


async def test_suggest_escapes_like_wildcards_and_reads_a_number_only_after_hash(
    services: Services,
) -> None:
    percent = await confirmed(services, title="Save 50% on rent", when="in 1 hour")
    snake = await confirmed(services, title="snake_case tips", when="in 2 hours")
    path = await confirmed(services, title="C:\\temp cleanup", when="in 3 hours")
    plain = await confirmed(services, title="Plain", when="in 4 hours")
    suggest = services.announcements.suggest
    assert [a.id for a in await suggest(GUILD, "%", 10)] == [percent.id]
    assert [a.id for a in await suggest(GUILD, "_", 10)] == [snake.id]
    assert [a.id for a in await suggest(GUILD, "\\", 10)] == [path.id]
    assert [a.id for a in await suggest(GUILD, f"{plain.id}", 10)] == [plain.id]
    assert await suggest(GUILD, f"X{plain.id}", 10) == []


async def test_a_failed_one_off_moves_to_the_top_of_the_recent_list(
    services: Services, clock: FakeClock
) -> None:
    failing = await confirmed(services, title="Failing", when="in 1 hour")
    clock.advance(minutes=10)
    await post_now(services, await confirmed(services, title="Posted"))
    clock.advance(hours=1)
    await services.announcements.failed(failing.id, "503")
    found, _ = await services.announcements.listing(GUILD)
    assert [a.title for a in found] == ["Failing", "Posted"]


async def test_a_mentor_by_role_edits_and_deletes_a_posted_one_off(
    services: Services, db: Database
) -> None:
    await services.guilds.save(GUILD, mentor_role_id=77)
    by_role = Actor(OTHER_MENTOR, frozenset({77}))
    made = await post_now(services, await confirmed(services))
    assert made.status == "posted"
    updated, changed, live = await services.announcements.edit(
        made.id, GUILD, by_role, title="Office hours moved", body=made.body
    )
    assert (updated.title, changed, [p.occurrence for p in live]) == (
        "Office hours moved",
        ["title"],
        [1],
    )
    deleted, _ = await services.announcements.delete(made.id, GUILD, by_role)
    assert deleted.status == "deleted"
    with pytest.raises(Conflict, match="is deleted; it can't be edited"):
        await services.announcements.edit(made.id, GUILD, by_role, title="x", body="y")


async def test_edit_names_the_field_that_is_too_long_or_unchanged(services: Services) -> None:
    made = await confirmed(services, when="in 1 hour")
    with pytest.raises(InvalidInput, match="title"):
        await services.announcements.edit(made.id, GUILD, MENTOR, title="t" * 300, body=made.body)
    with pytest.raises(InvalidInput, match="announcement"):
        await services.announcements.edit(made.id, GUILD, MENTOR, title=made.title, body="b" * 4001)
    with pytest.raises(
        AlreadyDone, match=r"^That is what the announcement already says; nothing changed\.$"
    ) as unchanged:
        await services.announcements.edit(made.id, GUILD, MENTOR, title=made.title, body=made.body)
    assert unchanged.value.title == "Nothing changed"


async def test_a_mentor_by_role_cancels_a_scheduled_one(services: Services) -> None:
    await services.guilds.save(GUILD, mentor_role_id=77)
    made = await confirmed(services, when="in 1 hour")
    cancelled = await services.announcements.cancel(
        made.id, GUILD, Actor(OTHER_MENTOR, frozenset({77}))
    )
    assert cancelled.status == "cancelled"


async def test_edit_refusals_quote_the_limit_of_each_field(services: Services) -> None:
    made = await confirmed(services, when="in 1 hour")
    with pytest.raises(InvalidInput) as title:
        await services.announcements.edit(made.id, GUILD, MENTOR, title="t" * 300, body=made.body)
    assert (
        str(title.value)
        == "The title is 300 characters; the limit is 256. Shorten it and try again."
    )
    with pytest.raises(InvalidInput) as body:
        await services.announcements.edit(made.id, GUILD, MENTOR, title=made.title, body="")
    assert str(body.value) == "The announcement is empty: write at least one character."


async def test_a_post_is_recorded_once_and_audited_with_who_posted_it(
    services: Services, db: Database
) -> None:
    made = await post_now(services, await confirmed(services))
    assert (await trail(db, made.id))[-1][:3] == (AUTHOR, "posted", "occurrence 1")
    async with db.transaction() as tx:
        again = await repo.record_post(
            tx, announcement_id=made.id, channel_id=CHANNEL, message_id=5, occurrence=1, now=0
        )
        other = await repo.record_post(
            tx, announcement_id=made.id, channel_id=CHANNEL, message_id=6, occurrence=2, now=0
        )
    assert (again, other) == (False, True)


async def test_a_series_back_from_downtime_keeps_its_wall_time_across_dst(
    services: Services, db: Database, clock: FakeClock
) -> None:
    await services.preferences.set_timezone(AUTHOR, "Europe/Berlin")
    clock.set(datetime(2026, 10, 12, 12, 0, tzinfo=UTC))
    made = await confirmed(services, when="2026-10-13 18:00", repeat="weekly")  # 16:00 UTC
    clock.set(datetime(2026, 10, 21, 12, 0, tzinfo=UTC))  # down past the second one
    claim = await services.announcements.claim(made.id)
    assert claim is not None
    after = await services.announcements.posted(
        claim, channel_id=CHANNEL, message_id=1, actor_id=None
    )
    assert after.due == datetime(2026, 10, 27, 17, 0, tzinfo=UTC)  # 18:00 CET
    [timer] = await timers.for_subject(db.reader, KIND_POST, made.id)
    assert timer.guild_id == GUILD


async def test_two_confirms_at_once_schedule_one_post(services: Services, db: Database) -> None:
    made = await draft(services, when="in 1 hour")
    results = await race_past_their_checks(
        db,
        services.announcements.confirm(made.id, MENTOR),
        services.announcements.confirm(made.id, MENTOR),
    )
    assert sorted(type(r).__name__ for r in results) == ["AlreadyDone", "Announcement"]
    assert [str(r) for r in results if isinstance(r, AlreadyDone)] == [
        f"Announcement #{made.id} was already handled."
    ]
    [timer] = await timers.for_subject(db.reader, KIND_POST, made.id)
    assert timer.guild_id == GUILD
    assert [e[1] for e in await trail(db, made.id)] == ["scheduled"]


async def test_confirm_refusals_say_exactly_why(services: Services) -> None:
    with pytest.raises(NotFound, match=r"^This draft is gone: run `/announce post` again\.$"):
        await services.announcements.confirm(12345, MENTOR)
    made = await draft(services)
    with pytest.raises(PermissionDenied, match=r"^Only the author of this draft can post it\.$"):
        await services.announcements.confirm(made.id, Actor(OTHER_MENTOR, is_admin=True))


async def test_a_draft_time_is_read_in_the_servers_zone_without_a_personal_one(
    services: Services,
) -> None:
    await services.guilds.save(GUILD, timezone="Asia/Tokyo")
    made = await draft(services, when="2026-11-30 18:00")
    assert (made.due, made.zone) == (datetime(2026, 11, 30, 9, 0, tzinfo=UTC), "Asia/Tokyo")


async def test_draft_refusals_say_exactly_why(services: Services) -> None:
    with pytest.raises(InvalidInput, match=r"^`repeat` is `none`, `daily` or `weekly`\.$"):
        await draft(services, repeat="hourly")
    with pytest.raises(
        InvalidInput, match=r"^A repeating announcement needs `when`: its first time\.$"
    ):
        await draft(services, repeat="daily")
    with pytest.raises(InvalidInput) as long_title:
        await draft(services, title="t" * 257)
    assert str(long_title.value).startswith("The title is 257 characters; the limit is 256.")
    made = await services.announcements.draft(
        GUILD,
        MENTOR,
        author_name="n" * 80,
        channel_id=CHANNEL,
        title="T",
        body="B",
        ping_role_id=None,
        when=None,
        repeat="none",
    )
    assert made.author_name == "n" * 80
    with pytest.raises(InvalidInput) as long_name:
        await services.announcements.draft(
            GUILD,
            MENTOR,
            author_name="n" * 81,
            channel_id=CHANNEL,
            title="T",
            body="B",
            ping_role_id=None,
            when=None,
            repeat="none",
        )
    assert str(long_name.value).startswith("The name is 81 characters; the limit is 80.")
