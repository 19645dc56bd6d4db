"""``/pair find`` keeps each server's side between calls (``finder``): what it answers
must be what a fresh computation answers, after every kind of change and as time
passes; each change must move the server's counters (the triggers of migration 0015,
one case per trigger below); and a call on an unchanged server reads only the counters."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from bot.db import pair_profiles, sql
from bot.db.database import Database
from bot.services.container import Services, build_services
from bot.services.pairing import finder, rules, terms
from bot.services.pairing.terms import Suggestion
from bot.time.clock import FakeClock
from tests.backends import database_for

GUILD, OTHER = 1, 2
USERS = list(range(300, 340))
TRACKS = ["backend", "frontend", "fullstack"]
WANTS = ["project", "study-buddy", "code-review", "any"]
SKILLS = ["python", "django", "react", "css", "docker", "go", "sql", "vue", "aws"]
HOURS = ["mon-fri 18-22", "sat 9-17", "daily 20-23", "tue,thu 7-9, sun 14-18", "mon-thu 21-1"]
EVERYONE = [*USERS, 999]  # 999 joins later
ZONES = ["Africa/Lagos", "Africa/Nairobi", "Europe/London", "America/New_York"]


async def fresh(
    services: Services, db: Database, user: int, limit: int, now: datetime
) -> list[Suggestion]:
    """``find`` as it was before the cache: everything read and worked out again."""
    everyone = await pair_profiles.many(db.reader, GUILD, EVERYONE)
    ordered = [everyone[u] for u in sorted(everyone)]
    constraints = await services.pairing.rounds.constraints(GUILD, ordered, now=now)
    others = [terms.candidate(p, now=now) for p in ordered if p.user_id != user]
    asker = terms.candidate(everyone[user], now=now)
    found = rules.top_matches(asker, others, constraints, limit)
    return [Suggestion(s.user_id, s.score.total, s.score.reasons) for s in found]


async def same_as_fresh(services: Services, db: Database, clock: FakeClock, step: str) -> None:
    for user in sorted(await pair_profiles.many(db.reader, GUILD, EVERYONE)):
        for limit in (5, len(USERS) + 1):  # the top few, and the whole order
            cached = await services.pairing.find(GUILD, user, limit)
            expected = await fresh(services, db, user, limit, clock.now())
            assert cached == expected, (step, user, limit)


async def test_find_answers_as_a_fresh_computation_through_every_kind_of_change(
    services: Services, db: Database, clock: FakeClock
) -> None:
    rng = random.Random(12)
    pairing = services.pairing
    for user in USERS:
        await services.preferences.set_timezone(user, rng.choice(ZONES))
        await pairing.save_profile(
            GUILD,
            user,
            track=rng.choice(TRACKS),
            skills=", ".join(rng.sample(SKILLS, rng.randint(1, 4))),
            looking_for=rng.choice(WANTS),
            availability=rng.choice(HOURS),
        )
    await pairing.save_profile(OTHER, USERS[0], track="frontend", skills="css")
    await same_as_fresh(services, db, clock, "seeded")

    async def check(step: str) -> None:
        await same_as_fresh(services, db, clock, step)

    await pairing.save_profile(GUILD, USERS[1], track="frontend", skills="go")
    await check("a profile edited")
    await pairing.save_profile(
        GUILD, USERS[2], track="backend", skills="sql", availability="sat 9-17"
    )
    await check("hours changed")
    await pairing.save_profile(GUILD, USERS[3], track="backend", skills="go", available=False)
    await check("made unavailable")
    await pairing.save_profile(GUILD, 999, track="fullstack", skills="python")
    await check("a new profile")
    await pairing.snooze(GUILD, USERS[4], "in 2 hours")
    await check("snoozed")
    await pairing.exclude(GUILD, USERS[5], USERS[6])
    await check("excluded")
    asked = await pairing.request(GUILD, USERS[7], USERS[8], None)
    await check("a request sent")
    await pairing.answer(asked.id, USERS[8], accept=True)
    await check("a request accepted: a pair")
    declined = await pairing.request(GUILD, USERS[9], USERS[10], None)
    await pairing.answer(declined.id, USERS[10], accept=False)
    await check("a request declined")
    await pairing.end(GUILD, USERS[7], USERS[8])
    await check("a pair ended")

    clock.advance(hours=3)
    await check("the snooze ended")
    clock.advance(days=3)
    await check("another week")
    clock.advance(weeks=12)
    await check("the decline and the pairs left the 12 weeks")
    clock.set(clock.now() - timedelta(weeks=11))
    await check("the clock set back")
    assert (await pairing.rounds.plan(GUILD, started_by=USERS[0])).pairs
    await check("a round's pairs")

    await services.privacy.forget(USERS[11])
    await check("forget-me: a profile, pairs, requests")
    await services.privacy.forget(USERS[5])
    await check("forget-me: an exclusion")


async def test_a_view_holds_until_a_snooze_ends_or_a_decline_leaves_the_12_weeks(
    services: Services, clock: FakeClock
) -> None:
    pairing = services.pairing
    for user, track in zip(USERS[:4], ["backend", "frontend", "frontend", "frontend"], strict=True):
        await pairing.save_profile(GUILD, user, track=track, skills="python")
    declined_at = clock.now()
    asked = await pairing.request(GUILD, USERS[0], USERS[2], None)
    await pairing.answer(asked.id, USERS[2], accept=False)
    until = await pairing.snooze(GUILD, USERS[1], "in 2 hours")

    async def found() -> list[int]:
        return [s.user_id for s in await pairing.find(GUILD, USERS[0])]

    assert await found() == [USERS[3]]
    clock.set(until - timedelta(microseconds=1))
    assert await found() == [USERS[3]]
    clock.set(until)  # the snooze ends at that instant
    assert await found() == [USERS[1], USERS[3]]
    clock.set(declined_at + rules.RECENT)  # still within the 12 weeks
    assert await found() == [USERS[1], USERS[3]]
    clock.set(declined_at + rules.RECENT + timedelta(microseconds=1))
    assert await found() == [USERS[1], USERS[2], USERS[3]]
    clock.set(declined_at + rules.RECENT)  # a clock set back: the decline counts again
    assert await found() == [USERS[1], USERS[3]]


async def test_hours_are_read_for_the_week_asked_in(services: Services, clock: FakeClock) -> None:
    """London leaves summer time on Sunday 25 October 2026: Saturday 9-17 in London
    overlaps Saturday 9-17 in Lagos 8 h that week, 7 h the next."""
    pairing = services.pairing
    for user, zone, track in [
        (USERS[0], "Africa/Lagos", "backend"),
        (USERS[1], "Europe/London", "frontend"),
    ]:
        await services.preferences.set_timezone(user, zone)
        await pairing.save_profile(GUILD, user, track=track, skills="go", availability="sat 9-17")
    monday = datetime(2026, 10, 26, tzinfo=UTC)
    for when, hours in [
        (monday - timedelta(days=2), "8 h"),
        (monday - timedelta(microseconds=1), "8 h"),
        (monday, "7 h"),
        (monday - timedelta(days=1), "8 h"),
    ]:
        clock.set(when)
        [found] = await pairing.find(GUILD, USERS[0])
        assert f"{hours} a week in common" in found.reasons, when


async def test_a_change_made_by_another_process_is_seen(
    services: Services, database_url: str, clock: FakeClock
) -> None:
    """Two processes on one database (shards): each keeps its own copy, and the
    counters in the database tell each when the other changed something."""
    other_db = database_for(database_url)
    await other_db.connect()
    try:
        other = build_services(other_db, clock)
        for user, track in [(USERS[0], "backend"), (USERS[1], "frontend")]:
            await services.pairing.save_profile(GUILD, user, track=track, skills="go")
        assert [s.user_id for s in await services.pairing.find(GUILD, USERS[0])] == [USERS[1]]
        assert [s.user_id for s in await other.pairing.find(GUILD, USERS[0])] == [USERS[1]]
        await other.pairing.save_profile(GUILD, USERS[2], track="frontend", skills="go, sql")
        await other.pairing.exclude(GUILD, USERS[1], USERS[0])
        assert [s.user_id for s in await services.pairing.find(GUILD, USERS[0])] == [USERS[2]]
    finally:
        await other_db.close()


def test_the_cache_keeps_the_servers_last_asked_and_never_goes_back() -> None:
    cache = finder.FindCache(size=2)
    for guild in (1, 2, 3):
        cache.put(guild, finder.Server((1, 1), [], finder.Facts()))
    assert len(cache) == 2 and cache.get(1) is None
    assert cache.get(2) is not None  # 2 now asked last: 3 goes next
    cache.put(4, finder.Server((1, 1), [], finder.Facts()))
    assert cache.get(3) is None and cache.get(2) is not None
    newer = finder.Server((2, 5), [], finder.Facts())
    cache.put(2, newer)
    cache.put(2, finder.Server((2, 4), [], finder.Facts()))  # read before, finished after
    assert cache.get(2) is newer


# -- the counters: one case per trigger ---------------------------------------------------

PROFILE = (
    "INSERT INTO pair_profiles (guild_id, user_id, track, created_at, updated_at)"
    " VALUES (1, 7, 'backend', 0, 0)"
)
PAIR = "INSERT INTO pairs (id, guild_id, thread_name, created_at) VALUES (50, 1, 'Pair #50', 0)"
MEMBER = "INSERT INTO pair_members (pair_id, guild_id, user_id) VALUES (50, 1, 7)"
EXCLUSION = (
    "INSERT INTO pair_exclusions (guild_id, user_id, excluded_id, created_at) VALUES (1, 7, 8, 0)"
)


PENDING = (
    "INSERT INTO pair_requests (id, guild_id, from_id, to_id, status, created_at, expires_at)"
    " VALUES (60, 1, 7, 8, 'pending', 0, 0)"
)


def request(status: str) -> str:
    return PENDING.replace("'pending'", f"'{status}'")


# (what changes, the statements before it, the change, which counter moves: 0 profiles,
# 1 links, None neither)
CASES = [
    ("profile created", [], PROFILE, 0),
    ("profile changed", [PROFILE], "UPDATE pair_profiles SET bio = 'hi'", 0),
    ("profile deleted", [PROFILE], "DELETE FROM pair_profiles", 0),
    ("exclusion made", [], EXCLUSION, 1),
    ("exclusion changed", [EXCLUSION], "UPDATE pair_exclusions SET excluded_id = 9", 1),
    ("exclusion deleted", [EXCLUSION], "DELETE FROM pair_exclusions", 1),
    ("pair member added", [PAIR], MEMBER, 1),
    ("pair member changed", [PAIR, MEMBER], "UPDATE pair_members SET user_id = 9", 1),
    ("pair member removed", [PAIR, MEMBER], "DELETE FROM pair_members", 1),
    ("pair deleted with its members", [PAIR, MEMBER], "DELETE FROM pairs", 1),
    ("pair ended", [PAIR, MEMBER], "UPDATE pairs SET status = 'ended'", 1),
    ("pair's date changed", [PAIR, MEMBER], "UPDATE pairs SET created_at = 5", 1),
    ("pair's thread opened", [PAIR, MEMBER], "UPDATE pairs SET thread_id = 5", None),
    ("request declined", [request("pending")], "UPDATE pair_requests SET status = 'declined'", 1),
    ("declined request stored", [], request("declined"), 1),
    ("declined request changed", [request("declined")], "UPDATE pair_requests SET to_id = 9", 1),
    ("declined request deleted", [request("declined")], "DELETE FROM pair_requests", 1),
    ("request sent", [], request("pending"), None),
    (
        "request accepted",
        [request("pending")],
        "UPDATE pair_requests SET status = 'accepted'",
        None,
    ),
    ("accepted request deleted", [request("accepted")], "DELETE FROM pair_requests", None),
]


@pytest.mark.parametrize(
    ("before", "change", "counter"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
async def test_every_change_find_reads_moves_the_servers_counter(
    db: Database, before: list[str], change: str, counter: int | None
) -> None:
    async with db.transaction() as tx:
        for statement in before:
            await sql.execute(tx, statement)
    was = await pair_profiles.versions(db.reader, GUILD)
    async with db.transaction() as tx:
        await sql.execute(tx, change)
    now = await pair_profiles.versions(db.reader, GUILD)
    if counter is None:
        assert now == was
    else:
        assert now[counter] > was[counter]
        assert now[1 - counter] == was[1 - counter]
    assert await pair_profiles.versions(db.reader, OTHER) == (0, 0)


# -- the ranking itself, on made-up servers ----------------------------------------------


def made_up_server(rng: random.Random) -> tuple[list[pair_profiles.Profile], finder.Facts]:
    """Profiles with hours to the minute (some over the 40 h cap), up to 20 skills (some
    repeated, some over the 15 counted), and pairings, declines and exclusions from 20
    weeks back to a week ahead."""
    users = rng.sample(range(1, 10**12), rng.randint(2, 50))
    vocabulary = [f"skill{i}" for i in range(25)]
    everyone = []
    for user in users:
        windows = []
        for _ in range(rng.choice([0, 1, 2, 4, 7])):
            start = rng.randrange(0, 1440)
            windows.append((rng.randrange(7), start, rng.randint(start + 1, 1440)))
        skills = rng.sample(vocabulary, rng.randint(0, 20))
        everyone.append(
            pair_profiles.Profile(
                guild_id=GUILD,
                user_id=user,
                track=rng.choice(TRACKS),
                skills=tuple(skills + skills[:1]),
                looking_for=rng.choice(WANTS),
                availability=None,
                windows=tuple(windows),
                zone=rng.choice(ZONES),
                bio=None,
                available=rng.random() > 0.1,
                snoozed_until=rng.choice([None, None, 1_790_000_000, 1_800_000_000]),
            )
        )
    base = 1_795_000_000

    def when() -> int:
        return base + rng.randint(-20 * 7 * 86400, 7 * 86400)

    facts = finder.Facts(
        history=tuple(
            (
                tuple(rng.sample(users, rng.choice([2, 2, 3][: len(users) - 1]))),
                when(),
                rng.random() < 0.3,
            )
            for _ in range(rng.randint(0, len(users)))
        ),
        declined=tuple((*rng.sample(users, 2), when()) for _ in range(rng.randint(0, 10))),
        excluded=tuple(tuple(rng.sample(users, 2)) for _ in range(rng.randint(0, 10))),
        partnered=frozenset(rng.sample(users, rng.randint(0, len(users) // 4))),
    )
    return everyone, facts


def test_the_ranking_is_top_matches_on_made_up_servers() -> None:
    rng = random.Random(2026)
    for _ in range(40):
        everyone, facts = made_up_server(rng)
        server = finder.Server((1, 1), rng.sample(everyone, len(everyone)), facts)
        now = datetime.fromtimestamp(1_795_000_000 + rng.randint(-(10**6), 10**6), UTC)
        view = server.view(now)
        ordered = sorted(everyone, key=lambda p: p.user_id)
        constraints = facts.constraints(ordered, now=now)
        for profile in everyone:
            asker = terms.candidate(profile, now=now)
            others = [terms.candidate(p, now=now) for p in ordered if p is not profile]
            for limit in (0, 1, 5, len(everyone)):
                expected = rules.top_matches(asker, others, constraints, limit)
                assert view.top(profile.user_id, limit) == expected
