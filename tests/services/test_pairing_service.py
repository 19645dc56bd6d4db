"""The pairing service on a real database with a fake clock: profiles, suggestions,
requests and their answers, partnerships, check-ins, status, snooze and kickoffs. The
matching itself is pinned in test_pairing_matching; the flows test what Discord gets."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.db import pair_requests, pairs, timers
from bot.db.database import Database
from bot.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from bot.services.container import Services
from bot.services.pairing.terms import (
    CHECKIN_AFTER,
    KIND_CHECKIN,
    KIND_EXPIRY,
    REQUEST_TTL,
    already_answered,
)
from bot.time.clock import FakeClock, epoch

GUILD, OTHER_GUILD = 1, 2
ANA, BEN, CAT, DAN, EVE = 201, 202, 203, 204, 205
NOW = datetime(2026, 11, 28, 10, 0, tzinfo=UTC)  # the conftest clock: a Saturday


async def profile(
    services: Services,
    user: int,
    *,
    track: str = "backend",
    skills: str = "python",
    availability: str | None = None,
    guild_id: int = GUILD,
    available: bool | None = None,
) -> None:
    await services.pairing.save_profile(
        guild_id, user, track=track, skills=skills, availability=availability, available=available
    )


async def live(db: Database, kind: str, subject_id: int) -> list[int]:
    return [t.due_at for t in await timers.for_subject(db.reader, kind, subject_id)]


# -- profiles and suggestions -----------------------------------------------------------------


async def test_a_profile_keeps_what_was_given_and_leaves_the_rest(services: Services) -> None:
    await services.preferences.set_timezone(ANA, "Africa/Lagos")
    saved = await services.pairing.save_profile(
        GUILD,
        ANA,
        track=" Backend ",
        skills="Python, django",
        looking_for="study buddy",
        availability="mon 18-20",
        bio="  ",
        available=False,
    )
    assert (saved.track, saved.skills, saved.looking_for) == (
        "backend",
        ("python", "django"),
        "study-buddy",
    )
    assert (saved.availability, saved.windows, saved.zone) == (
        "mon 18-20",
        ((0, 18 * 60, 20 * 60),),
        "Africa/Lagos",
    )
    assert (saved.bio, saved.available) == (None, False)
    again = await services.pairing.save_profile(GUILD, ANA, track="frontend", skills="css")
    assert (again.track, again.skills, again.windows, again.available) == (
        "frontend",
        ("css",),
        ((0, 18 * 60, 20 * 60),),
        False,
    )
    assert await services.pairing.profile(OTHER_GUILD, ANA) is None


async def test_find_needs_a_profile_and_ranks_who_may_be_paired(
    services: Services, clock: FakeClock
) -> None:
    with pytest.raises(NotFound, match="no pairing profile yet"):
        await services.pairing.find(GUILD, ANA)
    await profile(services, ANA, track="frontend", skills="python, sql")
    await profile(services, BEN, track="backend", skills="python, sql")  # complementary
    await profile(services, CAT, track="frontend", skills="python")
    await profile(services, DAN, track="backend", available=False)
    await profile(services, EVE, track="backend", guild_id=OTHER_GUILD)
    found = await services.pairing.find(GUILD, ANA)
    assert [s.user_id for s in found] == [BEN, CAT]
    assert found[0].score > found[1].score > 0
    assert "frontend ↔ backend" in found[0].reasons
    assert [s.user_id for s in await services.pairing.find(GUILD, ANA, limit=1)] == [BEN]

    await services.pairing.exclude(GUILD, BEN, ANA)  # either way, never suggested
    assert [s.user_id for s in await services.pairing.find(GUILD, ANA)] == [CAT]


async def test_find_leaves_out_partners_and_snoozed_people(
    services: Services, db: Database
) -> None:
    for user in (ANA, BEN, CAT, DAN):
        await profile(services, user)
    request = await services.pairing.request(GUILD, BEN, CAT, None)
    await services.pairing.answer(request.id, CAT, accept=True)
    await services.pairing.snooze(GUILD, DAN, "in 3 days")
    assert await services.pairing.find(GUILD, ANA) == []


# -- requests ----------------------------------------------------------------------------------


async def test_a_request_is_stored_with_its_expiry_timer(services: Services, db: Database) -> None:
    await profile(services, ANA)
    await profile(services, BEN)
    made = await services.pairing.request(GUILD, ANA, BEN, "  Let's build  ")
    assert (made.from_id, made.to_id, made.message, made.status) == (
        ANA,
        BEN,
        "Let's build",
        "pending",
    )
    assert made.expires_at == epoch(NOW + REQUEST_TTL)
    assert await live(db, KIND_EXPIRY, made.id) == [epoch(NOW + timedelta(hours=72))]
    with pytest.raises(Conflict, match="already an open request between you"):
        await services.pairing.request(GUILD, BEN, ANA, None)
    await profile(services, CAT)
    quiet = await services.pairing.request(GUILD, CAT, ANA, "   ")
    assert quiet.message is None


async def test_a_request_is_refused_to_oneself_without_profiles_or_to_who_is_not_taking(
    services: Services,
) -> None:
    with pytest.raises(InvalidInput, match="That's you"):
        await services.pairing.request(GUILD, ANA, ANA, None)
    with pytest.raises(NotFound, match="You have no pairing profile"):
        await services.pairing.request(GUILD, ANA, BEN, None)
    await profile(services, ANA)
    with pytest.raises(Conflict, match=rf"<@{BEN}> has no pairing profile yet"):
        await services.pairing.request(GUILD, ANA, BEN, None)
    await profile(services, BEN, available=False)
    with pytest.raises(Conflict, match=rf"<@{BEN}> isn't taking pairing requests"):
        await services.pairing.request(GUILD, ANA, BEN, None)
    await profile(services, CAT)
    await services.pairing.exclude(GUILD, CAT, ANA)  # private: the same words as unavailable
    with pytest.raises(Conflict, match=rf"<@{CAT}> isn't taking pairing requests"):
        await services.pairing.request(GUILD, ANA, CAT, None)


async def test_a_snoozed_member_takes_requests_again_when_the_snooze_ends(
    services: Services, clock: FakeClock
) -> None:
    await profile(services, ANA)
    await profile(services, BEN)
    with pytest.raises(NotFound):
        await services.pairing.snooze(GUILD, CAT, "tomorrow")
    until = await services.pairing.snooze(GUILD, BEN, "in 2 days")
    assert until == NOW + timedelta(days=2)
    stored = await services.pairing.profile(GUILD, BEN)
    assert stored is not None and stored.snoozed_until == epoch(until)
    with pytest.raises(Conflict, match="isn't taking"):
        await services.pairing.request(GUILD, ANA, BEN, None)
    clock.set(until)  # the snooze lasts up to its second
    await services.pairing.request(GUILD, ANA, BEN, None)


async def test_partners_cannot_request_each_other_again(services: Services) -> None:
    await profile(services, ANA)
    await profile(services, BEN)
    request = await services.pairing.request(GUILD, ANA, BEN, None)
    await services.pairing.answer(request.id, BEN, accept=True)
    with pytest.raises(Conflict, match=rf"You and <@{BEN}> are already partners"):
        await services.pairing.request(GUILD, ANA, BEN, None)


async def test_only_the_target_answers_and_accepting_makes_a_pair_with_a_checkin(
    services: Services, db: Database
) -> None:
    await profile(services, ANA)
    await profile(services, BEN)
    request = await services.pairing.request(GUILD, ANA, BEN, None)
    with pytest.raises(NotFound, match="no longer exists"):
        await services.pairing.answer(999, BEN, accept=True)
    with pytest.raises(PermissionDenied, match="your own request"):
        await services.pairing.answer(request.id, ANA, accept=True)
    with pytest.raises(PermissionDenied, match=rf"Only <@{BEN}> can answer"):
        await services.pairing.answer(request.id, CAT, accept=True)
    decision = await services.pairing.answer(request.id, BEN, accept=True)
    assert decision.request.status == "accepted"
    assert decision.pair is not None
    assert (decision.pair.members, decision.pair.request_id) == ((ANA, BEN), request.id)
    assert decision.pair.thread_name == f"Pair #{decision.pair.id}"
    assert await live(db, KIND_EXPIRY, request.id) == []
    assert await live(db, KIND_CHECKIN, decision.pair.id) == [epoch(NOW + CHECKIN_AFTER)]
    with pytest.raises(Conflict, match="already accepted"):
        await services.pairing.answer(request.id, BEN, accept=False)


async def test_declining_makes_no_pair(services: Services, db: Database) -> None:
    await profile(services, ANA)
    await profile(services, BEN)
    request = await services.pairing.request(GUILD, ANA, BEN, None)
    decision = await services.pairing.answer(request.id, BEN, accept=False)
    assert (decision.request.status, decision.pair) == ("declined", None)
    assert await pairs.active_for(db.reader, GUILD, ANA) == []
    assert await live(db, KIND_EXPIRY, request.id) == []


def test_each_answered_state_says_what_happened() -> None:
    assert already_answered("accepted") == "This request was already accepted."
    assert already_answered("declined") == "This request was already declined."
    assert already_answered("expired").startswith("This request expired: send a new one")
    assert already_answered("open") == "This request was already answered."


async def test_an_open_request_expires_once_and_an_answered_one_never(
    services: Services,
) -> None:
    await profile(services, ANA)
    await profile(services, BEN)
    first = await services.pairing.request(GUILD, ANA, BEN, None)
    expired = await services.pairing.expire(first.id)
    assert expired is not None and expired.status == "expired"
    assert await services.pairing.expire(first.id) is None
    with pytest.raises(Conflict, match="expired: send a new one"):
        await services.pairing.answer(first.id, BEN, accept=True)
    second = await services.pairing.request(GUILD, ANA, BEN, None)
    await services.pairing.answer(second.id, BEN, accept=False)
    assert await services.pairing.expire(second.id) is None


async def test_a_withdrawn_request_is_closed_with_its_timer(
    services: Services, db: Database
) -> None:
    await profile(services, ANA)
    await profile(services, BEN)
    request = await services.pairing.request(GUILD, ANA, BEN, None)
    await services.pairing.withdraw_request(request.id)
    gone = await services.pairing.get_request(request.id)
    assert gone is not None and gone.status == "expired"
    assert await live(db, KIND_EXPIRY, request.id) == []
    assert await pair_requests.open_involving(db.reader, GUILD, ANA) == []


# -- partnerships, check-ins, status -----------------------------------------------------------


async def make_partners(services: Services, a: int, b: int, *, new: bool = True) -> int:
    if new:
        await profile(services, a)
        await profile(services, b)
    request = await services.pairing.request(GUILD, a, b, None)
    decision = await services.pairing.answer(request.id, b, accept=True)
    assert decision.pair is not None
    return decision.pair.id


async def test_checkins_are_answered_by_members_only(services: Services) -> None:
    pair_id = await make_partners(services, ANA, BEN)
    with pytest.raises(NotFound, match="pair no longer exists"):
        await services.pairing.check_in(999, ANA, "met")
    with pytest.raises(PermissionDenied, match="Only the members"):
        await services.pairing.check_in(pair_id, CAT, "met")
    with pytest.raises(InvalidInput, match="`met`, `not_yet` or `didnt_work`"):
        await services.pairing.check_in(pair_id, ANA, "maybe")
    await services.pairing.check_in(pair_id, ANA, "not_yet")
    await services.pairing.check_in(pair_id, BEN, "met")
    await services.pairing.check_in(pair_id, ANA, "met")  # the latest answer counts
    assert await services.pairing.checkins(pair_id) == {ANA: "met", BEN: "met"}


async def test_a_checkin_is_due_only_while_the_pair_lasts(services: Services, db: Database) -> None:
    pair_id = await make_partners(services, ANA, BEN)
    assert await services.pairing.checkin_due(999) is None
    due = await services.pairing.checkin_due(pair_id)
    assert due is not None and due.id == pair_id
    with pytest.raises(NotFound, match=rf"You and <@{CAT}> are not partners"):
        await services.pairing.end(GUILD, ANA, CAT)
    ended = await services.pairing.end(GUILD, BEN, ANA)
    assert ended.id == pair_id
    assert await services.pairing.checkin_due(pair_id) is None
    assert await live(db, KIND_CHECKIN, pair_id) == []


async def test_status_splits_requests_and_counts_checkins_per_server(
    services: Services,
) -> None:
    pair_id = await make_partners(services, ANA, BEN)
    await profile(services, CAT)
    await profile(services, DAN)
    sent = await services.pairing.request(GUILD, ANA, CAT, None)
    received = await services.pairing.request(GUILD, DAN, ANA, None)
    await services.pairing.request(GUILD, CAT, DAN, None)  # not Ana's
    await services.pairing.check_in(pair_id, ANA, "met")
    await services.pairing.check_in(pair_id, BEN, "didnt_work")
    status = await services.pairing.status(GUILD, ANA)
    assert status.user_id == ANA
    assert status.profile is not None and status.profile.user_id == ANA
    assert [p.id for p in status.partners] == [pair_id]
    assert [r.id for r in status.sent] == [sent.id]
    assert [r.id for r in status.received] == [received.id]
    assert status.stats == {"met": 1, "didnt_work": 1}
    elsewhere = await services.pairing.status(OTHER_GUILD, ANA)
    assert (elsewhere.profile, elsewhere.partners, elsewhere.sent, elsewhere.stats) == (
        None,
        [],
        [],
        {},
    )


async def test_excluding_oneself_is_refused(services: Services) -> None:
    with pytest.raises(InvalidInput, match="nobody to exclude"):
        await services.pairing.exclude(GUILD, ANA, ANA)
    assert await services.pairing.exclude(GUILD, ANA, BEN)
    assert not await services.pairing.exclude(GUILD, ANA, BEN)  # already


# -- kickoffs -------------------------------------------------------------------------------------


async def test_a_kickoff_shows_shared_skills_common_hours_and_reasons(
    services: Services,
) -> None:
    await services.preferences.set_timezone(BEN, "Europe/Berlin")
    await profile(
        services, ANA, track="frontend", skills="sql, python, css", availability="mon 18-22"
    )
    await profile(services, BEN, track="backend", skills="python, sql", availability="mon 18-20")
    pair_id = await make_partners(services, ANA, BEN, new=False)
    pair = await services.pairing.get_pair(pair_id)
    assert pair is not None
    kickoff = await services.pairing.kickoff(pair)
    assert [(m.user_id, m.track, m.zone) for m in kickoff.members] == [
        (ANA, "frontend", "UTC"),
        (BEN, "backend", "Europe/Berlin"),
    ]
    assert kickoff.shared_skills == ("sql", "python")  # in the first member's order
    assert kickoff.hours_known
    # This week's Monday: 18-20 Berlin is 17-19 UTC, inside Ana's 18-22 UTC for one hour.
    assert kickoff.overlap == (
        (datetime(2026, 11, 23, 18, 0, tzinfo=UTC), datetime(2026, 11, 23, 19, 0, tzinfo=UTC)),
    )
    assert "frontend ↔ backend" in kickoff.reasons


async def test_a_kickoff_without_everyones_hours_has_no_overlap(services: Services) -> None:
    await profile(services, ANA, availability="mon 18-22")
    await profile(services, BEN)
    pair_id = await make_partners(services, ANA, BEN, new=False)
    pair = await services.pairing.get_pair(pair_id)
    assert pair is not None
    kickoff = await services.pairing.kickoff(pair)
    assert (kickoff.hours_known, kickoff.overlap, kickoff.shared_skills) == (False, (), ("python",))


async def test_a_trio_kickoff_keeps_only_the_hours_all_three_share(
    services: Services, db: Database
) -> None:
    await profile(services, ANA, skills="python, go", availability="mon 10-14")
    await profile(services, BEN, skills="go, python", availability="mon 12-16")
    await profile(services, CAT, skills="go", availability="mon 13-18")
    async with db.transaction() as tx:
        trio = await services.pairing.make_pair(
            tx, guild_id=GUILD, members=[ANA, BEN, CAT], score=1, now=NOW
        )
    kickoff = await services.pairing.kickoff(trio)
    assert kickoff.shared_skills == ("go",)
    assert kickoff.overlap == (
        (datetime(2026, 11, 23, 13, 0, tzinfo=UTC), datetime(2026, 11, 23, 14, 0, tzinfo=UTC)),
    )
    assert kickoff.reasons == ()  # reasons are for two


async def test_pairs_without_a_thread_until_one_is_attached(services: Services) -> None:
    pair_id = await make_partners(services, ANA, BEN)
    assert [p.id for p in await services.pairing.pairs_without_thread(GUILD)] == [pair_id]
    assert await services.pairing.pairs_without_thread(OTHER_GUILD) == []
    await services.pairing.attach_thread(pair_id, 777)
    assert await services.pairing.pairs_without_thread() == []
    pair = await services.pairing.get_pair(pair_id)
    assert pair is not None and pair.thread_id == 777


# -- what the first mutation run found untested -------------------------------------------


async def test_find_suggests_five_by_default(services: Services) -> None:
    await profile(services, ANA)
    for user in range(300, 308):
        await profile(services, user)
    assert len(await services.pairing.find(GUILD, ANA)) == 5


async def test_checkin_refusals_say_exactly_why(services: Services) -> None:
    pair_id = await make_partners(services, ANA, BEN)
    with pytest.raises(NotFound, match=r"^This pair no longer exists\.$"):
        await services.pairing.check_in(999, ANA, "met")
    with pytest.raises(
        PermissionDenied, match=r"^Only the members of this pair can answer its check-in\.$"
    ):
        await services.pairing.check_in(pair_id, CAT, "met")
    with pytest.raises(
        InvalidInput, match=r"^A check-in answer is `met`, `not_yet` or `didnt_work`\.$"
    ):
        await services.pairing.check_in(pair_id, ANA, "yes")


async def test_snooze_reads_the_time_in_the_members_zone(services: Services) -> None:
    await services.preferences.set_timezone(ANA, "Asia/Tokyo")  # UTC+9
    await profile(services, ANA)
    until = await services.pairing.snooze(GUILD, ANA, "2026-12-01 09:00")
    assert until == datetime(2026, 12, 1, 0, 0, tzinfo=UTC)


async def test_answering_and_expiring_record_when_it_was_decided(
    services: Services, db: Database, clock: FakeClock
) -> None:
    await profile(services, ANA)
    await profile(services, BEN)
    await profile(services, CAT)
    first = await services.pairing.request(GUILD, ANA, BEN, None)
    second = await services.pairing.request(GUILD, ANA, CAT, None)
    clock.advance(hours=1)
    await services.pairing.expire(first.id)
    clock.advance(hours=1)
    await services.pairing.withdraw_request(second.id)
    rows = await db.reader.execute_fetchall(
        "SELECT id, decided_at FROM pair_requests ORDER BY id", ()
    )
    assert [tuple(row) for row in rows] == [
        (first.id, epoch(NOW + timedelta(hours=1))),
        (second.id, epoch(NOW + timedelta(hours=2))),
    ]


async def test_a_kickoff_reads_half_hours_and_the_first_members_zone(
    services: Services,
) -> None:
    await services.preferences.set_timezone(ANA, "Europe/Berlin")
    await profile(services, ANA, skills="go", availability="mon 18:30-20:00")  # 17:30-19 UTC
    await profile(services, BEN, skills="go", availability="mon 17:00-18:15")  # UTC
    pair_id = await make_partners(services, ANA, BEN, new=False)
    pair = await services.pairing.get_pair(pair_id)
    assert pair is not None
    kickoff = await services.pairing.kickoff(pair)
    assert kickoff.overlap == (
        (datetime(2026, 11, 23, 17, 30, tzinfo=UTC), datetime(2026, 11, 23, 18, 15, tzinfo=UTC)),
    )


async def trio_kickoff(services: Services, db: Database, hours: tuple[str, str, str]) -> object:
    skills = ("python, go", "go", "go, python")
    for user, available, known in zip((ANA, BEN, CAT), hours, skills, strict=True):
        await profile(services, user, skills=known, availability=available)
    async with db.transaction() as tx:
        trio = await services.pairing.make_pair(
            tx, guild_id=GUILD, members=[ANA, BEN, CAT], score=1, now=NOW
        )
    return await services.pairing.kickoff(trio)


async def test_a_trio_shares_what_all_three_share_not_the_first_and_last(
    services: Services, db: Database
) -> None:
    kickoff = await trio_kickoff(services, db, ("mon 10-14", "mon 10-12", "mon 11-18"))
    assert kickoff.shared_skills == ("go",)  # type: ignore[attr-defined]
    assert kickoff.overlap == (  # type: ignore[attr-defined]
        (datetime(2026, 11, 23, 11, 0, tzinfo=UTC), datetime(2026, 11, 23, 12, 0, tzinfo=UTC)),
    )


async def test_a_trio_whose_hours_only_touch_has_no_common_time(
    services: Services, db: Database
) -> None:
    kickoff = await trio_kickoff(services, db, ("mon 10-14", "mon 10-12", "mon 12-18"))
    assert kickoff.overlap == ()  # type: ignore[attr-defined]


async def test_a_kickoff_after_profiles_were_deleted_still_opens(
    services: Services, db: Database
) -> None:
    await profile(services, ANA, availability="mon 10-12")
    await profile(services, BEN, availability="mon 10-12")
    pair_id = await make_partners(services, ANA, BEN, new=False)
    pair = await services.pairing.get_pair(pair_id)
    assert pair is not None
    async with db.transaction() as tx:
        await tx.execute("DELETE FROM pair_profiles WHERE user_id = ?", (BEN,))
    alone = await services.pairing.kickoff(pair)
    assert ([m.user_id for m in alone.members], alone.overlap) == ([ANA], ())
    assert alone.reasons == ()
    async with db.transaction() as tx:
        await tx.execute("DELETE FROM pair_profiles WHERE user_id = ?", (ANA,))
    empty = await services.pairing.kickoff(pair)
    assert (empty.members, empty.shared_skills, empty.overlap) == ((), (), ())


async def test_excluding_oneself_says_so_and_snooze_uses_the_servers_zone(
    services: Services,
) -> None:
    with pytest.raises(InvalidInput, match=r"^That's you: there is nobody to exclude\.$"):
        await services.pairing.exclude(GUILD, ANA, ANA)
    await services.guilds.save(GUILD, timezone="Asia/Tokyo")
    await profile(services, BEN)
    until = await services.pairing.snooze(GUILD, BEN, "2026-12-01 09:00")
    assert until == datetime(2026, 12, 1, 0, 0, tzinfo=UTC)


async def test_answer_refusals_and_what_an_answer_records(
    services: Services, db: Database, clock: FakeClock
) -> None:
    with pytest.raises(NotFound, match=r"^This request no longer exists\.$"):
        await services.pairing.answer(999, BEN, accept=True)
    await profile(services, ANA)
    await profile(services, BEN)
    request = await services.pairing.request(GUILD, ANA, BEN, None)
    with pytest.raises(
        PermissionDenied,
        match=r"^This is your own request: wait for the answer, or it expires by itself\.$",
    ):
        await services.pairing.answer(request.id, ANA, accept=True)
    clock.advance(hours=3)
    decision = await services.pairing.answer(request.id, BEN, accept=True)
    assert decision.pair is not None and decision.pair.score == 0
    rows = await db.reader.execute_fetchall(
        "SELECT decided_at FROM pair_requests WHERE id = ?", (request.id,)
    )
    assert next(iter(rows))[0] == epoch(clock.now())


async def test_request_refusals_and_the_expiry_timer_s_server(
    services: Services, db: Database
) -> None:
    with pytest.raises(
        InvalidInput, match=r"^That's you\. Pick someone else, or run `/pair find`\.$"
    ):
        await services.pairing.request(GUILD, ANA, ANA, None)
    await profile(services, ANA)
    await profile(services, BEN)
    with pytest.raises(InvalidInput) as long:
        await services.pairing.request(GUILD, ANA, BEN, "m" * 501)
    assert str(long.value).startswith("The message is 501 characters; the limit is 500.")
    made = await services.pairing.request(GUILD, ANA, BEN, "hi")
    assert made.created_at == epoch(NOW)
    [timer] = await timers.for_subject(db.reader, KIND_EXPIRY, made.id)
    assert timer.guild_id == GUILD


async def test_suggestions_count_common_hours_in_each_members_zone(services: Services) -> None:
    await services.preferences.set_timezone(ANA, "Europe/Berlin")
    await profile(services, ANA, availability="mon 18-20")  # 17-19 UTC
    await profile(services, BEN, availability="mon 17-19")  # UTC
    [found] = await services.pairing.find(GUILD, ANA)
    assert "2 h a week in common" in found.reasons


async def test_hours_until_midnight_are_read(services: Services) -> None:
    await profile(services, ANA, availability="mon 22-24")
    await profile(services, BEN, availability="mon 23-24")
    [found] = await services.pairing.find(GUILD, ANA)
    assert "1 h a week in common" in found.reasons


async def test_a_profile_is_per_server_and_read_in_the_servers_zone(services: Services) -> None:
    await services.guilds.save(GUILD, timezone="Asia/Tokyo")
    await profile(services, ANA, availability="mon 9-10")
    await profile(services, ANA, guild_id=OTHER_GUILD, track="frontend")
    changed = await services.pairing.save_profile(
        GUILD, ANA, track="fullstack", skills="go", bio="Gopher"
    )
    assert (changed.zone, changed.bio, changed.track) == ("Asia/Tokyo", "Gopher", "fullstack")
    other = await services.pairing.profile(OTHER_GUILD, ANA)
    assert other is not None and (other.track, other.skills) == ("frontend", ("python",))
    kept = await services.pairing.save_profile(GUILD, ANA, track="fullstack", skills="go")
    assert kept.bio == "Gopher"  # not given: unchanged
    with pytest.raises(InvalidInput) as long_bio:
        await services.pairing.save_profile(GUILD, ANA, track="backend", skills="go", bio="b" * 301)
    assert str(long_bio.value).startswith("The bio is 301 characters; the limit is 300.")
    with pytest.raises(InvalidInput) as long_hours:
        await services.pairing.save_profile(
            GUILD, ANA, track="backend", skills="go", availability="mon 9-10, " * 30
        )
    assert str(long_hours.value).startswith("The availability is ")


async def test_the_missing_profile_message_shows_how_to_make_one(services: Services) -> None:
    with pytest.raises(NotFound) as missing:
        await services.pairing.require_profile(GUILD, ANA)
    assert str(missing.value) == (
        "You have no pairing profile yet. Start with `/pair profile track skills`, "
        "e.g. `track: backend skills: python, django`."
    )
