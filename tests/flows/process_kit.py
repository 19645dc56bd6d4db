"""The bot as a real process (``python -m bot``) against the emulator, for tests that
kill it with SIGKILL at chosen instants and start it again on the same database."""

from __future__ import annotations

import asyncio
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from tests.emulator import DiscordEmulator

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Run:
    spawned: float
    ready: float | None = None
    killed: float | None = None


async def spawn(
    emu: DiscordEmulator, database: Path | str, log: Path
) -> tuple[asyncio.subprocess.Process, Run]:
    """The bot on ``database``: a SQLite file, or a ``DATABASE_URL``."""
    if isinstance(database, str):  # the heartbeat stays with the test's files
        where = {"DATABASE_URL": database, "HEARTBEAT_PATH": str(log.with_name("heartbeat"))}
    else:
        where = {"DATABASE_PATH": str(database)}
    env = {
        **os.environ,
        "DISCORD_TOKEN": emu.token,
        **where,
        "DISCORD_API_BASE": emu.api_base,
        "LOG_LEVEL": "INFO",
        "PYTHONPATH": str(ROOT),
    }
    env.pop("DEV_GUILD_ID", None)
    handle = log.open("ab")
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", env=env, cwd=ROOT, stdout=handle, stderr=handle
    )
    handle.close()
    return process, Run(spawned=asyncio.get_running_loop().time())


async def wait_ready(log: Path, previous_readies: int, run: Run, timeout: float = 15) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while log.read_text(errors="replace").count("scheduler started") <= previous_readies:
        assert loop.time() < deadline, f"bot did not start:\n{log.read_text()[-3000:]}"
        await asyncio.sleep(0.05)
    run.ready = loop.time()


async def wait_for_log(log: Path, text: str, count: int = 1, timeout: float = 15) -> None:
    """Until ``text`` appears ``count`` times in the bot's log."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while log.read_text(errors="replace").count(text) < count:
        assert loop.time() < deadline, f"no {text!r} in the log:\n{log.read_text()[-3000:]}"
        await asyncio.sleep(0.05)
