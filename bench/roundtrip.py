"""Round trips through Discord, Nexus against a bare discord.py bot, side by side.

    python bench/roundtrip.py            # the full run (about half an hour)
    python bench/roundtrip.py --quick    # a smoke run: small sizes, a few calls a row
    python bench/roundtrip.py --postgres postgresql://user@host:5432/postgres
                                         # the full run, with Nexus on PostgreSQL too

One run starts two local Discords (tests/emulator: real websocket and HTTP on loopback),
each with the same server (channels, learners), and two bot processes: Nexus
(``python -m bot`` on a database seeded beforehand: upcoming sessions, a Q&A archive,
pairing profiles, timezones) and the bare bot (``bench/bare_bot.py``: the same slash
commands and buttons, each answered with a fixed reply in the same shape).

With ``--postgres URL`` there is a third Discord and a third process, Nexus on
PostgreSQL ("Nexus PG"): the run creates a database on that server
(``nexus_roundtrip_<pid>``; the URL's user must be allowed to), the bot's own migrations
build its schema, it is seeded with the same data as the SQLite file, and it is
dropped at the end. Without ``--postgres`` Nexus runs on SQLite only, as before.

Each row is one user action, timed from the emulator dispatching INTERACTION_CREATE to
the user's answer: the interaction callback for a command; for a Join click (which
defers, then answers), the followup. Rounds of ``--round`` calls alternate between the
bots (bare, Nexus[, Nexus PG] on even rounds, the reverse order on odd ones), at each
concurrency (that many users acting at once, each waiting for their answer before the
next call); the ratio columns are each Nexus over bare for the same percentile.

A second table gives the CPU time a call costs each bot's process (user and system, all
its threads; a Join row's call is a Join and a Leave), and what this process (the
Discords and the callers) spent during that bot's rounds: on a machine of few cores
every process shares them, so a row's latency at concurrency 10 and 50 follows what
the calls cost in CPU, the bot's and its Discord's. Then, per row, each bot's resident
memory before and after ``--rss-calls`` calls (at concurrency 10).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from roundtrip_calls import Users, a_round, chosen, stamp_answers, wait_answer
from roundtrip_world import (
    CARD_GOING,
    Bot,
    Sizes,
    World,
    build_world,
    describe_postgres,
    fill_waitlist,
    postgres_database,
    running,
    seed_nexus,
)

from bench import qa as qa_bench
from bot import heap
from tests.emulator import DiscordEmulator


def pick(ordered: list[float], q: float) -> float:
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


QUANTILES = (0.50, 0.95, 0.99)
LABELS = {"bare": "bare", "nexus": "Nexus", "pg": "Nexus PG"}
MEMORY_NAMES = {"pg": "nexus-pg"}  # the bot process (the server's own are not counted)


def figures(samples: list[float]) -> list[float]:
    ordered = sorted(samples)
    return [pick(ordered, q) for q in QUANTILES]


def ratios(top: list[float], bottom: list[float]) -> str:
    return "".join(f"{x / y:7.1f}" if y else f"{'-':>7}" for x, y in zip(top, bottom, strict=True))


def line(label: str, c: int, samples: dict[str, list[float]], failed: dict[str, int]) -> str:
    """bare, Nexus, Nexus / bare; then Nexus PG, Nexus PG / bare when PostgreSQL runs."""
    b, n = figures(samples["bare"]), figures(samples["nexus"])
    groups = ["".join(f"{v:7.1f}" for v in b), "".join(f"{v:7.1f}" for v in n), ratios(n, b)]
    if "pg" in samples:
        p = figures(samples["pg"])
        groups += ["".join(f"{v:7.1f}" for v in p), ratios(p, b)]
    lost = " / ".join(f"{failed[name]} {LABELS[name]}" for name in list(samples)[::-1])
    note = f"   ({lost} calls failed)" if any(failed.values()) else ""
    return f"{label:<30}{c:>4}  " + "  ".join(groups) + note


def header(names: tuple[str, ...]) -> str:
    groups = ["bare, ms", "Nexus, ms", "Nexus / bare"]
    if "pg" in names:
        groups += ["Nexus PG, ms", "Nexus PG / bare"]
    return (
        f"{'':<34}  " + "  ".join(f"{group:>21}" for group in groups) + "\n"
        f"{'row':<30}{'c':>4}  " + "  ".join(["    p50    p95    p99"] * len(groups))
    )


def cpu_header(names: tuple[str, ...]) -> str:
    bots = "".join(f"{LABELS[name]:>10}" for name in names)
    ratios = "".join(f"{LABELS[name] + ' / bare':>17}" for name in names[1:])
    discords = "".join(f"{'Discord, ' + LABELS[name]:>18}" for name in names)
    return f"{'row':<30}{'c':>4}  {bots}{ratios}  {discords}"


def cpu_line(label: str, c: int, bots: dict[str, float], discords: dict[str, float]) -> str:
    """CPU milliseconds a call: each bot's process; then this process (the Discords and
    the callers) during that bot's rounds."""
    names = list(bots)
    own = "".join(f"{bots[name]:10.2f}" for name in names)
    ratio = "".join(
        f"{bots[name] / bots['bare']:17.1f}" if bots["bare"] else f"{'-':>17}" for name in names[1:]
    )
    theirs = "".join(f"{discords[name]:18.2f}" for name in names)
    return f"{label:<30}{c:>4}  {own}{ratio}  {theirs}"


