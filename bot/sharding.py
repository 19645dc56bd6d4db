"""Which guilds this process owns: the one answer to "is guild G's work mine?".

Discord assigns guild ``G`` to shard ``(G >> 22) % shard_count``. A process started with
``SHARD_COUNT`` and ``SHARD_IDS`` receives the gateway events of its shards' guilds only,
and does the guild-scoped work of those guilds only: their timers, their reconciliation
at start. Work of no guild (a reminder set in a DM) belongs to shard 0, as DMs do on
Discord's gateway. Without sharding (``Shards.single()``) the process owns everything.
"""

from __future__ import annotations

from dataclasses import dataclass


def shard_of(guild_id: int, shard_count: int) -> int:
    """Discord's formula: the shard whose gateway connection carries ``guild_id``."""
    return (guild_id >> 22) % shard_count


@dataclass(frozen=True)
class Shards:
    """The shards this process runs: ``count`` in all, of which ``ids``; ``count`` None
    means not sharded (one process, one gateway connection, every guild)."""

    count: int | None = None
    ids: tuple[int, ...] = ()

    def __post_init__(self) -> None:
        if self.count is None:
            if self.ids:
                raise ValueError("shard ids need a shard count")
            return
        if self.count < 1:
            raise ValueError("the shard count must be at least 1")
        if not self.ids:
            raise ValueError("at least one shard id is needed")
        if len(set(self.ids)) != len(self.ids):
            raise ValueError("a shard id is listed twice")
        outside = [i for i in self.ids if not 0 <= i < self.count]
        if outside:
            raise ValueError(f"shard ids must be from 0 to {self.count - 1}, not {outside[0]}")

    @classmethod
    def single(cls) -> Shards:
        return cls()

    @property
    def sharded(self) -> bool:
        return self.count is not None

    def owns(self, guild_id: int | None) -> bool:
        """Whether this process does ``guild_id``'s work (None: work of no guild, shard 0's)."""
        if self.count is None:
            return True
        shard = 0 if guild_id is None else shard_of(guild_id, self.count)
        return shard in self.ids

    def describe(self) -> str:
        if self.count is None:
            return "not sharded"
        return f"shards {','.join(map(str, self.ids))} of {self.count}"


def parse_ids(text: str) -> tuple[int, ...]:
    """``0,1`` or ``0-3`` or ``0-1,4`` → the ids, in order; ValueError when malformed."""
    ids: list[int] = []
    for part in (p.strip() for p in text.split(",")):
        if not part:
            raise ValueError("an empty shard id")
        low, sep, high = part.partition("-")
        if not (low.isdigit() and (not sep or high.isdigit())):
            raise ValueError(f"{part!r} is not a shard id or range such as 0-3")
        ids.extend(range(int(low), int(high) + 1) if sep else [int(low)])
    return tuple(ids)
