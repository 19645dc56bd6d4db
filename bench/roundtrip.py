"""Round trips through Discord, Nexus against a bare discord.py bot, side by side.

    python bench/roundtrip.py            # the full run (about half an hour)
    python bench/roundtrip.py --quick    # a smoke run: small sizes, a few calls a row

One run starts two local Discords (tests/emulator: real websocket and HTTP on loopback),
each with the same server (channels, learners), and two bot processes: Nexus
(``python -m bot`` on a database seeded beforehand: upcoming sessions, a Q&A archive,
pairing profiles, timezones) and the bare bot (``bench/bare_bot.py``: the same slash
commands and buttons, each answered with a fixed reply in the same shape).

Each row is one user action, timed from the emulator dispatching INTERACTION_CREATE to
the user's answer: the interaction callback for a command; for a Join click (which
defers, then answers), the followup. Rounds of ``--round`` calls alternate between the
bots (bare first on even rounds, Nexus first on odd ones), at each concurrency (that
many users acting at once, each waiting for their answer before the next call); the
ratio columns are Nexus over bare for the same percentile. Then, per row, each bot's
resident memory before and after ``--rss-calls`` calls (at concurrency 10).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import os
import platform
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import qa as qa_bench
from roundtrip_world import (
    CARD_GOING,
    Bot,
    Sizes,
    World,
    build_world,
    fill_waitlist,
    running,
    seed_nexus,
    tidy,
)

from tests.emulator import DiscordEmulator, User
from tests.emulator.records import InteractionRecord

DEFERRED = 5
DEADLINE = 10.0  # seconds to wait for an answer before counting the call as failed

Fire = Callable[[World, User, int], Awaitable[InteractionRecord]]


@dataclass(frozen=True)
class Row:
    label: str
    fire: Fire | None  # None: a Join click on ``card``
    users: str = "all"  # "all" learners, or "profiles": only those with a pairing profile
    card: str | None = None  # a Join click on this card (then an untimed Leave)


def answered(ix: InteractionRecord) -> float | None:
    """When the user had their answer: the callback, or what a deferred one became."""
    if ix.callback is None or ix.callback_at is None:
        return None
    if ix.callback.get("type") != DEFERRED:
        return ix.callback_at
    return getattr(ix, "answered_at", None)


def stamp_answers() -> None:
    """Note the moment a deferred interaction's loading message is filled in."""
    notify = InteractionRecord.notify

    def noting(self: InteractionRecord) -> None:
        if getattr(self, "answered_at", None) is None and self.callback is not None:
            message = self.original_message
            if self.followup_ids or (message is not None and message.edited_timestamp):
                self.answered_at = self.emu.clock.time()  # type: ignore[attr-defined]
        notify(self)

    InteractionRecord.notify = noting  # type: ignore[method-assign]


async def wait_answer(ix: InteractionRecord) -> float:
    deadline = time.monotonic() + DEADLINE
    while answered(ix) is None:
        if ix.rejections or time.monotonic() > deadline:
            raise RuntimeError(f"{ix!r}: no answer ({ix.rejections or 'timeout'})")
        ix._changed.clear()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(ix._changed.wait(), 0.5)
    at = answered(ix)
    assert at is not None
    return (at - ix.created_at) * 1000


def rows(searches: list[str]) -> list[Row]:
    def slash(name: str, **options: object) -> Fire:
        async def fire(world: World, user: User, i: int) -> InteractionRecord:
            values = {k: v(i) if callable(v) else v for k, v in options.items()}
            return await world.emu.slash(
                user, world.guild.id, name, channel_id=world.general.id, **values
            )

        return fire

    async def session_info(world: World, user: User, i: int) -> InteractionRecord:
        _, session_id = world.cards["5000"]
        return await world.emu.slash(
            user, world.guild.id, "session info", channel_id=world.general.id, id=session_id
        )

    return [
        Row("/timezone show", slash("timezone show")),
        Row("/session list", slash("session list")),
        Row("/session info (5,000 waiting)", session_info),
        Row("/qa search", slash("qa search", query=lambda i: searches[i % len(searches)])),
        Row("/remind me", slash("remind me", when="in 3 days", what="revise the ORM chapter")),
        Row("Join click (waitlist 10)", None, card="10"),
        Row("Join click (waitlist 5,000)", None, card="5000"),
        Row("/pair find", slash("pair find"), users="profiles"),
    ]


