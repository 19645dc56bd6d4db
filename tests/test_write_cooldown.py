"""``write_cooldown``: a token bucket per user and server, whose stale buckets are
dropped from the old end without ever dropping one still counting."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import pytest
from discord import app_commands

from cogs.checks import write_cooldown


def checker(rate: int, per: float) -> Any:
    async def command() -> None: ...

    decorated: Any = write_cooldown(rate=rate, per=per)(command)
    [predicate] = decorated.__discord_app_commands_checks__
    return predicate


def at(seconds: float, user: int, guild: int | None = 1) -> Any:
    created = datetime.fromtimestamp(1_800_000_000 + seconds, UTC)
    return SimpleNamespace(created_at=created, guild_id=guild, user=SimpleNamespace(id=user))


async def test_a_user_gets_rate_uses_per_window_apart_per_server() -> None:
    check = checker(rate=2, per=30)
    assert await check(at(0, 1)) and await check(at(1, 1))
    with pytest.raises(app_commands.CommandOnCooldown) as refused:
        await check(at(2, 1))
    assert refused.value.retry_after == pytest.approx(28)
    assert await check(at(2, 1, guild=2))  # another server's bucket
    assert await check(at(2, 2))  # another user's
    assert await check(at(31, 1))  # the window is over


async def test_other_users_never_drop_a_bucket_still_counting() -> None:
    check = checker(rate=1, per=30)
    assert await check(at(0, 1))
    for n in range(2000):  # a crowd, some of them long after user 1's use
        assert await check(at(n * 0.01, 100 + n))
    with pytest.raises(app_commands.CommandOnCooldown):
        await check(at(29, 1))
    for n in range(2000):
        assert await check(at(60 + n * 0.01, 5000 + n))
    assert await check(at(61, 1))
    with pytest.raises(app_commands.CommandOnCooldown):
        await check(at(62, 1))
