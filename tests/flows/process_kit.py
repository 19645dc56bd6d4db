"""The bot as a real process (``python -m bot``) against the emulator, for tests that
kill it with SIGKILL at chosen instants and start it again on the same database."""

from __future__ import annotations

import asyncio
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from bot.db.database import Database
from bot.db.migrate import migrate
from tests.backends import database_for
from tests.emulator import DiscordEmulator

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Run:
    spawned: float
    ready: float | None = None
    killed: float | None = None


@dataclass(frozen=True)
class Store:
    """The database the processes share, by URL: ``sqlite:///path`` (several processes
    on one SQLite file in WAL mode, on one machine), or another backend's URL, which is
    passed as ``DATABASE_URL`` to the processes."""

    url: str

    @property
    def sqlite_path(self) -> Path | None:
        return Path(self.url.removeprefix("sqlite:///")) if self.is_sqlite else None

    @property
    def is_sqlite(self) -> bool:
        return self.url.startswith("sqlite:///")

    @property
    def env(self) -> dict[str, str]:
        path = self.sqlite_path
        return {"DATABASE_PATH": str(path)} if path is not None else {"DATABASE_URL": self.url}

    async def open(self) -> Database:
        """The database, migrated, for a test to seed and read."""
        db = database_for(self.url)
        await db.connect()
        await migrate(db)
        return db


async def spawn(
    emu: DiscordEmulator,
    database: Path | str | None,
    log: Path,
    env: dict[str, str] | None = None,
) -> tuple[asyncio.subprocess.Process, Run]:
    """``python -m bot`` against ``emu`` on ``database``: a SQLite file, a
    ``DATABASE_URL``, or None when ``env`` names it; ``env`` adds settings."""
    settings = {
        **os.environ,
        "DISCORD_TOKEN": emu.token,
        "DISCORD_API_BASE": emu.api_base,
        "LOG_LEVEL": "INFO",
        "PYTHONPATH": str(ROOT),
    }
    for inherited in ("DEV_GUILD_ID", "DATABASE_URL", "SHARD_COUNT", "SHARD_IDS", "WEB_PORT"):
        settings.pop(inherited, None)
    if isinstance(database, str):  # the heartbeat stays with the test's files
        settings["DATABASE_URL"] = database
        settings["HEARTBEAT_PATH"] = str(log.with_name("heartbeat"))
    elif database is not None:
        settings["DATABASE_PATH"] = str(database)
    settings.update(env or {})
    if "DATABASE_URL" in settings:
        settings.pop("DATABASE_PATH", None)
    handle = log.open("ab")
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", env=settings, cwd=ROOT, stdout=handle, stderr=handle
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
