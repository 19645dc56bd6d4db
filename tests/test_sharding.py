"""Which process owns which guild: Discord's formula, the settings that choose shards."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.config import load_settings
from bot.errors import ConfigError
from bot.sharding import Shards, parse_ids, shard_of


def guild_on(shard: int, count: int, n: int = 7) -> int:
    """A snowflake whose timestamp part lands on ``shard`` of ``count``."""
    return ((n * count + shard) << 22) | 12345


def test_discords_formula() -> None:
    # Discord's documented example: shard_id = (guild_id >> 22) % num_shards
    assert shard_of(41771983423143937, 2) == (41771983423143937 >> 22) % 2
    assert shard_of(guild_on(0, 2), 2) == 0
    assert shard_of(guild_on(1, 2), 2) == 1
    assert shard_of(guild_on(3, 5), 5) == 3
    # The low 22 bits (worker, process, increment) never move a guild.
    assert shard_of((9 << 22) | 0x3FFFFF, 4) == shard_of(9 << 22, 4) == 1


def test_ownership() -> None:
    first, second = Shards(2, (0,)), Shards(2, (1,))
    g0, g1 = guild_on(0, 2), guild_on(1, 2)
    assert first.owns(g0) and not first.owns(g1)
    assert second.owns(g1) and not second.owns(g0)
    # Work of no guild (a DM reminder) is shard 0's, as DMs are on Discord's gateway.
    assert first.owns(None) and not second.owns(None)
    both = Shards(2, (0, 1))
    assert both.owns(g0) and both.owns(g1) and both.owns(None)
    single = Shards.single()
    assert not single.sharded and single.owns(g0) and single.owns(None)


@given(st.integers(min_value=0, max_value=2**63 - 1), st.integers(min_value=1, max_value=64))
def test_every_guild_has_exactly_one_owner(guild_id: int, count: int) -> None:
    owners = [i for i in range(count) if Shards(count, (i,)).owns(guild_id)]
    assert owners == [shard_of(guild_id, count)]


@pytest.mark.parametrize(
    ("count", "ids", "error"),
    [
        (2, (2,), "from 0 to 1, not 2"),
        (2, (), "at least one"),
        (2, (0, 0), "twice"),
        (0, (0,), "at least 1"),
        (None, (0,), "need a shard count"),
    ],
)
def test_bad_shards_refused(count: int | None, ids: tuple[int, ...], error: str) -> None:
    with pytest.raises(ValueError, match=error):
        Shards(count, ids)


def test_parse_ids() -> None:
    assert parse_ids("0,1") == (0, 1)
    assert parse_ids(" 0-3 ") == (0, 1, 2, 3)
    assert parse_ids("0-1, 4") == (0, 1, 4)
    for bad in ("", "a", "1,,2", "-1", "1-x"):
        with pytest.raises(ValueError):
            parse_ids(bad)


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> pytest.MonkeyPatch:
    for name in ("SHARD_COUNT", "SHARD_IDS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DISCORD_TOKEN", "secret-token-value")
    return monkeypatch


def test_settings_without_sharding(env: pytest.MonkeyPatch) -> None:
    assert load_settings().shards == Shards.single()


def test_settings_choose_shards(env: pytest.MonkeyPatch) -> None:
    env.setenv("SHARD_COUNT", "4")
    assert load_settings().shards == Shards(4, (0, 1, 2, 3))  # all of them
    env.setenv("SHARD_IDS", "1,3")
    settings = load_settings()
    assert settings.shards == Shards(4, (1, 3))
    assert settings.shards.describe() == "shards 1,3 of 4"


@pytest.mark.parametrize(
    ("count", "ids", "start"),
    [
        ("2", "0,2", "SHARD_IDS is invalid (shard ids must be from 0 to 1, not 2)"),
        ("2", "0,0", "SHARD_IDS is invalid (a shard id is listed twice)"),
        ("2", "zero", "SHARD_IDS is invalid ('zero' is not a shard id"),
        (None, "0", "SHARD_IDS is invalid (SHARD_COUNT is not set)"),
        ("0", "0", "SHARD_COUNT is invalid"),
        ("two", "0", "SHARD_COUNT is invalid"),
    ],
)
def test_bad_shard_settings_are_one_line(
    env: pytest.MonkeyPatch, count: str | None, ids: str, start: str
) -> None:
    if count is not None:
        env.setenv("SHARD_COUNT", count)
    env.setenv("SHARD_IDS", ids)
    with pytest.raises(ConfigError) as info:
        load_settings()
    message = str(info.value)
    assert message.startswith(start), message
    assert "\n" not in message and "secret-token-value" not in message


def test_the_command_line_refuses_bad_shards_in_one_line(tmp_path: Path) -> None:
    from tests.test_cli import one_line, run_cli

    env = {"DISCORD_TOKEN": "secret-token-value", "SHARD_COUNT": "2", "SHARD_IDS": "1,2"}
    result = run_cli("check", env={**env, "LOG_LEVEL": "WARNING"}, cwd=tmp_path)
    line = one_line(result, 2)
    assert line.startswith("nexus-bot: SHARD_IDS is invalid (shard ids must be from 0 to 1")
    assert "SHARD_IDS=0,1" in line  # how to fix it
