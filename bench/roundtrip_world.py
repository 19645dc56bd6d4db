"""The worlds, the seeded databases and the bot processes of ``bench/roundtrip.py``.

Each bot gets its own emulator (one application each) holding the same server: the same
channels, the same learners. Nexus's database (a SQLite file, or a PostgreSQL database
for the Nexus on PostgreSQL) is migrated as the bot migrates it, then seeded before the
bot starts, through the services and repositories, as the bot would have filled it over
months; the Q&A archive by bench/qa.py's bulk load (an INSERT on SQLite, COPY on
PostgreSQL).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path

import asyncpg

from bench import qa as qa_bench  # the Q&A archive generator of bench/qa.py
from bench.backends import admin, with_database
from bot.db import session_rsvps
from bot.db.database import Database, Tx
from bot.db.migrate import migrate
from bot.db.postgres import PostgresDatabase
from bot.services.container import build_services
from bot.time.clock import SystemClock, epoch
from tests.emulator import Channel, DiscordEmulator, Guild, Message, User
from tests.flows import harness

ROOT = Path(__file__).resolve().parents[1]

TOPICS = ["django", "async", "databases", None]
TRACKS = ["backend", "frontend", "fullstack"]
SKILLS = ["python, django, postgresql", "react, typescript, css", "python, react, docker"]
HOURS = ["mon-fri 18-22", "weekdays 19:00-21:30, sat 10-14", "daily 20-23", "sat 9-17"]
CARD_GOING = 5  # a card session's capacity: joiners beyond it wait in line


@dataclass
class Sizes:
    sessions: int
    waitlist: int
    questions: int
    profiles: int
    learners: int


@dataclass
class World:
    """One emulator and its server (the flow tests' server, with ``learners`` people)."""

    emu: DiscordEmulator
    server: harness.World
    cards: dict[str, tuple[Message, int]] = field(default_factory=dict)  # label → card, id
    searches: list[str] = field(default_factory=list)  # what /qa search is asked

    @property
    def guild(self) -> Guild:
        return self.server.guild

    @property
    def mentor(self) -> User:
        return self.server.mentor

    @property
    def learners(self) -> list[User]:
        return self.server.learners

    @property
    def general(self) -> Channel:
        return self.server.general

    @property
    def sessions(self) -> Channel:
        return self.server.sessions


def build_world(emu: DiscordEmulator, learners: int) -> World:
    return World(emu=emu, server=harness.build_world(emu, learners))


def database(target: Path | str) -> Database:
    """Nexus's database, not connected: a SQLite file, or a PostgreSQL URL."""
    return PostgresDatabase(target) if isinstance(target, str) else Database(target)


@contextlib.asynccontextmanager
async def postgres_database(server: str) -> AsyncIterator[str]:
    """The URL of a new, empty database on the PostgreSQL server at ``server``
    (``nexus_roundtrip_<pid>``), dropped when done."""
    name = f"nexus_roundtrip_{os.getpid()}"
    await admin(server, f"CREATE DATABASE {name}")
    try:
        yield with_database(server, name)
    finally:
        await admin(server, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


async def describe_postgres(url: str) -> str:
    """The server's version and the settings that weigh on a write's cost."""
    conn = await asyncpg.connect(url)
    try:
        version = await conn.fetchval("SHOW server_version")
        names = ("fsync", "synchronous_commit", "shared_buffers")
        values = [f"{name} {await conn.fetchval(f'SHOW {name}')}" for name in names]
    finally:
        await conn.close()
    return f"{version} ({', '.join(values)})"


async def vacuumed(db: Database) -> None:
    """On PostgreSQL, ``VACUUM ANALYZE`` (on a connection of its own: it cannot run in a
    transaction) after a bulk load: the seeding's dead row versions gone and the
    planner's statistics gathered, as autovacuum would a while later; here before the
    first timed call, not during one."""
    if isinstance(db, PostgresDatabase):
        conn = await asyncpg.connect(db.url)
        try:
            await conn.execute("VACUUM ANALYZE")
        finally:
            await conn.close()


async def seed_nexus(target: Path | str, world: World, sizes: Sizes, seed: int) -> None:
    """Settings, timezones, upcoming sessions, the Q&A archive and pairing profiles."""
    rng = random.Random(seed)
    db = database(target)
    await db.connect()
    await migrate(db)
    services = build_services(db, SystemClock())
    guild = world.guild.id
    await services.guilds.save(
        guild,
        sessions_channel_id=world.sessions.id,
        qa_channel_id=world.server.qa_forum.id,
        pairing_channel_id=world.server.pairing.id,
        timezone="Africa/Lagos",
    )
    for user in world.learners[::2]:
        await services.preferences.set_timezone(user.id, "Africa/Nairobi")
    for i in range(sizes.sessions):  # one every 7 minutes, from three days on
        await services.sessions.create(
            guild_id=guild,
            host_id=world.mentor.id,
            title=f"Study session {i}",
            when=f"in {3 * 24 * 60 + i * 7} minutes",
            topic=rng.choice(TOPICS),
            capacity=rng.choice([None, 10, 50]),
        )
    await qa_bench.load(db, qa_bench.generate(sizes.questions, seed, guild=guild))
    await db.write(qa_bench.merge)
    for user in world.learners[: sizes.profiles]:
        await services.pairing.save_profile(
            guild,
            user.id,
            track=rng.choice(TRACKS),
            skills=rng.choice(SKILLS),
            looking_for="any",
            availability=rng.choice(HOURS),
        )
    await vacuumed(db)
    await db.close()


async def fill_waitlist(target: Path | str, session_id: int, going: int, waiting: int) -> None:
    """``going`` attendees and ``waiting`` people in line (made-up ids), 100 a write: on
    PostgreSQL each RSVP's trigger updates the session's row, and one transaction's
    updates of a row chain, so thousands in one write would take minutes."""
    db = database(target)
    await db.connect()
    now = epoch(datetime.now(UTC) - timedelta(hours=1))

    async def body(tx: Tx, ns: range) -> None:
        for n in ns:
            status = "going" if n < going else "waitlist"
            await session_rsvps.add(tx, session_id, 9_000_000_000 + n, status, now + n)

    try:
        for start in range(0, going + waiting, 100):
            await db.write(partial(body, ns=range(start, min(start + 100, going + waiting))))
        await vacuumed(db)
    finally:
        await db.close()


def tidy(emu: DiscordEmulator) -> None:
    """Forget what the emulator records of finished calls (between rounds, none in
    flight): a run makes hundreds of thousands, and a growing heap slows the emulator."""
    emu.calls.clear()
    emu.interactions.clear()
    emu.interactions_by_token.clear()
    emu.gateway.dispatched.clear()
    emu.gateway.received.clear()
    if emu.gateway.session is not None:
        del emu.gateway.session.buffer[:-100]
    state = emu.state
    gone = {mid for mid, message in state.messages.items() if message.ephemeral}
    for mid in gone:
        del state.messages[mid]
    for channel_id, ids in state.channel_messages.items():
        state.channel_messages[channel_id] = [mid for mid in ids if mid not in gone]


@dataclass
class Bot:
    name: str
    process: asyncio.subprocess.Process
    log: Path

    def cpu_s(self) -> float:
        """CPU time the process has used, user and system, in seconds."""
        stat = Path(f"/proc/{self.process.pid}/stat").read_text()
        fields = stat[stat.rindex(")") + 2 :].split()  # after the name, which may hold spaces
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def rss_mb(self) -> float:
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return float("nan")


@contextlib.asynccontextmanager
async def running(
    name: str, emu: DiscordEmulator, folder: Path, *, database: Path | str | None
) -> AsyncIterator[Bot]:
    """``python -m bot`` (Nexus, on ``database``: a SQLite file or a PostgreSQL URL) or
    ``bench/bare_bot.py`` as a process."""
    env = {
        **os.environ,
        "DISCORD_TOKEN": emu.token,
        "DISCORD_API_BASE": emu.api_base,
        "LOG_LEVEL": "INFO",  # Nexus's default
        "PYTHONPATH": str(ROOT),
    }
    env.pop("DEV_GUILD_ID", None)
    env.pop("DATABASE_URL", None)
    if isinstance(database, str):
        env["DATABASE_URL"] = database
        env["HEARTBEAT_PATH"] = str(folder / f"{name}.heartbeat")
    elif database is not None:
        env["DATABASE_PATH"] = str(database)
    if database is not None:
        command = [sys.executable, "-m", "bot"]
    else:
        command = [sys.executable, str(ROOT / "bench" / "bare_bot.py")]
    log = folder / f"{name}.log"
    with log.open("ab") as handle:
        process = await asyncio.create_subprocess_exec(
            *command, env=env, cwd=ROOT, stdout=handle, stderr=handle
        )
    bot = Bot(name, process, log)
    try:
        yield bot
    finally:
        if process.returncode is None:
            process.terminate()
            try:
                await asyncio.wait_for(process.wait(), 10)
            except TimeoutError:
                process.kill()
                await process.wait()
