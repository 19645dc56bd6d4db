"""Wall-clock arithmetic in a timezone: the same local time a day or a week later, and
the next daily or weekly occurrence of a local time, DST-correct.

Computed wall times never fail: one that falls in a DST jump moves forward by the
jump, an ambiguous one is its first occurrence. Everything returned is UTC.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo


def require_aware(value: datetime, name: str) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be an aware datetime")


def local_instant(d: date, at: time, zone: tzinfo) -> datetime:
    """``d`` ``at`` in ``zone``, fold=0 (Python's rule: skipped times move forward)."""
    return datetime.combine(d, at.replace(tzinfo=None, fold=0), tzinfo=zone)


def exists_locally(local: datetime) -> bool:
    back = local.astimezone(UTC).astimezone(local.tzinfo)
    return (back.date(), back.time()) == (local.date(), local.time())


def add_wall(instant: datetime, delta: timedelta, zone: tzinfo) -> datetime:
    local = instant.astimezone(zone)
    wall = datetime.combine(local.date(), local.time(), tzinfo=UTC) + delta  # fixed-offset math
    return local_instant(wall.date(), wall.time(), zone).astimezone(UTC)


def add_local(instant: datetime, delta: timedelta, zone: ZoneInfo) -> datetime:
    """Wall-clock arithmetic in ``zone``: 18:00 + 1 day is 18:00 the next day, DST or not.

    A result that lands in a DST jump moves forward by the jump; an ambiguous one is
    the first occurrence. Returned in UTC.
    """
    require_aware(instant, "instant")
    return add_wall(instant, delta, zone)


def next_weekly_occurrence(after: datetime, *, weekday: int, at: time, zone: ZoneInfo) -> datetime:
    """The first ``weekday`` ``at`` (local time in ``zone``) strictly after ``after``, in UTC."""
    require_aware(after, "after")
    if not 0 <= weekday <= 6:
        raise ValueError("weekday must be 0..6")
    today = after.astimezone(zone).date()
    first = today + timedelta(days=(weekday - today.weekday()) % 7)
    for week in range(3):
        candidate = local_instant(first + timedelta(weeks=week), at, zone).astimezone(UTC)
        if candidate > after:
            return candidate
    raise AssertionError("unreachable: a week always has the weekday")  # pragma: no cover
