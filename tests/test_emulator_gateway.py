"""The emulator's gateway: login, READY/GUILD_CREATE, compression, RESUME and replay."""

from __future__ import annotations

import asyncio
import json
import zlib
from typing import Any

import aiohttp
import discord
import pytest
from discord.ext import commands

from tests.emulator import DiscordEmulator, Intent, run_client

TOKEN = "test-token"


def make_bot(intents: discord.Intents | None = None) -> commands.Bot:
    return commands.Bot(
        command_prefix=commands.when_mentioned,
        intents=intents or discord.Intents.default(),
        guild_ready_timeout=0.05,
    )


async def test_login_ready_and_guild_create(emulator: DiscordEmulator) -> None:
    guild = emulator.add_guild("ProDev")
    mentor = emulator.add_role(guild.id, "Mentor")
    general = emulator.add_text_channel(guild.id, "general")
    forum = emulator.add_forum_channel(guild.id, "qa", tags=["python", "go"])
    ada = emulator.add_user("ada")
    emulator.add_member(guild.id, ada, roles=[mentor.id])
    bot = make_bot()

    async with run_client(emulator, bot, TOKEN, set_globals=True):
        assert bot.user is not None and bot.user.id == emulator.bot_user.id
        assert bot.application_id == emulator.application_id
        cached = bot.get_guild(guild.id)
        assert cached is not None and cached.name == "ProDev"
        assert cached.me is not None and cached.me.id == emulator.bot_user.id
        assert {r.name for r in cached.roles} >= {"@everyone", "Mentor", "Nexus"}
        assert isinstance(cached.get_channel(general.id), discord.TextChannel)
        forum_channel = cached.get_channel(forum.id)
        assert isinstance(forum_channel, discord.ForumChannel)
        assert [t.name for t in forum_channel.available_tags] == ["python", "go"]
        # no GUILD_MEMBERS intent: only the bot's own member arrives in GUILD_CREATE
        assert cached.get_member(ada.id) is None

    ops = emulator.gateway.received_ops
    assert ops.count(2) == 1 and 6 not in ops
    assert [e for e, _ in emulator.gateway.dispatched][:2] == ["READY", "GUILD_CREATE"]


async def test_members_intent_delivers_members(emulator: DiscordEmulator) -> None:
    guild = emulator.add_guild("ProDev")
    ada = emulator.add_user("ada")
    emulator.add_member(guild.id, ada)
    intents = discord.Intents.default()
    intents.members = True
    bot = make_bot(intents)
    async with run_client(emulator, bot, TOKEN, set_globals=True):
        cached = bot.get_guild(guild.id)
        assert cached is not None and cached.get_member(ada.id) is not None


async def test_privileged_intent_not_enabled_is_refused(emulator: DiscordEmulator) -> None:
    emulator.add_guild("ProDev")
    intents = discord.Intents.default()
    intents.message_content = True  # not enabled for this application
    bot = make_bot(intents)
    with pytest.raises(AssertionError, match="PrivilegedIntentsRequired"):
        async with run_client(emulator, bot, TOKEN, set_globals=True, timeout=5):
            pass


async def test_run_client_surfaces_a_dead_client(emulator: DiscordEmulator) -> None:
    with pytest.raises(AssertionError, match="LoginFailure"):
        async with run_client(emulator, make_bot(), "wrong-token", set_globals=True, timeout=5):
            pass
    assert emulator.calls[0].status == 401


async def _raw_hello(ws: aiohttp.ClientWebSocketResponse, inflate: Any) -> dict[str, Any]:
    msg = await ws.receive(timeout=5)
    if msg.type is aiohttp.WSMsgType.BINARY:
        assert msg.data.endswith(b"\x00\x00\xff\xff"), "frame not flushed with Z_SYNC_FLUSH"
        payload: dict[str, Any] = json.loads(inflate.decompress(msg.data))
        return payload
    assert msg.type is aiohttp.WSMsgType.TEXT
    text_payload: dict[str, Any] = json.loads(msg.data)
    return text_payload


@pytest.mark.parametrize("compress", [True, False])
async def test_raw_gateway_zlib_and_plain_text(emulator: DiscordEmulator, compress: bool) -> None:
    emulator.add_guild("ProDev")
    url = (
        emulator.gateway_url + "?v=10&encoding=json" + ("&compress=zlib-stream" if compress else "")
    )
    inflate = zlib.decompressobj()
    async with aiohttp.ClientSession() as session, session.ws_connect(url) as ws:
        hello = await _raw_hello(ws, inflate)
        assert hello["op"] == 10 and hello["d"]["heartbeat_interval"] > 0
        await ws.send_json({"op": 1, "d": None})
        assert (await _raw_hello(ws, inflate))["op"] == 11
        await ws.send_json(
            {"op": 2, "d": {"token": TOKEN, "intents": Intent.GUILDS, "properties": {}}}
        )
        ready = await _raw_hello(ws, inflate)
        guild_create = await _raw_hello(ws, inflate)
    assert (ready["t"], ready["s"]) == ("READY", 1)
    assert ready["d"]["guilds"][0]["unavailable"] is True
    assert ready["d"]["application"]["id"] == str(emulator.application_id)
    assert (guild_create["t"], guild_create["s"]) == ("GUILD_CREATE", 2)


