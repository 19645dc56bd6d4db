"""The emulator's notion of time and Discord snowflakes.

Time is real wall-clock time plus an offset that tests can move forward with
``advance``; every time-dependent rule (interaction token lifetime, the 3 s
acknowledgement deadline, the nonce window, snowflake timestamps) reads it.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

DISCORD_EPOCH_MS = 1420070400000


class EmuClock:
    def __init__(self) -> None:
        self._offset = 0.0

    def time(self) -> float:
        """Seconds since the Unix epoch, as the emulator sees it."""
        return time.time() + self._offset

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.time(), UTC)

    def advance(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError("time only moves forward")
        self._offset += seconds

    def iso(self, at: float | None = None) -> str:
        return iso_timestamp(self.time() if at is None else at)


def iso_timestamp(unix_seconds: float) -> str:
    """Discord's ISO8601 format, e.g. ``2024-05-01T10:00:00.123000+00:00``."""
    return datetime.fromtimestamp(unix_seconds, UTC).isoformat(timespec="microseconds")


def parse_iso(value: str) -> datetime:
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed


def snowflake_time(snowflake: int) -> datetime:
    ms = (snowflake >> 22) + DISCORD_EPOCH_MS
    return datetime.fromtimestamp(ms / 1000, UTC)


class SnowflakeFactory:
    """Timestamp-based, strictly increasing snowflakes (worker 1, process 0)."""

    def __init__(self, clock: EmuClock) -> None:
        self._clock = clock
        self._last_ms = 0
        self._increment = 0

    def next(self) -> int:
        ms = int(self._clock.time() * 1000)
        if ms <= self._last_ms:
            self._increment += 1
            if self._increment >= 4096:
                self._last_ms += 1
                self._increment = 0
            ms = self._last_ms
        else:
            self._last_ms = ms
            self._increment = 0
        return ((ms - DISCORD_EPOCH_MS) << 22) | (1 << 17) | self._increment

    def next_on_shard(self, shard_id: int, shard_count: int) -> int:
        """The next snowflake whose guild would sit on ``shard_id`` of ``shard_count``
        (``(id >> 22) % count``): its millisecond moved up to at most ``count - 1`` ahead."""
        ms = max(int(self._clock.time() * 1000), self._last_ms + 1)
        ms += (shard_id - (ms - DISCORD_EPOCH_MS)) % shard_count
        self._last_ms, self._increment = ms, 0
        return ((ms - DISCORD_EPOCH_MS) << 22) | (1 << 17)
