"""The bot as one process running both shards of 2, in-process against the emulator:
each guild arrives on its own shard, commands in either are answered, and the
heartbeat counts the process connected only while every one of its shards is."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.client import ShardedNexusBot, bot_class
from bot.config import load_settings
from bot.db.database import Database
from bot.db.migrate import migrate
from bot.delivery import is_transient
from bot.services.container import build_services
from tests.emulator import DiscordEmulator, run_client
from tests.flows.harness import fake_now
from tests.flows.test_operations import until


@pytest.mark.shard_count(2)
async def test_one_process_serving_both_shards(emulator: DiscordEmulator, tmp_path: Path) -> None:
    guilds = [emulator.add_guild(f"shard-{i}", shard_id=i) for i in (0, 1)]
    ada = emulator.add_user("ada")
    channels = []
    for guild in guilds:
        emulator.add_member(guild.id, ada)
        channels.append(emulator.add_text_channel(guild.id, "general"))
    settings = load_settings(
        discord_token=emulator.token,
        database_path=tmp_path / "nexus.db",
        discord_api_base=emulator.api_base,
        shard_count=2,
    )
    db = Database(settings.database_path)
    await db.connect()
    await migrate(db)
    services = build_services(
        db, fake_now(), is_transient=is_transient, timer_wakeups=False, shards=settings.shards
    )
    bot = bot_class(settings)(settings=settings, db=db, services=services, guild_ready_timeout=0.05)
    assert isinstance(bot, ShardedNexusBot)
    try:
        async with run_client(emulator, bot, emulator.token):
            assert sorted(emulator.gateway.sessions) == [0, 1]
            assert {g.id for g in bot.guilds} == {g.id for g in guilds}
            for shard_id, guild in enumerate(guilds):
                assert bot.get_guild(guild.id).shard_id == shard_id  # type: ignore[union-attr]
                ix = await emulator.slash(
                    ada, guild.id, "timezone show", channel_id=channels[shard_id].id
                )
                await ix.response()
                assert ix.ephemeral
            sessions = emulator.gateway.sessions
            assert [s.events().count("INTERACTION_CREATE") for s in (sessions[0], sessions[1])] == [
                1,
                1,
            ]

            await until(lambda: bot.heartbeat.is_connected, "connected on both shards")
            seen: list[tuple[int, bool]] = []

            async def probe(shard_id: int) -> None:  # runs after the bot's own handler
                seen.append((shard_id, bot.heartbeat.is_connected))

            bot.add_listener(probe, "on_shard_disconnect")
            await emulator.drop_websocket(shard_id=1)
            await until(lambda: bool(seen), "shard 1's disconnect")
            assert seen == [(1, False)]  # shard 0 is up, but not every shard
            await until(lambda: bot.heartbeat.is_connected, "shard 1 back")
            # One shard coming back is not enough while another is still down.
            await bot.on_shard_disconnect(0)
            await bot.on_shard_disconnect(1)
            await bot.on_shard_resumed(0)
            assert not bot.heartbeat.is_connected
            await bot.on_shard_resumed(1)
            assert bot.heartbeat.is_connected
    finally:
        await db.close()