async def measure(
    worlds: dict[str, World],
    users: dict[str, Users],
    bots: dict[str, Bot],
    args: argparse.Namespace,
) -> list[str]:
    """The round-trip table, printed row by row; returns the CPU table's lines."""
    names = tuple(worlds)  # bare, nexus[, pg]: even rounds in this order, odd ones reversed
    cpu_lines: list[str] = []
    for row in chosen(worlds["nexus"].searches, args.rows):
        for name in names:  # warm-up, not counted
            await a_round(worlds[name], users[name], row, args.warmup, 5)
        for c in args.concurrency:
            samples: dict[str, list[float]] = {name: [] for name in names}
            failed = dict.fromkeys(names, 0)
            cpu = dict.fromkeys(names, 0.0)
            discord_cpu = dict.fromkeys(names, 0.0)
            for r in range(args.rounds):
                for name in names if r % 2 == 0 else names[::-1]:
                    bot_before, here_before = bots[name].cpu_s(), time.process_time()
                    got, lost = await a_round(worlds[name], users[name], row, args.round, c)
                    cpu[name] += bots[name].cpu_s() - bot_before
                    discord_cpu[name] += time.process_time() - here_before
                    samples[name] += got
                    failed[name] += lost
            print(line(row.label, c, samples, failed), flush=True)
            calls = args.rounds * args.round / 1000  # CPU seconds to milliseconds a call
            cpu_lines.append(
                cpu_line(
                    row.label,
                    c,
                    {name: cpu[name] / calls for name in names},
                    {name: discord_cpu[name] / calls for name in names},
                )
            )
    return cpu_lines


async def memory(
    worlds: dict[str, World],
    users: dict[str, Users],
    bots: dict[str, Bot],
    args: argparse.Namespace,
) -> list[str]:
    """Per row, a line for bare and Nexus; under it, when PostgreSQL runs, Nexus PG's."""
    lines = []
    calls = args.rss_calls
    for row in chosen(worlds["nexus"].searches, args.rows):
        parts = []
        for name in worlds:
            before = bots[name].rss_mb()
            await a_round(worlds[name], users[name], row, calls, 10)
            after = bots[name].rss_mb()
            per_call = (after - before) * 1024 / calls if calls else 0.0
            parts.append(
                f"{MEMORY_NAMES.get(name, name)} {before:6.1f} → {after:6.1f} MB "
                f"({after - before:+5.1f}, {per_call:+5.2f} KB a call)"
            )
        lines.append(f"{row.label:<30} " + "   ".join(parts[:2]))
        if len(parts) > 2:  # the PostgreSQL Nexus, under the SQLite one
            lines[-1] += "\n" + " " * (31 + len(parts[0]) + 3) + parts[2]
        print(lines[-1], flush=True)
    return lines


