"""The one parser for times, durations and schedules that users type.

Times are typed in the user's zone (the caller resolves it: user's, else server's,
else UTC), unless the text names a zone or offset itself ("18:00 Europe/London",
"9am utc", "18:00 +05:30"). Every function takes ``now`` explicitly and returns
aware UTC datetimes, to the second.

DST rules, used everywhere:
* a typed wall time that does not exist (clocks jump forward) is refused;
* a typed wall time that happens twice (clocks fall back) is the first one (fold=0);
* computed wall times (recurrences, ``add_local``) never fail: a skipped time moves
  forward by the length of the jump (01:30 on the London spring-forward night is
  02:30 BST), an ambiguous one is the first occurrence.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

import dateparser

from bot.errors import InvalidInput, TimeOutOfRange, UnreadableTime, quote_input
from bot.time.availability import WEEKDAY_PATTERN, weekday_index
from bot.time.durations import duration_seconds, format_duration
from bot.time.timezones import resolve_zone
from bot.time.wallclock import add_wall, exists_locally, local_instant, require_aware

__all__ = ["MAX_AHEAD", "parse_weekly_schedule", "parse_when", "warm_up"]

MAX_AHEAD = timedelta(days=366)  # "more than a year ahead" is refused

_TRY = "Try `tomorrow 18:00`, `in 2 hours` or `{iso}`."
_PARTS = {"morning": time(9), "afternoon": time(15), "evening": time(18), "night": time(20)}
# A clock time: "18:00", "18.30", "18:00:05", "6pm", "6:30 pm", "noon", "midnight".
_CLOCK = (
    r"(?:(?P<h>\d{1,2})(?:[:.](?P<m>\d{2})(?::(?P<s>\d{2}))?)?\s*(?P<ap>[ap])\.?m\.?"
    r"|(?P<h24>\d{1,2})[:.](?P<m24>\d{2})(?::(?P<s24>\d{2})(?:\.\d+)?)?"
    r"|(?P<word>noon|midday|midnight))"
)
_CLOCK_RE = re.compile(_CLOCK)
_DAY = (
    r"(?P<day>today|tom+or+ow|tmrw?|tmw|(?:the\s+)?day\s+after\s+tom+or+ow"
    rf"|(?:(?P<rel>next|this|coming)\s+)?(?P<wd>{WEEKDAY_PATTERN}))"
)
_PART = r"(?:in\s+the\s+)?(?P<part>morning|afternoon|evening|night)"
_DAY_FIRST = re.compile(rf"(?:on\s+)?{_DAY}(?:\s+{_PART})?(?:\s+at)?(?:\s+{_CLOCK})?")
_CLOCK_FIRST = re.compile(rf"(?:at\s+)?{_CLOCK}(?:\s+on)?\s+{_DAY}(?:\s+{_PART})?")
_CLOCK_ONLY = re.compile(rf"(?:at\s+)?{_CLOCK}")
_ISO = re.compile(
    r"(?P<y>\d{4})[-/](?P<mo>\d{1,2})[-/](?P<d>\d{1,2})(?:(?:t|\s+|\s*,\s*|\s+at\s+)(?P<rest>.+))?"
)
_ATTACHED_OFFSET = re.compile(r"(\d:\d\d(?::\d\d(?:\.\d+)?)?)(z|[+-]\d{2}(?::?\d{2})?)\b")
_OFFSET = re.compile(
    r"(?P<pfx>utc|gmt)(?:(?P<sign>[+-])(?P<h>\d{1,2})(?::?(?P<m>\d{2}))?)?"
    r"|z|(?P<sign2>[+-])(?P<h2>\d{2})(?::?(?P<m2>\d{2}))?"
)
_SLASH_DATE = re.compile(r"\b(\d{1,2})/(\d{1,2})(?:/(\d{2}|\d{4}))?\b")
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_MONTH_RE = re.compile(
    r"\b(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\b"
)
# Words that name a day: without a clock time they get "needs a time of day too".
_DAYISH = re.compile(rf"{WEEKDAY_PATTERN}|{_MONTH_RE.pattern}|/|\b(?:today|tom+or+ow|week|month)\b")
_PART_WORDS = re.compile(r"\b(?:morning|afternoon|evening|night|tonight)\b")


def _zone_name(zone: tzinfo) -> str:
    return zone.key if isinstance(zone, ZoneInfo) else (zone.tzname(None) or "UTC")


# --- weekly schedule -------------------------------------------------------------------


def _clock_time(m: re.Match[str], piece: str, *, evening: bool = False) -> tuple[time, bool]:
    """The clock time a ``_CLOCK`` match names, and whether it is "midnight" (end of day)."""
    bad = UnreadableTime(f"{quote_input(piece)} isn't a time of day. Use `18:30` or `6:30pm`.")
    if m["word"]:
        return (time(0), True) if m["word"] == "midnight" else (time(12), False)
    if m["ap"]:
        hour, minute, second = int(m["h"]), int(m["m"] or 0), int(m["s"] or 0)
        if not 1 <= hour <= 12:
            raise bad
        hour = hour % 12 + (12 if m["ap"] == "p" else 0)
    else:
        hour, minute, second = int(m["h24"]), int(m["m24"]), int(m["s24"] or 0)
        if evening and 1 <= hour < 12:  # "tonight 8:00", "friday evening 7:30"
            hour += 12
    if hour > 23 or minute > 59 or second > 59:
        raise bad
    return time(hour, minute, second), False


def parse_weekly_schedule(text: str) -> tuple[int, time] | None:
    """``"mon 10:00"``, ``"weekly mon 10:00"``, ``"monday 9am"`` -> ``(0, time(10))``;
    ``"off"`` -> ``None``. "Midnight" is the end of the named day."""
    cleaned = " ".join(text.lower().split())
    if cleaned in ("off", "none", "never", "stop", "disable", "disabled", "no"):
        return None
    body = re.sub(r"^(?:weekly|every|each)\s+(?:on\s+)?", "", cleaned)
    wd = rf"(?P<wd>{WEEKDAY_PATTERN})"
    m = re.fullmatch(rf"(?:on\s+)?{wd}(?:\s+at)?\s+{_CLOCK}", body) or re.fullmatch(
        rf"(?:at\s+)?{_CLOCK}(?:\s+on)?\s+(?:every\s+)?{wd}", body
    )
    if m is None:
        raise UnreadableTime(
            f"I couldn't read {quote_input(text)} as a weekly time. "
            "Try `mon 10:00`, `weekly fri 18:30` or `off`."
        )
    at, midnight = _clock_time(m, text)
    day = weekday_index(m["wd"])
    return ((day + 1) % 7, at) if midnight else (day, at)


# --- parse_when ------------------------------------------------------------------------


def _settings(now_local: datetime) -> dict[str, Any]:
    # dateparser only ever sees wall-clock time: no zone in the text (we strip it), a
    # naive base and a fixed zone, so it cannot apply DST itself. We localise the wall
    # time it returns with zoneinfo.
    return {
        "PREFER_DATES_FROM": "future",
        "RELATIVE_BASE": now_local.replace(tzinfo=None),
        "RETURN_AS_TIMEZONE_AWARE": False,
        "TIMEZONE": "UTC",
        "PARSERS": ["relative-time", "absolute-time"],
    }


def warm_up() -> None:
    """Load dateparser's English data now (~0.1 s) rather than on the first user."""
    base = datetime(2000, 1, 1, tzinfo=UTC)  # any instant: only the language data matters
    dateparser.parse("tomorrow 18:00", languages=["en"], settings=_settings(base))


