"""The emulator's sharding, as Discord does it: ``/gateway/bot`` recommends a shard
count, IDENTIFY names ``[shard_id, shard_count]``, each shard's session gets READY and
GUILD_CREATE for its own guilds only (``(guild_id >> 22) % count``), and every dispatch
(interactions included) goes to the connection of the guild's shard; DMs to shard 0."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import discord
import pytest
from discord.ext import commands

from tests.emulator import DiscordEmulator, run_client
from tests.emulator.shards import shard_of

TOKEN = "test-token"


@pytest.fixture
async def emu() -> AsyncIterator[DiscordEmulator]:
    async with DiscordEmulator(TOKEN, shard_count=2) as emulator:
        yield emulator
    assert emulator.problem_report() is None


def sharded(*shard_ids: int) -> commands.AutoShardedBot:
    intents = discord.Intents.none()
    intents.guilds = True
    intents.guild_messages = True
    intents.dm_messages = True
    return commands.AutoShardedBot(
        command_prefix=commands.when_mentioned,
        intents=intents,
        shard_count=2,
        shard_ids=list(shard_ids),
        guild_ready_timeout=0.05,
    )


async def test_guilds_are_made_on_the_shard_asked_for(emu: DiscordEmulator) -> None:
    guilds = [emu.add_guild(f"g{i}", shard_id=i % 2) for i in range(6)]
    assert [shard_of(g.id, 2) for g in guilds] == [0, 1, 0, 1, 0, 1]
    assert len({g.id for g in guilds}) == 6


async def test_gateway_bot_recommends_the_shard_count(emu: DiscordEmulator) -> None:
    async with (
        aiohttp.ClientSession() as http,
        http.get(f"{emu.api_base}/gateway/bot", headers={"Authorization": f"Bot {TOKEN}"}) as r,
    ):
        body = await r.json()
    assert body["shards"] == 2 and body["url"] == emu.gateway_url


async def test_each_process_sees_only_its_shards_guilds(emu: DiscordEmulator) -> None:
    g0, g1 = emu.add_guild("zero", shard_id=0), emu.add_guild("one", shard_id=1)
    first, second = sharded(0), sharded(1)
    async with (
        run_client(emu, first, TOKEN, set_globals=True),
        run_client(emu, second, TOKEN, set_globals=True),
    ):
        assert [g.id for g in first.guilds] == [g0.id]
        assert [g.id for g in second.guilds] == [g1.id]
        sessions = emu.gateway.sessions
        assert {i: s.shard for i, s in sessions.items()} == {0: (0, 2), 1: (1, 2)}
        for shard_id, guild in ((0, g0), (1, g1)):
            ready = json.loads(sessions[shard_id].buffer[0][2])["d"]
            assert ready["shard"] == [shard_id, 2]
            assert ready["guilds"] == [{"id": str(guild.id), "unavailable": True}]
            assert sessions[shard_id].events()[:2] == ["READY", "GUILD_CREATE"]
        # A guild's dispatches reach its own shard's connection only.
        c1 = emu.add_text_channel(g1.id, "general")
        ada = emu.add_user("ada")
        emu.add_member(g1.id, ada)
        seen: list[int] = []

        async def on_shard_1(message: discord.Message) -> None:
            seen.append(message.channel.id)

        async def on_shard_0(message: discord.Message) -> None:
            if message.guild is not None:
                seen.append(-1)  # a guild message of shard 1 reached shard 0's process

        second.add_listener(on_shard_1, "on_message")
        first.add_listener(on_shard_0, "on_message")
        emu.user_message(c1.id, ada, "hello shard 1")
        await _until(lambda: seen == [c1.id], "the message reached shard 1")
        assert "MESSAGE_CREATE" in sessions[1].events()
        assert "MESSAGE_CREATE" not in sessions[0].events()
        # A DM belongs to shard 0.
        emu.add_member(g0.id, ada)
        emu.user_dm(ada, "a DM")
        await _until(lambda: sessions[0].events().count("MESSAGE_CREATE") == 1, "a DM on 0")
        assert sessions[1].events().count("MESSAGE_CREATE") == 1


async def test_interactions_go_to_the_guilds_shard(emu: DiscordEmulator) -> None:
    g0, g1 = emu.add_guild("zero", shard_id=0), emu.add_guild("one", shard_id=1)
    ada = emu.add_user("ada")
    for guild in (g0, g1):
        emu.add_member(guild.id, ada)
    first, second = sharded(0), sharded(1)
    answered_by: dict[int, int] = {}
    for bot, shard_id in ((first, 0), (second, 1)):

        @bot.tree.command(name="where", description="Which shard answers")
        async def where(interaction: discord.Interaction, _shard: int = shard_id) -> None:
            answered_by[interaction.guild_id or 0] = _shard
            await interaction.response.send_message(f"shard {_shard}")

    async with (
        run_client(emu, first, TOKEN, set_globals=True),
        run_client(emu, second, TOKEN, set_globals=True),
    ):
        await first.tree.sync()
        for guild in (g0, g1):
            channel = emu.add_text_channel(guild.id, "general")
            ix = await emu.slash(ada, guild.id, "where", channel_id=channel.id)
            await ix.response()
    assert answered_by == {g0.id: 0, g1.id: 1}
    assert emu.gateway.sessions[0].events().count("INTERACTION_CREATE") == 1
    assert emu.gateway.sessions[1].events().count("INTERACTION_CREATE") == 1


async def test_one_client_may_run_both_shards(emu: DiscordEmulator) -> None:
    g0, g1 = emu.add_guild("zero", shard_id=0), emu.add_guild("one", shard_id=1)
    both = sharded(0, 1)
    async with run_client(emu, both, TOKEN, set_globals=True):
        assert {g.id for g in both.guilds} == {g0.id, g1.id}
        assert sorted(emu.gateway.sessions) == [0, 1]


@pytest.mark.parametrize(
    ("shard", "code"),
    [(None, 4011), ([2, 2], 4010), ([-1, 2], 4010), ("0,2", 4010)],
)
async def test_identify_must_name_a_valid_shard(
    emu: DiscordEmulator, shard: Any, code: int
) -> None:
    identify: dict[str, Any] = {"token": TOKEN, "intents": 1, "properties": {}}
    if shard is not None:
        identify["shard"] = shard
    async with (
        aiohttp.ClientSession() as http,
        http.ws_connect(f"{emu.gateway_url}?v=10&encoding=json") as ws,
    ):
        hello = await ws.receive_json()
        assert hello["op"] == 10
        await ws.send_json({"op": 2, "d": identify})
        message = await ws.receive()
        assert message.type == aiohttp.WSMsgType.CLOSE
        assert ws.close_code == code or message.data == code
    assert emu.gateway.sessions == {}


async def _until(done: Any, what: str, timeout: float = 5.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not done():
        assert loop.time() < deadline, f"timed out waiting for: {what}"
        await asyncio.sleep(0.02)
