"""Pairing's terms: timer kinds, limits, how a stored profile becomes a matcher's
``Candidate``, and the shapes the service hands its adapter (``Kickoff``,
``RoundReport``, ``Suggestion``)."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.db.pair_profiles import Profile
from bot.db.pairs import Pair
from bot.errors import InvalidInput
from bot.services.pairing.rules import (
    RECENT,
    Candidate,
    Interval,
    LookingFor,
    Track,
    parse_looking_for,
    weekly_free_minutes,
)
from bot.services.pairing.rules import parse_track as _parse_track
from bot.time.availability import WeeklyWindow, parse_availability, week_start, weekly_overlap

KIND_EXPIRY = "pair.request"
KIND_CHECKIN = "pair.checkin"
KIND_ROUND = "pair.round"
KINDS = (KIND_EXPIRY, KIND_CHECKIN, KIND_ROUND)

REQUEST_TTL = timedelta(hours=72)
CHECKIN_AFTER = timedelta(days=7)
HISTORY = RECENT  # never re-paired within 12 weeks
BIO_MAX = 300
AVAILABILITY_MAX = 200
MESSAGE_MAX = 500
# The private thread's name; it carries the pair's id, so a crash between creating the
# thread and recording it finds the thread again instead of making a second one.
PAIR_THREAD_NAME = "Pair #{id}"
ANSWERS = ("met", "not_yet", "didnt_work")


@dataclass(frozen=True)
class Suggestion:
    user_id: int
    score: int
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class KickoffMember:
    user_id: int
    track: str
    zone: str


@dataclass(frozen=True)
class Kickoff:
    """What a new pair's thread opens with."""

    members: tuple[KickoffMember, ...]
    shared_skills: tuple[str, ...]
    overlap: tuple[tuple[datetime, datetime], ...]  # UTC, this week
    hours_known: bool  # every member gave their hours
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class RoundReport:
    round_id: int
    learners: int
    pairs: list[Pair]
    total_score: int
    shuffle_score: int
    greedy_score: int
    unpaired: list[tuple[int, str]]


def parse_track(text: str) -> Track:
    return _parse_track(text)


def parse_wanted(text: str) -> LookingFor:
    return parse_looking_for(text)


def parse_hours(text: str) -> list[tuple[int, int, int]]:
    """Weekly hours as typed (``mon-fri 18-22, sat 10-14``) → stored windows:
    ``(weekday, start minute, end minute)`` local to the user's zone."""
    return [(w.weekday, w.start_minute, w.end_minute) for w in parse_availability(text)]


def check_answer(answer: str) -> str:
    if answer not in ANSWERS:
        raise InvalidInput("A check-in answer is `met`, `not_yet` or `didnt_work`.")
    return answer


def already_answered(status: str) -> str:
    return {
        "accepted": "This request was already accepted.",
        "declined": "This request was already declined.",
        "expired": "This request expired: send a new one with `/pair request`.",
    }.get(status, "This request was already answered.")


def taking_partners(profile: Profile, now: datetime) -> bool:
    """Available, and not snoozed."""
    snoozed = profile.snoozed_until is not None and profile.snoozed_until > now.timestamp()
    return profile.available and not snoozed


def windows(profile: Profile) -> list[WeeklyWindow]:
    return [
        WeeklyWindow(day, _clock(start), _clock(end % 1440)) for day, start, end in profile.windows
    ]


def _clock(minute: int) -> time:
    return time(minute // 60, minute % 60)


def candidate(profile: Profile, *, now: datetime) -> Candidate:
    return _candidate(profile, week_start(now))


def candidates(profiles: list[Profile], week: datetime) -> list[Candidate]:
    """Every profile's candidate for the UTC week starting ``week``."""
    return [_candidate(p, week) for p in profiles]


@functools.lru_cache(maxsize=8192)
def _candidate(profile: Profile, week: datetime) -> Candidate:
    """Memoised per profile (a frozen row: any change is another key) and week:
    ``/pair find`` turns every profile of the server into a candidate on every call."""
    return Candidate(
        profile.user_id,
        parse_track(profile.track),
        profile.skills,
        parse_wanted(profile.looking_for),
        free_minutes(profile.windows, profile.zone, week),
    )


@functools.lru_cache(maxsize=4096)
def free_minutes(
    stored: tuple[tuple[int, int, int], ...], zone: str, week: datetime
) -> tuple[Interval, ...]:
    """Stored weekly hours in ``zone`` as UTC minutes of the week starting ``week``. The
    same for everyone with the same hours and zone, so ``/pair find`` works them out once
    a week for each, not for every profile on every call (that was two thirds of it)."""
    hours = [WeeklyWindow(day, _clock(start), _clock(end % 1440)) for day, start, end in stored]
    return weekly_free_minutes(hours, ZoneInfo(zone), reference=week)


def kickoff(members: list[Profile], reasons: tuple[str, ...], *, now: datetime) -> Kickoff:
    """The kickoff of a pair or trio: tracks, the skills all share, and the hours all
    are free this week (each person's windows in their own zone)."""
    known = all(p.windows for p in members)
    common: list[tuple[datetime, datetime]] = []
    if known and members:
        first = members[0]
        common = []
        for other in members[1:]:
            both = weekly_overlap(
                windows(first),
                ZoneInfo(first.zone),
                windows(other),
                ZoneInfo(other.zone),
                reference=now,
            )
            common = both if other is members[1] else _intersect(common, both)
    shared = set(members[0].skills) if members else set()
    for profile in members[1:]:
        shared &= set(profile.skills)
    return Kickoff(
        members=tuple(KickoffMember(p.user_id, p.track, p.zone) for p in members),
        shared_skills=tuple(s for s in (members[0].skills if members else ()) if s in shared),
        overlap=tuple(common),
        hours_known=known,
        reasons=reasons,
    )


def _intersect(
    a: list[tuple[datetime, datetime]], b: list[tuple[datetime, datetime]]
) -> list[tuple[datetime, datetime]]:
    out = []
    for start_a, end_a in a:
        for start_b, end_b in b:
            start, end = max(start_a, start_b), min(end_a, end_b)
            if end > start:
                out.append((start, end))
    return sorted(out)