def _extract_zone(text: str) -> tuple[str, tzinfo | None]:
    """Split "tomorrow 18:00 Europe/London" into ("tomorrow 18:00", Europe/London)."""
    text = re.sub(r"\b(utc|gmt)\s+([+-])\s*(\d)", r"\1\2\3", text)
    text = _ATTACHED_OFFSET.sub(r"\1 \2", text)
    kept: list[str] = []
    zones: list[tzinfo] = []
    for word in text.split():
        if m := _OFFSET.fullmatch(word):
            sign = m["sign"] or m["sign2"]
            hours, minutes = int(m["h"] or m["h2"] or 0), int(m["m"] or m["m2"] or 0)
            if hours > 14 or minutes > 59:
                raise UnreadableTime(
                    f"{quote_input(word)} isn't a UTC offset. Try `UTC+1` or `+05:30`."
                )
            offset = timedelta(hours=hours, minutes=minutes) * (-1 if sign == "-" else 1)
            name = "UTC" + (word[3:] if m["pfx"] else "" if word == "z" else word)
            zones.append(timezone(offset, name.upper()))
        elif "/" in word and re.search(r"[a-z]/[a-z]", word):
            zones.append(ZoneInfo(resolve_zone(word)))
        else:
            kept.append(word)
    if len(zones) > 1:
        raise UnreadableTime("Give one timezone at most, e.g. `tomorrow 18:00 Europe/London`.")
    found = zones[0] if zones else None
    if isinstance(found, timezone) and found.utcoffset(None) == timedelta(0):
        found = UTC
    return " ".join(kept), found


