"""Weekly availability: "mon-fri 18-22, sat 10-14" and the overlap between two people.

Windows are wall-clock times in the owner's zone; instants only appear when two people's
weeks are compared.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from bot.errors import InvalidInput, quote_input

__all__ = [
    "WEEKDAY_NAMES",
    "WEEKDAY_PATTERN",
    "WeeklyWindow",
    "format_availability",
    "parse_availability",
    "week_intervals",
    "weekday_index",
    "weekly_hours",
    "weekly_overlap",
    "weekly_overlap_hours",
]

WEEKDAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# "mon", "monday", "mondays", "tues", "weds", "thur", "thurs", "thursday" ...
WEEKDAY_PATTERN = (
    r"\b(?:mon(?:day)?|tue(?:s(?:day)?)?|wed(?:s|nesday)?|thu(?:r(?:s(?:day)?)?)?"
    r"|fri(?:day)?|sat(?:urday)?|sun(?:day)?)s?\b"
)
_DAY_MINUTES = 24 * 60
_EXAMPLE = "Try `mon-fri 18-22, sat 10-14` or `daily 20:00-22:00`."
_NONE_WORDS = frozenset({"none", "off", "clear", "nothing"})


def weekday_index(name: str) -> int:
    """0 for any spelling of Monday ... 6 for Sunday (the name must match the pattern)."""
    return WEEKDAY_NAMES.index(name.strip().lower()[:3])


@dataclass(frozen=True)
class WeeklyWindow:
    """Hours on one weekday, wall-clock time in the owner's zone.

    ``start`` is inclusive, ``end`` exclusive. ``end == time(0)`` means midnight at the
    end of that day (24:00), so ``start=time(0), end=time(0)`` is the whole day. A
    window never crosses midnight: "sun 22-2" is two windows (sun 22-24, mon 0-2).
    Minute resolution: seconds must be zero.
    """

    weekday: int
    start: time
    end: time

    def __post_init__(self) -> None:
        if not 0 <= self.weekday <= 6:
            raise ValueError(f"weekday must be 0..6, not {self.weekday}")
        for t in (self.start, self.end):
            if t.tzinfo is not None or t.second or t.microsecond:
                raise ValueError("window times are naive wall-clock times to the minute")
        if self.end_minute <= self.start_minute:
            raise ValueError("a window must end after it starts")

    @property
    def start_minute(self) -> int:
        return self.start.hour * 60 + self.start.minute

    @property
    def end_minute(self) -> int:
        """Minutes after the day's midnight; 1440 when ``end`` is midnight (24:00)."""
        minute = self.end.hour * 60 + self.end.minute
        return minute or _DAY_MINUTES

    @property
    def hours(self) -> float:
        return (self.end_minute - self.start_minute) / 60


_T = r"(?:\d{1,2}(?:[:.]\d{2})?(?:\s*[ap]\.?m\.?)?|noon|midday|midnight)"
_TOKEN = re.compile(
    rf"""\s*(?:
      (?P<sep>,|;|&|\+|\band\b|\bor\b)
    | (?P<group>(?:week\s*days?|work\s*days?|week\s*ends?|daily|every\s*day|all\s+week)\b)
    | (?P<dayrange>{WEEKDAY_PATTERN}\s*(?:-|–|\bto\b|\bthrough\b|\bthru\b)\s*{WEEKDAY_PATTERN})
    | (?P<day>{WEEKDAY_PATTERN})
    | (?P<range>(?P<a>{_T})\s*(?:-|–|—|\bto\b|\btill\b|\buntil\b)\s*(?P<b>{_T}))
    | (?P<skip>(?:every|on|from|at)\b)
    )\s*""",
    re.VERBOSE,
)
_CLOCK = re.compile(r"(?P<h>\d{1,2})(?:[:.](?P<m>\d{2}))?\s*(?:(?P<ap>[ap])\.?m\.?)?")
_GROUPS = {"week": (0, 1, 2, 3, 4), "work": (0, 1, 2, 3, 4), "ends": (5, 6), "all": tuple(range(7))}


def _group_days(word: str) -> tuple[int, ...]:
    compact = re.sub(r"\s+", "", word)
    if compact.startswith("weekend"):
        return _GROUPS["ends"]
    if compact.startswith(("weekday", "workday")):
        return _GROUPS["week"]
    return _GROUPS["all"]


def _day_range(text: str) -> tuple[int, ...]:
    first, last = (weekday_index(m) for m in re.findall(WEEKDAY_PATTERN, text))
    return tuple((first + i) % 7 for i in range((last - first) % 7 + 1))


