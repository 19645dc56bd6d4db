"""``/pair find`` benchmark: what ``PairingService.find`` costs on a seeded server.

    python bench/pair_find.py                       # 400 profiles, 2,000 calls a row
    python bench/pair_find.py --profiles 400 --calls 2000 --seed 12

The server is seeded through the services on a fresh SQLite file: 400 pairing profiles
(45% backend, 40% frontend, 15% fullstack; 2-6 skills; looking-for spread over the four
options; weekly hours as people type them, in Lagos, Nairobi and London), 40 active
pairs, 20 ended ones, 30 declined requests, 30 exclusions, 20 snoozed and 20 unavailable
learners. Each row calls ``find`` as the command does, for a random learner:

* ``find``: nothing changes between calls (the steady state of a busy server);
* ``find after an edit``: a profile is saved before each call (not timed), so every
  call sees a server that just changed;
* ``find, clock moving``: the clock moves 7 minutes before each call (a snooze ends,
  a week turns over now and then), nothing else changes.

Prints p50/p95/p99/max in milliseconds per row, and the machine's load average.
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
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.db.database import Database
from bot.db.migrate import migrate
from bot.services.container import Services, build_services
from bot.time.clock import FakeClock

GUILD = 1
START = datetime(2026, 11, 28, 10, 0, tzinfo=UTC)
TRACKS = ["backend"] * 45 + ["frontend"] * 40 + ["fullstack"] * 15
WANTS = ["project", "study-buddy", "code-review", "any"]
SKILLS = ["python", "django", "fastapi", "postgresql", "redis", "docker", "react", "vue"]
SKILLS += ["typescript", "javascript", "css", "nextjs", "graphql", "git", "aws", "go"]
HOURS = ["mon-fri 18-22", "weekdays 19:00-21:30, sat 10-14", "daily 20-23", "sat 9-17"]
HOURS += ["tue,thu 7-9, sun 14-18", "mon,wed,fri 17-20", "mon-thu 21-1"]
ZONES = ["Africa/Lagos", "Africa/Nairobi", "Europe/London"]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))]


async def seed(services: Services, clock: FakeClock, args: argparse.Namespace) -> list[int]:
    rng = random.Random(args.seed)
    pairing = services.pairing
    users = list(range(1000, 1000 + args.profiles))
    for user in users:
        await services.preferences.set_timezone(user, rng.choice(ZONES))
        await pairing.save_profile(
            GUILD,
            user,
            track=rng.choice(TRACKS),
            skills=", ".join(rng.sample(SKILLS, rng.randint(2, 6))),
            looking_for=rng.choice(WANTS),
            availability=rng.choice(HOURS),
        )
    shuffled = rng.sample(users, len(users))
    for i in range(0, 120, 2):  # 60 pairs made by accepted requests; 20 of them end
        a, b = shuffled[i], shuffled[i + 1]
        request = await pairing.request(GUILD, a, b, None)
        await pairing.answer(request.id, b, accept=True)
        if i < 40:
            await pairing.end(GUILD, a, b)
    for i in range(120, 180, 2):  # 30 declined requests
        request = await pairing.request(GUILD, shuffled[i], shuffled[i + 1], None)
        await pairing.answer(request.id, shuffled[i + 1], accept=False)
    for i in range(180, 210):
        await pairing.exclude(GUILD, shuffled[i], rng.choice(shuffled[260:]))
    for i in range(210, 230):
        await pairing.snooze(GUILD, shuffled[i], f"in {rng.randint(1, 72)} hours")
    for user in shuffled[230:250]:
        await pairing.save_profile(GUILD, user, track="backend", skills="python", available=False)
    clock.advance(minutes=1)
    return users


async def timed(samples: list[float], call: Awaitable[object]) -> None:
    started = time.perf_counter()
    await call
    samples.append((time.perf_counter() - started) * 1000)


async def run(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as folder:
        db = Database(Path(folder) / "bench.db")
        await db.connect()
        try:
            await migrate(db)
            clock = FakeClock(START)
            services = build_services(db, clock, timer_wakeups=False)
            started = time.perf_counter()
            users = await seed(services, clock, args)
            print(f"seeded: {len(users)} profiles in {time.perf_counter() - started:.1f} s")
            rng = random.Random(args.seed + 1)
            pairing = services.pairing

            async def steady() -> None:
                return None

            async def edit() -> None:
                user = rng.choice(users[250:])
                skills = ", ".join(rng.sample(SKILLS, rng.randint(2, 6)))
                await pairing.save_profile(GUILD, user, track=rng.choice(TRACKS), skills=skills)

            async def tick() -> None:
                clock.advance(minutes=7)

            rows: list[tuple[str, Callable[[], Awaitable[None]]]] = [
                ("find", steady),
                ("find after an edit", edit),
                ("find, clock moving", tick),
            ]
            for _ in range(50):  # warm up: imports, memoised candidates
                await pairing.find(GUILD, rng.choice(users))
            head = f"{'row':<22} {'p50':>7} {'p95':>7} {'p99':>7} {'max':>7}"
            print(f"\n{head}   (ms, n={args.calls})")
            for name, before in rows:
                samples: list[float] = []
                for _ in range(args.calls):
                    await before()
                    await timed(samples, pairing.find(GUILD, rng.choice(users)))
                p50, p95, p99 = (percentile(samples, q) for q in (50, 95, 99))
                print(f"{name:<22} {p50:7.2f} {p95:7.2f} {p99:7.2f} {max(samples):7.2f}")
        finally:
            await db.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profiles", type=int, default=400)
    parser.add_argument("--calls", type=int, default=2000, help="calls per row")
    parser.add_argument("--seed", type=int, default=12)
    args = parser.parse_args()
    if args.profiles < 260:
        parser.error("--profiles: at least 260 (pairs, requests, snoozes are seeded)")
    print(f"command: {' '.join([Path(sys.executable).name, *sys.argv])}")
    load = os.getloadavg()
    print(
        f"machine: {os.cpu_count()} CPUs, {platform.machine()}, {platform.system()},"
        f" Python {platform.python_version()}; load average"
        f" {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} at start"
    )
    asyncio.run(run(args))
    load = os.getloadavg()
    print(f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} at the end")


if __name__ == "__main__":
    main()