def _fmt(instant: datetime, zone: tzinfo) -> str:
    local = instant.astimezone(zone)
    clock = "%H:%M:%S" if local.second else "%H:%M"
    return f"{local.strftime(f'%a %d %b %Y {clock}')} ({_zone_name(zone)})"


def _resolve(d: date, at: time, zone: tzinfo, raw: str) -> datetime:
    """Typed wall time -> UTC; a skipped wall time is refused, an ambiguous one is fold=0."""
    local = local_instant(d, at, zone)
    if not exists_locally(local):
        shifted = local.astimezone(UTC).astimezone(zone)
        raise TimeOutOfRange(
            f"{quote_input(raw)} does not exist in {_zone_name(zone)}: the clocks go forward that "
            f"night and skip {at.strftime('%H:%M')}. Pick another time, e.g. "
            f"`{shifted.strftime('%Y-%m-%d %H:%M')}`."
        )
    return local.astimezone(UTC)


def _grammar(s: str, zone: tzinfo, now: datetime, raw: str) -> datetime | None:
    """Day words and clock times we read ourselves: "friday 18:00", "tomorrow 6pm",
    "next monday 9am", "tonight 8pm", "noon", "saturday evening"."""
    s = re.sub(r"\bthis\s+(morning|afternoon|evening)\b", r"today \1", s)
    s = re.sub(r"\btonight\b", "today night", s)
    m = _DAY_FIRST.fullmatch(s) or _CLOCK_FIRST.fullmatch(s) or _CLOCK_ONLY.fullmatch(s)
    if m is None:
        return None
    groups = m.groupdict()
    part = groups.get("part")
    if groups.get("word") or groups.get("h") or groups.get("h24"):
        at, midnight = _clock_time(m, raw, evening=part in ("afternoon", "evening", "night"))
    elif part:
        at, midnight = _PARTS[part], False
    else:
        raise UnreadableTime(
            f"{quote_input(raw)} needs a time of day too, e.g. `{raw.strip()} 18:00`."
        )
    today = now.astimezone(zone).date()
    bump = timedelta(days=1 if midnight else 0)  # "friday midnight" = the end of friday
    day, wd = groups.get("day"), groups.get("wd")
    if wd is not None:
        first = 1 if groups.get("rel") == "next" else 0  # "next friday" is never today
        ahead = (weekday_index(wd) - today.weekday() - first) % 7 + first
        result = _resolve(today + timedelta(days=ahead) + bump, at, zone, raw)
        if result <= now:  # that weekday is today but the time has passed: next week
            result = _resolve(today + timedelta(days=ahead + 7) + bump, at, zone, raw)
        return result
    if day is None:  # a clock time alone: the next one
        result = _resolve(today + bump, at, zone, raw)
        return result if result > now else _resolve(today + bump + timedelta(1), at, zone, raw)
    offset = 0 if day == "today" else 2 if "after" in day else 1
    return _resolve(today + timedelta(days=offset) + bump, at, zone, raw)


