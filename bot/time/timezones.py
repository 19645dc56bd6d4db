"""Timezone names: forgiving lookup, autocomplete suggestions and display labels.

Users pick a zone by typing a city ("lagos", "New York") or a full IANA name
("Africa/Lagos"). Everything here works on the IANA names that ``zoneinfo`` knows;
the index is built once, lazily, and cached so autocomplete answers instantly.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from bot.errors import InvalidInput, quote_input

__all__ = ["COMMON_ZONES", "find_exact_zone", "resolve_zone", "suggest_zones", "zone_label"]

# Shown when the autocomplete query is empty: the community's usual zones first.
COMMON_ZONES: tuple[str, ...] = (
    "Africa/Lagos",
    "Africa/Nairobi",
    "Africa/Cairo",
    "Africa/Johannesburg",
    "Africa/Accra",
    "Africa/Casablanca",
    "Europe/London",
    "UTC",
    "Europe/Berlin",
    "Europe/Paris",
    "America/New_York",
    "America/Chicago",
    "America/Los_Angeles",
    "America/Sao_Paulo",
    "Asia/Kolkata",
    "Asia/Dubai",
    "Asia/Singapore",
    "Asia/Tokyo",
    "Australia/Sydney",
)

# Zones under these regions are suggested; anything else (US/Eastern, GB, EST5EDT,
# Etc/GMT+5 ...) is a legacy alias: accepted when typed exactly, never suggested.
_REGIONS = frozenset(
    {
        "Africa",
        "America",
        "Antarctica",
        "Arctic",
        "Asia",
        "Atlantic",
        "Australia",
        "Europe",
        "Indian",
        "Pacific",
    }
)
_NOT_ZONES = frozenset({"localtime", "Factory", "posixrules"})
_UTC_WORDS = frozenset({"utc", "gmt", "z", "zulu", "universal", "etc/utc", "etc/gmt"})
_OFFSET_LIKE = re.compile(r"^(?:utc|gmt)?\s*[+-]\s*\d{1,2}(?::?\d{2})?$", re.IGNORECASE)
_MAX_CHOICE_LEN = 100  # Discord autocomplete limit for a choice name/value


def _norm(text: str) -> str:
    """Lower-case; spaces, hyphens and underscores all become one underscore."""
    return re.sub(r"[\s_\-]+", "_", text.strip().lower()).strip("_")


@dataclass(frozen=True)
class _Entry:
    name: str  # IANA name, e.g. "America/Argentina/Buenos_Aires"
    norm: str  # "america/argentina/buenos_aires"
    city: str  # "buenos_aires"
    parts: tuple[str, ...]  # ("america", "argentina", "buenos_aires")


@dataclass(frozen=True)
class _Index:
    all_names: frozenset[str]
    by_norm: dict[str, str]  # normalised name -> name (suggestable zones)
    entries: tuple[_Entry, ...]  # suggestable zones, sorted by name
    by_city: dict[str, tuple[str, ...]]


@cache
def _index() -> _Index:
    names = frozenset(
        n
        for n in available_timezones()
        if not n.startswith(("posix/", "right/")) and n not in _NOT_ZONES
    )
    suggestable = sorted(n for n in names if n == "UTC" or n.split("/", 1)[0] in _REGIONS)
    entries = []
    by_city: dict[str, list[str]] = {}
    for name in suggestable:
        norm = _norm(name)
        parts = tuple(norm.split("/"))
        entries.append(_Entry(name, norm, parts[-1], parts))
        by_city.setdefault(parts[-1], []).append(name)
    return _Index(
        all_names=names,
        by_norm={e.norm: e.name for e in entries},
        entries=tuple(entries),
        by_city={k: tuple(v) for k, v in by_city.items()},
    )


def find_exact_zone(text: str) -> str | None:
    """The IANA name ``text`` spells, ignoring case (legacy aliases: exact case only)."""
    cleaned = text.strip()
    if cleaned.lower() in _UTC_WORDS:
        return "UTC"
    idx = _index()
    if cleaned in idx.all_names:
        return cleaned
    return idx.by_norm.get(_norm(cleaned))


def resolve_zone(text: str) -> str:
    """Turn what a user typed into an IANA zone name, forgivingly.

    "lagos" / "africa/lagos" -> "Africa/Lagos"; "New York" / "new_york" ->
    "America/New_York"; "utc" / "gmt" -> "UTC". Unknown -> ``InvalidInput`` with
    close suggestions.
    """
    cleaned = " ".join(text.split())
    if not cleaned:
        raise InvalidInput(
            "Tell me a timezone: a city such as `Lagos` or a name such as `Africa/Lagos`."
        )
    exact = find_exact_zone(cleaned)
    if exact is not None:
        return exact
    if _OFFSET_LIKE.match(cleaned):
        raise InvalidInput(
            f"{quote_input(cleaned)} is an offset, not a timezone: offsets change with daylight "
            "saving. Pick your city instead, e.g. `Africa/Lagos` or `Europe/London`."
        )
    query = _norm(cleaned)
    idx = _index()
    # A trailing part of a name: "lagos", "argentina/buenos_aires", "new york".
    matches = [e.name for e in idx.entries if e.norm.endswith("/" + query)]
    if matches:
        # Several names for one city are tzdb links of each other; the longest path is
        # the canonical one (America/Argentina/Buenos_Aires over America/Buenos_Aires).
        return max(matches, key=lambda n: (n.count("/"), n))
    suggestions = _close_matches(query)
    hint = ""
    if suggestions:
        listed = ", ".join(f"`{s}`" for s in suggestions)
        hint = f" Did you mean {listed}?"
    raise InvalidInput(
        f"I don't know the timezone {quote_input(cleaned)}.{hint} "
        "Type a city or a full name, e.g. `Lagos` or `Africa/Lagos`."
    )


def _close_matches(query: str, limit: int = 3) -> list[str]:
    idx = _index()
    found: list[str] = []
    city_keys = list(idx.by_city)
    for city in difflib.get_close_matches(query.split("/")[-1], city_keys, n=limit, cutoff=0.6):
        found.extend(n for n in idx.by_city[city] if n not in found)
    if len(found) < limit:
        norms = {e.norm: e.name for e in idx.entries}
        for hit in difflib.get_close_matches(query, list(norms), n=limit, cutoff=0.6):
            if norms[hit] not in found:
                found.append(norms[hit])
    if not found:
        found = suggest_zones(query, limit=limit)
    return found[:limit]


def suggest_zones(query: str, limit: int = 25) -> list[str]:
    """Zone names for an autocomplete box, best first, at most ``limit``."""
    if limit <= 0:
        return []
    q = _norm(query)
    if not q:
        return list(COMMON_ZONES[:limit])
    common = {name: i for i, name in enumerate(COMMON_ZONES)}
    ranked: list[tuple[int, int, str]] = []
    for e in _index().entries:
        if e.city == q:
            rank = 0
        elif e.city.startswith(q):
            rank = 1
        elif e.norm.startswith(q):
            rank = 2
        elif any(p.startswith(q) for p in e.parts):
            rank = 3
        elif q in e.city:
            rank = 4
        elif q in e.norm:
            rank = 5
        else:
            continue
        ranked.append((rank, common.get(e.name, len(common)), e.name))
    ranked.sort()
    return [name for _, _, name in ranked if len(name) <= _MAX_CHOICE_LEN][:limit]


def _format_offset(dt: datetime) -> str:
    offset = dt.utcoffset()
    seconds = int(offset.total_seconds()) if offset is not None else 0
    sign = "+" if seconds >= 0 else "-"
    hours, rest = divmod(abs(seconds), 3600)
    return f"UTC{sign}{hours:02d}:{rest // 60:02d}"


def zone_label(zone: str, now: datetime) -> str:
    """``"Africa/Lagos (UTC+01:00)"``: the zone and its offset at ``now``."""
    if now.tzinfo is None:
        raise ValueError("zone_label needs an aware datetime")
    try:
        info = ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise InvalidInput(f"I don't know the timezone {quote_input(zone)}.") from exc
    return f"{zone} ({_format_offset(now.astimezone(info))})"