def chosen(searches: list[str], wanted: list[str] | None) -> list[Row]:
    """The rows whose label contains one of ``wanted`` (all of them by default)."""
    every = rows(searches)
    if not wanted:
        return every
    return [row for row in every if any(w.lower() in row.label.lower() for w in wanted)]


class Users:
    """Who acts next: learners in turn across the whole run, so nobody hits a per-user
    cooldown; for a card, only people not on it right now."""

    def __init__(self, world: World, profiles: int) -> None:
        self._all = itertools.cycle(world.learners)
        self._profiles = itertools.cycle(world.learners[:profiles])
        self.free = {label: asyncio.Queue[User]() for label in world.cards}
        for queue in self.free.values():
            for user in world.learners:
                queue.put_nowait(user)

    def next(self, row: Row) -> User:
        return next(self._profiles if row.users == "profiles" else self._all)


async def one_call(world: World, users: Users, row: Row, i: int) -> float:
    if row.fire is not None:
        return await wait_answer(await row.fire(world, users.next(row), i))
    assert row.card is not None
    message, session_id = world.cards[row.card]
    queue = users.free[row.card]
    user = await queue.get()
    try:
        ms = await wait_answer(await world.emu.click(user, message, f"session:join:{session_id}"))
        await wait_answer(await world.emu.click(user, message, f"session:leave:{session_id}"))
    finally:
        queue.put_nowait(user)
    return ms


async def a_round(
    world: World, users: Users, row: Row, calls: int, concurrency: int
) -> tuple[list[float], int]:
    counter = itertools.count()
    samples: list[float] = []
    failures = 0

    async def worker() -> None:
        nonlocal failures
        while (i := next(counter)) < calls:
            try:
                samples.append(await one_call(world, users, row, i))
            except RuntimeError:
                failures += 1

    await asyncio.gather(*(worker() for _ in range(min(concurrency, calls))))
    tidy(world.emu)
    return samples, failures


def pick(ordered: list[float], q: float) -> float:
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


QUANTILES = (0.50, 0.95, 0.99)


def line(label: str, c: int, samples: dict[str, list[float]], failed: dict[str, int]) -> str:
    bare, nexus = (sorted(samples[k]) for k in ("bare", "nexus"))
    b = [pick(bare, q) for q in QUANTILES]
    n = [pick(nexus, q) for q in QUANTILES]
    ratios = "".join(f"{x / y:7.1f}" if y else f"{'-':>7}" for x, y in zip(n, b, strict=True))
    lost = failed["bare"] + failed["nexus"]
    note = f"   ({failed['nexus']} Nexus / {failed['bare']} bare calls failed)" if lost else ""
    return (
        f"{label:<30}{c:>4}  {''.join(f'{v:7.1f}' for v in b)}  "
        f"{''.join(f'{v:7.1f}' for v in n)}  {ratios}{note}"
    )


HEADER = (
    f"{'':<34}  {'bare, ms':>21}  {'Nexus, ms':>21}  {'Nexus / bare':>21}\n"
    f"{'row':<30}{'c':>4}  " + "  ".join(["    p50    p95    p99"] * 3)
)