def _plausible(s: str, found: datetime, today: date) -> bool:
    """Does dateparser's answer agree with every time, weekday, month, number and day
    word in the text? It quietly drops what it cannot read ("tomorrow 6" -> tomorrow at
    the current time) and reads stray numbers as days ("sat 11" -> the 11th)."""
    rest = s
    for m in _CLOCK_RE.finditer(s):
        try:
            at, midnight = _clock_time(m, m[0])
        except InvalidInput:
            return False
        if not midnight and (found.hour, found.minute) != (at.hour, at.minute):
            return False
        rest = rest.replace(m[0], " ", 1)
    for wd in re.findall(WEEKDAY_PATTERN, rest):
        if weekday_index(wd) != found.weekday():
            return False
    for month in _MONTH_RE.findall(rest):
        if _MONTHS.index(month[:3]) + 1 != found.month:
            return False
    for m in _SLASH_DATE.finditer(rest):
        if {int(m[1]), int(m[2])} != {found.day, found.month} or (
            m[3] and int(m[3]) not in (found.year, found.year % 100)
        ):
            return False
    rest = _SLASH_DATE.sub(" ", rest)
    rest = re.sub(r"\b\d+\s*(?:days?|weeks?|months?|years?)\b", " ", rest)  # "in 2 days"
    for number in re.findall(r"\d+", rest):
        if int(number) not in (found.day, found.year):
            return False
    if re.search(r"(?<!after )\btom+or+ow\b", s):
        return found.date() == today + timedelta(days=1)
    if re.search(r"\b(?:today|tonight)\b", s):
        return found.date() == today
    return True


def _dateparse(s: str, zone: tzinfo, now: datetime, raw: str) -> datetime | None:
    if s.isdigit():  # "1830", "42": dateparser reads years and days into bare numbers
        return None
    now_local = now.astimezone(zone)
    try:
        found = dateparser.parse(s, languages=["en"], settings=_settings(now_local))
    except (ValueError, OverflowError):  # pragma: no cover - defensive: odd numbers
        return None
    if found is None or not _plausible(s, found, now_local.date()):
        return None
    result = local_instant(found.date(), found.time(), zone).astimezone(UTC)
    if not _CLOCK_RE.search(s) and not _PART_WORDS.search(s):
        # "dec 3", "friday", "next week": a day but no time. The past ("yesterday",
        # "2 days ago") goes on to be refused as the past.
        if result <= now:
            return result
        if _DAYISH.search(s):
            raise UnreadableTime(
                f"{quote_input(raw)} needs a time of day too, e.g. `{raw.strip()} 18:00`."
            )
        return None
    result = _resolve(found.date(), found.time(), zone, raw)
    if result <= now and re.search(WEEKDAY_PATTERN, s) and not re.search(r"\b(?:last|ago)\b", s):
        # a weekday without "last" means the future: dateparser may hand back today's
        result = _resolve(found.date() + timedelta(days=7), found.time(), zone, raw)
    return result