def _clock(text: str, *, is_end: bool, piece: str) -> tuple[int, str | None]:
    """Minutes after midnight and the am/pm marker, if any."""
    word = text.strip()
    if word in ("noon", "midday"):
        return 720, None
    if word == "midnight":
        return (_DAY_MINUTES if is_end else 0), None
    m = _CLOCK.fullmatch(word)
    if m is None:  # pragma: no cover - the token pattern only lets clocks through
        raise InvalidInput(f"I couldn't read {quote_input(piece)} as hours. {_EXAMPLE}")
    hour, minute, ap = int(m["h"]), int(m["m"] or 0), m["ap"]
    if ap is not None:
        if not 1 <= hour <= 12:
            raise InvalidInput(f"{quote_input(piece)} has an impossible hour. {_EXAMPLE}")
        hour = hour % 12 + (12 if ap == "p" else 0)
    if minute > 59 or hour > 24 or (hour == 24 and (minute or not is_end)):
        raise InvalidInput(f"{quote_input(piece)} has an impossible time. {_EXAMPLE}")
    return hour * 60 + minute, ap


def _span(a: int, b: int) -> int:
    return (b - a) % _DAY_MINUTES or _DAY_MINUTES


def _range_minutes(a_text: str, b_text: str, piece: str) -> tuple[int, int]:
    """(start, end) minutes; end may be < start (crosses midnight) or 1440."""
    start, ap_a = _clock(a_text, is_end=False, piece=piece)
    end, ap_b = _clock(b_text, is_end=True, piece=piece)
    # "9-5pm", "6pm-8", "10-2am": the bare side takes whichever meridiem gives the
    # shorter window (9am-5pm, 6pm-8pm, 10pm-2am).
    if ap_a is None and ap_b is not None and 0 < start < 720:
        start = min((start, start + 720), key=lambda s: _span(s, end))
    elif ap_b is None and ap_a is not None and 0 < end < 720:
        end = min((end, end + 720), key=lambda e: _span(start, e))
    if end == 0:
        end = _DAY_MINUTES  # "22-0", "22-00:00", "0-0": until midnight
    if start == end:
        raise InvalidInput(f"{quote_input(piece)} is an empty window. {_EXAMPLE}")
    return start, end


