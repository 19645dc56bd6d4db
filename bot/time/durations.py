"""Durations users type: ``90`` (minutes), ``1h30m``, ``2 hours``, and lists of them
such as reminder offsets ``1d,1h,10m``."""

from __future__ import annotations

import re
from datetime import timedelta

from bot.errors import InvalidInput, quote_input

_UNITS = {
    **dict.fromkeys(("fortnight", "fortnights"), 1209600),
    **dict.fromkeys(("w", "wk", "wks", "week", "weeks"), 604800),
    **dict.fromkeys(("d", "day", "days"), 86400),
    **dict.fromkeys(("h", "hr", "hrs", "hour", "hours"), 3600),
    **dict.fromkeys(("m", "min", "mins", "minute", "minutes"), 60),
    **dict.fromkeys(("s", "sec", "secs", "second", "seconds"), 1),
}
_DEFAULT_UNITS = {"seconds": 1, "minutes": 60, "hours": 3600, "days": 86400, "weeks": 604800}
_DUR_PART = re.compile(r"\s*(?:,|and\b)?\s*(?P<n>\d+(?:\.\d+)?|\.\d+|an?\b)\s*(?P<u>[a-z]+)?")


def format_duration(delta: timedelta, *, approximate: bool = False) -> str:
    """Words that ``parse_duration`` reads back: "1 day 2 hours", "45 minutes", "90 s"
    becomes "1 minute 30 seconds". ``approximate``: the largest unit only, rounded
    ("3 hours", "2 days", at least "1 minute"). The one way a duration is shown."""
    seconds = int(delta.total_seconds())
    if seconds < 0:
        raise ValueError("durations are not negative")
    if approximate:
        for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
            count = round(seconds / size)
            if count >= (2 if unit == "day" else 1) or unit == "minute":
                count = max(1, count)
                return f"{count} {unit}{'s' if count != 1 else ''}"
    parts = []
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60), ("second", 1)):
        count, seconds = divmod(seconds, size)
        if count:
            parts.append(f"{count} {unit}{'s' if count != 1 else ''}")
    return " ".join(parts) or "0 minutes"


def duration_seconds(text: str) -> float | None:
    """Seconds in "2h30m", "1 hour 30 minutes", "1.5h", "an hour", "1:30"; else None."""
    s = text.replace("half an hour", "30 minutes").replace("half a day", "12 hours")
    if m := re.fullmatch(r"(\d+):([0-5]\d)", s):
        return int(m[1]) * 3600 + int(m[2]) * 60
    total, pos, last_unit = 0.0, 0, 0
    while pos < len(s):
        m = _DUR_PART.match(s, pos)
        if m is None or m.end() == pos:
            return None
        number = 1.0 if m["n"] in ("a", "an") else float(m["n"])
        if m["u"] is None:  # "1h30": a bare number right after hours means minutes
            if last_unit != 3600 or m.end() != len(s):
                return None
            unit = 60
        elif m["u"] in _UNITS:
            unit = _UNITS[m["u"]]
        else:
            return None
        total, pos, last_unit = total + number * unit, m.end(), unit
    return total if pos else None


def parse_duration(
    text: str,
    *,
    default_unit: str = "minutes",
    minimum: timedelta | None = None,
    maximum: timedelta | None = None,
) -> timedelta:
    """``"90"`` (``default_unit``), ``"1h30m"``, ``"2h"``, ``"1d"``, ``"1 hour 30 minutes"``,
    ``"1.5h"`` -> a positive timedelta, whole seconds."""
    if default_unit not in _DEFAULT_UNITS:
        raise ValueError(f"default_unit must be one of {sorted(_DEFAULT_UNITS)}")
    cleaned = " ".join(text.lower().split())
    example = f"Try `90` ({default_unit}), `1h30m` or `45m`."
    if re.fullmatch(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)", cleaned):
        seconds: float | None = float(cleaned) * _DEFAULT_UNITS[default_unit]
    else:
        seconds = None if cleaned.startswith("-") else duration_seconds(cleaned)
    if seconds is None:
        what = quote_input(text) if cleaned else "an empty text"
        raise InvalidInput(f"I couldn't read {what} as a duration. {example}")
    # Absurd lengths stop at a century (``timedelta`` overflows past ~2.7 million years);
    # the maximum, when given, then refuses them with its message.
    delta = timedelta(seconds=round(min(seconds, 100 * 366 * 86400)))
    if delta <= timedelta(0):
        raise InvalidInput(f"{quote_input(text)} is not a length of time above zero. {example}")
    if minimum is not None and delta < minimum:
        raise InvalidInput(
            f"{quote_input(text)} is too short: at least {format_duration(minimum)}."
        )
    if maximum is not None and delta > maximum:
        raise InvalidInput(f"{quote_input(text)} is too long: at most {format_duration(maximum)}.")
    return delta


def parse_offsets(
    text: str, *, max_count: int = 5, maximum: timedelta = timedelta(days=7)
) -> list[timedelta]:
    """``"1d,1h,10m"`` -> ``[1 day, 1 hour, 10 minutes]``: largest first, no duplicates.

    Bare numbers are minutes. ``"none"``/``"off"`` -> ``[]``.
    """
    cleaned = " ".join(text.lower().split())
    if cleaned in ("none", "off", "no"):
        return []
    example = "Write them like `1d, 1h, 10m`."
    pieces = [p.strip() for p in re.split(r"[,;]", cleaned) if p.strip()]
    if not pieces:
        raise InvalidInput(f"Tell me when to remind you before the start. {example}")
    found: set[timedelta] = set()
    for piece in pieces:
        try:
            found.add(parse_duration(piece, maximum=maximum))
        except InvalidInput as exc:
            raise InvalidInput(f"In {quote_input(text)}: {exc.message} {example}") from exc
    if len(found) > max_count:
        raise InvalidInput(f"That is {len(found)} reminders; at most {max_count}. {example}")
    return sorted(found, reverse=True)