async def until_answering(world: World, bot: Bot, patience: float = 60) -> None:
    deadline = time.monotonic() + patience
    while True:
        if bot.process.returncode is not None:
            raise SystemExit(f"{bot.name} exited:\n{bot.log.read_text()[-3000:]}")
        if world.emu.gateway.ready.is_set() and world.emu.commands():
            try:
                ix = await world.emu.slash(
                    world.learners[0], world.guild.id, "timezone show", channel_id=world.general.id
                )
                await wait_answer(ix)
                return
            except Exception:
                if time.monotonic() > deadline:
                    raise
        elif time.monotonic() > deadline:
            raise SystemExit(f"{bot.name} not ready:\n{bot.log.read_text()[-3000:]}")
        await asyncio.sleep(0.2)


async def in_log(bot: Bot, text: str, patience: float = 300) -> None:
    deadline = time.monotonic() + patience
    while text not in bot.log.read_text(errors="replace"):
        if time.monotonic() > deadline:
            raise SystemExit(f"no {text!r} from {bot.name}:\n{bot.log.read_text()[-3000:]}")
        await asyncio.sleep(0.5)


async def cards(world: World, database: Path | str | None, waitlists: dict[str, int]) -> None:
    """A card for each waitlist size: ``/session create`` (capacity 5), then the line."""
    for label, waiting in waitlists.items():
        ix = await world.emu.slash(
            world.mentor,
            world.guild.id,
            "session create",
            channel_id=world.sessions.id,
            title=f"Waitlist {label}",
            when="in 4 days",
            capacity=CARD_GOING,
        )
        await wait_answer(ix)
        for _ in range(100):  # Nexus posts the card before it answers; make sure
            posted = [m for m in world.emu.messages(world.sessions.id) if m.components]
            if len(posted) > len(world.cards):
                break
            await asyncio.sleep(0.05)
        card = posted[-1]
        join_id = card.components[0]["components"][0]["custom_id"]
        session_id = int(join_id.rsplit(":", 1)[1])
        world.cards[label] = (card, session_id)
        if database is not None:
            await fill_waitlist(database, session_id, CARD_GOING, waiting)


def machine() -> str:
    model = "unknown CPU"
    with contextlib.suppress(OSError):
        for text in Path("/proc/cpuinfo").read_text().splitlines():
            if text.startswith("model name"):
                model = text.split(":", 1)[1].strip()
                break
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return (
        f"{os.cpu_count()} CPUs ({model}), {platform.system()} {platform.machine()}, "
        f"Python {platform.python_version()}; load average {load}"
    )


