"""Storage-backend benchmark: what SQLite and PostgreSQL cost the bot, call for call.

    python bench/backends.py --database-url postgresql://user@host:5432/postgres
    python bench/backends.py --database-url postgresql://... --rounds 10 --calls 30

Both backends get the same seeded server (200 upcoming sessions with RSVPs, 5,000 Q&A
questions generated as bench/qa.py generates them, 400 pairing profiles), seeded through
the services (the Q&A archive by bench/qa.py's bulk load: an INSERT on SQLite, COPY on
PostgreSQL). Then each row calls the service as the bot's command does, with no Discord
in the way: a join of a fresh user and that user's leave, ``/session list``'s read
(every other one "mine"), ``/remind me`` creating a reminder, ``/qa search`` of a
held-out learner query, ``/pair find``, and one timer's claim and finish (``run_due``
with a no-op handler). Rounds alternate the backends (and which one goes first), so a
busy moment on the machine lands on both. The PostgreSQL database is created for the run
on the given server (``nexus_bench_<pid>``) and dropped at the end; SQLite is a fresh
temporary file.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import random
import sys
import tempfile
import time
from collections.abc import Awaitable
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import asyncpg

from bench.qa import generate, load, searches
from bot.db.database import Database
from bot.db.migrate import migrate
from bot.db.postgres import PostgresDatabase
from bot.db.timers import Timer
from bot.scheduling import TimerKind
from bot.services.container import Services, build_services
from bot.time.clock import FakeClock

GUILD = 1
CHANNEL = 10
HOST = 20
START = datetime(2026, 11, 28, 10, 0, tzinfo=UTC)
TITLES = ["Django ORM clinic", "GraphQL basics", "Async Python", "Caching with Redis"]
TITLES += ["Auth and JWT", "Testing with pytest", "CI/CD pipelines", "Database indexing"]
TRACKS = ["backend", "frontend", "fullstack"]
SKILLS = ["python", "django", "fastapi", "postgresql", "redis", "docker", "react", "vue"]
SKILLS += ["typescript", "javascript", "css", "nextjs", "graphql", "git", "aws", "go"]
HOURS = ["mon-fri 18-22", "weekdays 19:00-21:30, sat 10-14", "daily 20-23", "sat 9-17"]
ROWS = ["join", "leave", "/session list", "/remind me", "/qa search", "/pair find", "timer cycle"]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


class Backend:
    """One backend's database, services and seeded ids, and its timings per row."""

    def __init__(self, name: str, db: Database) -> None:
        self.name = name
        self.db = db
        self.clock = FakeClock(START)
        self.services: Services = build_services(db, self.clock, timer_wakeups=False)
        self.sessions: list[int] = []
        self.profiles: list[int] = []
        self.samples: dict[str, list[float]] = {row: [] for row in ROWS}

        async def noop(timer: Timer) -> None:
            return None

        self.services.scheduler.register("bench", TimerKind(noop))

    async def seed(self, args: argparse.Namespace) -> float:
        started = time.perf_counter()
        rng = random.Random(args.seed)
        services = self.services
        for i in range(args.sessions):
            session = await services.sessions.create(
                guild_id=GUILD,
                host_id=HOST,
                title=f"{TITLES[i % len(TITLES)]} {i}",
                when=f"in {60 + i * 30} minutes",
                topic=rng.choice(["django", "async", "databases", None]),
                capacity=None,
            )
            self.sessions.append(session.id)
            for user_id in rng.sample(range(100, 160), rng.randint(0, 8)):
                await services.sessions.join(session.id, GUILD, user_id)
        await load(self.db, generate(args.questions, args.seed, guild=GUILD))
        for user_id in range(1000, 1000 + args.profiles):
            await services.pairing.save_profile(
                GUILD,
                user_id,
                track=rng.choice(TRACKS),
                skills=", ".join(rng.sample(SKILLS, rng.randint(2, 6))),
                looking_for=rng.choice(["project", "study-buddy", "code-review", "any"]),
                availability=rng.choice(HOURS),
            )
            self.profiles.append(user_id)
        # Searches rank on the archive's in-memory index, as the bot's do once it has
        # built it at start (the database's full-text index serves only before).
        await services.qa.search.index.build(self.db.reader)
        return time.perf_counter() - started

    async def timed(self, row: str, call: Awaitable[object]) -> None:
        """``call`` is the service call's coroutine, made but not started."""
        started = time.perf_counter()
        await call
        self.samples[row].append((time.perf_counter() - started) * 1000)

    async def round(self, calls: int, rng: random.Random, texts: list[str], fresh: int) -> None:
        services = self.services
        for i in range(calls):
            user = fresh + i
            session_id = rng.choice(self.sessions)
            await self.timed("join", services.sessions.join(session_id, GUILD, user))
            await self.timed("leave", services.sessions.leave(session_id, GUILD, user))
            mine = 100 + i % 60 if i % 2 else None  # every other one "mine"
            await self.timed("/session list", services.sessions.upcoming(GUILD, user_id=mine))
            await self.timed(
                "/remind me",
                services.reminders.create(
                    user_id=user,
                    guild_id=GUILD,
                    channel_id=CHANNEL,
                    when="in 2 hours",
                    what="review the pull request",
                ),
            )
            text = texts[rng.randrange(len(texts))]
            await self.timed("/qa search", services.qa.search.search(GUILD, text))
            finder = rng.choice(self.profiles)
            await self.timed("/pair find", services.pairing.find(GUILD, finder))
            await services.scheduler.schedule("bench", self.clock.now(), guild_id=GUILD)
            await self.timed("timer cycle", services.scheduler.run_due())


