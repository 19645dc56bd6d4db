"""Pairing rules: who may be paired, and how well two learners fit.

``score(a, b)`` orders partners strictly by, in turn:

1. a complementary track (frontend ↔ backend; fullstack fits anyone, fullstack too):
   ``COMPLEMENTARY_BONUS`` (5000) is larger than the most everything below can add up to
   (``MAX_REST`` = 4076), so it outranks any number of shared skills and any overlap;
2. whole hours of weekly overlap, ``POINTS_PER_HOUR`` (100) each, counted up to
   ``OVERLAP_CAP_HOURS`` (40: beyond that both have plenty of time to meet);
3. shared skills, ``POINTS_PER_SKILL`` (5) each (at most 15 skills, so at most 75 < 100);
4. looking-for agreement (``any`` agrees with everything): 1 point.

Availability is compared exactly: each learner's weekly windows, read in their own zone
with that zone's DST rules, become UTC minutes of one reference week (the UTC week,
Monday 00:00 UTC, containing the reference instant), see ``weekly_free_minutes``.

Hard constraints are plain inputs the caller computes from the database:
``forbidden_pairs`` (paired in the last 12 weeks, a declined request in the last 12
weeks, an ended partnership, an exclusion either way) and a per-user out-reason
(snoozed, has a partner, not available).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta, tzinfo
from typing import Final, Literal, get_args

from bot.errors import InvalidInput, quote_input
from bot.time.availability import WeeklyWindow, week_intervals

Track = Literal["frontend", "backend", "fullstack"]
LookingFor = Literal["project", "study-buddy", "code-review", "any"]
OutReason = Literal["snoozed", "has a partner", "not available"]
Interval = tuple[int, int]  # [start, end) in minutes from the reference week's start
# A weekly window, or its stored form: (weekday 0-6, start minute, end minute <= 1440).
Window = WeeklyWindow | tuple[int, int, int]

TRACKS: Final[tuple[Track, ...]] = get_args(Track)
LOOKING_FOR: Final[tuple[LookingFor, ...]] = get_args(LookingFor)

COMPLEMENTARY_BONUS: Final = 5000
POINTS_PER_HOUR: Final = 100
OVERLAP_CAP_HOURS: Final = 40
POINTS_PER_SKILL: Final = 5
MAX_SHARED_SKILLS: Final = 15
LOOKING_FOR_POINTS: Final = 1
MAX_REST: Final = (
    OVERLAP_CAP_HOURS * POINTS_PER_HOUR + MAX_SHARED_SKILLS * POINTS_PER_SKILL + LOOKING_FOR_POINTS
)
RECENT: Final = timedelta(weeks=12)
WEEK_MINUTES: Final = 7 * 24 * 60

_WANTS: Final[dict[str, str]] = {
    "project": "a project",
    "study-buddy": "a study buddy",
    "code-review": "code review",
}


def parse_track(text: str) -> Track:
    value = text.strip().lower()
    for track in TRACKS:
        if value == track:
            return track
    raise InvalidInput(f"{quote_input(text)} is not a track: use frontend, backend or fullstack.")


def parse_looking_for(text: str) -> LookingFor:
    value = text.strip().lower().replace(" ", "-")
    for option in LOOKING_FOR:
        if value == option:
            return option
    raise InvalidInput(
        f"{quote_input(text)} is not an option: use project, study-buddy, code-review or any."
    )


def weekly_free_minutes(
    windows: Sequence[Window], zone: tzinfo, *, reference: datetime
) -> tuple[Interval, ...]:
    """The windows (wall-clock in ``zone``) as sorted, disjoint UTC minute intervals of the
    UTC week containing ``reference``; DST of that week applies."""
    week, utc = week_intervals([_window(w) for w in windows], zone, reference=reference)
    return tuple((_minutes(start - week), _minutes(stop - week)) for start, stop in utc)


def _window(window: Window) -> WeeklyWindow:
    if isinstance(window, WeeklyWindow):
        return window
    day, start, end = window
    return WeeklyWindow(day, _clock(start), _clock(end))


def _clock(minute: int) -> time:
    return time((minute // 60) % 24, minute % 60)


def _minutes(delta: timedelta) -> int:
    return int(delta.total_seconds()) // 60


def overlap_minutes(a: Sequence[Interval], b: Sequence[Interval]) -> int:
    if isinstance(a, tuple) and isinstance(b, tuple):
        return _overlap(a, b)
    return sum(hi - lo for lo, hi in common_intervals(a, b))


@functools.lru_cache(maxsize=65_536)
def _overlap(a: tuple[Interval, ...], b: tuple[Interval, ...]) -> int:
    """Memoised: learners share hours and zones, and ``/pair find`` compares the asker
    with everyone."""
    return sum(hi - lo for lo, hi in common_intervals(a, b))


def common_intervals(a: Sequence[Interval], b: Sequence[Interval]) -> tuple[Interval, ...]:
    """Where two sorted, disjoint interval lists overlap."""
    both: list[Interval] = []
    i = j = 0
    while i < len(a) and j < len(b):
        lo, hi = max(a[i][0], b[j][0]), min(a[i][1], b[j][1])
        if hi > lo:
            both.append((lo, hi))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return tuple(both)


@dataclass(frozen=True)
class Candidate:
    """A learner as the matcher sees them. ``free``: sorted, disjoint UTC minute intervals
    of the reference week (``weekly_free_minutes``)."""

    user_id: int
    track: Track
    skills: tuple[str, ...] = ()
    looking_for: LookingFor = "any"
    free: tuple[Interval, ...] = ()

    def __post_init__(self) -> None:
        if self.track not in TRACKS or self.looking_for not in LOOKING_FOR:
            raise ValueError(f"bad track or looking_for: {self.track!r}, {self.looking_for!r}")
        last = 0
        for lo, hi in self.free:
            if not last <= lo < hi <= WEEK_MINUTES:
                raise ValueError(f"free intervals must be sorted and disjoint: {self.free}")
            last = hi

    @classmethod
    def from_profile(
        cls,
        user_id: int,
        track: Track,
        skills: Iterable[str],
        looking_for: LookingFor,
        windows: Sequence[Window],
        zone: tzinfo,
        *,
        reference: datetime,
    ) -> Candidate:
        free = weekly_free_minutes(windows, zone, reference=reference)
        return cls(user_id, track, tuple(skills), looking_for, free)


def complementary(a: Track, b: Track) -> bool:
    return a != b or a == "fullstack"


def looking_for_agrees(a: LookingFor, b: LookingFor) -> bool:
    return a == b or "any" in (a, b)


@dataclass(frozen=True)
class PairScore:
    total: int
    complementary: bool
    overlap_minutes: int
    shared_skills: tuple[str, ...]
    looking_for_agrees: bool
    reasons: tuple[str, ...]


def _points(comp: bool, minutes: int, shared: int, agrees: bool) -> int:
    return (
        COMPLEMENTARY_BONUS * comp
        + POINTS_PER_HOUR * min(minutes // 60, OVERLAP_CAP_HOURS)
        + POINTS_PER_SKILL * min(shared, MAX_SHARED_SKILLS)
        + LOOKING_FOR_POINTS * agrees
    )


def rank_key(a: Candidate, b: Candidate) -> tuple[int, int, int]:
    """How ``top_matches`` orders ``b`` for ``a``: ``score``'s total, then more overlap,
    then the lower user id; without the reasons' text, which only the top few need."""
    minutes = overlap_minutes(a.free, b.free)
    shared = len(set(a.skills) & set(b.skills))
    comp = complementary(a.track, b.track)
    total = _points(comp, minutes, shared, looking_for_agrees(a.looking_for, b.looking_for))
    return -total, -minutes, b.user_id