def parse_availability(text: str) -> list[WeeklyWindow]:
    """Parse weekly hours such as ``"mon-fri 18-22, sat 10-14"`` or ``"sun 22-2"``.

    Day words: ``mon``..``sun`` (any common spelling), ``mon-fri``, ``mon,wed``,
    ``weekdays``, ``weekends``, ``daily``. Hours: ``18-22``, ``19:00-21:30``,
    ``9am-5pm``, ``22-2`` (crosses midnight). "none"/"off" means no hours. The result
    is merged per day and sorted by (weekday, start).
    """
    cleaned = " ".join(text.lower().split())
    if cleaned in _NONE_WORDS:
        return []
    if not cleaned:
        raise InvalidInput(f"Tell me when you are usually free. {_EXAMPLE}")
    minutes: dict[int, list[tuple[int, int]]] = {d: [] for d in range(7)}
    days: list[int] = []
    days_text = ""
    has_range = False
    pos = 0
    while pos < len(cleaned):
        m = _TOKEN.match(cleaned, pos)
        if m is None or m.end() == pos:
            bad = cleaned[pos:].split()[0].split(",")[0] or cleaned[pos:]
            raise InvalidInput(f"I couldn't read {quote_input(bad)} in your hours. {_EXAMPLE}")
        pos = m.end()
        kind = m.lastgroup if m.lastgroup not in ("a", "b") else "range"
        if kind in ("group", "dayrange", "day"):
            if has_range:  # a new group of days starts
                days, days_text, has_range = [], "", False
            piece = m[kind]
            new = (
                _group_days(piece)
                if kind == "group"
                else _day_range(piece)
                if kind == "dayrange"
                else (weekday_index(piece),)
            )
            days.extend(d for d in new if d not in days)
            days_text = f"{days_text} {piece}".strip()
        elif kind == "range":
            piece = m["range"]
            if not days:
                raise InvalidInput(
                    f"Which days is {quote_input(piece)}? Put the days first. {_EXAMPLE}"
                )
            start, end = _range_minutes(m["a"], m["b"], piece)
            for day in days:
                if end > start:
                    minutes[day].append((start, end))
                else:  # crosses midnight: the rest of the day, then the next morning
                    minutes[day].append((start, _DAY_MINUTES))
                    minutes[(day + 1) % 7].append((0, end))
            has_range = True
    if days and not has_range:
        raise InvalidInput(
            f"{quote_input(days_text)} needs hours, e.g. `{days_text.split()[0]} 18-22`. {_EXAMPLE}"
        )
    if not any(minutes.values()):
        raise InvalidInput(f"I couldn't find any hours in {quote_input(cleaned)}. {_EXAMPLE}")
    return _windows(minutes)


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _minute_time(minute: int) -> time:
    return time(0) if minute == _DAY_MINUTES else time(minute // 60, minute % 60)


def _windows(minutes: dict[int, list[tuple[int, int]]]) -> list[WeeklyWindow]:
    return [
        WeeklyWindow(day, _minute_time(s), _minute_time(e))
        for day in range(7)
        for s, e in _merge(minutes[day])
    ]


def _fmt_minute(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


def _fmt_days(days: list[int]) -> str:
    if days == list(range(7)):
        return "daily"
    runs: list[list[int]] = []
    for day in days:
        if runs and day == runs[-1][-1] + 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    return ",".join(
        WEEKDAY_NAMES[r[0]] if len(r) == 1 else f"{WEEKDAY_NAMES[r[0]]}-{WEEKDAY_NAMES[r[-1]]}"
        for r in runs
    )


def format_availability(windows: list[WeeklyWindow]) -> str:
    """Canonical text, e.g. ``"mon-fri 18:00-22:00, sat 10:00-14:00"``; parses back to
    the same (normalised) windows. No windows -> ``"none"``."""
    per_day: dict[int, list[tuple[int, int]]] = {d: [] for d in range(7)}
    for w in windows:
        per_day[w.weekday].append((w.start_minute, w.end_minute))
    spans = {d: tuple(_merge(v)) for d, v in per_day.items() if v}
    if not spans:
        return "none"
    groups: dict[tuple[tuple[int, int], ...], list[int]] = {}
    for day, day_spans in spans.items():
        groups.setdefault(day_spans, []).append(day)
    parts = []
    for day_spans, days in sorted(groups.items(), key=lambda kv: kv[1][0]):
        ranges = ", ".join(f"{_fmt_minute(s)}-{_fmt_minute(e)}" for s, e in day_spans)
        parts.append(f"{_fmt_days(days)} {ranges}")
    return ", ".join(parts)


# --- overlap --------------------------------------------------------------------------

Interval = tuple[datetime, datetime]


def week_start(reference: datetime) -> datetime:
    if reference.tzinfo is None:
        raise ValueError("reference must be an aware datetime")
    ref = reference.astimezone(UTC)
    monday = ref.date() - timedelta(days=ref.weekday())
    return datetime.combine(monday, time(0), tzinfo=UTC)


def _instants(windows: list[WeeklyWindow], zone: tzinfo, week: datetime) -> list[Interval]:
    """The windows as UTC intervals around the UTC week starting at ``week``, merged.

    A wall time skipped by a DST jump maps forward by the jump (Python's fold=0 rule);
    an ambiguous one takes its first occurrence. So a window over the spring-forward
    hour is an hour shorter and one over the fall-back hour an hour longer: real time.
    """
    first = week.date() - timedelta(days=2)  # zones reach 14 h either side of UTC
    spans: list[Interval] = []
    for offset in range(11):
        day: date = first + timedelta(days=offset)
        for w in windows:
            if w.weekday != day.weekday():
                continue
            start = datetime.combine(day, w.start, tzinfo=zone).astimezone(UTC)
            end_day = day + timedelta(days=1) if w.end_minute == _DAY_MINUTES else day
            end = datetime.combine(end_day, w.end, tzinfo=zone).astimezone(UTC)
            if end > start:
                spans.append((start, end))
    merged: list[Interval] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _clip(spans: list[Interval], lo: datetime, hi: datetime) -> list[Interval]:
    return [(max(s, lo), min(e, hi)) for s, e in spans if e > lo and s < hi]


def _hours(spans: list[Interval]) -> float:
    return sum((e - s).total_seconds() for s, e in spans) / 3600


def week_intervals(
    windows: list[WeeklyWindow], zone: tzinfo, *, reference: datetime
) -> tuple[datetime, list[Interval]]:
    """The start of the UTC week (Monday 00:00 UTC) containing ``reference``, and the
    windows (wall-clock in ``zone``, that week's DST) as merged UTC intervals within it."""
    week = week_start(reference)
    return week, _clip(_instants(windows, zone, week), week, week + timedelta(days=7))


def weekly_hours(windows: list[WeeklyWindow], zone: tzinfo, *, reference: datetime) -> float:
    """Real hours the windows cover in the UTC week (Mon 00:00 UTC) containing ``reference``."""
    week = week_start(reference)
    return _hours(_clip(_instants(windows, zone, week), week, week + timedelta(days=7)))


def weekly_overlap(
    a: list[WeeklyWindow],
    zone_a: tzinfo,
    b: list[WeeklyWindow],
    zone_b: tzinfo,
    *,
    reference: datetime,
) -> list[Interval]:
    """The UTC intervals when both people are free, each person's windows read in their
    own zone, over the UTC week (Monday 00:00 UTC to the next) containing ``reference``,
    with each side's DST rules for that week."""
    week = week_start(reference)
    lo, hi = week, week + timedelta(days=7)
    xs, ys = _clip(_instants(a, zone_a, week), lo, hi), _clip(_instants(b, zone_b, week), lo, hi)
    both: list[Interval] = []
    i = j = 0
    while i < len(xs) and j < len(ys):
        start, end = max(xs[i][0], ys[j][0]), min(xs[i][1], ys[j][1])
        if end > start:
            both.append((start, end))
        if xs[i][1] < ys[j][1]:
            i += 1
        else:
            j += 1
    return both


def weekly_overlap_hours(
    a: list[WeeklyWindow],
    zone_a: tzinfo,
    b: list[WeeklyWindow],
    zone_b: tzinfo,
    *,
    reference: datetime,
) -> float:
    """Hours both people are free (see ``weekly_overlap``). Symmetric; never more than
    ``weekly_hours`` of either side."""
    return _hours(weekly_overlap(a, zone_a, b, zone_b, reference=reference))
