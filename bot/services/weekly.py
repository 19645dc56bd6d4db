"""A server's weekly timer (pairing rounds, the digest): typed as ``mon 10:00``, kept at
that wall time in the server's zone, and booked one slot at a time.

Each slot is taken from the stored schedule with ``next_weekly_occurrence``, strictly
after the slot just served (or now, after a downtime), so DST never moves it, a week
missed while down is skipped rather than replayed, and a retried timer rebooks the same
slot: the kind keeps one pending timer per server.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
from zoneinfo import ZoneInfo

from bot.db.database import Connection
from bot.db.timers import Timer
from bot.scheduling import Scheduler
from bot.time.wallclock import next_weekly_occurrence


@dataclass(frozen=True)
class WeeklySlot:
    weekday: int  # 0 = Monday
    at_minute: int  # minutes after local midnight
    zone: str
    next_at: datetime


async def book(
    scheduler: Scheduler,
    tx: Connection,
    kind: str,
    guild_id: int,
    *,
    weekday: int,
    at_minute: int,
    zone: str,
    after: datetime,
) -> Timer:
    """The server's next ``kind`` slot after ``after``, replacing any pending one."""
    at = time(at_minute // 60, at_minute % 60)
    due = next_weekly_occurrence(after, weekday=weekday, at=at, zone=ZoneInfo(zone))
    await scheduler.cancel_subject(kind, guild_id, conn=tx)
    return await scheduler.schedule(kind, due, guild_id=guild_id, subject_id=guild_id, conn=tx)