async def test_bad_token_and_bad_resume(emulator: DiscordEmulator) -> None:
    url = emulator.gateway_url + "?v=10&encoding=json"
    async with aiohttp.ClientSession() as session:
        async with session.ws_connect(url) as ws:
            await ws.receive_json(timeout=5)
            await ws.send_json({"op": 2, "d": {"token": "wrong", "intents": 0, "properties": {}}})
            closed = await ws.receive(timeout=5)
            assert closed.type is aiohttp.WSMsgType.CLOSE and closed.data == 4004
        async with session.ws_connect(url) as ws:
            await ws.receive_json(timeout=5)
            await ws.send_json({"op": 6, "d": {"token": TOKEN, "session_id": "nope", "seq": 3}})
            invalid = await ws.receive_json(timeout=5)
            assert invalid == {"op": 9, "d": False, "s": None, "t": None}


async def test_a_frame_that_is_not_json_closes_with_4002(emulator: DiscordEmulator) -> None:
    url = emulator.gateway_url + "?v=10&encoding=json"
    async with aiohttp.ClientSession() as session, session.ws_connect(url) as ws:
        await ws.receive_json(timeout=5)
        await ws.send_str('{"op": 1, "d": NaN}')  # Discord's JSON has no NaN
        closed = await ws.receive(timeout=5)
        assert closed.type is aiohttp.WSMsgType.CLOSE and closed.data == 4002


async def test_a_body_that_is_not_json_is_a_50109(emulator: DiscordEmulator) -> None:
    """Discord answers a body it cannot parse with 400, code 50109; ids above 2**63 (as
    strings, as Discord sends them) come back unharmed."""
    guild = emulator.add_guild("ProDev")
    channel = emulator.add_text_channel(guild.id, "general")
    url = f"{emulator.api_base}/channels/{channel.id}/messages"
    headers = {"Authorization": f"Bot {TOKEN}", "Content-Type": "application/json"}
    async with aiohttp.ClientSession() as session:
        async with session.post(url, data=b'{"content": "hi",', headers=headers) as bad:
            assert bad.status == 400 and (await bad.json())["code"] == 50109
        body = {"content": "hi", "nonce": str(2**64 - 1)}
        async with session.post(url, data=json.dumps(body), headers=headers) as good:
            assert good.status == 200
            assert (await good.json())["nonce"] == str(2**64 - 1)


@pytest.mark.parametrize("close_code", [None, 4000])
async def test_dropped_websocket_resumes_and_replays(
    emulator: DiscordEmulator, close_code: int | None
) -> None:
    guild = emulator.add_guild("ProDev")
    general = emulator.add_text_channel(guild.id, "general")
    ada = emulator.add_user("ada")
    emulator.add_member(guild.id, ada)
    bot = make_bot()
    received: asyncio.Queue[discord.Message] = asyncio.Queue()
    resumed = asyncio.Event()

    @bot.event
    async def on_message(message: discord.Message) -> None:
        received.put_nowait(message)

    @bot.event
    async def on_resumed() -> None:
        resumed.set()

    async with run_client(emulator, bot, TOKEN, set_globals=True):
        await emulator.drop_websocket(close_code)
        missed = emulator.user_message(general.id, ada, "posted while the bot was away")
        mention = emulator.user_message(general.id, ada, f"hey {emulator.bot_user.mention}")
        await emulator.wait_for_resume(timeout=10)
        first = await asyncio.wait_for(received.get(), 5)
        second = await asyncio.wait_for(received.get(), 5)
        await asyncio.wait_for(resumed.wait(), 5)

    assert 6 in emulator.gateway.received_ops, "client never sent RESUME (op 6)"
    assert emulator.gateway.identify_count == 1
    assert (first.id, second.id) == (missed.id, mention.id)
    # no MESSAGE_CONTENT intent: content is withheld unless the bot is mentioned
    assert first.content == ""
    assert second.content == f"hey {emulator.bot_user.mention}"
    resume = next(p for p in emulator.gateway.received if p.get("op") == 6)
    assert resume["d"]["seq"] >= 2