def score(a: Candidate, b: Candidate) -> PairScore:
    """How well ``b`` fits ``a`` (symmetric total; reasons worded from ``a``'s side)."""
    comp = complementary(a.track, b.track)
    minutes = overlap_minutes(a.free, b.free)
    other = set(b.skills)
    shared = tuple(dict.fromkeys(s for s in a.skills if s in other))
    agrees = looking_for_agrees(a.looking_for, b.looking_for)
    total = _points(comp, minutes, len(shared), agrees)
    reasons: list[str] = []
    if comp:
        reasons.append(f"{a.track} ↔ {b.track}")
    if minutes:
        reasons.append(f"{_hours(minutes)} a week in common")
    if shared:
        reasons.append("shared: " + ", ".join(shared))
    if agrees:
        reasons.append(_agreement(a.looking_for, b.looking_for))
    return PairScore(total, comp, minutes, shared, agrees, tuple(reasons))


def _hours(minutes: int) -> str:
    return f"{minutes // 60} h" if minutes % 60 == 0 else f"{minutes / 60:.1f} h"


def _agreement(a: LookingFor, b: LookingFor) -> str:
    if a == b:
        return "both open to anything" if a == "any" else f"both want {_WANTS[a]}"
    return f"both open to {_WANTS[a if a != 'any' else b]}"


@dataclass(frozen=True)
class Constraints:
    """Hard constraints. ``forbidden``: pairs never to match; ``out``: learners left out
    (of a round; of suggestions too) with the reason."""

    forbidden: frozenset[frozenset[int]] = frozenset()
    out: Mapping[int, OutReason] = field(default_factory=dict)

    def allows(self, a: int, b: int) -> bool:
        return a != b and frozenset((a, b)) not in self.forbidden


def forbidden_pairs(
    *,
    now: datetime,
    paired: Iterable[tuple[int, int, datetime]] = (),
    declined: Iterable[tuple[int, int, datetime]] = (),
    ended: Iterable[tuple[int, int]] = (),
    excluded: Iterable[tuple[int, int]] = (),
) -> frozenset[frozenset[int]]:
    """Pairs never to match: paired (``(a, b, when)``) or a request declined (either way)
    within ``RECENT`` (12 weeks) before ``now``; a partnership ended; an exclusion by
    either side. Order within a pair does not matter."""
    if now.tzinfo is None:
        raise ValueError("now must be aware")
    since = now.astimezone(UTC) - RECENT
    pairs = {frozenset((a, b)) for a, b, when in (*paired, *declined) if when >= since}
    pairs.update(frozenset((a, b)) for a, b in (*ended, *excluded))
    return frozenset(p for p in pairs if len(p) == 2)


@dataclass(frozen=True)
class Suggestion:
    user_id: int
    score: PairScore


def top_matches(
    asker: Candidate, others: Iterable[Candidate], constraints: Constraints, limit: int = 5
) -> list[Suggestion]:
    """The best ``limit`` partners for ``asker`` (``/pair find``): highest score first,
    then more exact overlap, then lower user id. Never the asker, a forbidden pair, or a
    learner in ``constraints.out``."""
    allowed = [
        c
        for c in others
        if constraints.allows(asker.user_id, c.user_id) and c.user_id not in constraints.out
    ]
    best = sorted(allowed, key=lambda c: rank_key(asker, c))[: max(limit, 0)]
    return [Suggestion(c.user_id, score(asker, c)) for c in best]