async def measure(
    worlds: dict[str, World], users: dict[str, Users], args: argparse.Namespace
) -> list[str]:
    lines: list[str] = []
    for row in chosen(worlds["nexus"].searches, args.rows):
        for name in ("bare", "nexus"):  # warm-up, not counted
            await a_round(worlds[name], users[name], row, args.warmup, 5)
        for c in args.concurrency:
            samples: dict[str, list[float]] = {"bare": [], "nexus": []}
            failed = {"bare": 0, "nexus": 0}
            for r in range(args.rounds):
                order = ("bare", "nexus") if r % 2 == 0 else ("nexus", "bare")
                for name in order:
                    got, lost = await a_round(worlds[name], users[name], row, args.round, c)
                    samples[name] += got
                    failed[name] += lost
            lines.append(line(row.label, c, samples, failed))
            print(lines[-1], flush=True)
    return lines


async def memory(
    worlds: dict[str, World],
    users: dict[str, Users],
    bots: dict[str, Bot],
    args: argparse.Namespace,
) -> list[str]:
    lines = []
    calls = args.rss_calls
    for row in chosen(worlds["nexus"].searches, args.rows):
        parts = []
        for name in ("bare", "nexus"):
            before = bots[name].rss_mb()
            await a_round(worlds[name], users[name], row, calls, 10)
            after = bots[name].rss_mb()
            per_call = (after - before) * 1024 / calls if calls else 0.0
            parts.append(
                f"{name} {before:6.1f} → {after:6.1f} MB ({after - before:+5.1f}, "
                f"{per_call:+5.2f} KB a call)"
            )
        lines.append(f"{row.label:<30} " + "   ".join(parts))
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


async def cards(world: World, db_path: Path | None, waitlists: dict[str, int]) -> None:
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
        if db_path is not None:
            await fill_waitlist(db_path, session_id, CARD_GOING, waiting)


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
        db_path = folder / "nexus.db"
        worlds: dict[str, World] = {}
        async with contextlib.AsyncExitStack() as stack:
            for name in ("bare", "nexus"):
                emu = DiscordEmulator(token=f"{name}-token", bot_name=name)
                await emu.start()
                stack.push_async_callback(emu.stop)
                worlds[name] = build_world(emu, sizes.learners)
                worlds[name].searches = qa_bench.searches(1000, args.seed)
            started = time.perf_counter()
            await seed_nexus(db_path, worlds["nexus"], sizes, args.seed)
            print(
                f"seeded: {sizes.sessions:,} sessions, {sizes.questions:,} questions, "
                f"{sizes.profiles:,} pairing profiles, {sizes.learners:,} learners "
                f"in {time.perf_counter() - started:.0f} s",
                flush=True,
            )
            bots = {
                "bare": await stack.enter_async_context(
                    running("bare", worlds["bare"].emu, folder, db_path=None)
                ),
                "nexus": await stack.enter_async_context(
                    running("nexus", worlds["nexus"].emu, folder, db_path=db_path)
                ),
            }
            print(
                f"bots: bare pid {bots['bare'].process.pid}, Nexus pid {bots['nexus'].process.pid}",
                flush=True,
            )
            for name in ("bare", "nexus"):
                await until_answering(worlds[name], bots[name])
            # At its first start on the seeded database Nexus creates a scheduled event
            # for every upcoming session; a running bot made them long ago.
            await in_log(bots["nexus"], "scheduled event(s) reconciled")
            # And it builds the Q&A archive's search index, as after every start.
            await in_log(bots["nexus"], "search index ready")
            for name in ("bare", "nexus"):
                await cards(
                    worlds[name],
                    db_path if name == "nexus" else None,
                    {"10": 10, "5000": sizes.waitlist},
                )
            users = {name: Users(worlds[name], sizes.profiles) for name in worlds}
            print(
                f"\n== round trips in ms: rounds of {args.round} calls, {args.rounds} per bot "
                f"and concurrency, interleaved\n{HEADER}",
                flush=True,
            )
            await measure(worlds, users, args)
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
    args = parser.parse_args(argv)
    if args.quick:
        args.sessions, args.waitlist, args.questions = 30, 50, 2000
        args.profiles, args.learners = 20, 120
        args.round, args.rounds, args.warmup = 10, 1, 2
        args.concurrency, args.rss_calls = [1, 5], 10
    return args


if __name__ == "__main__":
    asyncio.run(main(parse()))