def with_database(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path="/" + name))


async def admin(url: str, statement: str) -> None:
    conn = await asyncpg.connect(url)
    try:
        await conn.execute(statement)
    finally:
        await conn.close()


async def open_db(db: Database) -> Database:
    await db.connect()
    await migrate(db)
    return db


def report(backends: list[Backend]) -> None:
    sqlite, postgres = backends
    print(
        f"\n{'row':<14} {'SQLite p50':>10} {'p95':>7} {'p99':>7}   "
        f"{'PG p50':>7} {'p95':>7} {'p99':>7}   {'PG/SQLite p50':>13} {'p95':>5} {'p99':>5}"
    )
    for row in ROWS:
        a = [percentile(sqlite.samples[row], q) for q in (50, 95, 99)]
        b = [percentile(postgres.samples[row], q) for q in (50, 95, 99)]
        ratios = [y / x for x, y in zip(a, b, strict=True)]
        print(
            f"{row:<14} {a[0]:10.2f} {a[1]:7.2f} {a[2]:7.2f}   "
            f"{b[0]:7.2f} {b[1]:7.2f} {b[2]:7.2f}   "
            f"{ratios[0]:12.1f}x {ratios[1]:4.1f}x {ratios[2]:4.1f}x"
        )
    print(f"(ms; n={len(sqlite.samples[ROWS[0]])} calls per row and backend)")


async def run(args: argparse.Namespace) -> None:
    name = f"nexus_bench_{os.getpid()}"
    pg_url = with_database(args.database_url, name)
    await admin(args.database_url, f"CREATE DATABASE {name}")
    try:
        with tempfile.TemporaryDirectory() as folder:
            sqlite = Backend("SQLite", await open_db(Database(Path(folder) / "bench.db")))
            postgres = Backend("PostgreSQL", await open_db(PostgresDatabase(pg_url)))
            backends = [sqlite, postgres]
            try:
                conn = await asyncpg.connect(pg_url)
                version = await conn.fetchval("SHOW server_version")
                await conn.close()
                print(f"PostgreSQL {version} (server given by --database-url)")
                for backend in backends:
                    seconds = await backend.seed(args)
                    print(
                        f"seeded {backend.name}: {args.sessions} sessions, "
                        f"{args.questions:,} questions, {args.profiles} profiles "
                        f"in {seconds:.1f} s"
                    )
                texts = searches(200, args.seed)
                fresh = 1_000_000
                for index in range(args.rounds + 1):  # round 0 warms up, not counted
                    order = backends if index % 2 == 0 else backends[::-1]
                    for backend in order:
                        rng = random.Random(args.seed * 1000 + index)
                        await backend.round(args.calls, rng, texts, fresh)
                        if index == 0:
                            backend.samples = {row: [] for row in ROWS}
                    fresh += args.calls
                report(backends)
            finally:
                for backend in backends:
                    await backend.db.close()
    finally:
        await admin(args.database_url, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True, help="a PostgreSQL server to use")
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--calls", type=int, default=30, help="calls per row in each round")
    parser.add_argument("--sessions", type=int, default=200)
    parser.add_argument("--questions", type=int, default=5000)
    parser.add_argument("--profiles", type=int, default=400)
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args()
    print(f"command: {' '.join([Path(sys.executable).name, *sys.argv])}")
    print(
        f"machine: {os.cpu_count()} CPUs, {platform.machine()}, {platform.system()},"
        f" Python {platform.python_version()}, load average {os.getloadavg()[0]:.2f}"
        f" {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f} at start"
    )
    asyncio.run(run(args))
    load = os.getloadavg()
    print(f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} at the end")


if __name__ == "__main__":
    main()
