"""Running the bot as an operator does: the heartbeat and ``health``, SIGTERM, and
start-up failures that are one line and an exit status, against the emulator."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import socket
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from discord.gateway import DiscordWebSocket
from discord.http import Route

from bot.__main__ import EXIT_LOGIN_REFUSED, EXIT_OK, EXIT_UNHEALTHY
from bot.client import bot_class
from bot.config import load_settings
from bot.db.database import Database
from bot.db.migrate import migrate
from bot.delivery import is_transient
from bot.errors import DiscordUnreachable
from bot.heartbeat import check
from bot.logs import VOICE_WARNINGS
from bot.services.container import build_services
from tests.emulator import DiscordEmulator
from tests.flows.harness import Nexus, fake_now

ROOT = Path(__file__).resolve().parents[2]


async def until(condition: Callable[[], bool], what: str, timeout: float = 10.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        assert loop.time() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.01)


async def test_heartbeat_while_connected_stops_on_disconnect_and_goes_on_close(
    bare: Nexus,
) -> None:
    bot = bare.bot
    path = bot.settings.heartbeat_file
    assert path == bare.db_path.parent / "heartbeat"  # next to the database by default
    await until(path.exists, "the first heartbeat after READY")
    assert check(path).ok

    seen_on_disconnect: list[bool] = []

    async def probe() -> None:  # runs after the bot's own on_disconnect
        seen_on_disconnect.append(bot.heartbeat.is_connected)

    bot.add_listener(probe, "on_disconnect")
    await bare.emu.drop_websocket()
    await bare.emu.wait_for_resume()
    await until(lambda: bool(seen_on_disconnect), "the disconnect to be dispatched")
    assert seen_on_disconnect == [False]
    await until(lambda: bot.heartbeat.is_connected, "the heartbeat to resume")

    await bot.close()
    assert not path.exists()
    assert not check(path).ok


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.parametrize("shards", [{}, {"shard_count": 2, "shard_ids": "0,1"}])
async def test_unreachable_gateway_ends_start_instead_of_retrying_forever(
    emulator: DiscordEmulator,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    shards: dict[str, object],
) -> None:
    """REST answers but the gateway it names does not: one error, nothing logged
    (sharded or not)."""
    gateway = f"ws://127.0.0.1:{closed_port()}/gateway"
    monkeypatch.setattr(DiscordEmulator, "gateway_url", property(lambda _: gateway))
    # The bot points these discord.py globals at the emulator; put them back after.
    monkeypatch.setattr(Route, "BASE", Route.BASE)
    monkeypatch.setattr(DiscordWebSocket, "DEFAULT_GATEWAY", DiscordWebSocket.DEFAULT_GATEWAY)
    settings = load_settings(
        discord_token=emulator.token,
        database_path=tmp_path / "nexus.db",
        discord_api_base=emulator.api_base,
        **shards,
    )
    db = Database(settings.database_path)
    await db.connect()
    await migrate(db)
    services = build_services(db, fake_now(), is_transient=is_transient, timer_wakeups=False)
    try:
        async with bot_class(settings)(settings=settings, db=db, services=services) as bot:
            with pytest.raises(DiscordUnreachable) as info:
                # Without the guard discord.py retries this forever.
                await asyncio.wait_for(bot.start(emulator.token), 20)
    finally:
        await db.close()
    assert f"cannot reach Discord's gateway at {gateway}" in str(info.value)
    logged = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    # The voice warnings come with the first client built in this process, if it is this one.
    assert [m for m in logged if m not in VOICE_WARNINGS] == []
    assert not settings.heartbeat_file.exists()


async def nexus_bot(*args: str, env: dict[str, str], cwd: Path) -> asyncio.subprocess.Process:
    settings = ("DISCORD_", "DATABASE_", "HEARTBEAT_", "LOG_LEVEL", "NO_COLOR")
    base = {k: v for k, v in os.environ.items() if not k.startswith(settings)}
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        env={**base, "PYTHONPATH": str(ROOT), **env},
        cwd=cwd,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def finished(process: asyncio.subprocess.Process) -> tuple[int, str]:
    _, stderr = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode is not None
    return process.returncode, stderr.decode()


async def test_run_is_healthy_while_connected_and_stops_cleanly_on_sigterm(
    emulator: DiscordEmulator, tmp_path: Path
) -> None:
    env = {
        "DISCORD_TOKEN": emulator.token,
        "DISCORD_API_BASE": emulator.api_base,
        "LOG_LEVEL": "WARNING",
    }
    bot = await nexus_bot(env=env, cwd=tmp_path)  # data/nexus.db, data/heartbeat under cwd
    try:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 30
        while True:
            status, stderr = await finished(await nexus_bot("health", env={}, cwd=tmp_path))
            if status == EXIT_OK:
                break
            assert status == EXIT_UNHEALTHY, stderr
            assert bot.returncode is None, "the bot exited before it was healthy"
            assert loop.time() < deadline, f"never healthy: {stderr}"
            await asyncio.sleep(0.2)
        assert (tmp_path / "data" / "heartbeat").exists()
    finally:
        if bot.returncode is None:
            bot.send_signal(signal.SIGTERM)
    status, stderr = await finished(bot)
    assert status == EXIT_OK, stderr[-2000:]
    assert stderr == ""  # nothing at WARNING or above: no voice warnings, no errors
    status, _ = await finished(await nexus_bot("health", env={}, cwd=tmp_path))
    assert status == EXIT_UNHEALTHY


async def test_a_started_bot_freezes_its_start_out_of_garbage_collections(
    emulator: DiscordEmulator, tmp_path: Path
) -> None:
    """Once ready, with the search index built, ``python -m bot`` collects and freezes
    what its start made (bot/heap.py), and keeps answering."""
    env = {"DISCORD_TOKEN": emulator.token, "DISCORD_API_BASE": emulator.api_base}
    bot = await nexus_bot(env={**env, "LOG_LEVEL": "INFO"}, cwd=tmp_path)
    lines: list[str] = []
    try:
        assert bot.stderr is not None
        while not any("heap settled" in line for line in lines):
            line = await asyncio.wait_for(bot.stderr.readline(), 30)
            assert line, "the bot exited:\n" + "".join(lines[-30:])
            lines.append(line.decode())
        [settled] = [line for line in lines if "heap settled" in line]
        assert int(settled.split("heap settled: ")[1].split()[0]) > 10_000
        ready = next(i for i, line in enumerate(lines) if "search index ready" in line)
        assert ready < lines.index(settled)
    finally:
        bot.send_signal(signal.SIGTERM)
    status, _ = await finished(bot)
    assert status == EXIT_OK


@pytest.mark.expect_http_error(401)  # the wrong token, on purpose
async def test_refused_token_is_one_line_and_its_own_status(
    emulator: DiscordEmulator, tmp_path: Path
) -> None:
    env = {
        "DISCORD_TOKEN": "not-the-bot-token",
        "DISCORD_API_BASE": emulator.api_base,
        "LOG_LEVEL": "WARNING",
    }
    status, stderr = await finished(await nexus_bot("sync", env=env, cwd=tmp_path))
    assert status == EXIT_LOGIN_REFUSED, stderr[-2000:]
    assert stderr.startswith("nexus-bot: DISCORD_TOKEN was refused by Discord")
    assert len(stderr.strip().splitlines()) == 1
    assert "not-the-bot-token" not in stderr
