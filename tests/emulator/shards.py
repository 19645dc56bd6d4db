"""Discord's sharding rules, as the emulator applies them to its gateway sessions."""

from __future__ import annotations

from typing import Any

# Dispatches about a guild itself carry its id as ``id``; every other guild event has
# ``guild_id``. Events with neither (DMs, the user's own updates) belong to shard 0.
_GUILD_ITSELF = frozenset({"GUILD_CREATE", "GUILD_UPDATE", "GUILD_DELETE"})


def shard_of(guild_id: int, shard_count: int) -> int:
    """Discord's formula: ``(guild_id >> 22) % shard_count``."""
    return (guild_id >> 22) % shard_count


def guild_of(event: str, data: dict[str, Any]) -> int | None:
    """The guild a dispatch is about, or None."""
    if event in _GUILD_ITSELF and "id" in data:
        return int(data["id"])
    if data.get("guild_id") is not None:
        return int(data["guild_id"])
    return None
