"""Study-session benchmark: ``/session list`` and the ``id`` autocomplete with 1,000
upcoming sessions in one server, through the real bot and the local Discord emulator.

    python bench/sessions.py                        # 1,000 sessions, 200 of each
    python bench/sessions.py --sessions 5000 --rounds 300

Starts the emulator and the real bot (real discord.py, real websocket and HTTP, a fresh
SQLite file), sets the server up, seeds the sessions through the service layer (with
RSVPs, so the head counts are real), then times each interaction's round trip: from
the emulator dispatching INTERACTION_CREATE to it receiving the bot's callback.
Discord gives a bot 3 s to answer; the ratio column says how much of that is used.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.emulator import DiscordEmulator
from tests.emulator.records import InteractionRecord
from tests.flows.harness import Nexus, build_world, fake_now, running_bot

DEADLINE_S = 3.0
TITLES = [
    "Django ORM clinic",
    "GraphQL basics",
    "Async Python",
    "REST API design review",
    "Docker for backend devs",
    "Caching with Redis",
    "Auth and JWT",
    "Testing with pytest",
    "CI/CD pipelines",
    "Database indexing",
]
QUERIES = ["", "orm", "graph", "async", "redis", "12", "#5", "pytest", "index", "docker"]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


async def seed(nexus: Nexus, count: int, rng: random.Random) -> float:
    started = time.perf_counter()
    guild = nexus.world.guild.id
    people = [u.id for u in nexus.world.learners]
    sessions = nexus.services.sessions
    for i in range(count):
        session = await sessions.create(
            guild_id=guild,
            host_id=nexus.world.mentor.id,
            title=f"{TITLES[i % len(TITLES)]} {i}",
            when=f"in {60 + i * 7} minutes",  # one every 7 minutes: ~5 days of sessions
            topic=rng.choice(["django", "async", "databases", None]),
            capacity=rng.choice([None, 3, 10]),
        )
        for user_id in rng.sample(people, rng.randint(0, len(people))):
            await sessions.join(session.id, guild, user_id)
    return time.perf_counter() - started


async def timed(rounds: int, fire: Callable[[int], Awaitable[InteractionRecord]]) -> list[float]:
    """Round trips in ms: dispatch by the emulator → callback received from the bot."""
    results = []
    for i in range(rounds):
        ix = await fire(i)
        await ix.response(timeout=DEADLINE_S)
        assert ix.callback_at is not None
        results.append((ix.callback_at - ix.created_at) * 1000)
    return results


def report(name: str, values: list[float]) -> None:
    p50, p95, p99 = (percentile(values, q) for q in (50, 95, 99))
    print(
        f"{name:<24} p50 {p50:7.1f} ms  p95 {p95:7.1f} ms  p99 {p99:7.1f} ms  "
        f"max {max(values):7.1f} ms  p99/3 s = {p99 / (DEADLINE_S * 1000):.1%}"
        f"  (n={len(values)})"
    )


async def run(count: int, rounds: int, seed_value: int) -> None:
    rng = random.Random(seed_value)
    with tempfile.TemporaryDirectory() as tmp:
        emu = DiscordEmulator()
        await emu.start()
        try:
            world = build_world(emu)
            nexus = Nexus(emu=emu, world=world, clock=fake_now(), db_path=Path(tmp) / "bench.db")
            async with running_bot(nexus):
                await nexus.setup_server()
                seconds = await seed(nexus, count, rng)
                total = (await nexus.services.sessions.upcoming(world.guild.id))[1]
                print(f"seeded {total} upcoming sessions in {seconds:.1f} s")
                guild, channel = world.guild.id, world.general.id
                users = world.learners

                def listing(i: int) -> Awaitable[InteractionRecord]:
                    user = users[i % len(users)]
                    mine = i % 2 == 1  # every other one is "/session list mine"
                    return emu.slash(user, guild, "session list", channel_id=channel, mine=mine)

                def choices(i: int) -> Awaitable[InteractionRecord]:
                    return emu.autocomplete(
                        users[i % len(users)],
                        guild,
                        "session join",
                        channel_id=channel,
                        focused="id",
                        value=QUERIES[i % len(QUERIES)],
                    )

                await timed(10, listing)  # warm-up
                await timed(10, choices)
                list_ms = await timed(rounds, listing)
                choice_ms = await timed(rounds, choices)
        finally:
            await emu.stop()
    print(f"\n== {count} upcoming sessions, {rounds} interactions each (3 s window)")
    report("/session list [mine]", list_ms)
    report("id autocomplete", choice_ms)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sessions", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--seed", type=int, default=4)
    args = parser.parse_args()
    asyncio.run(run(args.sessions, args.rounds, args.seed))


if __name__ == "__main__":
    main()