async def main(args: argparse.Namespace) -> None:
    stamp_answers()
    sizes = Sizes(args.sessions, args.waitlist, args.questions, args.profiles, args.learners)
    print(f"machine: {machine()}", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        worlds: dict[str, World] = {}
        async with contextlib.AsyncExitStack() as stack:
            # Nexus's databases: the SQLite file, and with --postgres a new database on
            # that server (dropped at the end, after the bots are gone).
            databases: dict[str, Path | str] = {"nexus": folder / "nexus.db"}
            if args.postgres:
                url = await stack.enter_async_context(postgres_database(args.postgres))
                print(f"PostgreSQL: {await describe_postgres(url)}", flush=True)
                databases["pg"] = url
            for name in ("bare", *databases):
                emu = DiscordEmulator(token=f"{name}-token", bot_name=name)
                await emu.start()
                stack.push_async_callback(emu.stop)
                worlds[name] = build_world(emu, sizes.learners)
                worlds[name].searches = qa_bench.searches(1000, args.seed)
            for name, database in databases.items():
                started = time.perf_counter()
                await seed_nexus(database, worlds[name], sizes, args.seed)
                print(
                    f"seeded{' PostgreSQL' if name == 'pg' else ''}: {sizes.sessions:,} "
                    f"sessions, {sizes.questions:,} questions, {sizes.profiles:,} pairing "
                    f"profiles, {sizes.learners:,} learners "
                    f"in {time.perf_counter() - started:.0f} s",
                    flush=True,
                )
            bots = {
                "bare": await stack.enter_async_context(
                    running("bare", worlds["bare"].emu, folder, database=None)
                )
            }
            for name, database in databases.items():
                bots[name] = await stack.enter_async_context(
                    running(name, worlds[name].emu, folder, database=database)
                )
            pids = ", ".join(f"{LABELS[name]} pid {bot.process.pid}" for name, bot in bots.items())
            print(f"bots: {pids}", flush=True)
            for name in worlds:
                await until_answering(worlds[name], bots[name])
            # At its first start on the seeded database Nexus creates a scheduled event
            # for every upcoming session; a running bot made them long ago.
            for name in databases:
                await in_log(bots[name], "scheduled event(s) reconciled")
                # And it builds the Q&A archive's search index, as after every start.
                await in_log(bots[name], "search index ready")
            for name in worlds:
                await cards(worlds[name], databases.get(name), {"10": 10, "5000": sizes.waitlist})
            users = {name: Users(worlds[name], sizes.profiles) for name in worlds}
            # This process holds the Discords' worlds (thousands of learners, the cards):
            # out of the garbage collector's way, as the bot does with its own start,
            # or a full collection stops both Discords for ~0.1 s now and then, in
            # whichever bot's round it falls.
            heap.settle()
            print(
                f"\n== round trips in ms: rounds of {args.round} calls, {args.rounds} per bot "
                f"and concurrency, interleaved\n{header(tuple(worlds))}",
                flush=True,
            )
            cpu_lines = await measure(worlds, users, bots, args)
            print(
                "\n== CPU per call in ms: each bot's process, and this one (the Discords and"
                " the callers) during that bot's rounds"
                f"\n{cpu_header(tuple(worlds))}\n" + "\n".join(cpu_lines),
                flush=True,
            )
            if args.rss_calls:
                print(f"\n== resident memory, before and after {args.rss_calls} calls", flush=True)
                await memory(worlds, users, bots, args)
    print(f"\nmachine at the end: {machine()}")


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a smoke run, well under a minute")
    parser.add_argument("--sessions", type=int, default=1000)
    parser.add_argument("--waitlist", type=int, default=5000)
    parser.add_argument("--questions", type=int, default=100_000)
    parser.add_argument("--profiles", type=int, default=400)
    parser.add_argument("--learners", type=int, default=4000)
    parser.add_argument("--round", type=int, default=1000, help="calls in a round")
    parser.add_argument("--rounds", type=int, default=2, help="rounds per bot and concurrency")
    parser.add_argument("--warmup", type=int, default=50)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 10, 50])
    parser.add_argument("--rss-calls", type=int, default=5000, help="0: no memory table")
    parser.add_argument("--rows", nargs="+", help="only rows whose label holds one of these")
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument(
        "--postgres",
        metavar="URL",
        help="also Nexus on PostgreSQL: a server (postgresql://user@host:port/db) where the "
        "run may create and drop a database; without it, Nexus runs on SQLite only",
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.sessions, args.waitlist, args.questions = 30, 50, 2000
        args.profiles, args.learners = 20, 120
        args.round, args.rounds, args.warmup = 10, 1, 2
        args.concurrency, args.rss_calls = [1, 5], 10
    return args


if __name__ == "__main__":
    asyncio.run(main(parse()))
