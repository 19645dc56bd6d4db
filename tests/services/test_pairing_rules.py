"""Pairing rules: score ordering and reasons, exact overlap across zones and DST,
top_matches, hard constraints."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.db.pair_profiles import Profile
from bot.errors import InvalidInput
from bot.services.pairing import terms
from bot.services.pairing.rules import (
    COMPLEMENTARY_BONUS,
    MAX_REST,
    Candidate,
    Constraints,
    LookingFor,
    Track,
    forbidden_pairs,
    parse_looking_for,
    parse_track,
    score,
    top_matches,
    weekly_free_minutes,
)
from bot.time.availability import WeeklyWindow, parse_availability, weekly_overlap_hours

LAGOS = ZoneInfo("Africa/Lagos")  # UTC+1, no DST
NEW_YORK = ZoneInfo("America/New_York")  # summer time from Sunday 8 March 2026, 02:00
SKILLS = tuple(f"skill{i}" for i in range(15))
HOUR = 60
DAY = 24 * HOUR


def cand(
    uid: int,
    track: Track = "backend",
    skills: tuple[str, ...] = (),
    looking_for: LookingFor = "any",
    free: tuple[tuple[int, int], ...] = (),
) -> Candidate:
    return Candidate(uid, track, skills, looking_for, free)


# --- score ordering -----------------------------------------------------------------


def test_bonus_is_larger_than_everything_else_combined() -> None:
    assert COMPLEMENTARY_BONUS > MAX_REST == 40 * 100 + 15 * 5 + 1


def test_complementary_beats_fifteen_skills_and_forty_hours() -> None:
    everything = (0, 60 * HOUR)  # 60 h in common, more than the 40 h that count
    me = cand(1, "frontend", SKILLS, "project", (everything,))
    same_track = cand(2, "frontend", SKILLS, "project", (everything,))
    other_track = cand(3, "backend", (), "study-buddy", ())
    best = score(me, same_track)
    assert best.overlap_minutes == 60 * HOUR and len(best.shared_skills) == 15
    assert best.total == MAX_REST
    assert score(me, other_track).total == COMPLEMENTARY_BONUS > best.total


@pytest.mark.parametrize(
    ("a", "b", "complementary"),
    [
        ("frontend", "backend", True),
        ("backend", "frontend", True),
        ("fullstack", "frontend", True),
        ("backend", "fullstack", True),
        ("fullstack", "fullstack", True),
        ("frontend", "frontend", False),
        ("backend", "backend", False),
    ],
)
def test_which_tracks_complement(a: Track, b: Track, complementary: bool) -> None:
    assert score(cand(1, a), cand(2, b)).complementary is complementary
    assert score(cand(1, a), cand(2, b)).total == COMPLEMENTARY_BONUS * complementary + 1


def test_an_hour_of_overlap_beats_every_skill_and_a_skill_beats_looking_for() -> None:
    me = cand(1, "backend", SKILLS, "project", ((0, 2 * HOUR),))
    one_more_hour = cand(2, "backend", (), "code-review", ((0, 2 * HOUR),))
    all_skills = cand(3, "backend", SKILLS, "project", ((0, HOUR + 59),))  # 1 h 59: 1 whole hour
    assert score(me, one_more_hour).total > score(me, all_skills).total
    one_skill = cand(4, "backend", SKILLS[:1], "code-review")
    agrees = cand(5, "backend", (), "project")
    disagrees = cand(6, "backend", (), "code-review")
    assert score(me, one_skill).total == 5 > score(me, agrees).total == 1
    assert score(me, disagrees).total == 0


@pytest.mark.parametrize(
    ("a", "b", "agrees", "reason"),
    [
        ("project", "project", True, "both want a project"),
        ("study-buddy", "study-buddy", True, "both want a study buddy"),
        ("any", "code-review", True, "both open to code review"),
        ("project", "any", True, "both open to a project"),
        ("any", "any", True, "both open to anything"),
        ("project", "code-review", False, None),
    ],
)
def test_looking_for(a: LookingFor, b: LookingFor, agrees: bool, reason: str | None) -> None:
    result = score(cand(1, "backend", looking_for=a), cand(2, "backend", looking_for=b))
    assert result.looking_for_agrees is agrees
    assert result.reasons == ((reason,) if reason else ())


def test_reasons_read_from_the_askers_side() -> None:
    me = cand(1, "frontend", ("react", "django", "postgresql"), "project", ((0, 6 * HOUR),))
    them = cand(2, "backend", ("postgresql", "django"), "project", ((0, 9 * HOUR),))
    result = score(me, them)
    assert result.reasons == (
        "frontend ↔ backend",
        "6 h a week in common",
        "shared: django, postgresql",
        "both want a project",
    )
    assert result.total == 5000 + 600 + 10 + 1 == score(them, me).total
    assert score(me, cand(3, "backend", free=((0, 90),))).reasons[1] == "1.5 h a week in common"


def test_duplicate_skills_count_once() -> None:
    me = cand(1, skills=("go", "go", "sql"))
    assert score(me, cand(2, skills=("go",))).shared_skills == ("go",)


# --- availability: exact across zones and DST -----------------------------------------


def free(text: str, zone: tzinfo, reference: datetime) -> tuple[tuple[int, int], ...]:
    return weekly_free_minutes(parse_availability(text), zone, reference=reference)


@pytest.mark.parametrize(
    ("reference", "hours"),
    [
        # UTC week of Mon 23 Feb: New York on EST (UTC-5) all week. Weekdays 17-19 UTC
        # both (10 h); Sunday NY 13-15 UTC vs Lagos 12-14 UTC (1 h).
        (datetime(2026, 2, 25, tzinfo=UTC), 11),
        # Week of Mon 2 Mar: NY still EST on weekdays (10 h), but Sunday 8 March is after
        # the switch, 8-10 EDT = 12-14 UTC, the same as Lagos: 2 h.
        (datetime(2026, 3, 4, tzinfo=UTC), 12),
        # Week of Mon 9 Mar: EDT all week, weekdays 16-18 vs 17-19 UTC (5 h), Sunday 2 h.
        (datetime(2026, 3, 11, tzinfo=UTC), 7),
    ],
)
def test_overlap_is_exact_across_zones_and_the_dst_week(reference: datetime, hours: int) -> None:
    lagos = cand(1, "backend", free=free("mon-fri 18-20, sun 13-15", LAGOS, reference))
    new_york = cand(2, "frontend", free=free("mon-fri 12-14, sun 8-10", NEW_YORK, reference))
    result = score(lagos, new_york)
    assert result.overlap_minutes == hours * HOUR
    assert f"{hours} h a week in common" in result.reasons


def test_windows_at_the_edge_of_the_utc_week() -> None:
    reference = datetime(2026, 3, 11, tzinfo=UTC)
    nairobi = ZoneInfo("Africa/Nairobi")  # UTC+3: Monday 00-02 is Sunday 21-23 UTC
    assert free("mon 0-2", nairobi, reference) == ((7 * DAY - 3 * HOUR, 7 * DAY - HOUR),)
    # Sunday 23:00 to Monday 01:00 in New York (EDT) is Monday 03:00-05:00 UTC.
    assert free("sun 23-1", NEW_YORK, reference) == ((3 * HOUR, 5 * HOUR),)


def test_stored_windows_give_the_same_candidate() -> None:
    reference = datetime(2026, 3, 11, tzinfo=UTC)
    windows = parse_availability("mon-fri 18-22, sat 10-14, sun 22-24")
    stored = [(w.weekday, w.start_minute, w.end_minute) for w in windows]
    a = Candidate.from_profile(1, "backend", ["go"], "any", windows, LAGOS, reference=reference)
    b = Candidate.from_profile(1, "backend", ["go"], "any", stored, LAGOS, reference=reference)
    assert a == b and a.free


def test_a_profile_becomes_the_candidate_of_each_week_it_is_asked_in() -> None:
    """The memoised hours follow the week: New York's summer time starts on Sunday
    8 March 2026, so the same wall-clock hours sit an hour earlier in UTC after it."""
    windows = parse_availability("mon-fri 18-22")
    stored = tuple((w.weekday, w.start_minute, w.end_minute) for w in windows)
    profile = Profile(1, 7, "backend", ("go",), "any", None, stored, NEW_YORK.key, None, True, None)
    for day in (datetime(2026, 3, 4, tzinfo=UTC), datetime(2026, 3, 11, tzinfo=UTC)):
        expected = Candidate.from_profile(
            7, "backend", ["go"], "any", windows, NEW_YORK, reference=day
        )
        assert terms.candidate(profile, now=day) == expected
    before, after = (
        terms.candidate(profile, now=datetime(2026, 3, d, tzinfo=UTC)) for d in (4, 11)
    )
    assert [lo - hi for (lo, _), (hi, _) in zip(before.free, after.free, strict=True)] == [HOUR] * 5


ZONES = [ZoneInfo(z) for z in ("Africa/Lagos", "Africa/Cairo", "Europe/London")] + [
    NEW_YORK,
    ZoneInfo("Asia/Kolkata"),  # +05:30
    ZoneInfo("Australia/Lord_Howe"),  # +10:30/+11, a 30-minute DST shift
]


@st.composite
def a_window(draw: st.DrawFn) -> WeeklyWindow:
    """Half-hour aligned, so windows meet DST jumps and 30-minute zones exactly."""
    start = draw(st.integers(0, 47))
    end = draw(st.integers(start + 1, 48))
    clock = [time(h // 2, 30 * (h % 2)) for h in range(48)] + [time(0)]
    return WeeklyWindow(draw(st.integers(0, 6)), clock[start], clock[end])


windows_strategy = st.lists(a_window(), max_size=5)


@settings(max_examples=100, deadline=None)
@given(
    windows_strategy,
    st.sampled_from(ZONES),
    windows_strategy,
    st.sampled_from(ZONES),
    st.datetimes(datetime(2026, 1, 1), datetime(2027, 12, 31), timezones=st.just(UTC)),
)
def test_overlap_agrees_with_the_availability_module(
    a: list[WeeklyWindow], zone_a: ZoneInfo, b: list[WeeklyWindow], zone_b: ZoneInfo, ref: datetime
) -> None:
    x = cand(1, free=weekly_free_minutes(a, zone_a, reference=ref))
    y = cand(2, free=weekly_free_minutes(b, zone_b, reference=ref))
    expected = weekly_overlap_hours(a, zone_a, b, zone_b, reference=ref)
    assert score(x, y).overlap_minutes == round(expected * 60)


# --- constraints and top_matches -------------------------------------------------------


NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def test_forbidden_pairs() -> None:
    recent, old = NOW - timedelta(weeks=11), NOW - timedelta(weeks=13)
    pairs = forbidden_pairs(
        now=NOW,
        paired=[(1, 2, recent), (1, 3, old)],
        declined=[(4, 1, recent), (5, 1, old)],
        ended=[(6, 1)],
        excluded=[(1, 7), (8, 8)],
    )
    assert pairs == {frozenset(p) for p in [(1, 2), (1, 4), (1, 6), (1, 7)]}
    with pytest.raises(ValueError, match="aware"):
        forbidden_pairs(now=datetime(2026, 6, 1))


def test_constraints_allow() -> None:
    constraints = Constraints(forbidden=frozenset({frozenset((1, 2))}))
    assert not constraints.allows(1, 2) and not constraints.allows(2, 1)
    assert not constraints.allows(3, 3)
    assert constraints.allows(1, 3)


def test_top_matches_orders_limits_and_excludes() -> None:
    me = cand(1, "frontend", ("react",), "project", ((0, 10 * HOUR),))
    others = [
        cand(2, "frontend", ("react",), "project", ((0, 10 * HOUR),)),  # same track
        cand(3, "backend", (), "any", ((0, 2 * HOUR),)),
        cand(4, "backend", ("react",), "project", ((0, 2 * HOUR),)),
        cand(5, "fullstack", (), "code-review", ((0, 5 * HOUR),)),
        cand(6, "backend", (), "any", ((0, 2 * HOUR + 30),)),  # same points as 3, more minutes
        cand(7, "backend", ("react",), "project", ((0, 9 * HOUR),)),  # forbidden
        cand(8, "backend", ("react",), "project", ((0, 9 * HOUR),)),  # snoozed
        cand(9, "backend", (), "any", ((0, 2 * HOUR),)),  # same as 3: lower id first
        me,
    ]
    constraints = Constraints(forbidden=frozenset({frozenset((7, 1))}), out={8: "snoozed"})
    found = top_matches(me, others, constraints, limit=5)
    assert [s.user_id for s in found] == [5, 4, 6, 3, 9]
    assert found[0].score.reasons[0] == "frontend ↔ fullstack"
    assert [s.user_id for s in top_matches(me, others, constraints, limit=2)] == [5, 4]
    assert top_matches(me, others, constraints, limit=0) == []
    everyone = [s.user_id for s in top_matches(me, others, constraints, limit=50)]
    assert everyone == [5, 4, 6, 3, 9, 2]


def test_parse_track_and_looking_for() -> None:
    assert parse_track(" Backend ") == "backend"
    assert parse_looking_for("Study Buddy") == "study-buddy"
    with pytest.raises(InvalidInput) as err:
        parse_track("devops")
    assert err.value.message == "`devops` is not a track: use frontend, backend or fullstack."
    with pytest.raises(InvalidInput) as err:
        parse_looking_for("mentor")
    assert err.value.message == (
        "`mentor` is not an option: use project, study-buddy, code-review or any."
    )


def test_candidate_rejects_overlapping_intervals() -> None:
    with pytest.raises(ValueError, match="sorted and disjoint"):
        cand(1, free=((0, 60), (30, 90)))
    with pytest.raises(ValueError, match="sorted and disjoint"):
        cand(1, free=((0, 7 * DAY + 1),))


def test_stored_windows_keep_their_half_hours() -> None:
    """Windows as stored, (weekday, start minute, end minute): Monday 09:30-11:15 UTC."""
    ref = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)  # a Wednesday; its week starts Monday
    assert weekly_free_minutes([(0, 570, 675)], UTC, reference=ref) == ((570, 675),)