def _parse(s: str, zone: tzinfo, now: datetime, raw: str) -> datetime | None:
    if s in ("now", "right now"):
        return now
    if m := _ISO.fullmatch(s):
        try:
            d = date(int(m["y"]), int(m["mo"]), int(m["d"]))
        except ValueError:
            raise UnreadableTime(f"{quote_input(raw)} isn't a real date.") from None
        clock = _CLOCK_RE.fullmatch(m["rest"] or "")
        if clock is None:
            if m["rest"]:
                return None
            raise UnreadableTime(f"{quote_input(raw)} needs a time of day too, e.g. `{s} 18:00`.")
        at, midnight = _clock_time(clock, raw)
        return _resolve(d + timedelta(days=1 if midnight else 0), at, zone, raw)
    body = re.sub(r"^in\s+|\s+from\s+now$", "", s)
    seconds = duration_seconds(body) if re.search(r"[a-z]", body) else None
    if seconds is not None and seconds > 0:  # "in 2 hours", "2h30m": from now
        # Whole days keep the wall-clock time ("in 3 days" at 18:00 is 18:00, DST or
        # not); hours and minutes are real elapsed time. Absurd lengths stop at a
        # century, which the "too far ahead" check then refuses like any far date.
        days, rest = divmod(round(min(seconds, FAR_SECONDS)), 86400)
        start = add_wall(now, timedelta(days=days), zone) if days else now
        return start + timedelta(seconds=rest)
    found = _grammar(s, zone, now, raw)
    if found is not None:
        return found
    for m in _SLASH_DATE.finditer(s):
        a, b = int(m[1]), int(m[2])
        if a != b and a <= 12 and b <= 12:
            raise UnreadableTime(
                f"{quote_input(m[0])} could be {a} {_MONTHS[b - 1].title()} or "
                f"{b} {_MONTHS[a - 1].title()}. Write the month as a word, e.g. "
                f"`{a} {_MONTHS[b - 1]} 18:00`."
            )
    return _dateparse(s, zone, now, raw)


FAR_SECONDS = 100 * 366 * 86400


def parse_when(
    text: str,
    *,
    zone: ZoneInfo,
    now: datetime,
    allow_past: bool = False,
    max_ahead: timedelta = MAX_AHEAD,
) -> datetime:
    """Read a time the user typed, in ``zone`` unless the text names one; aware UTC result.

    Accepts ISO (``2026-12-01 18:00``, ``2026-12-01T18:00:00+01:00``), natural language
    (``tomorrow 6pm``, ``friday 18:00``, ``next monday 9am``, ``noon``, ``dec 3 7pm``),
    a zone or offset in the text (``9am utc``, ``18:00 +05:30``, ``... Europe/London``)
    and durations from now (``in 2 hours``, ``2h30m``). Refuses the past (unless
    ``allow_past``), anything more than ``max_ahead`` away, and what it cannot read.
    """
    require_aware(now, "now")
    now = now.astimezone(UTC)
    s = " ".join(text.lower().split()).strip(" .!?")
    example = _TRY.format(iso=(now + timedelta(days=3)).astimezone(zone).strftime("%Y-%m-%d 18:00"))
    if not s:
        raise UnreadableTime(f"Tell me when. {example}")
    s, named = _extract_zone(s)
    effective: tzinfo = named or zone
    if not s:
        raise UnreadableTime(f"{quote_input(text)} needs a date or time too. {example}")
    result = _parse(s, effective, now, text)
    if result is None:
        raise UnreadableTime(f"I couldn't read {quote_input(text)} as a time. {example}")
    result = result.astimezone(UTC).replace(microsecond=0)
    if not allow_past and result <= now:
        raise TimeOutOfRange(
            f"{quote_input(text)} is not in the future: it reads as {_fmt(result, effective)}. "
            "Pick a later time, e.g. `tomorrow 18:00` or `in 2 hours`."
        )
    if result - now > max_ahead:
        span = f"{max_ahead.days} days" if max_ahead % timedelta(days=1) == timedelta(0) else None
        # A length stopped at a century reads as nothing the user meant: don't show it.
        reads = (
            ""
            if result - now >= timedelta(seconds=FAR_SECONDS)
            else (f": it reads as {_fmt(result, effective)}")
        )
        raise TimeOutOfRange(
            f"{quote_input(text)} is too far ahead{reads}. "
            f"Pick a time within the next {span or format_duration(max_ahead)}."
        )
    return result
